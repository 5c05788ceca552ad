/**
 * The path a new trace opens on, and what to collapse so that path reads as text (loom-like: the chosen step at each
 * depth with its alternatives beside it). Pure: model in, indices out.
 */
import type { TraceModel } from './traceModel';

/**
 * Root → best node when the trace has one; otherwise the highest-value path: from the first root, the child with the
 * highest value at each step (unvalued children rank below valued ones, ties go to more visits, then to the earlier
 * child), down to a leaf. Cost: the path's length times the branching.
 */
export function readingPath(m: TraceModel): number[] {
  if (m.bestPath.size > 0) {
    const bestId = m.result?.bestNodeId;
    const best = bestId === undefined ? undefined : m.index.get(bestId);
    if (best !== undefined) return m.pathTo(best);
  }
  if (m.roots.length === 0) return [];
  const path = [m.roots[0]];
  for (let v = m.roots[0]; m.children[v].length > 0; ) {
    let pick = -1;
    let pv = -Infinity;
    let pn = -1;
    for (const c of m.children[v]) {
      const n = m.nodes[c];
      const val = n.value ?? -Infinity;
      const vis = n.visits ?? 0;
      if (pick < 0 || val > pv || (val === pv && vis > pn)) {
        pick = c;
        pv = val;
        pn = vis;
      }
    }
    path.push(pick);
    v = pick;
  }
  return path;
}

/**
 * Nodes to collapse so that exactly the path, the children of every path node and the other roots stay laid out:
 * every such shown node that is off the path and has children of its own. Each collapsed node gets a summary card.
 */
export function readingCollapse(m: TraceModel, path: readonly number[]): Set<number> {
  const on = new Set(path);
  const out = new Set<number>();
  const consider = (c: number) => {
    if (!on.has(c) && m.children[c].length > 0) out.add(c);
  };
  for (const r of m.roots) consider(r);
  for (const v of path) for (const c of m.children[v]) consider(c);
  return out;
}
