/**
 * `mcts` (paper §4.3.1, App. D). Selection by UCT, Q(child) + c·sqrt(ln N(parent) / N(child)), with `c` a visible
 * parameter (an untuned c causes repeated backtracking). Expansion samples b children in one request (n = b);
 * each child is valued (rollouts, Eq. 11 / PRM / judge) and starts with N = 1, Q = its value. Backup along the
 * path: for every value v, N += 1 and Q += (v − Q) / N, so Q is the mean of everything backed up through a node.
 * Finished and depth-limited leaves back up their own value again. Simulations run in parallel with virtual loss:
 * while a simulation is in flight, each node on its path counts `virtualLoss` extra visits of value 0, which
 * steers concurrent selections elsewhere so their requests overlap. A verified answer ends the run (stopOnSolve).
 * UCT terms of the last decision are recorded on each chosen node (`selection.uct`, virtual loss included).
 */
import type { TraceNode } from '../../trace/schema';
import { num } from '../params';
import type { SearchContext, Strategy } from '../strategy';

interface Stat {
  n: number;
  q: number;
  /** Virtual visits of simulations in flight through this node. */
  vl: number;
}

type Leaf = { kind: 'expand' | 'reback'; path: string[]; steps: string[] };

export const mctsStrategy: Strategy = {
  name: 'mcts',
  summary: 'Monte-Carlo tree search with UCT, b-way expansion, valued children and parallel simulations',
  params: [
    { name: 'simulations', type: 'integer', default: 32, min: 1, doc: 'simulations (select, expand, value, back up)' },
    { name: 'b', type: 'integer', default: 4, min: 1, doc: 'children sampled per expansion (one request with n = b)' },
    { name: 'c', type: 'number', default: 1.4, min: 0, doc: 'UCT exploration constant' },
    { name: 'maxDepth', type: 'integer', default: 12, min: 1, doc: 'nodes this deep below the start are not expanded' },
    { name: 'parallel', type: 'integer', default: 0, min: 0, doc: 'simulations in flight at once; 0 = the concurrency param' },
    { name: 'virtualLoss', type: 'number', default: 1, min: 0, doc: 'virtual visits (value 0) per in-flight simulation' },
    { name: 'stopOnSolve', type: 'boolean', default: true, doc: 'stop when a node verifies' },
  ],
  async run(ctx: SearchContext) {
    const sims = num(ctx.params, 'simulations');
    const b = num(ctx.params, 'b');
    const c = num(ctx.params, 'c');
    const maxDepth = num(ctx.params, 'maxDepth');
    const parallel = num(ctx.params, 'parallel') || num(ctx.params, 'concurrency');
    const virtualLoss = num(ctx.params, 'virtualLoss');
    const tree = ctx.tree;
    const stats = new Map<string, Stat>();
    const expanding = new Set<string>();
    stats.set(ctx.startId, { n: 0, q: 0, vl: 0 });

    /** Children that can be chosen: valued, alive, not a rollout, not from a superseded run. */
    const choosable = (id: string): { ready: TraceNode[]; pending: boolean } => {
      const ready: TraceNode[] = [];
      let pending = false;
      for (const cid of tree.childIdsOf(id)) {
        const child = tree.get(cid)!;
        if (child.kind === 'rollout' || child.supersededBy !== undefined) continue;
        if (child.status === 'failed' || child.status === 'cancelled' || child.status === 'pruned') continue;
        if (stats.has(cid)) ready.push(child);
        else pending = true; // in flight or being valued
      }
      return { ready, pending };
    };

    /** Descends by UCT to a leaf; synchronous, so the virtual loss it adds is seen by the next selection. */
    const selectLeaf = (): Leaf | 'blocked' => {
      let id = ctx.startId;
      const path = [id];
      const steps = [...ctx.prefix];
      for (let depth = 0; ; depth++) {
        const node = tree.get(id)!;
        if (id !== ctx.startId && (node.status === 'terminal' || depth >= maxDepth)) return { kind: 'reback', path, steps };
        if (expanding.has(id)) return 'blocked';
        const { ready, pending } = choosable(id);
        if (ready.length === 0) return pending ? 'blocked' : { kind: 'expand', path, steps };
        const ps = stats.get(id)!;
        const parentVisits = ps.n + ps.vl;
        const lnP = Math.log(Math.max(1, parentVisits));
        let best: TraceNode | undefined;
        let bestScore = -Infinity;
        let bestTerms: { q: number; visits: number; explore: number } | undefined;
        for (const child of ready) {
          const s = stats.get(child.id)!;
          const visits = s.n + s.vl;
          const q = visits > 0 ? (s.q * s.n) / visits : 0;
          const explore = c * Math.sqrt(lnP / Math.max(visits, 1e-9));
          const score = q + explore;
          if (score > bestScore) {
            bestScore = score;
            best = child;
            bestTerms = { q, visits, explore };
          }
        }
        tree.update(best!.id, {
          selection: { reason: `UCT: highest of ${ready.length} children`, uct: { q: bestTerms!.q, c, parentVisits, visits: bestTerms!.visits, explore: bestTerms!.explore, score: bestScore } },
        });
        id = best!.id;
        path.push(id);
        steps.push(best!.text);
      }
    };

    const addVirtualLoss = (path: readonly string[], sign: 1 | -1) => {
      for (const id of path) stats.get(id)!.vl += sign * virtualLoss;
    };

    const backup = (path: readonly string[], values: readonly number[]) => {
      for (const id of path) {
        const s = stats.get(id)!;
        for (const v of values) {
          s.n += 1;
          s.q += (v - s.q) / s.n;
        }
        tree.update(id, { visits: s.n, q: s.q });
      }
      const leaf = path[path.length - 1]!;
      ctx.log('backup', leaf, { values: values.length, mean: values.reduce((a, v) => a + v, 0) / values.length, depth: path.length - 1 });
    };

    const simulate = async (leaf: Leaf) => {
      const leafId = leaf.path[leaf.path.length - 1]!;
      try {
        if (leaf.kind === 'reback') {
          backup(leaf.path, [stats.get(leafId)!.q]);
          return;
        }
        expanding.add(leafId);
        const kids = await ctx.expand(leafId, { purpose: 'step', n: b, steps: leaf.steps });
        await Promise.all(kids.map((k) => ctx.evaluate(k, [...leaf.steps, k.text])));
        const values: number[] = [];
        for (const k of kids) {
          if (k.status === 'failed' || k.status === 'cancelled') continue;
          if (k.value === undefined && ctx.verifier.estimator && ctx.stopped) continue; // valuation cut short
          const v = k.value ?? ctx.prior;
          stats.set(k.id, { n: 1, q: v, vl: 0 });
          tree.update(k.id, { visits: 1, q: v });
          values.push(v);
        }
        expanding.delete(leafId);
        if (values.length > 0) backup(leaf.path, values);
      } finally {
        expanding.delete(leafId);
        addVirtualLoss(leaf.path, -1);
      }
    };

    let started = 0;
    const running = new Set<Promise<void>>();
    while (!ctx.stopped && started < sims) {
      if (running.size >= parallel) {
        await Promise.race(running);
        continue;
      }
      const leaf = selectLeaf();
      if (leaf === 'blocked') {
        if (running.size === 0) break; // nothing in flight and nothing to expand: the tree is exhausted
        await Promise.race(running);
        continue;
      }
      started++;
      ctx.iteration = started;
      addVirtualLoss(leaf.path, 1);
      ctx.log('select', leaf.path[leaf.path.length - 1]!, { simulation: started, depth: leaf.path.length - 1, leaf: leaf.kind });
      const p: Promise<void> = simulate(leaf).finally(() => running.delete(p));
      running.add(p);
    }
    await Promise.all(running);

    if (ctx.verifiedNodes.length > 0) return { bestNodeId: ctx.verifiedNodes[0] };
    // Otherwise the most visited path (robust child), down to a leaf.
    let id = ctx.startId;
    for (;;) {
      let best: string | undefined;
      let bestN = 0;
      for (const cid of tree.childIdsOf(id)) {
        const s = stats.get(cid);
        if (s && s.n > bestN) {
          best = cid;
          bestN = s.n;
        }
      }
      if (!best) break;
      id = best;
    }
    return id === ctx.startId ? {} : { bestNodeId: id };
  },
};
