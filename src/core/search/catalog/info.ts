/**
 * The strategy catalog: every strategy's name, label, summary and parameters, and the engine's common parameters,
 * as data. The engine, `metacot run --help`, the settings schema in package.json, the palette pickers and the
 * panel's re-run form all read this (through derive.ts); nothing else lists them. Pure data with no run-time
 * imports beyond zod and params.ts, so the panel can receive and validate it without pulling in the strategies.
 *
 * A new strategy: one entry in INFO below (the trace schema's StrategyNameSchema lists the same names; the type
 * check fails until both agree), its module under ../strategies/, and one line in runners.ts.
 */
import * as z from 'zod';
import type { StrategyName } from '../../trace/schema';
import { ParamSpecSchema } from '../params';
import { MODEL_FEATURES } from '../../llm/generator';
import type { ModelFeature } from '../../llm/generator';

/** Catalog params always carry a label: forms and pickers show it. */
export const CatalogParamSchema = ParamSpecSchema.extend({ label: z.string().min(1) });
export type CatalogParam = z.infer<typeof CatalogParamSchema>;

/**
 * Request features a strategy's method depends on and a model may ignore (the names of the Generator contract's
 * `GeneratorLimitation.feature`; the run set-up's type check fails until both lists agree).
 */
export const ModelFeatureSchema = z.enum(MODEL_FEATURES);
export type { ModelFeature };

export const StrategyInfoSchema = z.object({
  name: z.string().min(1),
  label: z.string().min(1),
  /** One line for help texts and pickers. */
  summary: z.string().min(1),
  /** The strategy's own parameters, in the order saved configs list them (the engine adds `common`). */
  params: z.array(CatalogParamSchema),
  /** What the method needs the model to honour: a generator declaring one as a limitation makes the run say so. */
  relies: z.array(ModelFeatureSchema).optional(),
  /** It orders steps by value (beam keeps the top width, MCTS selects by Q, A* pops the highest priority): without a value signal its choices are arbitrary. */
  valueGuided: z.boolean().optional(),
  /**
   * Parameter values that leave the token budget to end a run (count caps raised, one solution per request): what an
   * experiment over budgets sets, or every budget above the cap would give the same cell.
   */
  budgetBound: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])).optional(),
  /**
   * It searches inside one long chain of thought the model writes: on the embedded default it runs on the embedded
   * reasoner (Stream-of-Search), since the step policy writes no thinking to search in.
   */
  searchesInThinking: z.boolean().optional(),
});
export type StrategyInfo = z.infer<typeof StrategyInfoSchema>;

export const StrategyCatalogSchema = z
  .object({
    strategies: z.array(StrategyInfoSchema),
    common: z.array(CatalogParamSchema),
    defaultStrategy: z.string(),
  })
  .superRefine((c, ctx) => {
    // Everything derived from a catalog looks names up: duplicates or a dangling default would be silent bugs.
    const names = c.strategies.map((s) => s.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) ctx.addIssue({ code: 'custom', message: `strategy "${dup}" is listed twice`, path: ['strategies'] });
    if (!names.includes(c.defaultStrategy)) ctx.addIssue({ code: 'custom', message: `default strategy "${c.defaultStrategy}" is not in the catalog`, path: ['defaultStrategy'] });
    const common = new Set(c.common.map((p) => p.name));
    for (const s of c.strategies) {
      const own = s.params.map((p) => p.name);
      const clash = own.find((n, i) => own.indexOf(n) !== i || common.has(n));
      if (clash !== undefined) ctx.addIssue({ code: 'custom', message: `${s.name}: parameter "${clash}" is listed twice or is a common one`, path: ['strategies'] });
    }
  });
export type StrategyCatalog = z.infer<typeof StrategyCatalogSchema>;

/** A built-in entry: its name is one the trace schema accepts. */
export type BuiltinStrategyInfo = StrategyInfo & { name: StrategyName };

