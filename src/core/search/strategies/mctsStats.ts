/**
 * MCTS bookkeeping kept beside the trace nodes (strategies/mcts.ts): per-node visit statistics, the last UCT
 * decision, what progressive widening allows, and the fallback answer when nothing verified.
 */
import type { TraceNode } from '../../trace/schema';

export interface Stat {
  node: TraceNode;
  /** Depth below the start node (the start node is 0). */
  depth: number;
  n: number;
  q: number;
  /** Virtual visits of simulations in flight through this node. */
  vl: number;
  /** Children that can be chosen (valued, alive): kept here so selection never scans the tree. */
  kids: Stat[];
  /**
   * Samples asked for this node so far (its first expansion and every widening, merged duplicates and failed
   * samples included): the child count ⌊k·N^α⌋ is compared with, so a widening that adds no new node is not
   * asked again at the same N.
   */
  drawn: number;
  /** Widenings of this node in this run (`meta.widenings`). */
  widenings: number;
  /** Of those, widenings by value (widenPenalty): the bar is lowered by the penalty for each. */
  valueWidenings: number;
  /** A simulation is expanding (or widening) this node right now (a flag, not a set: no hashing per step). */
  expanding: boolean;
  /** The last UCT decision that chose this node (written to `selection.uct` with its next backup). */
  chosen: boolean;
  uq: number;
  uvisits: number;
  uparent: number;
  uexplore: number;
  uscore: number;
  /** qNormalize minmax: the Q range at that decision. */
  ulo: number;
  uhi: number;
  among: number;
}

export function newStat(node: TraceNode, depth: number, n: number, q: number): Stat {
  return { node, depth, n, q, vl: 0, kids: [], drawn: 0, widenings: 0, valueWidenings: 0, expanding: false, chosen: false, uq: 0, uvisits: 0, uparent: 0, uexplore: 0, uscore: 0, ulo: 0, uhi: 0, among: 0 };
}

/**
 * `backup: max`: the highest Q among the children not pruned by hand (a node with none keeps its own Q). A
 * refuted child's Q (0) counts: it is what that continuation is worth.
 */
export function bestChildQ(s: Stat): number {
  let best = -Infinity;
  for (const k of s.kids) if (k.node.status !== 'pruned' && k.q > best) best = k.q;
  return best === -Infinity ? s.q : best;
}

/** A leaf no expansion can follow: a finished path (answer or dead end) or one at `maxDepth`. Never the start node. */
export function isFinished(s: Stat, maxDepth: number): boolean {
  return s.depth > 0 && (s.node.status === 'terminal' || s.depth >= maxDepth);
}

/** The checker said no: a wrong answer or a dead end (Countdown marks both `verified: false`). */
export function isRefuted(node: TraceNode): boolean {
  return node.verified === false;
}

/**
 * Progressive widening: the children a node with `visits` visits may have, ⌊k·N^α⌋. The small epsilon keeps
 * exact powers exact (⌊1·9^0.5⌋ = 3, not 2 from 2.9999…).
 */
export function widenLimit(k: number, alpha: number, visits: number): number {
  return Math.floor(k * Math.pow(visits, alpha) + 1e-9);
}

/** The fewest visits at which a node with `drawn` samples may widen (Infinity: never). */
export function widenAt(k: number, alpha: number, drawn: number): number {
  if (k <= 0) return Infinity;
  if (alpha <= 0) return widenLimit(k, 0, 1) > drawn ? 0 : Infinity;
  let n = Math.max(0, Math.ceil(((drawn + 1) / k) ** (1 / alpha)));
  if (!Number.isSafeInteger(n)) return Infinity; // beyond any budget
  // The closed form may be off by one either way in floating point.
  if (n > 0 && widenLimit(k, alpha, n - 1) > drawn) n--;
  if (widenLimit(k, alpha, n) <= drawn) n++;
  return n;
}

/**
 * The answer when nothing verified: down the most visited path (robust child, ties to the higher Q), never
 * through a node the checker refuted or one pruned by hand; undefined when the start node has no such child.
 */
export function fallbackLeaf(root: Stat): Stat | undefined {
  let cur = root;
  for (;;) {
    let best: Stat | undefined;
    for (const k of cur.kids) {
      if (isRefuted(k.node) || k.node.status === 'pruned') continue;
      if (!best || k.n > best.n || (k.n === best.n && k.q > best.q)) best = k;
    }
    if (!best) break;
    cur = best;
  }
  return cur === root ? undefined : cur;
}
