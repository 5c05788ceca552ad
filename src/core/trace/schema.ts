/**
 * Trace file format v1 (`*.metacot.json`). This zod schema is the single definition of the format:
 * every TypeScript type for traces is inferred from it. Key order in these objects is the key order
 * of the serialized file (see serialize.ts), so keep related fields together and append new optional
 * fields rather than reordering.
 */
import * as z from 'zod';
import { AnalysesSchema } from '../analyse/stepImportanceSchema';

export const TRACE_FORMAT = 'metacot.trace';
export const TRACE_VERSION = 1;

// zod 4 numbers already reject NaN and ±Infinity, and a refine here would cost a closure call per number.
const finite = z.number();
const count = z.number().int().nonnegative();
const unit = z.number().min(0).max(1);
type ParamScalar = string | number | boolean | null;
const isParamScalar = (v: unknown): v is ParamScalar =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
/**
 * Free-form strategy / verifier parameters and event details: scalars (or lists of them) only, so they print and
 * diff cleanly. One check function rather than a zod record of unions: event data is on every event of a
 * 100k-node trace, and the union would try its options value by value.
 */
export const ParamsSchema = z.custom<Record<string, ParamScalar | ParamScalar[]>>(
  (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
    for (const key in v) {
      const x = (v as Record<string, unknown>)[key];
      if (!isParamScalar(x) && !(Array.isArray(x) && x.every(isParamScalar))) return false;
    }
    return true;
  },
  { message: 'expected an object whose values are strings, finite numbers, booleans, null or lists of them' },
);

export const SourcePositionSchema = z.object({ line: count, character: count });

export const ProblemSourceSchema = z.object({
  /** Workspace-relative (or absolute, outside a workspace) path of the file the problem came from. */
  file: z.string().optional(),
  /** 1-based line of a JSONL problem set. */
  line: z.number().int().positive().optional(),
  selection: z.object({ start: SourcePositionSchema, end: SourcePositionSchema }).optional(),
  dataset: z.string().optional(),
});

export const ProblemSchema = z.object({
  text: z.string(),
  answer: z.string().optional(),
  id: z.string().optional(),
  source: ProblemSourceSchema.optional(),
  /** Extra structured fields, e.g. Countdown numbers and target. */
  meta: ParamsSchema.optional(),
});

/** Strategy names a trace may record; search/catalog/info.ts describes each, type-checked to list exactly these. */
export const StrategyNameSchema = z.enum(['single', 'best-of-n', 'beam', 'mcts', 'astar', 'revision', 'in-context']);
export const ContinuationModeSchema = z.enum(['chat', 'chat-continue', 'completions']);

export const SamplingSchema = z.object({
  temperature: finite.optional(),
  topP: finite.optional(),
  maxTokens: count.optional(),
  stop: z.array(z.string()).optional(),
  seed: z.number().int().optional(),
  logprobs: z.boolean().optional(),
});

/** A server's answer to one capability question: 'unknown' until a probe or a response has shown it. */
export const SupportSchema = z.enum(['yes', 'no', 'unknown']);

/**
 * What an OpenAI-compatible server was found to do (src/core/llm/capabilityProbe.ts), probed once per endpoint and
 * remembered. Every field is what the server did, not what it claims: `n: 'no'` means asking for n choices gave fewer.
 */
export const CapabilitiesSchema = z
  .object({
    /** When the probe ran (ISO 8601). */
    probedAt: z.string(),
    /** `n` > 1 answered with that many choices in one request. */
    n: SupportSchema,
    /** `logprobs` asked for and token logprobs came back. */
    logprobs: SupportSchema,
    /** `top_logprobs` (chat) / `logprobs: k` (completions) gave alternatives per token. */
    topLogprobs: SupportSchema,
    /** 'cuts': the text ends before the stop string; 'keeps': the stop string is left in; 'ignored': text runs past it. */
    stop: z.enum(['cuts', 'keeps', 'ignored', 'unknown']),
    /** The same `seed` gave the same text twice. */
    seed: SupportSchema,
    /** A final assistant message with `continue_final_message` is continued (not refused, not answered afresh). */
    continuation: SupportSchema,
    /** `/v1/completions` is served. */
    completions: SupportSchema,
    /** `echo` on `/v1/completions` returns the prompt before the completion. */
    echo: SupportSchema,
    /** Where reasoning text arrives: a message field, inline `<think>` tags, or nowhere seen. */
    reasoningField: z.enum(['reasoning_content', 'reasoning', 'think-tags', 'none', 'unknown']),
    /** `usage.prompt_tokens_details.cached_tokens` is reported. */
    cachedTokens: SupportSchema,
    /** HTTP requests the probe sent. */
    requests: count,
    /** What the server said when it refused something (redacted), one line each. */
    notes: z.array(z.string()).optional(),
  })
  .strict();

