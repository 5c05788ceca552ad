/** SFT record: chat messages (system, user = problem, assistant = Meta-CoT Z followed by the solution S). */
import * as z from 'zod';
import { linearize, type LinearizeOptions } from '../trace/linearize/linearize';
import { lossSpans, type Objective } from '../trace/linearize/segment';
import type { TraceTree } from '../trace/tree';
import { mergedSamples } from './pathLabels';
import { solutionRunId } from './solutionRun';

export const DEFAULT_SYSTEM_PROMPT =
  'Solve the problem by searching: propose steps, judge them, go back when a path fails, and finish with the solution.';

export const SftRecordSchema = z.object({
  messages: z.tuple([
    z.object({ role: z.literal('system'), content: z.string() }),
    z.object({ role: z.literal('user'), content: z.string() }),
    z.object({ role: z.literal('assistant'), content: z.string() }),
  ]),
  /** Loss mask of the assistant message for the chosen objective (absent for Eq. 22, where all of it is learned). */
  assistant_spans: z.array(z.object({ text: z.string(), loss: z.boolean() })).optional(),
  meta: z.object({
    trace_id: z.string(),
    problem_id: z.string().optional(),
    linearization: z.string(),
    objective: z.string(),
    verified: z.boolean(),
    final_answer: z.string().optional(),
    /** The run that found the solution S (absent for an imported answer). */
    found_by_run: z.string().optional(),
    /**
     * Samples merged into an identical sibling in the trace (Σ copies − 1; absent when none): the assistant text
     * shows each distinct step once. Per-step counts are in the `linear` and PRM layouts.
     */
    merged_samples: z.number().int().min(1).optional(),
  }),
});
export type SftRecord = z.infer<typeof SftRecordSchema>;

export function buildSftRecord(
  tree: TraceTree,
  opts: { linearize: LinearizeOptions; objective?: Objective; system?: string; verified: boolean },
): SftRecord {
  const objective = opts.objective ?? 'z-and-s';
  const lin = linearize(tree, opts.linearize, objective);
  const t = tree.trace;
  const rec: SftRecord = {
    messages: [
      { role: 'system', content: opts.system ?? DEFAULT_SYSTEM_PROMPT },
      { role: 'user', content: t.problem.text },
      { role: 'assistant', content: lin.text },
    ],
    meta: { trace_id: t.id, linearization: lin.format, objective, verified: opts.verified },
  };
  if (objective !== 'z-and-s') rec.assistant_spans = lossSpans(lin.segments);
  if (t.problem.id !== undefined) rec.meta.problem_id = t.problem.id;
  if (t.result?.finalAnswer !== undefined) rec.meta.final_answer = t.result.finalAnswer;
  const run = solutionRunId(tree, lin.winningPath);
  if (run !== undefined) rec.meta.found_by_run = run;
  const merged = mergedSamples(tree);
  if (merged > 0) rec.meta.merged_samples = merged;
  return rec;
}
