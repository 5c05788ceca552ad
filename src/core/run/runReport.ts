/** The final report of a run: what every client shows or logs when a run ends. */
import type { Result, Run, RunStatus, Usage } from '../trace/schema';

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
  result: Result | null;
  startNodeId: string;
  /** One line for logs and the CLI. */
  summary: string;
  /** The crash journal stopped (e.g. disk full): the checkpoints went on, but a crash would have lost more. */
  journalError?: string;
}

export function buildRunReport(run: Run, traceId: string, nodes: number, nodesAdded: number, result: Result | null, journalError?: string): RunReport {
  const u = run.usage;
  const answer = result?.finalAnswer !== undefined ? `; answer ${result.finalAnswer}${result.verified ? ' (verified)' : ''}` : '';
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
    startNodeId: run.startNodeId,
    summary,
    ...(journalError !== undefined ? { journalError } : {}),
  };
}
