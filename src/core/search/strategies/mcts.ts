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
import type { StrategyRun } from '../strategy';

interface Stat {
  node: TraceNode;
  n: number;
  q: number;
  /** Virtual visits of simulations in flight through this node. */
  vl: number;
  /** Children that can be chosen (valued, alive): kept here so selection never scans the tree. */
  kids: Stat[];
  /** A simulation is expanding this leaf right now (a flag, not a set: no hashing per selection step). */
  expanding: boolean;
  /** The last UCT decision that chose this node (written to `selection.uct` with its next backup). */
  chosen: boolean;
  uq: number;
  uvisits: number;
  uparent: number;
  uexplore: number;
  uscore: number;
  among: number;
}

const REASONS: string[] = [];
const reasonFor = (among: number): string => (REASONS[among] ??= `UCT: highest of ${among} children`);

function newStat(node: TraceNode, n: number, q: number): Stat {
  return { node, n, q, vl: 0, kids: [], expanding: false, chosen: false, uq: 0, uvisits: 0, uparent: 0, uexplore: 0, uscore: 0, among: 0 };
}


type Leaf = { kind: 'expand' | 'reback'; path: Stat[]; steps: string[] };

export const runMcts: StrategyRun = async (ctx) => {
  const sims = num(ctx.params, 'simulations');
  const b = num(ctx.params, 'b');
  const c = num(ctx.params, 'c');
  const maxDepth = num(ctx.params, 'maxDepth');
  const parallel = num(ctx.params, 'parallel') || num(ctx.params, 'concurrency');
  const virtualLoss = num(ctx.params, 'virtualLoss');
  const tree = ctx.tree;
  const root = newStat(tree.node(ctx.startId), 0, 0);

  /** Descends by UCT to a leaf; synchronous, so the virtual loss it adds is seen by the next selection. */
  const selectLeaf = (): Leaf | 'blocked' => {
    let cur = root;
    const path = [cur];
    const steps = [...ctx.prefix];
    for (let depth = 0; ; depth++) {
      if (cur !== root && (cur.node.status === 'terminal' || depth >= maxDepth)) return { kind: 'reback', path, steps };
      if (cur.expanding) return 'blocked';
      const kids = cur.kids;
      let best: Stat | undefined;
      let bestScore = -Infinity;
      let bestQ = 0;
      let bestVisits = 0;
      let bestExplore = 0;
      let ready = 0;
      let busy = 0;
      const parentVisits = cur.n + cur.vl;
      const lnP = Math.log(Math.max(1, parentVisits));
      for (const k of kids) {
        if (k.node.status === 'pruned') continue; // by hand, during the run
        // A leaf another simulation is expanding right now leads nowhere yet: look elsewhere (at parallel 1 never).
        if (k.kids.length === 0 && k.expanding) {
          busy++;
          continue;
        }
        ready++;
        const visits = k.n + k.vl;
        const q = visits > 0 ? (k.q * k.n) / visits : 0;
        const explore = c * Math.sqrt(lnP / Math.max(visits, 1e-9));
        const score = q + explore;
        if (score > bestScore) {
          bestScore = score;
          best = k;
          bestQ = q;
          bestVisits = visits;
          bestExplore = explore;
        }
      }
      if (!best) return busy > 0 ? 'blocked' : { kind: 'expand', path, steps };
      best.chosen = true;
      best.uq = bestQ;
      best.uvisits = bestVisits;
      best.uparent = parentVisits;
      best.uexplore = bestExplore;
      best.uscore = bestScore;
      best.among = ready;
      cur = best;
      path.push(cur);
      steps.push(cur.node.text);
    }
  };

  const addVirtualLoss = (path: readonly Stat[], sign: 1 | -1) => {
    for (const s of path) s.vl += sign * virtualLoss;
  };

  /** N += 1, Q += (v − Q)/N per value, along the path; one node update each (visits, Q, the UCT terms). */
  const backup = (path: readonly Stat[], values: readonly number[]) => {
    for (const s of path) {
      for (const v of values) {
        s.n += 1;
        s.q += (v - s.q) / s.n;
      }
      // Direct writes + one notification per node: backups touch every node on the path, every simulation.
      s.node.visits = s.n;
      s.node.q = s.q;
      if (s.chosen) {
        // Updated in place: a new object per backup per path node is garbage on big trees.
        const sel = s.node.selection;
        if (sel?.uct) {
          sel.reason = reasonFor(s.among);
          sel.uct.q = s.uq;
          sel.uct.parentVisits = s.uparent;
          sel.uct.visits = s.uvisits;
          sel.uct.explore = s.uexplore;
          sel.uct.score = s.uscore;
        } else {
          s.node.selection = { reason: reasonFor(s.among), uct: { q: s.uq, c, parentVisits: s.uparent, visits: s.uvisits, explore: s.uexplore, score: s.uscore } };
        }
        s.chosen = false;
      }
      tree.changed(s.node);
    }
    const leaf = path[path.length - 1]!;
    let sum = 0;
    for (const v of values) sum += v;
    ctx.log('backup', leaf.node.id, { values: values.length, mean: sum / values.length, depth: path.length - 1 });
  };

  const simulate = async (leaf: Leaf) => {
    const last = leaf.path[leaf.path.length - 1]!;
    try {
      if (leaf.kind === 'reback') {
        backup(leaf.path, [last.q]);
        return;
      }
      last.expanding = true;
      const kids = await ctx.expand(last.node.id, { purpose: 'step', n: b, steps: leaf.steps });
      await Promise.all(kids.map((k) => ctx.evaluate(k, [...leaf.steps, k.text])));
      const values: number[] = [];
      for (const k of kids) {
        if (k.status === 'failed' || k.status === 'cancelled') continue;
        if (k.value === undefined && ctx.verifier.estimator && ctx.stopped) continue; // valuation cut short
        const v = k.value ?? ctx.prior;
        // A child starts with N = 1, Q = its value: its own valuation is its first backup.
        last.kids.push(newStat(k, 1, v));
        k.visits = 1;
        k.q = v;
        values.push(v);
      }
      if (values.length > 0) backup(leaf.path, values);
    } finally {
      last.expanding = false;
      addVirtualLoss(leaf.path, -1);
    }
  };

  // Simulations in flight are counted, and the loop sleeps on one promise that the next finishing simulation
  // resolves (not Promise.race over all of them: that adds a reaction to every running promise per wake-up).
  let started = 0;
  let running = 0;
  let wake: (() => void) | undefined;
  const oneFinished = () => new Promise<void>((resolve) => (wake = resolve));
  let failure: { error: unknown } | undefined;
  const finished = () => {
    running--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  // A simulation that throws (a bug) fails the run, as Promise.race / Promise.all over them did.
  const crashed = (error: unknown) => {
    failure ??= { error };
    finished();
  };
  while (!ctx.stopped && started < sims) {
    if (failure) throw failure.error;
    if (running >= parallel) {
      await oneFinished();
      continue;
    }
    const leaf = selectLeaf();
    if (leaf === 'blocked') {
      if (running === 0) break; // nothing in flight and nothing to expand: the tree is exhausted
      await oneFinished();
      continue;
    }
    started++;
    ctx.iteration = started;
    addVirtualLoss(leaf.path, 1);
    ctx.log('select', leaf.path[leaf.path.length - 1]!.node.id, { simulation: started, depth: leaf.path.length - 1, leaf: leaf.kind });
    running++;
    void simulate(leaf).then(finished, crashed);
  }
  while (running > 0) await oneFinished();
  if (failure) throw failure.error;

  if (ctx.verifiedNodes.length > 0) return { bestNodeId: ctx.verifiedNodes[0] };
  // Otherwise the most visited path (robust child), down to a leaf.
  let cur = root;
  for (;;) {
    let best: Stat | undefined;
    for (const k of cur.kids) if (!best || k.n > best.n) best = k;
    if (!best) break;
    cur = best;
  }
  return cur === root ? {} : { bestNodeId: cur.node.id };
};
