/**
 * `summary.json` of an experiment folder: what was asked (the spec), one row per cell (strategy × params × budget)
 * with its solve rate and 95 % Wilson interval, sampling metrics, tokens, cost and time, every problem's result in
 * that cell (with its trace file, relative to the folder), and the plot files. The CLI writes it, the Experiment
 * view reads it; every number in it is a recount from the traces (see recount.ts), so it can always be rebuilt.
 */
import * as z from 'zod';
import { ContinuationModeSchema, ParamsSchema, RunStatusSchema, StrategyNameSchema, VerifierConfigSchema } from '../trace/schema';

const count = z.number().int().nonnegative();
const rate = z.number().min(0).max(1);

/** Where the experiment's requests went: never an API key, only what identifies the model. */
export const ExperimentEndpointSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('embedded') }),
  z.object({ kind: z.literal('openai'), baseUrl: z.string(), model: z.string(), mode: ContinuationModeSchema }),
]);

/** One strategy of the grid with its parameters (the same strategy may appear with different parameters). */
export const ExperimentStrategySchema = z.object({
  strategy: StrategyNameSchema,
  params: ParamsSchema,
});

export const ExperimentSpecSchema = z.object({
  problems: z.object({
    /** A named set (`heldout-test`, `heldout-validation`) or the JSONL file as given on the command line. */
    source: z.string(),
    /** 1-based problem numbers picked from the source (`1-20`, `3,5,7-9`); absent: all. */
    select: z.string().optional(),
    count,
  }),
  strategies: z.array(ExperimentStrategySchema).min(1),
  /** Token budgets (maxTokens: prompt + completion, as the engine meters them), one cell per strategy × budget. */
  budgets: z.array(z.number().int().positive()).min(1),
  endpoint: ExperimentEndpointSchema,
  /** Absent: the engine's default for each problem (on the embedded model, the Countdown checks + value model). */
  verifier: VerifierConfigSchema.optional(),
  /** Run seed: problem i (0-based in the selection) runs with seed + i in every cell, so cells are paired. */
  seed: z.number().int(),
});

/**
 * A problem's outcome in a cell. `status` is the run's end as the trace records it; `missing`: no finished trace
 * (never run, killed mid-run, or unreadable). `failed` is a run that broke (endpoint, model), not an unsolved one.
 */
export const ProblemResultStatusSchema = z.union([RunStatusSchema.exclude(['running']), z.literal('missing')]);

export const ProblemResultSchema = z.object({
  /** 0-based position in the selected problems (the same problem has the same index in every cell). */
  index: count,
  /** The problem's id (from its line, or `<file>-<line>`). */
  problemId: z.string(),
  /** Trace file relative to the experiment folder (`traces/<cell>/<problem>.metacot.json`), also when missing. */
  trace: z.string(),
  status: ProblemResultStatusSchema,
  solved: z.boolean(),
  /** Prompt + completion tokens the run spent. */
  tokens: count,
  cost: z.number().nonnegative(),
  /** Wall time of the run (start to end as the trace records it). */
  seconds: z.number().nonnegative(),
  answer: z.string().optional(),
  /** Why the run ended, in the engine's words (a failed run's cause). */
  reason: z.string().optional(),
});

/** Sampling metrics over the answers each problem's tree holds, averaged over the problems with at least k answers. */
export const AtKRowSchema = z.object({
  k: z.number().int().positive(),
  /** Problems whose tree holds at least k answers (the mean is over these). */
  problems: count,
  passAtK: rate,
  majAtK: rate,
  bestOfK: rate,
});

export const ExperimentCellSchema = z.object({
  /** Folder name under traces/ (`beam-1000`, `mcts-c=1.0-4000`). */
  id: z.string().min(1),
  strategy: StrategyNameSchema,
  params: ParamsSchema,
  budget: z.number().int().positive(),
  /** Problems in the cell, and how many have a finished trace (the rates are over `problems`: missing = unsolved). */
  problems: count,
  finished: count,
  solved: count,
  failed: count,
  solveRate: rate,
  ci: z.object({ low: rate, high: rate }),
  atK: z.array(AtKRowSchema),
  tokens: z.object({ total: count, mean: z.number().nonnegative() }),
  /** Tokens spent over problems solved (null: none solved). */
  tokensPerSolved: z.number().nonnegative().nullable(),
  cost: z.object({ total: z.number().nonnegative(), mean: z.number().nonnegative(), perSolved: z.number().nonnegative().nullable() }),
  seconds: z.object({ total: z.number().nonnegative(), mean: z.number().nonnegative() }),
  results: z.array(ProblemResultSchema),
});

export const ExperimentPlotSchema = z.object({
  kind: z.enum(['solve-rate', 'accuracy-vs-n', 'cost-per-solved']),
  title: z.string(),
  /** Relative to the experiment folder. */
  svg: z.string(),
  /** Absent when no browser was there to draw it. */
  png: z.string().optional(),
});

export const ExperimentSummarySchema = z.object({
  experiment: z.literal(1),
  spec: ExperimentSpecSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Every problem × cell has a finished trace. */
  complete: z.boolean(),
  totals: z.object({ entries: count, finished: count, solved: count, failed: count, missing: count, tokens: count, cost: z.number().nonnegative(), seconds: z.number().nonnegative() }),
  cells: z.array(ExperimentCellSchema),
  /** How accuracy vs N was computed (said in the file so the plot is not misread). */
  accuracyVsNMethod: z.string(),
  plots: z.array(ExperimentPlotSchema),
});

export type ExperimentEndpoint = z.infer<typeof ExperimentEndpointSchema>;
export type ExperimentStrategy = z.infer<typeof ExperimentStrategySchema>;
export type ExperimentSpec = z.infer<typeof ExperimentSpecSchema>;
export type ProblemResultStatus = z.infer<typeof ProblemResultStatusSchema>;
export type ProblemResult = z.infer<typeof ProblemResultSchema>;
export type AtKRow = z.infer<typeof AtKRowSchema>;
export type ExperimentCell = z.infer<typeof ExperimentCellSchema>;
export type ExperimentPlot = z.infer<typeof ExperimentPlotSchema>;
export type ExperimentSummary = z.infer<typeof ExperimentSummarySchema>;

export const SUMMARY_FILE = 'summary.json';
export const TRACES_DIR = 'traces';
export const PLOTS_DIR = 'plots';
