/**
 * `revision` (paper §4.2.2): sequential attempts, each a full solution conditioned on the last `window` attempts
 * (sliding window, oldest first, sent as the request's `context`), until one verifies or `attempts` run out.
 * Attempts are siblings under the start node; each records the attempts it saw (`meta.conditionedOn`).
 */
import type { TraceNode } from '../../trace/schema';
import { bool, num } from '../params';
import type { StrategyRun } from '../strategy';

export const runRevision: StrategyRun = async (ctx) => {
  const attempts = num(ctx.params, 'attempts');
  const window = num(ctx.params, 'window');
  const stopOnSolve = bool(ctx.params, 'stopOnSolve');
  const done: TraceNode[] = [];
  let best: TraceNode | undefined;
  for (let i = 1; i <= attempts && !ctx.stopped; i++) {
    ctx.iteration = i;
    const shown = window > 0 ? done.slice(-window) : [];
    const [node] = await ctx.expand(ctx.startId, {
      purpose: 'revision',
      n: 1,
      steps: ctx.prefix,
      context: shown.map((a) => a.text),
      meta: { attempt: i, conditionedOn: shown.map((a) => a.id) },
    });
    if (!node) continue; // failed or stopped: the failure is on the node; the loop checks ctx.stopped
    await ctx.evaluate(node, [...ctx.prefix, node.text]);
    ctx.select(node.id, {
      reason: shown.length ? `attempt ${i}, conditioned on ${shown.map((a) => a.id).join(', ')}` : `attempt ${i} (no earlier attempts shown)`,
    });
    if (node.status !== 'failed') done.push(node);
    if (node.verified === true && stopOnSolve) return { bestNodeId: node.id };
    // The first verified attempt wins; otherwise the best-valued one.
    if (!best || (best.verified !== true && (node.verified === true || (node.value ?? -1) > (best.value ?? -1)))) best = node;
  }
  return best ? { bestNodeId: best.id } : {};
};
