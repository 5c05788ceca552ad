/**
 * Results per run: each run keeps what it found (`run.result`), and the trace's `result` is the best over its runs.
 * The rule, in order:
 *  1. a verified answer is never replaced by an unverified one;
 *  2. a verified answer on the live tree (its node and every node above it neither pruned nor superseded) beats one
 *     whose node was pruned or replaced by a re-run;
 *  3. between verified answers that stand equally, the earliest stays (a re-run that finds the same or another
 *     verified answer does not move the trace's answer);
 *  4. with nothing verified, the latest run that chose a node gives the result (what the user last searched).
 * The engine applies it when a run ends; show, exports and the panel read `result.runId` (or, for traces written
 * before runs kept results, the best node's run) to say which run found the answer.
 */
import type { Result, Run, RunResult, Trace, TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';

/** A run's result from the node it chose: that node's answer and verdict; nothing chosen is `{ verified: false }`. */
export function resultOfNode(node: TraceNode | undefined): RunResult {
  if (!node) return { verified: false };
  return { bestNodeId: node.id, ...(node.answer !== undefined ? { finalAnswer: node.answer } : {}), verified: node.verified === true };
}

/** Whether the node is in the trace and neither it nor a node above it was pruned or superseded by a re-run. */
export function isLive(tree: TraceTree, id: string): boolean {
  if (!tree.get(id)) return false;
  return tree.pathToRoot(id).every((n) => n.status !== 'pruned' && n.supersededBy === undefined);
}

/** How strongly a result stands: 3 verified and live, 2 verified off the live tree, 1 an unverified node, 0 no node. */
function standing(tree: TraceTree, r: RunResult | null): number {
  if (r?.bestNodeId === undefined || !tree.get(r.bestNodeId)) return 0;
  if (!r.verified) return 1;
  return isLive(tree, r.bestNodeId) ? 3 : 2;
}

/**
 * The trace's result once `challenger` (the result of the run that just ended, with its `runId`) is known.
 * `incumbent` is the trace's result so far (a run's, an import's, a rescore's). See the module comment for the rule.
 */
export function bestOverRuns(tree: TraceTree, incumbent: Result | null, challenger: Result): Result {
  const a = standing(tree, incumbent);
  const b = standing(tree, challenger);
  if (incumbent === null || b > a) return withRunId(tree, challenger);
  if (b === a && b === 1) return withRunId(tree, challenger);
  return withRunId(tree, incumbent);
}

/** The run id of a result that names a node: its own, else the run that created the node (an older trace's result). */
function withRunId(tree: TraceTree, r: Result): Result {
  const { runId, ...rest } = r;
  if (rest.bestNodeId === undefined) return rest;
  const id = runId ?? tree.get(rest.bestNodeId)?.runId;
  return id === undefined ? rest : { ...rest, runId: id };
}

/**
 * The trace's result after the run `run` ended with `runResult`: earlier runs of older traces get their result
 * derived where the trace says it (see runResultOf), then the best over runs is taken. A trace whose result was
 * lost (its node deleted by a replacing re-run) is re-derived from the earlier runs' results first.
 */
export function closeRunResult(tree: TraceTree, run: Run, runResult: RunResult): Result {
  const trace = tree.trace;
  for (const r of trace.runs) {
    if (r === run || r.result !== undefined || r.status === 'running') continue;
    const derived = runResultOf(trace, r);
    if (derived) r.result = derived;
  }
  run.result = runResult;
  let incumbent = trace.result;
  if (incumbent === null) {
    for (const r of trace.runs) if (r !== run && r.result) incumbent = bestOverRuns(tree, incumbent, { ...r.result, runId: r.id });
  }
  return bestOverRuns(tree, incumbent, { ...runResult, runId: run.id });
}

/** Which run found the trace's result: `result.runId`, else the run that created the best node; undefined if none. */
export function resultRunId(trace: Trace): string | undefined {
  const r = trace.result;
  if (r?.runId !== undefined) return r.runId;
  if (r?.bestNodeId === undefined) return undefined;
  return trace.nodes.find((n) => n.id === r.bestNodeId)?.runId;
}

/**
 * A run's own result: `run.result`, or for a trace written before runs kept one, the trace's result when this run
 * found it (the only run whose result the file still tells). Undefined when it cannot be known.
 */
export function runResultOf(trace: Trace, run: Run): RunResult | undefined {
  if (run.result) return run.result;
  if (trace.result === null || resultRunId(trace) !== run.id) return undefined;
  const r = trace.result;
  return { ...(r.bestNodeId !== undefined ? { bestNodeId: r.bestNodeId } : {}), ...(r.finalAnswer !== undefined ? { finalAnswer: r.finalAnswer } : {}), verified: r.verified };
}

/**
 * Words for who found the trace's result: `run r1 (beam)`, `the import` for an imported answer, or undefined when
 * there is no answer node or nothing tells. `supersededBy` is set when a later re-run replaced the node's subtree.
 */
export function resultOrigin(trace: Trace): { text: string; runId?: string; supersededBy?: string } | undefined {
  const r = trace.result;
  if (r?.bestNodeId === undefined) return undefined;
  const node = trace.nodes.find((n) => n.id === r.bestNodeId);
  const supersededBy = node?.supersededBy;
  const runId = resultRunId(trace);
  const run = runId === undefined ? undefined : trace.runs.find((x) => x.id === runId);
  const text = run ? `run ${run.id} (${run.config.strategy})` : runId !== undefined ? `run ${runId}` : node?.author === 'imported' ? 'the import' : undefined;
  if (text === undefined) return undefined;
  return { text, ...(runId !== undefined ? { runId } : {}), ...(supersededBy !== undefined ? { supersededBy } : {}) };
}
