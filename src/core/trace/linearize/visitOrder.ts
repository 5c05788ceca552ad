/**
 * Which nodes a linearization shows and in what order: the visit order of the search (its event log, or iteration
 * numbers for traces without one) or depth-first; and the winning path that becomes the solution block.
 */
import type { NodeKind, TraceNode } from '../schema';
import type { TraceTree } from '../tree';

export type NodeOrder = 'visit' | 'depth-first';

export interface NodeFilter {
  /** Node kinds that are steps of the search (default: step and answer; rollouts and verifications are not). */
  kinds?: readonly NodeKind[];
  /** Leave out pruned nodes (their subtrees are pruned too). */
  dropPruned?: boolean;
  /** Leave out subtrees a re-run replaced. */
  dropSuperseded?: boolean;
}

const DEFAULT_KINDS: readonly NodeKind[] = ['step', 'answer'];

/** Ids of the non-root nodes to show; closed under parents, so a shown node's parent is shown or is the root. */
export function includedNodes(tree: TraceTree, filter: NodeFilter = {}): Set<string> {
  const kinds = new Set(filter.kinds ?? DEFAULT_KINDS);
  const out = new Set<string>();
  const rootId = tree.root().id;
  for (const node of tree.trace.nodes) {
    if (node.id === rootId) continue;
    if (!kinds.has(node.kind)) continue;
    if (filter.dropPruned && node.status === 'pruned') continue;
    if (filter.dropSuperseded && node.supersededBy !== undefined) continue;
    // Creation order puts parents first, so the parent's decision is already known.
    if (node.parentId !== rootId && !out.has(node.parentId!)) continue;
    out.add(node.id);
  }
  return out;
}

/** Index of the first event naming each node. */
function firstEventIndex(tree: TraceTree): Map<string, number> {
  const first = new Map<string, number>();
  tree.trace.events.forEach((e, i) => {
    if (!first.has(e.node)) first.set(e.node, i);
  });
  return first;
}

/**
 * The included nodes in the order the search visited them. With an event for every shown node that is the event
 * log's order; otherwise (imported or hand-made traces) iteration number, then creation order.
 */
export function visitOrder(tree: TraceTree, included: ReadonlySet<string>): TraceNode[] {
  const nodes = tree.trace.nodes.filter((n) => included.has(n.id));
  const events = firstEventIndex(tree);
  const byEvents = nodes.every((n) => events.has(n.id));
  // `nodes` is in creation order and sort is stable, so equal iterations keep creation order.
  const sorted = byEvents ? nodes.sort((a, b) => events.get(a.id)! - events.get(b.id)!) : nodes.sort((a, b) => a.iteration - b.iteration);
  return parentsFirst(sorted, tree.root().id);
}

/** Stable repair: a node whose parent has not been shown yet waits for it (hand-edited iteration numbers). */
function parentsFirst(sorted: TraceNode[], rootId: string): TraceNode[] {
  const shown = new Set<string>([rootId]);
  const waiting = new Map<string, TraceNode[]>();
  const out: TraceNode[] = [];
  // Showing a node releases the nodes waiting for it, and theirs, depth-first: an explicit stack, as a chain of
  // waiting nodes can be as deep as the tree.
  const stack: TraceNode[] = [];
  for (const n of sorted) {
    if (!shown.has(n.parentId!)) {
      const list = waiting.get(n.parentId!);
      if (list) list.push(n);
      else waiting.set(n.parentId!, [n]);
      continue;
    }
    stack.push(n);
    while (stack.length) {
      const cur = stack.pop()!;
      out.push(cur);
      shown.add(cur.id);
      const kids = waiting.get(cur.id);
      if (kids) {
        waiting.delete(cur.id);
        for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
      }
    }
  }
  return out;
}

/** Preorder, children in creation order. */
export function depthFirstOrder(tree: TraceTree, included: ReadonlySet<string>): TraceNode[] {
  return tree.subtree(tree.root().id).filter((n) => included.has(n.id));
}

export function orderNodes(tree: TraceTree, included: ReadonlySet<string>, order: NodeOrder): TraceNode[] {
  return order === 'visit' ? visitOrder(tree, included) : depthFirstOrder(tree, included);
}

/**
 * The path whose answer the trace stands by, root excluded: `result.bestNodeId` when set, else the verified node
 * with the highest value (then the deepest, then the first created). Empty when nothing verified.
 */
export function winningPath(tree: TraceTree): TraceNode[] {
  const best = tree.trace.result?.bestNodeId;
  let end: TraceNode | undefined = best === undefined ? undefined : tree.get(best);
  if (!end) {
    let bestKey: [number, number] | undefined;
    // One pass for all depths: tree.depth per candidate is O(depth) each, quadratic on a deep tree.
    let depths: Map<string, number> | undefined;
    for (const n of tree.trace.nodes) {
      if (n.verified !== true || n.kind === 'root' || n.kind === 'rollout') continue;
      depths ??= tree.depths();
      const key: [number, number] = [n.value ?? 1, depths.get(n.id)!];
      if (!bestKey || key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
        bestKey = key;
        end = n;
      }
    }
  }
  return end ? tree.pathToRoot(end.id).filter((n) => n.kind !== 'root') : [];
}

/** A branch switch: the next shown node does not continue the one before it. */
export function isSwitch(prev: TraceNode | undefined, next: TraceNode, rootId: string): boolean {
  return prev === undefined ? next.parentId !== rootId : next.parentId !== prev.id;
}
