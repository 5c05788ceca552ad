/** One entry point for every linearization format, with the training mask of the chosen objective applied. */
import type { TraceTree } from '../tree';
import { linearizeAppendixE, type AppendixEOptions } from './appendixE';
import { linearizeBacktrack, type BacktrackOptions } from './backtrack';
import type { Linearization } from './blocks';
import { applyObjective, type Objective } from './segment';
import { linearizeSos, type SosOptions } from './streamOfSearch';

export const LINEARIZE_FORMATS = ['appendix-e', 'sos', 'backtrack'] as const;
export type LinearizeFormat = (typeof LINEARIZE_FORMATS)[number];

export function isLinearizeFormat(x: unknown): x is LinearizeFormat {
  return typeof x === 'string' && (LINEARIZE_FORMATS as readonly string[]).includes(x);
}

export type LinearizeOptions =
  | ({ format: 'appendix-e' } & AppendixEOptions)
  | ({ format: 'sos' } & SosOptions)
  | ({ format: 'backtrack' } & BacktrackOptions);

export function linearize(tree: TraceTree, opts: LinearizeOptions, objective: Objective = 'z-and-s'): Linearization {
  let lin: Linearization;
  switch (opts.format) {
    case 'appendix-e':
      lin = linearizeAppendixE(tree, opts);
      break;
    case 'sos':
      lin = linearizeSos(tree, opts);
      break;
    case 'backtrack':
      lin = linearizeBacktrack(tree, opts);
      break;
  }
  // Every segment is made with loss on, which is what z-and-s wants: no copy (a million-step trace has millions).
  if (objective === 'z-and-s' && lin.segments.every((s) => s.loss)) return lin;
  const onPath = new Set(lin.winningPath);
  const segments = applyObjective(lin.segments, objective, onPath);
  // The loss flags change, the texts do not.
  return { ...lin, segments };
}
