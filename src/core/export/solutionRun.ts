/** Which run found the solution an export writes out, for the record's `found_by_run`. */
import { resultRunId } from '../analyse/runResults';
import type { TraceTree } from '../trace/tree';

/**
 * The run behind the winning path: the trace result's run when the path ends at its best node, else the run that
 * created the path's last node (a trace with no best node). Undefined for imported or hand-made answers.
 */
export function solutionRunId(tree: TraceTree, winningPath: readonly string[]): string | undefined {
  const end = winningPath[winningPath.length - 1];
  if (end === undefined) return undefined;
  if (tree.trace.result?.bestNodeId === end) return resultRunId(tree.trace);
  return tree.get(end)?.runId;
}
