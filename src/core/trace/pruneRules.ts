/**
 * When pruning or un-pruning a node means something, read from the node's own fields only, so the panel page
 * (through src/protocol/fromCore.ts) disables its buttons for the same reasons the host refuses the request.
 * No runtime imports: the page bundles this file.
 */
import type { TraceNode } from './schema';

/** Why pruning this node means nothing, if it does. */
export function pruneBlocker(node: TraceNode): string | undefined {
  if (node.kind === 'root') return 'the root cannot be pruned: it holds the problem';
  if (node.status === 'pruned') return `${node.id} is already pruned`;
  return undefined;
}

/** Why this node cannot be un-pruned, if it cannot. */
export function unpruneBlocker(node: TraceNode): string | undefined {
  const p = node.prune;
  if (node.status !== 'pruned' || !p) return `${node.id} is not pruned`;
  if (p.by === 'engine') {
    return `the search pruned ${node.id} (${p.reason}); that decision is part of the run's record, so it stays — re-run from its parent to explore this branch again`;
  }
  if (p.ancestor !== undefined) return `${node.id} was pruned together with ${p.ancestor}; un-prune ${p.ancestor} instead`;
  if (p.restore === undefined) return `${node.id} was pruned before un-prune existed, and its earlier status was not recorded`;
  return undefined;
}