/** What a trace records about an endpoint. Deliberately has no field for a key or auth header. */
export const EndpointDescriptionSchema = z
  .object({
    name: z.string(),
    baseUrl: z.string(),
    model: z.string(),
    mode: ContinuationModeSchema,
    sampling: SamplingSchema,
    /** Regex used to segment generated text into steps, when not the stop sequence. */
    stepPattern: z.string().optional(),
    promptTemplate: z.string().optional(),
    /** What the server was found to do, when it was probed (see CapabilitiesSchema). */
    capabilities: CapabilitiesSchema.optional(),
  })
  .strict();

/**
 * Something the client did differently from what was configured because the server behaves differently: said once
 * per run and recorded on it, with how often it happened.
 */
export const AdaptationSchema = z.object({
  kind: z.enum(['mode-fallback', 'separate-requests', 'no-logprobs', 'client-step-cut', 'stop-text-removed', 'no-stream-usage', 'model-limitation']),
  /** In words: what the server did, and what the client does instead. */
  message: z.string(),
  /** How many times it happened in the run (requests or steps). */
  count: z.number().int().positive(),
});

export const VerifierConfigSchema = z.object({
  kind: z.enum(['none', 'answer', 'countdown', 'rollout', 'prm', 'judge', 'heuristic', 'oracle']),
  params: ParamsSchema,
});

export const BudgetsSchema = z.object({
  maxRequests: count.optional(),
  maxTokens: count.optional(),
  maxNodes: count.optional(),
  maxWallMs: count.optional(),
  maxCost: finite.optional(),
});

export const RunConfigSchema = z.object({
  strategy: StrategyNameSchema,
  params: ParamsSchema,
  endpoint: EndpointDescriptionSchema,
  verifier: VerifierConfigSchema,
  budgets: BudgetsSchema,
});

export const UsageSchema = z.object({
  requests: count,
  cachedRequests: count,
  tokensIn: count,
  tokensOut: count,
  cost: finite,
  /** Prompt tokens the server served from its prefix cache; absent = the server did not say (unknown, not 0). */
  cachedTokensIn: count.optional(),
});

/** What one run found: the node it chose, that node's answer, whether the answer verifies. */
export const RunResultSchema = z.object({
  bestNodeId: z.string().optional(),
  finalAnswer: z.string().optional(),
  verified: z.boolean(),
});

/**
 * The trace's answer: the best over its runs (see analyse/runResults.ts). `runId` names the run that found it;
 * absent for an imported answer and in traces written before runs kept their own results.
 */
export const ResultSchema = RunResultSchema.extend({ runId: z.string().optional() });

export const RunStatusSchema = z.enum(['running', 'completed', 'solved', 'budget', 'cancelled', 'failed']);

export const RunSchema = z.object({
  id: z.string().min(1),
  config: RunConfigSchema,
  /** Node the run started from: the root for a fresh search, any node for a re-run. */
  startNodeId: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  status: RunStatusSchema,
  /** Why the run ended, in words (e.g. "budget maxTokens reached: 10012 > 10000"). */
  reason: z.string().optional(),
  usage: UsageSchema,
  /** This run's own result, set when it ends (absent while running and in older traces). */
  result: RunResultSchema.optional(),
  /** How the client adapted to the server during this run (absent: it did not need to). */
  adaptations: z.array(AdaptationSchema).optional(),
});

export const NodeKindSchema = z.enum(['root', 'step', 'answer', 'rollout', 'verification']);
export const AuthorSchema = z.enum(['model', 'human', 'imported']);
export const NodeStatusSchema = z.enum(['open', 'running', 'expanded', 'terminal', 'pruned', 'failed', 'cancelled']);

export const ValueSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rollouts'), k: count, K: count }),
  z.object({ kind: z.literal('prm'), model: z.string().optional(), aggregation: z.string().optional(), stepScores: z.array(finite).optional() }),
  z.object({ kind: z.literal('judge'), samples: count, model: z.string().optional() }),
  z.object({ kind: z.literal('heuristic'), heuristic: z.string() }),
  z.object({ kind: z.literal('oracle') }),
  z.object({ kind: z.literal('verifier'), verifier: z.string() }),
  z.object({ kind: z.literal('human') }),
  z.object({ kind: z.literal('imported'), source: z.string().optional() }),
]);

export const LogprobSummarySchema = z.object({ mean: finite, min: finite, tokens: count });

/** Why the engine chose (or kept) this node: the numbers behind the decision, for the detail pane. */
export const SelectionSchema = z.object({
  reason: z.string(),
  uct: z
    .object({
      q: finite,
      c: finite,
      parentVisits: count,
      visits: count,
      explore: finite,
      score: finite,
      /** qNormalize minmax: q is (Q − lo) / (hi − lo) over this range (then scaled by virtual loss); absent: q is Q. */
      range: z.tuple([finite, finite]).optional(),
    })
    .optional(),
  beam: z.object({ rank: z.number().int().positive(), width: z.number().int().positive(), score: finite, cutoff: finite.optional() }).optional(),
  priority: finite.optional(),
});

