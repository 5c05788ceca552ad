/**
 * Keyboard walk over the drawn tree, pure. Left: parent. Right: expand a collapsed node, else the child on the best
 * path, else the first child. Up/Down: sibling, else the neighbour in the same depth column. Home: the root.
 * End: the end of the current path — Right repeated from the focused node (through the best path where it runs,
 * else first children) down to a leaf or a collapsed node, never expanding. So on the best path End is the best
 * node, and anywhere else it is where the branch you are reading ends (a list's End, read along the path).
 */
import type { TraceModel } from './traceModel';
import type { TreeLayout } from './treeLayout';

export type NavKey = 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown' | 'Home' | 'End';

export type NavStep = { kind: 'focus'; i: number } | { kind: 'toggle'; i: number };

export function navigate(m: TraceModel, L: TreeLayout, collapsed: ReadonlySet<number>, shown: (i: number) => boolean, focused: number, key: NavKey): NavStep {
  let i = focused >= 0 ? focused : 0;
  if (key === 'ArrowLeft') {
    if (m.parent[i] >= 0) i = m.parent[i];
  } else if (key === 'ArrowRight') {
    if (collapsed.has(i)) return { kind: 'toggle', i };
    const kids = m.children[i].filter(shown);
    const onBest = kids.find((c) => m.bestPath.has(c));
    if (kids.length) i = onBest ?? kids[0];
  } else if (key === 'ArrowUp' || key === 'ArrowDown') {
    const dir = key === 'ArrowUp' ? -1 : 1;
    const p = m.parent[i];
    const sibs = (p >= 0 ? m.children[p] : m.roots).filter(shown);
    const k = sibs.indexOf(i) + dir;
    if (k >= 0 && k < sibs.length) i = sibs[k];
    else {
      const lv = L.levels[m.depth[i]];
      let j = L.levelPos[i] + dir;
      while (j >= 0 && j < lv.length && !shown(lv[j])) j += dir;
      if (j >= 0 && j < lv.length) i = lv[j];
    }
  } else if (key === 'Home') i = m.roots[0] ?? 0;
  else {
    for (let guard = m.size; guard > 0 && !collapsed.has(i); guard--) {
      const kids = m.children[i].filter(shown);
      if (!kids.length) break;
      i = kids.find((c) => m.bestPath.has(c)) ?? kids[0];
    }
  }
  return { kind: 'focus', i };
}
