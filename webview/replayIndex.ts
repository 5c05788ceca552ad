/**
 * What the event log says about time: when each node was pruned / first valued, and which nodes each iteration
 * touched. The scrubber uses it to draw the tree as it stood at iteration t without rebuilding anything.
 */
import type { TraceModel } from './traceModel';

export interface ReplayIndex {
  /** Iteration of the node's first prune event (Infinity when never pruned). */
  prunedAt: Float64Array;
  /** Iteration at which the node first had a value. */
  valuedAt: Float64Array;
  /** Sorted distinct iteration numbers present in nodes and events. */
  iterations: number[];
  /** Node indices touched by events at each iteration. */
  touched: Map<number, number[]>;
  dataVersion: number;
}

export function buildReplayIndex(model: TraceModel): ReplayIndex {
  const n = model.size;
  const prunedAt = new Float64Array(n).fill(Infinity);
  const valuedAt = new Float64Array(n).fill(Infinity);
  const touchedSets = new Map<number, Set<number>>();
  const its = new Set<number>();
  for (const e of model.events) {
    const i = model.index.get(e.node);
    its.add(e.i);
    if (i === undefined) continue;
    let set = touchedSets.get(e.i);
    if (!set) touchedSets.set(e.i, (set = new Set()));
    set.add(i);
    if (e.type === 'prune' && e.i < prunedAt[i]) prunedAt[i] = e.i;
    if (e.type === 'evaluate' && e.i < valuedAt[i]) valuedAt[i] = e.i;
  }
  for (let i = 0; i < n; i++) {
    const node = model.nodes[i];
    its.add(node.iteration);
    // Nodes whose state has no event (imports, hand-made traces) take it at creation.
    if (node.status === 'pruned' && prunedAt[i] === Infinity) prunedAt[i] = node.iteration;
    if (node.value !== undefined && valuedAt[i] === Infinity) valuedAt[i] = node.iteration;
  }
  const touched = new Map<number, number[]>();
  for (const [it, set] of touchedSets) touched.set(it, [...set]);
  return { prunedAt, valuedAt, iterations: [...its].sort((a, b) => a - b), touched, dataVersion: model.dataVersion };
}
