/** `single`: one chain of thought from the start node to the end (the baseline every search is compared with). */
import type { StrategyRun } from '../strategy';

export const runSingle: StrategyRun = async (ctx) => {
  ctx.iteration = 1;
  const [node] = await ctx.expand(ctx.startId, { purpose: 'full', n: 1, steps: ctx.prefix });
  if (!node) return {};
  ctx.select(node.id, { reason: 'single chain of thought' });
  await ctx.evaluate(node, [...ctx.prefix, node.text]);
  return { bestNodeId: node.id };
};