/** §6.4-style instruction for chat models without native reasoning (in-context, prompt=think-verify). */
export const THINK_VERIFY_PROMPT =
  'Think before you answer, inside <think> and </think>. Work step by step, one step per paragraph. After each step, ' +
  'check it; when a step is wrong or leads nowhere, say "Wait," and go back to an earlier step and try another way. ' +
  'Then close the thinking and state the final answer in \\boxed{}.';

/**
 * A* by default: on the embedded default (checker only, no value model yet) it solves the sample problem in ~64 nodes.
 * Beam ranks every candidate at the prior there (no value signal) and solves it only by resampling exhausted steps —
 * a first run must show a verified answer, found by a search whose order means something.
 */
export const DEFAULT_STRATEGY: StrategyName = 'astar';

/** Engine parameters every strategy accepts; saved in `RunConfig.params` beside the strategy's own. */
export const COMMON_PARAMS: CatalogParam[] = [
  { name: 'concurrency', label: 'Requests in flight', type: 'integer', default: 8, min: 1, doc: 'model requests in flight at once (the endpoint client may cap further)' },
  { name: 'seed', label: 'Seed', type: 'integer', default: null, doc: 'base seed; each request gets a seed derived from it, its parent node and purpose (null: no seed sent)' },
  { name: 'temperature', label: 'Temperature', type: 'number', default: null, min: 0, doc: 'sampling temperature for steps and solutions (null: the endpoint default)' },
  { name: 'maxTokens', label: 'Max tokens per request', type: 'integer', default: null, min: 1, doc: 'token limit per step / solution request (null: the endpoint default)' },
  { name: 'maxErrors', label: 'Failed requests allowed', type: 'integer', default: 3, min: 1, doc: 'failed requests (after the client\'s retries) before the run ends as failed' },
  { name: 'mergeDuplicates', label: 'Merge duplicate siblings', type: 'boolean', default: true, doc: 'identical sibling samples become one node with a count of copies (×k), valued once, also when a node is sampled again (a repeat of an older child adds to its count); off: each sample is its own node' },
  { name: 'prior', label: 'Prior value', type: 'number', default: 0.5, min: 0, max: 1, doc: 'value assumed for nodes the verifier cannot value' },
  { name: 'priceIn', label: 'Price in (per 1M tokens)', type: 'number', default: 0, min: 0, doc: 'cost per million prompt tokens, for the cost meter and maxCost' },
  { name: 'priceOut', label: 'Price out (per 1M tokens)', type: 'number', default: 0, min: 0, doc: 'cost per million completion tokens' },
];

const AGGREGATIONS = ['last', 'min', 'prod', 'mean'];
const stopOnSolve = (d: boolean, doc: string): CatalogParam => ({ name: 'stopOnSolve', label: 'Stop when an answer verifies', type: 'boolean', default: d, doc });

