/**
 * Which nodes a re-run left behind, and which nodes belong to a run. A re-run from node S keeps S's old subtree for
 * comparison and marks it `supersededBy` (TraceTree.supersede); the search panel fades those nodes, and its run list
 * filters the tree to one run (the run's own nodes plus the path it started from). Pure, over dense indices and
 * typed arrays, so the page can rebuild the masks on every streamed delta in O(nodes).
 */
import type { Run, Trace, TraceNode } from './schema';

/** What the masks read: nodes by dense index and each node's parent index (-1 for a root or a missing parent). */
export interface IndexedNodes {
  readonly nodes: readonly Pick<TraceNode, 'id' | 'runId' | 'supersededBy'>[];
  readonly parent: ArrayLike<number>;
  readonly index: ReadonlyMap<string, number>;
}

export type RunRef = Pick<Run, 'id' | 'startNodeId'>;

/** Dense indices for a trace's nodes in file order (what the panel's model holds too). */
export function indexNodes(nodes: readonly TraceNode[]): IndexedNodes {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const parent = new Int32Array(nodes.length);
  nodes.forEach((n, i) => (parent[i] = n.parentId === null ? -1 : (index.get(n.parentId) ?? -1)));
  return { nodes, parent, index };
}

/**
 * 1 for a node that a later re-run replaced: marked `supersededBy`, or below such a node and of the same run as its
 * parent (nodes added there afterwards by human edits stay with the old subtree). A node of another run below a
 * superseded node is that run's own work (a re-run started from inside an old subtree) and is not superseded.
 */
export function supersededMask(t: IndexedNodes): Uint8Array {
  const n = t.nodes.length;
  // 0 unknown, 1 superseded, 2 not; parents may come after children in the dense order (out-of-order imports).
  const state = new Uint8Array(n);
  const path: number[] = [];
  for (let i = 0; i < n; i++) {
    if (state[i] !== 0) continue;
    // The common case, a parent listed before its child: one step, no walk.
    const pi = t.parent[i]!;
    if (t.nodes[i]!.supersededBy !== undefined) {
      state[i] = 1;
      continue;
    }
    if (pi < 0 || (pi < i && state[pi] === 2)) {
      state[i] = 2;
      continue;
    }
    if (pi < i) {
      const own = t.nodes[i]!.runId;
      state[i] = own !== undefined && own !== t.nodes[pi]!.runId ? 2 : 1;
      continue;
    }
    let v = i;
    while (v >= 0 && state[v] === 0) {
      if (t.nodes[v]!.supersededBy !== undefined) {
        state[v] = 1;
        break;
      }
      path.push(v);
      const p = t.parent[v]!;
      // A cycle in a broken file must not spin: a node met twice on one walk ends it as "not superseded".
      if (path.length > n) break;
      v = p;
    }
    let inherited = v >= 0 && state[v] === 1;
    for (let k = path.length - 1; k >= 0; k--) {
      const u = path[k]!;
      const p = t.parent[u]!;
      const own = t.nodes[u]!.runId;
      if (inherited && own !== undefined && p >= 0 && own !== t.nodes[p]!.runId) inherited = false;
      state[u] = inherited ? 1 : 2;
    }
    path.length = 0;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = state[i] === 1 ? 1 : 0;
  return out;
}

/** 1 for the run's own nodes (`runId`), its start node, and every ancestor of them: the run as it reads in the tree. */
export function runMask(t: IndexedNodes, run: RunRef): Uint8Array {
  const n = t.nodes.length;
  const out = new Uint8Array(n);
  const up = (from: number) => {
    for (let v = from, steps = 0; v >= 0 && out[v] === 0 && steps <= n; v = t.parent[v]!, steps++) out[v] = 1;
  };
  const start = t.index.get(run.startNodeId);
  if (start !== undefined) up(start);
  for (let i = 0; i < n; i++) if (t.nodes[i]!.runId === run.id) up(i);
  return out;
}

/**
 * The panel's fading (PanelStore.faded): with a run filter, 1 for every node outside that run (its superseded
 * nodes stay bright: the filter asks to read that run); without one, the superseded nodes. Null when nothing fades.
 */
export function fadedMask(t: IndexedNodes, runFilter: RunRef | null): Uint8Array | null {
  const out = runFilter ? runMask(t, runFilter).map((x) => 1 - x) : supersededMask(t);
  return out.some((x) => x === 1) ? out : null;
}

/** Ids of the trace's superseded nodes (supersededMask over the file's order). */
export function supersededIds(trace: Pick<Trace, 'nodes'>): string[] {
  const mask = supersededMask(indexNodes(trace.nodes));
  return trace.nodes.filter((_, i) => mask[i] === 1).map((n) => n.id);
}

/** Ids of the nodes that read as run `runId` (runMask); empty for an unknown run. */
export function runNodeIds(trace: Pick<Trace, 'nodes' | 'runs'>, runId: string): string[] {
  const run = trace.runs.find((r) => r.id === runId);
  if (!run) return [];
  const mask = runMask(indexNodes(trace.nodes), run);
  return trace.nodes.filter((_, i) => mask[i] === 1).map((n) => n.id);
}
