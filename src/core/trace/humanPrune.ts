/**
 * A person's prune and its undo. Pruning by hand records, on each node it prunes, the status the node had
 * (`prune.restore`) and, below the pruned node, which node the prune was applied to (`prune.ancestor`), so Un-prune
 * puts back exactly what that prune changed. Nodes that were already pruned (by the engine, or by an earlier prune
 * of their own) are left as they are: this prune did not decide them, and undoing it must not revive them.
 * Engine prunes are never un-pruned: they are the search's own decision and part of the record of what it did.
 * Pure (the blockers read only a node's fields, so the panel shows the same reasons the host enforces).
 */
import type { TraceNode } from './schema';
import type { TraceTree } from './tree';
import { TraceError } from './tree';

/** Why pruning this node means nothing, if it does. */
export function pruneBlocker(node: TraceNode): string | undefined {
  if (node.kind === 'root') return 'the root holds the problem; it cannot be pruned';
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

/** Prunes `id` and its not-yet-pruned descendants by hand; returns the nodes this prune changed (`id` first). */
export function pruneByHand(tree: TraceTree, id: string, reason: string): TraceNode[] {
  const top = tree.node(id);
  const why = pruneBlocker(top);
  if (why) throw new TraceError(why);
  const changed: TraceNode[] = [];
  for (const n of tree.subtree(id)) {
    if (n.status === 'pruned') continue;
    if (n.kind === 'root') throw new TraceError('the root cannot be pruned');
    const restore = n.status;
    tree.update(n.id, { status: 'pruned', prune: n.id === id ? { reason, by: 'human', restore } : { reason: `ancestor ${id} pruned`, by: 'human', restore, ancestor: id } });
    changed.push(n);
  }
  tree.logEvent({ type: 'prune', node: id, data: { reason, by: 'human' } });
  return changed;
}

/** Undoes a person's prune of `id`: it and the descendants pruned with it get their earlier status back. */
export function unprune(tree: TraceTree, id: string): TraceNode[] {
  const top = tree.node(id);
  const why = unpruneBlocker(top);
  if (why) throw new TraceError(`cannot un-prune: ${why}`);
  const restored: TraceNode[] = [];
  for (const n of tree.subtree(id)) {
    const p = n.prune;
    if (n.status !== 'pruned' || p?.restore === undefined || p.by !== 'human') continue;
    if (n.id !== id && p.ancestor !== id) continue;
    tree.update(n.id, { status: p.restore, prune: undefined });
    restored.push(n);
  }
  tree.logEvent({ type: 'status', node: id, data: { status: top.status, unpruned: restored.length } });
  return restored;
}
