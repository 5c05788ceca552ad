/** Aggregation of per-step scores into one path score (beam search with a PRM, paper Fig. 17). */
export const AGGREGATIONS = ['last', 'min', 'prod', 'mean'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

export function isAggregation(x: unknown): x is Aggregation {
  return typeof x === 'string' && (AGGREGATIONS as readonly string[]).includes(x);
}

/** Aggregate of `scores`; undefined for an empty list (nothing was scored). `product` is accepted for `prod`. */
export function aggregateScores(scores: readonly number[], how: Aggregation): number | undefined {
  if (scores.length === 0) return undefined;
  switch (how) {
    case 'last':
      return scores[scores.length - 1]!;
    case 'min':
      return Math.min(...scores);
    case 'prod':
      return scores.reduce((p, s) => p * s, 1);
    case 'mean':
      return scores.reduce((p, s) => p + s, 0) / scores.length;
  }
}
