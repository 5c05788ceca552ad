/**
 * `mcts` (paper §4.3.1, App. D). Selection by UCT, Q(child) + c·sqrt(ln N(parent) / N(child)), with `c` a visible
 * parameter (an untuned c causes repeated backtracking). Expansion samples b children in one request (n = b);
 * each child is valued (rollouts, Eq. 11 / PRM / judge) and starts with N = 1, Q = its value. Backup along the
 * path: N += 1 per value v, and Q follows `backup` — mean (the paper's): Q += (v − Q) / N, the mean of everything
 * backed up through a node; max: Q = the highest Q among its children, so one dead child cannot drag a good node down.
 * `qNormalize` minmax (MuZero) scales each Q by the lowest and highest Q of the search before UCT adds the
 * exploration term, so c means the same whatever range the values have; the range is recorded with the decision.
 * Simulations run in parallel with virtual loss: while a simulation is in flight, each node on its path counts
 * `virtualLoss` extra visits of value 0, which steers concurrent selections elsewhere so their requests overlap.
 * A verified answer ends the run (stopOnSolve). UCT terms of the last decision are recorded on each chosen node
 * (`selection.uct`, virtual loss included).
 *
 * The budget buys search, not re-counting:
 * - A simulation is one request that expands or widens a node (new children, new values); only those count
 *   against `simulations`.
 * - A selection that ends on a finished leaf (answer, dead end, `maxDepth`) backs its value up again, as UCT
 *   needs, but uncounted, and only when nothing is in flight: while expansions are in flight finished leaves are
 *   passed over, and with nothing else to choose the loop waits for a simulation to finish instead of spinning.
 *   Consecutive re-backups are logged as one `backup` event per leaf (`reback: true`, `values` = how many).
 * - Progressive widening: an expanded node with N visits may have ⌊widenK·N^widenAlpha⌋ children; when that
 *   passes the samples it has, the next selection reaching it asks for the missing ones (at most b) instead of
 *   descending. The node's `meta.widened` says when and why; the `select` event has `leaf: 'widen'`.
 * - Exhaustion: when no leaf can be expanded and no node can ever widen, the run ends at once with a reason
 *   `exhausted: …`; so does a run of re-backups that reaches nothing to expand (bounded, e.g. c = 0 stuck on a
 *   finished leaf).
 * - With nothing verified, the answer is the end of the most visited path that the checker did not refute.
 */
import { num } from '../params';
import type { StrategyRun } from '../strategy';
import { shortNumber as fmt } from '../../shortNumber';
import { bestChildQ, fallbackLeaf, isFinished, newStat, widenAt, widenLimit, type Stat } from './mctsStats';

const REASONS: string[] = [];
// `among`: the children that could be chosen (not being expanded, not finished while others are in flight).
const reasonFor = (among: number): string => (REASONS[among] ??= among === 1 ? 'UCT: the only child that could be chosen' : `UCT: highest of ${among} children`);

/** A selection's end: expand a leaf (n = b), widen an expanded node (n = the missing children) or back up a finished leaf. */
type Leaf = { kind: 'expand' | 'widen' | 'reback'; path: Stat[]; steps: string[]; n: number; limit: number; byValue?: ValueWiden };
/** A widening by value: the node's best child Q fell below `bar` = `base` (its value or the prior) − penalty·k. */
type ValueWiden = { bestQ: number; base: number; bar: number };