/** Keyed by name so the type check demands exactly the schema's names (no more, no fewer); key order is list order. */
const INFO = {
  single: {
    label: 'Single sample',
    summary: 'one full chain of thought (baseline)',
    params: [],
  },
  'best-of-n': {
    label: 'Best-of-N',
    // one solution per request, stopping on the first verified one, so it too can stop at any budget
    budgetBound: { n: 100000, perRequest: 1, stopOnSolve: true },
    summary: 'N full solutions; pick by verifier argmax, majority vote or weighted vote',
    params: [
      { name: 'n', label: 'N solutions', type: 'integer', default: 8, min: 1, doc: 'solutions sampled' },
      { name: 'perRequest', label: 'Solutions per request', type: 'integer', default: 0, min: 0, doc: 'solutions per request (n); 0 = all in one request (shared prefill)' },
      { name: 'selection', label: 'Pick by', type: 'string', default: 'majority', choices: ['argmax', 'majority', 'weighted'], doc: 'how the answer is chosen' },
      stopOnSolve(false, 'stop as soon as one solution verifies (pass@k style; skips the vote)'),
    ],
  },
  beam: {
    label: 'Beam search (PRM)',
    valueGuided: true,
    summary: 'step-level beam search: N candidates per beam, keep the top width by aggregated score',
    params: [
      { name: 'N', label: 'Candidates per beam (N)', type: 'integer', default: 4, min: 1, doc: 'candidates per beam and step (one request with n = N)' },
      { name: 'width', label: 'Beam width', type: 'integer', default: 4, min: 1, doc: 'beams kept after each step' },
      { name: 'maxDepth', label: 'Max depth', type: 'integer', default: 10, min: 1, doc: 'steps below the start node' },
      { name: 'aggregation', label: 'Step score aggregation', type: 'string', default: 'last', choices: AGGREGATIONS, doc: 'how step scores make a path score' },
      { name: 'resample', label: 'Resample when exhausted', type: 'boolean', default: true, doc: 'when every candidate of a step is finished or pruned before maxDepth, sample the kept beams again instead of ending (a larger budget keeps exploring)' },
      { name: 'resampleLimit', label: 'Resamples per beam set', type: 'integer', default: 2, min: 1, doc: 'times the same beams are resampled before the step above is resampled instead (new beams below start their own count)' },
      stopOnSolve(true, 'stop when a candidate verifies'),
    ],
  },
  mcts: {
    label: 'MCTS (UCT)',
    valueGuided: true,
    budgetBound: { simulations: 100000 },
    summary: 'Monte-Carlo tree search with UCT, b-way expansion, valued children and parallel simulations',
    params: [
      { name: 'simulations', label: 'Simulations', type: 'integer', default: 32, min: 1, doc: 'simulations (select, expand, value, back up)' },
      { name: 'b', label: 'Children per expansion (b)', type: 'integer', default: 4, min: 1, doc: 'children sampled per expansion (one request with n = b)' },
      { name: 'c', label: 'Exploration constant c', type: 'number', default: 0.5, min: 0, doc: 'UCT exploration constant: Q + c·√(ln N(parent) / N(child)); too large a c makes the search backtrack again and again (0.5 on the validation split with qNormalize minmax; the textbook √2 ≈ 1.4 spreads visits almost evenly there)' },
      { name: 'backup', label: 'Backup', type: 'string', default: 'max', choices: ['mean', 'max'], doc: 'mean (the paper): N += 1, Q += (v − Q)/N, Q is the mean of every value backed up through a node; max: N += 1, Q = the highest Q among its children (a leaf keeps its own value), the value of the best continuation found so far' },
      { name: 'qNormalize', label: 'Q normalization', type: 'string', default: 'minmax', choices: ['none', 'minmax'], doc: 'none: UCT adds c·√(ln N(parent)/N(child)) to Q itself; minmax (MuZero): to (Q − lowest Q)/(highest Q − lowest Q) over this search, so c means the same whatever the scale of the values' },
      { name: 'maxDepth', label: 'Max depth', type: 'integer', default: 12, min: 1, doc: 'nodes this deep below the start are not expanded' },
      { name: 'parallel', label: 'Simulations in flight', type: 'integer', default: 0, min: 0, doc: 'simulations in flight at once; 0 = the concurrency param' },
      { name: 'virtualLoss', label: 'Virtual loss', type: 'number', default: 1, min: 0, doc: 'virtual visits (value 0) per in-flight simulation' },
      { name: 'widenK', label: 'Progressive widening k', type: 'number', default: 1, min: 0, doc: 'progressive widening: an expanded node may have up to ⌊k·N^α⌋ children (N its visits); when that passes its child count it is sampled again; 0 = never widen' },
      { name: 'widenAlpha', label: 'Progressive widening α', type: 'number', default: 0.5, min: 0, max: 1, doc: 'α in ⌊k·N^α⌋ (0.5: children grow with √N)' },
      { name: 'widenPenalty', label: 'Value-aware widening penalty', type: 'number', default: 0.1, min: 0, doc: 'value-aware widening (A*\'s re-expansion rule): a node is sampled again (b more) when its best child\'s Q is below its own value (the start node: the prior) minus this per sampling; 0 = off' },
      stopOnSolve(true, 'stop when a node verifies'),
    ],
  },
  astar: {
    label: 'A* / best-first',
    valueGuided: true,
    budgetBound: { maxExpansions: 100000 },
    summary: 'best-first search over a value-keyed frontier (A* with an optional depth cost)',
    params: [
      { name: 'b', label: 'Next steps per expansion (b)', type: 'integer', default: 4, min: 1, doc: 'next steps proposed per popped node (one request with n = b)' },
      { name: 'maxDepth', label: 'Max depth (d)', type: 'integer', default: 10, min: 1, doc: 'd: nodes at this depth below the start are not pushed' },
      { name: 'depthCost', label: 'Depth cost', type: 'number', default: 0, min: 0, doc: 'priority = h − depthCost·depth (0: priority is the value)' },
      { name: 'maxExpansions', label: 'Max expansions', type: 'integer', default: 64, min: 1, doc: 'nodes popped and expanded at most' },
      { name: 'parallel', label: 'Nodes expanded at once', type: 'integer', default: 1, min: 1, doc: 'nodes popped and expanded at once (1 = strict best-first)' },
      { name: 'aggregation', label: 'Step score aggregation', type: 'string', default: 'last', choices: AGGREGATIONS, doc: 'how step scores make h' },
      { name: 'reexpandPenalty', label: 'Re-expansion penalty', type: 'number', default: 0.1, min: 0, doc: 'an expanded node goes back on the frontier with priority lowered by this per expansion, so it is sampled again once better nodes are spent (0 = never re-expand)' },
      stopOnSolve(true, 'stop when a step verifies'),
    ],
  },
  revision: {
    label: 'Sequential revision',
    summary: 'sequential revisions, each conditioned on the last j attempts, until one verifies',
    // conditioning on earlier attempts is the method: a model ignoring them makes it plain resampling
    relies: ['previous-attempts'],
    params: [
      { name: 'attempts', label: 'Max attempts', type: 'integer', default: 8, min: 1, doc: 'attempts at most' },
      { name: 'window', label: 'Earlier attempts in context (j)', type: 'integer', default: 2, min: 0, doc: 'j: earlier attempts shown to each new one (sliding window)' },
      stopOnSolve(true, 'stop at the first verified attempt (false: run all attempts)'),
    ],
  },
  'in-context': {
    label: 'In-context search (long CoT)',
    summary: 'one long streamed generation (reasoning model or think-and-verify prompt) imported live as a search tree',
    searchesInThinking: true,
    params: [
      { name: 'prompt', label: 'Prompt', type: 'string', default: 'reasoning', choices: ['reasoning', 'think-verify'], doc: 'reasoning: the model thinks on its own; think-verify: append `instruction` to the problem' },
      { name: 'instruction', label: 'Think-and-verify instruction', type: 'string', default: THINK_VERIFY_PROMPT, doc: 'the think-and-verify instruction (prompt=think-verify)' },
      { name: 'segment', label: 'Cut thinking into', type: 'string', default: 'sentence', choices: ['sentence', 'paragraph'], doc: 'how the thinking is cut into steps' },
      { name: 'threshold', label: 'Backtrack similarity threshold', type: 'number', default: 0.6, min: 0, max: 1, doc: 'restatement similarity for where a backtrack returns' },
      { name: 'thinkOpen', label: 'Thinking opener (fork)', type: 'string', default: '<think>', doc: 'fork: text before the thinking in the continued assistant message (the thinking keeps its own leading newline)' },
      { name: 'importer', label: 'Read the thinking as', type: 'string', default: 'auto', choices: ['auto', 'long-cot', 'stream-of-search'], doc: 'auto: Stream-of-Search when the thinking starts with "Current State:" (the embedded reasoners), else long CoT; a fork keeps its tree\'s reader' },
    ],
  },
} satisfies Record<StrategyName, Omit<StrategyInfo, 'name'>>;

/** The built-in strategies in catalog order. */
export const STRATEGIES: readonly BuiltinStrategyInfo[] = (Object.keys(INFO) as StrategyName[]).map((name) => ({ name, ...INFO[name] }));

export const STRATEGY_CATALOG: StrategyCatalog = {
  strategies: [...STRATEGIES],
  common: COMMON_PARAMS,
  defaultStrategy: DEFAULT_STRATEGY,
};
