/** `single`: one chain of thought from the start node to the end (the baseline every search is compared with). */
import type { Strategy } from '../strategy';

export const singleStrategy: Strategy = {
  name: 'single',
  summary: 'one full chain of thought (baseline)',
  params: [],
  async run(ctx) {
    ctx.iteration = 1;
    const [node] = await ctx.expand(ctx.startId, { purpose: 'full', n: 1, steps: ctx.prefix });
    if (!node) return {};
    ctx.select(node.id, { reason: 'single chain of thought' });
    await ctx.evaluate(node, [...ctx.prefix, node.text]);
    return { bestNodeId: node.id };
  },
};