export const runMcts: StrategyRun = async (ctx) => {
  const sims = num(ctx.params, 'simulations');
  const b = num(ctx.params, 'b');
  const c = num(ctx.params, 'c');
  const maxDepth = num(ctx.params, 'maxDepth');
  const parallel = num(ctx.params, 'parallel') || num(ctx.params, 'concurrency');
  const virtualLoss = num(ctx.params, 'virtualLoss');
  // Absent (test doubles' params): the paper's settings — mean backup, raw Q, no value-aware widening.
  const maxBackup = ctx.params.backup === 'max';
  const minmax = ctx.params.qNormalize === 'minmax';
  // qNormalize minmax: the lowest and highest Q in this search so far (every value and every backed-up Q).
  let qLo = Infinity;
  let qHi = -Infinity;
  const seeQ = (q: number) => {
    if (q < qLo) qLo = q;
    if (q > qHi) qHi = q;
  };
  const norm = (q: number) => (minmax && qHi > qLo ? (q - qLo) / (qHi - qLo) : q);
  // Absent: widening ⌊1·N^0.5⌋ (the catalog's widenK / widenAlpha defaults) and none by value.
  const widenK = typeof ctx.params.widenK === 'number' ? ctx.params.widenK : 1;
  const widenAlpha = typeof ctx.params.widenAlpha === 'number' ? ctx.params.widenAlpha : 0.5;
  const widenPenalty = typeof ctx.params.widenPenalty === 'number' ? ctx.params.widenPenalty : 0;
  const tree = ctx.tree;
  const root = newStat(tree.node(ctx.startId), 0, 0, 0);
  /** Every node of this search below the start, for the α = 0 exhaustion check and the reason's node count. */
  const stats: Stat[] = [];
  /** Leaves that are not finished and have no child yet (being expanded included): the start node to begin with. */
  let openLeaves = 1;

  /**
   * Descends by UCT to a leaf; synchronous, so the virtual loss it adds is seen by the next selection.
   * `passFinished` (simulations in flight): finished leaves are not chosen, so the selection goes elsewhere or
   * reports 'blocked' (wait) rather than re-backing-up a leaf again and again while nothing changes.
   */
  const selectLeaf = (passFinished: boolean): Leaf | 'blocked' => {
    let cur = root;
    const path = [cur];
    const steps = [...ctx.prefix];
    for (;;) {
      if (isFinished(cur, maxDepth)) return { kind: 'reback', path, steps, n: 0, limit: 0 };
      const kids = cur.kids;
      if (kids.length === 0) return cur.expanding ? 'blocked' : { kind: 'expand', path, steps, n: b, limit: 0 };
      if (widenK > 0 && !cur.expanding) {
        const limit = widenLimit(widenK, widenAlpha, cur.n);
        if (limit > cur.drawn) return { kind: 'widen', path, steps, n: Math.min(b, limit - cur.drawn), limit };
      }
      if (widenPenalty > 0 && !cur.expanding) {
        // Value-aware widening: A*'s re-expansion rule. A node is sampled again when its best child is worth less
        // than the node itself (its value; the start node: the prior) lowered by widenPenalty per sampling.
        const base = cur === root ? ctx.prior : (cur.node.value ?? ctx.prior);
        const bar = base - widenPenalty * (1 + cur.valueWidenings);
        const bestQ = bestChildQ(cur);
        if (bestQ < bar) return { kind: 'widen', path, steps, n: b, limit: 0, byValue: { bestQ, base, bar } };
      }
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
        if ((k.kids.length === 0 && k.expanding) || (passFinished && isFinished(k, maxDepth))) {
          busy++;
          continue;
        }
        ready++;
        const visits = k.n + k.vl;
        const q = visits > 0 ? (norm(k.q) * k.n) / visits : 0;
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
      // Every child pruned by hand: the node is sampled again.
      if (!best) return busy > 0 ? 'blocked' : cur.expanding ? 'blocked' : { kind: 'expand', path, steps, n: b, limit: 0 };
      best.chosen = true;
      best.uq = bestQ;
      best.uvisits = bestVisits;
      best.uparent = parentVisits;
      best.uexplore = bestExplore;
      best.uscore = bestScore;
      best.ulo = qLo;
      best.uhi = qHi;
      best.among = ready;
      cur = best;
      path.push(cur);
      steps.push(cur.node.text);
    }
  };

  const addVirtualLoss = (path: readonly Stat[], sign: 1 | -1) => {
    for (const s of path) s.vl += sign * virtualLoss;
  };

  /** The statistics of a node onto its trace node (visits, Q, the UCT terms of the decision that chose it). */
  const writeBack = (s: Stat) => {
    // Direct writes + one notification per node: backups touch every node on the path, every simulation.
    s.node.visits = s.n;
    s.node.q = s.q;
    if (s.chosen) {
      // qNormalize minmax: the lowest and highest Q the decision's q was scaled by
      const range: [number, number] | undefined = minmax && s.uhi > s.ulo ? [s.ulo, s.uhi] : undefined;
      // Updated in place: a new object per backup per path node is garbage on big trees.
      const sel = s.node.selection;
      if (sel?.uct) {
        sel.reason = reasonFor(s.among);
        sel.uct.q = s.uq;
        sel.uct.parentVisits = s.uparent;
        sel.uct.visits = s.uvisits;
        sel.uct.explore = s.uexplore;
        sel.uct.score = s.uscore;
        if (range) sel.uct.range = range;
      } else {
        s.node.selection = { reason: reasonFor(s.among), uct: { q: s.uq, c, parentVisits: s.uparent, visits: s.uvisits, explore: s.uexplore, score: s.uscore, ...(range ? { range } : {}) } };
      }
      s.chosen = false;
    }
    tree.changed(s.node);
  };

  /**
   * Along the path, N += 1 per value and Q by `backup` (mean: Q += (v − Q)/N per value; max: the best child's Q,
   * bottom up); one node update each (visits, Q, the UCT terms).
   */
  const backup = (path: readonly Stat[], values: readonly number[]) => {
    if (maxBackup) {
      // Bottom up: each node's Q becomes its best child's, the leaf's from its new children.
      for (let i = path.length - 1; i >= 0; i--) {
        const s = path[i]!;
        s.n += values.length;
        s.q = bestChildQ(s); // a child's Q, already in the minmax range
        writeBack(s);
      }
    } else {
      for (const s of path) {
        for (const v of values) {
          s.n += 1;
          s.q += (v - s.q) / s.n;
        }
        seeQ(s.q);
        writeBack(s);
      }
    }
    const leaf = path[path.length - 1]!;
    let sum = 0;
    for (const v of values) sum += v;
    ctx.log('backup', leaf.node.id, { values: values.length, mean: sum / values.length, depth: path.length - 1 });
  };

  // Re-backups of finished leaves come in runs (nothing in flight, UCT returning to finished leaves): the trace
  // nodes are written and one event per leaf is logged when the run ends, not once per re-backup.
  const rebacks = new Map<Stat, number>();
  const dirty = new Set<Stat>();
  const reback = (path: readonly Stat[]) => {
    const leaf = path[path.length - 1]!;
    const v = leaf.q; // a finished leaf's Q is the mean of its own value(s): it stays what it is
    for (const s of path) {
      s.n += 1;
      // max: the path's Qs already are their best children's, and a finished leaf's does not change
      if (!maxBackup) {
        s.q += (v - s.q) / s.n;
        seeQ(s.q);
      }
      dirty.add(s);
    }
    rebacks.set(leaf, (rebacks.get(leaf) ?? 0) + 1);
  };
  const flushRebacks = () => {
    if (rebacks.size === 0) return;
    for (const s of dirty) writeBack(s);
    dirty.clear();
    for (const [leaf, count] of rebacks) ctx.log('backup', leaf.node.id, { values: count, mean: leaf.q, depth: leaf.depth, reback: true });
    rebacks.clear();
  };

  /** Whether some expanded node may still gain children as its visits grow (progressive widening). */
  const canStillWiden = (): boolean => {
    if (widenK <= 0 || root.drawn === 0) return false;
    if (widenAlpha > 0) return true; // ⌊k·N^α⌋ grows without bound, and the start node is never finished
    const cap = Math.floor(widenK + 1e-9);
    if (root.drawn < cap) return true;
    for (const s of stats) if (s.drawn > 0 && s.drawn < cap && !isFinished(s, maxDepth) && s.node.status !== 'pruned') return true;
    return false;
  };

  const simulate = async (leaf: Leaf) => {
    const last = leaf.path[leaf.path.length - 1]!;
    try {
      const kids = await ctx.expand(last.node.id, { purpose: 'step', n: leaf.n, steps: leaf.steps });
      await Promise.all(kids.map((k) => ctx.evaluate(k, [...leaf.steps, k.text])));
      const values: number[] = [];
      for (const k of kids) {
        if (k.status === 'failed' || k.status === 'cancelled') continue;
        if (k.value === undefined && ctx.verifier.estimator && ctx.stopped) continue; // valuation cut short
        const v = k.value ?? ctx.prior;
        // A child starts with N = 1, Q = its value: its own valuation is its first backup.
        const s = newStat(k, last.depth + 1, 1, v);
        if (last.kids.length === 0) openLeaves--; // the leaf has become an inner node
        if (!isFinished(s, maxDepth)) openLeaves++;
        last.kids.push(s);
        stats.push(s);
        k.visits = 1;
        k.q = v;
        seeQ(v);
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
  const used = () => `after ${stats.length} node${stats.length === 1 ? '' : 's'} (${started} of ${sims} simulations used)`;
  let exhausted: string | undefined;
  let burst = 0;
  while (!ctx.stopped && started < sims) {
    if (failure) throw failure.error;
    if (running >= parallel) {
      await oneFinished();
      continue;
    }
    if (running === 0 && openLeaves === 0 && !canStillWiden()) {
      exhausted = `exhausted: every leaf is finished ${used()}`;
      break;
    }
    const leaf = selectLeaf(running > 0);
    if (leaf === 'blocked' || (leaf.kind === 'reback' && running > 0)) {
      if (running === 0) {
        exhausted = `exhausted: nothing left to expand ${used()}`;
        break;
      }
      await oneFinished();
      continue;
    }
    if (leaf.kind === 'reback') {
      // Uncounted; bounded so that a UCT stuck on finished leaves (c = 0, or widening far off) cannot spin.
      if (burst >= 1000 + 10 * stats.length) {
        const next = widenAt(widenK, widenAlpha, root.drawn);
        const far = Number.isFinite(next) ? `; the start node widens next at N = ${next} (now ${root.n})` : '';
        exhausted = `exhausted: ${burst} re-backups of finished leaves in a row reached nothing to expand or widen ${used()}${far}`;
        break;
      }
      burst++;
      reback(leaf.path);
      continue;
    }
    flushRebacks();
    burst = 0;
    started++;
    ctx.iteration = started;
    const last = leaf.path[leaf.path.length - 1]!;
    const data: Record<string, number | string> = { simulation: started, depth: leaf.path.length - 1, leaf: leaf.kind };
    if (leaf.kind === 'widen') {
      const v = leaf.byValue;
      const why = v
        ? `widened by value at N = ${last.n}: best child Q ${fmt(v.bestQ)} < ${last === root ? 'the prior' : 'its value'} ${fmt(v.base)} − ${widenPenalty}·${1 + last.valueWidenings} = ${fmt(v.bar)}, ${leaf.n} more asked`
        : `widened at N = ${last.n}: ⌊${widenK}·${last.n}^${widenAlpha}⌋ = ${leaf.limit} > ${last.drawn} children, ${leaf.n} more asked`;
      if (v) last.valueWidenings++;
      last.node.meta = { ...(last.node.meta ?? {}), widened: why, widenings: ++last.widenings };
      tree.changed(last.node);
      Object.assign(data, v ? { visits: last.n, bestQ: v.bestQ, bar: v.bar, children: last.drawn, n: leaf.n } : { visits: last.n, limit: leaf.limit, children: last.drawn, n: leaf.n });
    }
    last.drawn += leaf.n;
    last.expanding = true;
    addVirtualLoss(leaf.path, 1);
    ctx.log('select', last.node.id, data);
    running++;
    void simulate(leaf).then(finished, crashed);
  }
  flushRebacks();
  while (running > 0) await oneFinished();
  if (failure) throw failure.error;

  const reason = exhausted !== undefined && !ctx.stopped ? { reason: exhausted } : {};
  if (ctx.verifiedNodes.length > 0) return { bestNodeId: ctx.verifiedNodes[0], ...reason };
  const best = fallbackLeaf(root);
  return best ? { bestNodeId: best.node.id, ...reason } : reason;
};
