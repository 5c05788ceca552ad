/**
 * What a step-importance measurement stores in the trace (`trace.analyses.stepImportance`), and how a stored result
 * is found stale. Its own file (no other core imports) so the trace schema and the panel can both take it.
 *
 * The measure (counterfactual resampling, Thought Anchors, Bogdan et al. 2025): for the path s1 … sN from the root to a
 * node, prefix j holds the first j steps. K continuations are sampled from each prefix and their answers checked.
 * Step i's importance compares the answer distribution with step i kept (prefix i) against step i resampled
 * (prefix i−1): total variation TV_i = ½ Σ_a |p_i(a) − p_{i−1}(a)|, and, where answers verify, the accuracy change
 * Δacc_i = acc_i − acc_{i−1}.
 */
import * as z from 'zod';

const count = z.number().int().nonnegative();
const unit = z.number().min(0).max(1);

/** One answer seen among a prefix's continuations ('' = no answer stated). */
export const AnswerCountSchema = z.object({
  answer: z.string(),
  count: z.number().int().positive(),
  /** Whether this answer verifies (absent: the checker could not say). */
  verified: z.boolean().optional(),
});

export const PrefixStatusSchema = z.enum(['done', 'partial', 'skipped', 'failed', 'cancelled']);

/** The K continuations sampled after the first `steps` steps of the path. */
export const PrefixSampleSchema = z.object({
  /** Steps kept before the continuation (0 = from the problem alone). */
  steps: count,
  /** 'done': all K came back; 'partial': fewer; 'skipped': the budget ran out first; 'failed' / 'cancelled': no answers. */
  status: PrefixStatusSchema,
  asked: count,
  got: count,
  answers: z.array(AnswerCountSchema),
  /** Continuations whose answer verifies; with `accuracy`, absent when the checker verified none either way. */
  correct: count.optional(),
  accuracy: unit.optional(),
  requests: count,
  tokensIn: count,
  tokensOut: count,
  error: z.string().optional(),
  /** The path's own answer, not sampled: the last prefix ends in a stated answer (costs no request). */
  fromPath: z.boolean().optional(),
});

/** Step i (1-based) of the path: its node, and what resampling it changed. Absent scores: a prefix is missing. */
export const StepScoreSchema = z.object({
  index: z.number().int().positive(),
  nodeId: z.string().min(1),
  /** Total variation between the answer distributions after step i and with step i resampled, in [0, 1]. */
  tv: unit.optional(),
  /** Accuracy with step i kept minus accuracy with it resampled, in [−1, 1]. */
  accuracyDelta: z.number().min(-1).max(1).optional(),
  /** Among the most important steps (largest TV, at least `TOP_MIN_TV`). */
  top: z.boolean().optional(),
});

/** A path node and the hash of its text when measured: an edit since then makes the result stale. */
export const PathNodeSchema = z.object({ id: z.string().min(1), textHash: z.string() });

export const StepImportanceSchema = z.object({
  /** The node the path ends at (root → node). */
  nodeId: z.string().min(1),
  createdAt: z.string(),
  /** The path's nodes from the root's first child to `nodeId`, as measured. */
  path: z.array(PathNodeSchema),
  k: z.number().int().positive(),
  budget: z.object({ maxTokens: count.optional(), maxRequests: count.optional() }),
  parallel: z.number().int().positive(),
  /** Endpoint and model the continuations came from (never a secret). */
  model: z.string(),
  endpoint: z.string(),
  checker: z.string(),
  temperature: z.number().nonnegative().optional(),
  maxTokens: count.optional(),
  prefixes: z.array(PrefixSampleSchema),
  steps: z.array(StepScoreSchema),
  usage: z.object({ requests: count, tokensIn: count, tokensOut: count }),
  /** Why it ended early (budget spent, cancelled), in words; absent when every prefix finished. */
  stopped: z.string().optional(),
});

/** Per-trace analyses; one step-importance result per measured node (a newer one replaces it). */
export const AnalysesSchema = z.object({
  stepImportance: z.array(StepImportanceSchema).optional(),
});

export type AnswerCount = z.infer<typeof AnswerCountSchema>;
export type PrefixStatus = z.infer<typeof PrefixStatusSchema>;
export type PrefixSample = z.infer<typeof PrefixSampleSchema>;
export type StepScore = z.infer<typeof StepScoreSchema>;
export type PathNode = z.infer<typeof PathNodeSchema>;
export type StepImportance = z.infer<typeof StepImportanceSchema>;
export type Analyses = z.infer<typeof AnalysesSchema>;

/** Steps marked top: at most this many, and only with TV at least TOP_MIN_TV (a step that changed nothing is no anchor). */
export const TOP_STEPS = 3;
export const TOP_MIN_TV = 0.1;

/** The formula as the panel and CLI print it. */
export const IMPORTANCE_FORMULA = 'TV_i = ½ Σ_a |p_i(a) − p_{i−1}(a)|,  Δacc_i = acc_i − acc_{i−1}';
export const IMPORTANCE_LEGEND =
  'p_j: answer distribution of K continuations sampled after the first j steps; step i kept (j = i) vs resampled (j = i − 1).';

/** FNV-1a over UTF-16 code units, as 8 hex digits: enough to notice an edited step, not a security hash. */
export function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Minimal node shape, so the panel's own node records can be checked too. */
export interface PathLookupNode {
  id: string;
  parentId: string | null;
  text: string;
}

/** The path's nodes, root excluded, from the root's child down to `nodeId`; undefined when a node is missing. */
export function pathNodes<N extends PathLookupNode>(get: (id: string) => N | undefined, nodeId: string): N[] | undefined {
  const out: N[] = [];
  const seen = new Set<string>();
  let cur = get(nodeId);
  while (cur && cur.parentId !== null) {
    if (seen.has(cur.id)) return undefined;
    seen.add(cur.id);
    out.push(cur);
    cur = get(cur.parentId);
  }
  return cur ? out.reverse() : undefined;
}

export function pathSignature(nodes: readonly PathLookupNode[]): PathNode[] {
  return nodes.map((n) => ({ id: n.id, textHash: textHash(n.text) }));
}

/**
 * Why a stored result no longer describes the trace (a path node removed, moved or its text edited), in words;
 * undefined when it still does.
 */
export function importanceStaleness(result: StepImportance, get: (id: string) => PathLookupNode | undefined): string | undefined {
  const now = pathNodes(get, result.nodeId);
  if (!now) return `node ${result.nodeId} is no longer in the trace`;
  if (now.length !== result.path.length) return `the path to ${result.nodeId} now has ${now.length} steps, not ${result.path.length}`;
  for (let i = 0; i < now.length; i++) {
    const was = result.path[i]!;
    if (now[i]!.id !== was.id) return `step ${i + 1} is now node ${now[i]!.id}, not ${was.id}`;
    if (textHash(now[i]!.text) !== was.textHash) return `step ${i + 1} (${was.id}) was edited after the measurement`;
  }
  return undefined;
}

/** The stored result for a node, if any. */
export function importanceFor(analyses: Analyses | undefined, nodeId: string): StepImportance | undefined {
  return analyses?.stepImportance?.find((r) => r.nodeId === nodeId);
}

/** The stored results with `result` replacing any earlier one for the same node (the others kept, in order). */
export function withImportance(analyses: Analyses | undefined, result: StepImportance): Analyses {
  const list = (analyses?.stepImportance ?? []).filter((r) => r.nodeId !== result.nodeId);
  return { ...analyses, stepImportance: [...list, result] };
}