export const PruneSchema = z.object({
  reason: z.string(),
  by: z.enum(['engine', 'human']),
  rank: z.number().int().positive().optional(),
  score: finite.optional(),
  cutoff: finite.optional(),
  /**
   * A person's prune: the status the node had before it, so Un-prune can put it back (see humanPrune.ts). Absent on
   * engine prunes and on prunes written before un-prune existed.
   */
  restore: NodeStatusSchema.exclude(['pruned']).optional(),
  /** On a descendant pruned together with an ancestor: that ancestor's id (un-pruning it restores this node too). */
  ancestor: z.string().min(1).optional(),
});

export const NodeSchema = z.object({
  id: z.string().min(1),
  parentId: z.string().nullable(),
  kind: NodeKindSchema,
  text: z.string(),
  /** The model's (or importer's) text before a human edit; present only on edited nodes. */
  originalText: z.string().optional(),
  author: AuthorSchema,
  status: NodeStatusSchema,
  /** Search iteration at which the node was created (0 for the root and imported nodes). */
  iteration: count,
  runId: z.string().optional(),
  value: unit.optional(),
  valueSource: ValueSourceSchema.optional(),
  visits: count.optional(),
  q: finite.optional(),
  /** Answer extracted from this node's text, if it states one. */
  answer: z.string().optional(),
  verified: z.boolean().optional(),
  /** A human's mark from "Mark Node Correct / Incorrect". */
  label: z.enum(['correct', 'incorrect']).optional(),
  tokensIn: count.optional(),
  tokensOut: count.optional(),
  latencyMs: z.number().nonnegative().optional(),
  finishReason: z.string().optional(),
  logprobs: LogprobSummarySchema.optional(),
  /** Reasoning text returned separately by reasoning models (`reasoning_content` or `<think>`). */
  reasoning: z.string().optional(),
  selection: SelectionSchema.optional(),
  prune: PruneSchema.optional(),
  error: z.string().optional(),
  /** Id of the re-run that replaced this node's subtree; the subtree is kept for comparison. */
  supersededBy: z.string().optional(),
  meta: ParamsSchema.optional(),
  /** Samples this node stands for: identical sibling samples merged into it (absent = 1; see `mergeDuplicates`). */
  copies: z.number().int().min(2).optional(),
});

export const EventTypeSchema = z.enum(['add', 'expand', 'evaluate', 'select', 'backup', 'prune', 'edit', 'status', 'label', 'error']);

export const EventSchema = z.object({
  /** Iteration number of the search when this happened. */
  i: count,
  type: EventTypeSchema,
  node: z.string(),
  run: z.string().optional(),
  /** Small numeric or textual details (value, visits, reason). */
  data: ParamsSchema.optional(),
});

export const TraceSchema = z.object({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  id: z.string().min(1),
  createdAt: z.string(),
  problem: ProblemSchema,
  runs: z.array(RunSchema),
  nodes: z.array(NodeSchema).min(1),
  events: z.array(EventSchema),
  usage: UsageSchema,
  result: ResultSchema.nullable(),
  /** Measurements made on the tree after its runs (step importance); absent in traces that have none. */
  analyses: AnalysesSchema.optional(),
});

export type Params = z.infer<typeof ParamsSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export type ProblemSource = z.infer<typeof ProblemSourceSchema>;
export type StrategyName = z.infer<typeof StrategyNameSchema>;
export type ContinuationMode = z.infer<typeof ContinuationModeSchema>;
export type Sampling = z.infer<typeof SamplingSchema>;
export type EndpointDescription = z.infer<typeof EndpointDescriptionSchema>;
export type Support = z.infer<typeof SupportSchema>;
export type Capabilities = z.infer<typeof CapabilitiesSchema>;
export type Adaptation = z.infer<typeof AdaptationSchema>;
export type VerifierConfig = z.infer<typeof VerifierConfigSchema>;
export type Budgets = z.infer<typeof BudgetsSchema>;
export type RunConfig = z.infer<typeof RunConfigSchema>;
export type Usage = z.infer<typeof UsageSchema>;
export type RunStatus = z.infer<typeof RunStatusSchema>;
export type Run = z.infer<typeof RunSchema>;
export type NodeKind = z.infer<typeof NodeKindSchema>;
export type Author = z.infer<typeof AuthorSchema>;
export type NodeStatus = z.infer<typeof NodeStatusSchema>;
export type ValueSource = z.infer<typeof ValueSourceSchema>;
export type LogprobSummary = z.infer<typeof LogprobSummarySchema>;
export type Selection = z.infer<typeof SelectionSchema>;
export type Prune = z.infer<typeof PruneSchema>;
export type TraceNode = z.infer<typeof NodeSchema>;
export type EventType = z.infer<typeof EventTypeSchema>;
export type TraceEvent = z.infer<typeof EventSchema>;
export type RunResult = z.infer<typeof RunResultSchema>;
export type Result = z.infer<typeof ResultSchema>;
export type Trace = z.infer<typeof TraceSchema>;

export const emptyUsage = (): Usage => ({ requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 });
