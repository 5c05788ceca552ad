/** The final report of a run: what every client shows or logs when a run ends. */
import type { Result, Run, RunResult, RunStatus, Usage } from '../trace/schema';

export interface RunReport {
  runId: string;
  traceId: string;
  status: RunStatus;
  reason?: string;
  /** Nodes in the trace after the run. */
  nodes: number;
  /** Nodes this run created. */
  nodesAdded: number;
  usage: Usage;
  /** The trace's result after the run: the best over its runs (`result.runId` names the run that found it). */
  result: Result | null;
  /** What this run itself found (a re-run that finds nothing leaves the trace's verified answer in place). */
  runResult?: RunResult;
  startNodeId: string;
  /** One line for logs and the CLI. */
  summary: string;
  /** The crash journal stopped (e.g. disk full): the checkpoints went on, but a crash would have lost more. */
  journalError?: string;
}

export function buildRunReport(run: Run, traceId: string, nodes: number, nodesAdded: number, result: Result | null, journalError?: string): RunReport {
  const u = run.usage;
  // This run's own answer; the trace's, when another run found it, said apart (never passed off as this run's).
  const own = run.result;
  let answer = own?.finalAnswer !== undefined ? `; answer ${own.finalAnswer}${own.verified ? ' (verified)' : ''}` : '';
  if (result?.finalAnswer !== undefined && result.runId !== undefined && result.runId !== run.id) {
    answer += `; the trace keeps answer ${result.finalAnswer}${result.verified ? ' (verified)' : ''} found by run ${result.runId}`;
  }
  const cost = u.cost > 0 ? `, cost ${u.cost.toFixed(4)}` : '';
  const summary =
    `run ${run.id}: ${run.status}${run.reason ? ` (${run.reason})` : ''}; ${nodesAdded} node${nodesAdded === 1 ? '' : 's'} added, ` +
    `${u.requests} request${u.requests === 1 ? '' : 's'}${u.cachedRequests ? ` (+${u.cachedRequests} cached)` : ''}, ${u.tokensIn + u.tokensOut} tokens${cost}${answer}`;
  return {
    runId: run.id,
    traceId,
    status: run.status,
    ...(run.reason ? { reason: run.reason } : {}),
    nodes,
    nodesAdded,
    usage: { ...u },
    result,
    ...(run.result ? { runResult: { ...run.result } } : {}),
    startNodeId: run.startNodeId,
    summary,
    ...(journalError !== undefined ? { journalError } : {}),
  };
}
