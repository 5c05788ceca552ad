/**
 * Meta-STaR filter (paper §4.1.2): keep a (q, Z, S) triple only when its final solution S verifies. The verdict is
 * the trace's own (result.verified, or the winning path's last node), or a checker run again on the winning path.
 */
import type { Checker } from '../verify/checker';
import { winningPath } from '../trace/linearize/visitOrder';
import type { TraceTree } from '../trace/tree';
import { solutionRunId } from './solutionRun';

export function solutionVerifies(tree: TraceTree, checker?: Checker): { ok: boolean; reason: string } {
  const path = winningPath(tree);
  if (path.length === 0) return { ok: false, reason: 'no winning path (nothing verified, no result.bestNodeId)' };
  if (checker) {
    const r = checker.check(tree.trace.problem, path.map((n) => n.text), { final: true });
    return r.verified === true ? { ok: true, reason: `${checker.name}: ${r.reason ?? 'verified'}` } : { ok: false, reason: `${checker.name}: ${r.reason ?? 'not verified'}` };
  }
  const last = path[path.length - 1]!;
  if (tree.trace.result?.verified === true || last.verified === true) {
    const run = solutionRunId(tree, path.map((n) => n.id));
    return { ok: true, reason: `verified in the trace${run !== undefined ? ` (found by run ${run})` : ''}` };
  }
  return { ok: false, reason: 'the final solution is not verified' };
}
