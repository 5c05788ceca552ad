/**
 * Path scores for beam and A*: a PRM gives scores for every step of the path (use them); other value sources
 * give one value per node, so the path's list is its parent's list plus the node's own value (or the prior).
 */
import type { TraceNode } from '../trace/schema';
import { aggregateScores, type Aggregation } from '../verify/aggregate';

export function pathScores(node: TraceNode, parentScores: readonly number[], prior: number): number[] {
  const src = node.valueSource;
  if (src?.kind === 'prm' && src.stepScores && src.stepScores.length > 0) return src.stepScores;
  return [...parentScores, node.value ?? prior];
}

export function pathScore(scores: readonly number[], how: Aggregation, prior: number): number {
  return aggregateScores(scores, how) ?? prior;
}
