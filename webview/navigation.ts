/**
 * Keyboard walk over the drawn tree, pure. Left: parent. Right: expand a collapsed node, else the child on the best
 * path, else the first child. Up/Down: sibling, else the neighbour in the same depth column. Home: first root. End:
 * last node of the column.
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
    const lv = L.levels[m.depth[i]];
    i = lv[lv.length - 1];
  }
  return { kind: 'focus', i };
}
