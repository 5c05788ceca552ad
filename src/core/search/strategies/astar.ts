/**
 * `astar` (best-first, paper §4.3.2): a max-priority frontier keyed by value — or, with `depthCost` > 0,
 * f = h − depthCost · g (h = aggregated path score, g = depth below the start), the maximizing form of f = g + h.
 * Pop the best node, propose b next steps (one request, n = b), value them, push those above depth d. Stops when
 * a step's answer verifies, when a popped node is a finished answer nobody can check (the best one is accepted),
 * when the frontier is empty, after `maxExpansions`, or when a budget ends. Pops are in priority order, equal
 * priorities first-in first-out; every popped node records its priority and pop order.
 * Re-expansion (`reexpandPenalty` > 0): an expanded node goes back on the frontier at its priority lowered by the
 * penalty per expansion it had (p − penalty·k), so once better nodes are spent it is sampled again (new children,
 * new seeds): a larger budget keeps exploring instead of running out of tree. 0: each node is expanded once.
 */
import type { TraceNode } from '../../trace/schema';
import type { Aggregation } from '../../verify/aggregate';
import { MaxHeap } from '../heap';
import { num, str } from '../params';
import { pathScore, pathScores } from '../pathScore';
import { shortNumber as fmt } from '../../shortNumber';
import type { StrategyRun } from '../strategy';

interface Entry {
  node: TraceNode;
  steps: string[];
  scores: number[];
  depth: number;
  /** Expansions this node had (its re-queued priority is lowered by reexpandPenalty per expansion). */
  expansions: number;
}

export const runAstar: StrategyRun = async (ctx) => {
  const b = num(ctx.params, 'b');
  const maxDepth = num(ctx.params, 'maxDepth');
  const depthCost = num(ctx.params, 'depthCost');
  const maxExpansions = num(ctx.params, 'maxExpansions');
  const parallel = num(ctx.params, 'parallel');
  const how = str(ctx.params, 'aggregation') as Aggregation;
  const penalty = num(ctx.params, 'reexpandPenalty') || 0;
  const priority = (e: Entry) => pathScore(e.scores, how, ctx.prior) - depthCost * e.depth;

  const frontier = new MaxHeap<Entry>();
  const start = ctx.tree.node(ctx.startId);
  frontier.push({ node: start, steps: [...ctx.prefix], scores: [], depth: 0, expansions: 0 }, ctx.prior);
  let pops = 0;
  let accepted: string | undefined;

  // The priority a node was first pushed with (the start node's: the prior), before any re-expansion penalty.
  const base = (e: Entry) => (e.node.id === ctx.startId ? ctx.prior : priority(e));

  const expand = async (e: Entry) => {
    const kids = await ctx.expand(e.node.id, { purpose: 'step', n: b, steps: e.steps });
    e.expansions++;
    await Promise.all(kids.map((k) => ctx.evaluate(k, [...e.steps, k.text])));
    for (const k of kids) {
      if (k.status === 'failed' || k.status === 'cancelled') continue;
      const child: Entry = { node: k, steps: [...e.steps, k.text], scores: pathScores(k, e.scores, ctx.prior), depth: e.depth + 1, expansions: 0 };
      const p = priority(child);
      if (k.status === 'terminal' && k.verified === false) {
        ctx.tree.update(k.id, { selection: { reason: 'not pushed: answer does not verify', priority: p } });
      } else if (k.status === 'terminal' && k.verified === true) {
        ctx.tree.update(k.id, { selection: { reason: 'verified answer', priority: p } });
      } else if (child.depth < maxDepth || k.status === 'terminal') {
        frontier.push(child, p);
        ctx.tree.update(k.id, { selection: { reason: `pushed on the frontier (size ${frontier.size})`, priority: p } });
      } else {
        ctx.tree.update(k.id, { selection: { reason: `not pushed: depth limit ${maxDepth}`, priority: p } });
      }
    }
    // Pushed after its children: at equal priority they come first (FIFO), and the penalty puts it below them.
    if (penalty > 0 && !ctx.stopped && e.node.status !== 'failed') frontier.push(e, base(e) - penalty * e.expansions);
  };

  while (frontier.size > 0 && pops < maxExpansions && !ctx.stopped && accepted === undefined) {
    const batch: Entry[] = [];
    while (batch.length < parallel && frontier.size > 0 && pops < maxExpansions) {
      const top = frontier.pop()!;
      pops++;
      ctx.iteration = pops;
      const e = top.value;
      if (e.expansions === 0) {
        ctx.select(e.node.id, { reason: `popped #${pops} (highest priority on the frontier)`, priority: top.priority }, { priority: top.priority, order: pops });
      } else {
        const why = `popped #${pops} again for expansion ${e.expansions + 1}: priority ${fmt(top.priority)} = ${fmt(base(e))} − ${penalty}·${e.expansions} (re-expansion penalty), the highest on the frontier`;
        ctx.select(e.node.id, { reason: why, priority: top.priority }, { priority: top.priority, order: pops, reexpansion: e.expansions, penalty });
      }
      // A finished answer that cannot be checked: the best one by priority is the search's answer.
      if (e.node.status === 'terminal' && e.node.id !== ctx.startId) {
        accepted = e.node.id;
        break;
      }
      batch.push(e);
    }
    await Promise.all(batch.map(expand));
  }
  return { bestNodeId: ctx.verifiedNodes[0] ?? accepted };
};
