/**
 * A person's prune and its undo. Pruning by hand records, on each node it prunes, the status the node had
 * (`prune.restore`) and, below the pruned node, which node the prune was applied to (`prune.ancestor`), so Un-prune
 * puts back exactly what that prune changed. Nodes that were already pruned (by the engine, or by an earlier prune
 * of their own) are left as they are: this prune did not decide them, and undoing it must not revive them.
 * Engine prunes are never un-pruned: they are the search's own decision and part of the record of what it did.
 * Pure; the rules of when each applies are in pruneRules.ts, which the panel uses too.
 */
import { pruneBlocker, unpruneBlocker } from './pruneRules';
import type { TraceNode } from './schema';
import type { TraceTree } from './tree';
import { TraceError } from './tree';

export { pruneBlocker, unpruneBlocker };

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
