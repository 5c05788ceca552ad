/**
 * The strategy contract: the one every search strategy implements (catalog/info.ts lists them). A strategy only
 * decides *what* to ask and *which* nodes to keep; the SearchContext it receives does everything else — concurrency
 * cap, budgets, cancellation, node creation and filling, answer checking, values, usage accounting, event logging —
 * so every strategy gets the same guarantees (budgets end the run cleanly, cancellation keeps finished nodes, failed
 * requests are recorded on the nodes that failed).
 *
 * Writing a strategy: its name, label, summary and parameters go in the catalog (catalog/info.ts); the module
 * exports only the search loop, which catalog/runners.ts binds to that name:
 *   export const runMyStrategy: StrategyRun = async (ctx) => {
 *     const kids = await ctx.expand(ctx.startId, { purpose: 'step', n: num(ctx.params, 'n'), steps: ctx.prefix });
 *     await Promise.all(kids.map((k) => ctx.evaluate(k, [...ctx.prefix, k.text])));
 *     return { bestNodeId: kids[0]?.id };
 *   };
 * Rules: check `ctx.stopped` before starting new work and return promptly once it is true; issue independent
 * requests together (Promise.all) so they overlap under the cap; never create nodes except through `expand`
 * (or `tree.addChild` with `runId: ctx.run.id` for nodes that are not model output); record why nodes were
 * chosen (`ctx.select`) or dropped (`ctx.prune`).
 */
import type { GeneratePurpose, Generation, GenerationDelta } from '../llm/generator';
import type { TraceTree } from '../trace/tree';
import type { EventType, Params, Problem, Prune, Run, Selection, StrategyName, TraceNode } from '../trace/schema';
import type { Verifier } from '../verify/verifier';
import type { StrategyInfo } from './catalog/info';

export interface ExpandRequest {
  purpose: Exclude<GeneratePurpose, 'rollout' | 'judge'>;
  /** Children wanted (one request, `n` siblings). */
  n: number;
  /** The path to continue: steps from the root (excluded) to the parent (included). */
  steps: readonly string[];
  /** Earlier attempts, for 'revision'. */
  context?: string[];
  /** Extra fields stored on every child's `meta`. */
  meta?: Params;
}

export interface SearchContext {
  readonly tree: TraceTree;
  readonly problem: Problem;
  /** This run's record (already in the trace); its usage is live. */
  readonly run: Run;
  /** Where the search starts: the root, or any node for a re-run. */
  readonly startId: string;
  /** Steps from the root (excluded) to the start node (included): the fixed prefix. */
  readonly prefix: readonly string[];
  /** This strategy's resolved params (defaults filled in), plus the engine's common ones. */
  readonly params: Params;
  readonly verifier: Verifier;
  /** Aborted when the run is cancelled, hits its wall-time budget, is solved (stopOnSolve) or fails. */
  readonly signal: AbortSignal;
  /** No new work should start: budget reached, cancelled, solved (stopOnSolve) or failed. */
  readonly stopped: boolean;
  /** Value used for nodes the verifier cannot value (param `prior`). */
  readonly prior: number;
  /** Search iteration stamped on new nodes and events. */
  iteration: number;

  /**
   * One request for `n` children of `parentId`. Children appear at once with status `running` (so the UI shows
   * work in flight), are filled with text, token counts and the checker's verdict (status `open` or `terminal`,
   * `answer`, `verified`) when the response arrives, and are returned. Returns [] when the run stopped before
   * dispatch or the request failed (the failed children then carry `error` and status `failed`, or `cancelled`).
   */
  expand(parentId: string, req: ExpandRequest): Promise<TraceNode[]>;
  /**
   * Values a node: a terminal node whose answer was checked gets 1 or 0 from the checker; otherwise the
   * verifier's estimator (rollouts / PRM / judge) runs. Sets `value` and `valueSource` and logs an `evaluate`
   * event. Leaves the node unvalued when there is no estimator or the run stopped; on an estimator error the
   * node gets `error` and status `failed`. `steps` is the node's full path (root excluded).
   */
  evaluate(node: TraceNode, steps: readonly string[]): Promise<TraceNode>;
  /**
   * A metered model call that creates no node (rollouts, judges); throws on failure or stop. `problem` replaces the
   * problem text sent (e.g. with an instruction appended); `onDelta` streams the first sample as it arrives.
   */
  sample(req: {
    purpose: GeneratePurpose;
    n: number;
    steps: readonly string[];
    context?: string[];
    maxTokens?: number;
    temperature?: number;
    problem?: string;
    onDelta?: (delta: GenerationDelta) => void;
  }): Promise<Generation[]>;
  /** Records why a node was chosen and logs a `select` event. */
  select(nodeId: string, selection: Selection, data?: Params): void;
  /** Marks a node (and its subtree) pruned with the numbers that cut it. */
  prune(nodeId: string, prune: Omit<Prune, 'by'>): void;
  log(type: EventType, nodeId: string, data?: Params): void;
  /** Failed requests and valuations of this run so far (what `maxErrors` counts). */
  readonly errors: number;
  /** Nodes of this run whose answer verified, in the order found. */
  readonly verifiedNodes: readonly string[];
  /**
   * Scheduling only: sends now the request that `expand(parentId, req)` will send, if a place under the
   * concurrency cap is idle right now (never queued ahead of other requests); the next `expand` of that parent
   * with the same purpose and n then creates its children as usual (same ids, order, events, seed) and fills
   * them from this answer. For a strategy that knows the expansion will happen (beam: a beam sure to be kept)
   * while the cap would otherwise sit idle. Returns whether it was sent. Optional for test doubles.
   */
  prefetchExpand?(parentId: string, req: ExpandRequest): boolean;
}

export interface StrategyOutcome {
  /** The node the strategy picks as its answer (e.g. best-of-n's vote winner); default: the first verified node. */
  bestNodeId?: string;
  /**
   * Why the search ended on its own, when that is worth saying (MCTS: `exhausted: every leaf is finished …`):
   * the run's reason unless a stop (budget, cancel, failure, stopOnSolve) gave one.
   */
  reason?: string;
}

/** A strategy's search loop; `ctx.params` holds its catalog params (defaults filled in) plus the common ones. */
export type StrategyRun = (ctx: SearchContext) => Promise<StrategyOutcome>;

/** A catalog entry bound to its search loop: what `getStrategy` returns. */
export interface Strategy extends StrategyInfo {
  readonly name: StrategyName;
  readonly run: StrategyRun;
}
