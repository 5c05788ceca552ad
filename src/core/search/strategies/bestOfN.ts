/**
 * `best-of-n` (paper §3.2): N full solutions from the start node, then one is chosen by verifier argmax, majority
 * vote over equivalent answers (maj@k), or verifier-weighted vote. Every candidate records why it won or lost.
 */
import type { TraceNode } from '../../trace/schema';
import { shortNumber as fmt } from '../../shortNumber';
import { answerKey } from '../../verify/answerEquivalence';
import { bool, num, str } from '../params';
import type { StrategyRun } from '../strategy';

export type BestOfNSelection = 'argmax' | 'majority' | 'weighted';

export interface Vote {
  key: string;
  answer: string;
  members: TraceNode[];
  /** Votes (majority) or summed values (weighted). */
  score: number;
}

/** Groups candidates by equivalent answer; groups in order of first appearance. Exported for tests. */
export function tallyVotes(nodes: readonly TraceNode[], weight: (n: TraceNode) => number): Vote[] {
  const groups = new Map<string, Vote>();
  for (const n of nodes) {
    if (n.answer === undefined) continue;
    const key = answerKey(n.answer);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, answer: n.answer, members: [], score: 0 }));
    g.members.push(n);
    g.score += weight(n);
  }
  return [...groups.values()];
}

export const runBestOfN: StrategyRun = async (ctx) => {
  const n = num(ctx.params, 'n');
  const per = num(ctx.params, 'perRequest') || n;
  const selection = str(ctx.params, 'selection') as BestOfNSelection;
  ctx.iteration = 1;
  const sizes: number[] = [];
  for (let left = n; left > 0; left -= per) sizes.push(Math.min(per, left));
  const batches = await Promise.all(
    sizes.map(async (size) => {
      const kids = await ctx.expand(ctx.startId, { purpose: 'full', n: size, steps: ctx.prefix });
      await Promise.all(kids.map((k) => ctx.evaluate(k, [...ctx.prefix, k.text])));
      return kids;
    }),
  );
  if (bool(ctx.params, 'stopOnSolve') && ctx.verifiedNodes.length > 0) return { bestNodeId: ctx.verifiedNodes[0] };
  const cands = batches.flat().filter((k) => k.status !== 'failed' && k.status !== 'cancelled');
  if (cands.length === 0) return {};
  ctx.iteration = 2;
  const value = (k: TraceNode) => k.value ?? ctx.prior;

  if (selection === 'argmax') {
    let best = cands[0]!;
    for (const k of cands) if (value(k) > value(best)) best = k;
    for (const k of cands) {
      if (k === best) continue;
      ctx.tree.update(k.id, { selection: { reason: `not chosen: value ${fmt(value(k))} < best ${fmt(value(best))}`, priority: value(k) } });
    }
    ctx.select(best.id, { reason: `argmax: highest value ${fmt(value(best))} of ${cands.length}`, priority: value(best) }, { value: value(best), of: cands.length });
    return { bestNodeId: best.id };
  }

  const votes = tallyVotes(cands, selection === 'weighted' ? value : () => 1);
  if (votes.length === 0) {
    for (const k of cands) ctx.tree.update(k.id, { selection: { reason: 'no answer stated: nothing to vote on' } });
    return {};
  }
  let win = votes[0]!;
  for (const g of votes) if (g.score > win.score) win = g;
  // Within the winning group, the best-valued member represents it (first on ties).
  let best = win.members[0]!;
  for (const m of win.members) if (value(m) > value(best)) best = m;
  const what = selection === 'weighted' ? 'weighted votes' : 'votes';
  for (const k of cands) {
    if (k === best) continue;
    const g = k.answer === undefined ? undefined : votes.find((v) => v.members.includes(k));
    const reason = !g
      ? 'no answer stated: not counted'
      : g === win
        ? `in the winning group (${fmt(g.score)} ${what}); ${best.id} represents it`
        : `answer ${g.answer} got ${fmt(g.score)} ${what} < ${fmt(win.score)} for ${win.answer}`;
    ctx.tree.update(k.id, { selection: { reason, priority: g?.score ?? 0 } });
  }
  ctx.tree.update(best.id, { meta: { ...(best.meta ?? {}), votes: win.score, voters: cands.length } });
  ctx.select(
    best.id,
    { reason: `${selection}: answer ${win.answer} with ${fmt(win.score)} ${what} of ${cands.length}`, priority: win.score },
    { answer: win.answer, score: win.score, of: cands.length },
  );
  return { bestNodeId: best.id };
};
