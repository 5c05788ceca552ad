/** Find in the tree, pure: which nodes match a text query and a status filter, in the order the tree is drawn. */
import type { NodeStatus } from '../src/protocol/fromCore';
import type { TraceModel } from './traceModel';

export type StatusFilter = 'any' | NodeStatus | 'human' | 'verified';

export interface FindResult {
  /** 1 = match, per node index. */
  marks: Uint8Array;
  /** Matching indices in tree order (depth-first, children in layout order), so "next" walks the tree as drawn. */
  list: number[];
}

/** Null when no filter is active (empty query, any status). The query is matched case-insensitively. */
export function findMatches(m: TraceModel, query: string, status: StatusFilter): FindResult | null {
  const q = query.trim().toLowerCase();
  if (!q && status === 'any') return null;
  const marks = new Uint8Array(m.size);
  const list: number[] = [];
  for (let i = 0; i < m.size; i++) {
    const n = m.nodes[i];
    if (status === 'human' ? n.author !== 'human' : status === 'verified' ? n.verified !== true : status !== 'any' && n.status !== status) continue;
    if (q && !m.searchText(i).includes(q)) continue;
    marks[i] = 1;
    list.push(i);
  }
  const order = new Int32Array(m.size);
  let k = 0;
  const stack = m.roots.slice().reverse();
  while (stack.length) {
    const v = stack.pop() as number;
    order[v] = k++;
    const kids = m.children[v];
    for (let j = kids.length - 1; j >= 0; j--) stack.push(kids[j]);
  }
  list.sort((a, b) => order[a] - order[b]);
  return { marks, list };
}
