/** Small predicates on node data that several views must agree on. */
import type { TraceNode } from '../src/protocol/fromCore';

/**
 * Whether a person edited or added this node. The root's author is 'human' whenever a person typed the problem
 * (src/core/trace/tree.ts creates it so): that is the problem, not an edit, so a root never counts.
 */
export function isHumanEdit(n: Pick<TraceNode, 'author' | 'kind' | 'parentId'>): boolean {
  return n.author === 'human' && n.kind !== 'root' && n.parentId !== null;
}
