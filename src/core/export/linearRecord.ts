/** `linear` record: the linearized text with its segments and loss flags, for trainers that take masks directly. */
import * as z from 'zod';
import { linearize, type LinearizeOptions } from '../trace/linearize/linearize';
import { SegmentSchema, type Objective } from '../trace/linearize/segment';
import type { TraceTree } from '../trace/tree';
import { solutionRunId } from './solutionRun';

export const LinearRecordSchema = z.object({
  trace_id: z.string(),
  problem: z.string(),
  linearization: z.string(),
  objective: z.string(),
  text: z.string(),
  segments: z.array(SegmentSchema),
  winning_path: z.array(z.string()),
  verified: z.boolean(),
  /** The run that found the winning path's answer (absent for an imported answer). */
  found_by_run: z.string().optional(),
  /** Node id → samples it stands for, for nodes merged from identical siblings (absent when none). */
  copies: z.record(z.string(), z.number().int().min(2)).optional(),
});
export type LinearRecord = z.infer<typeof LinearRecordSchema>;

export function buildLinearRecord(tree: TraceTree, opts: { linearize: LinearizeOptions; objective?: Objective; verified: boolean }): LinearRecord {
  const objective = opts.objective ?? 'z-and-s';
  const lin = linearize(tree, opts.linearize, objective);
  const run = solutionRunId(tree, lin.winningPath);
  const copies: Record<string, number> = {};
  let merged = false;
  for (const n of tree.trace.nodes) {
    if (n.copies === undefined) continue;
    copies[n.id] = n.copies;
    merged = true;
  }
  return {
    trace_id: tree.trace.id,
    problem: tree.trace.problem.text,
    linearization: lin.format,
    objective,
    text: lin.text,
    segments: lin.segments,
    winning_path: lin.winningPath,
    verified: opts.verified,
    ...(run !== undefined ? { found_by_run: run } : {}),
    ...(merged ? { copies } : {}),
  };
}
