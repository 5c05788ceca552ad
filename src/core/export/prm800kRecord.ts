/**
 * PRM800K-like step labels (layout of openai/prm800k, as in ../shared/data/prm-labels/prm800k_sample6.jsonl): one
 * record per root-to-leaf path; each step lists the alternatives the search generated at that point (the path
 * node's siblings) as `completions` with a rating −1 / 0 / +1 from their value, and `chosen_completion` points at
 * the path's step. The schema also accepts the real PRM800K records (tested). A completion that stands for k
 * identical samples (merged siblings) carries `copies: k`, a sample weight; PRM800K readers ignore the extra key.
 */
import * as z from 'zod';
import type { TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';
import { copiesOf, rootToLeafPaths, stepScorer } from './pathLabels';

const Rating = z.union([z.literal(-1), z.literal(0), z.literal(1)]).nullable();

export const Prm800kRecordSchema = z.object({
  labeler: z.string(),
  timestamp: z.string(),
  generation: z.number().int().nullable(),
  is_quality_control_question: z.boolean(),
  is_initial_screening_question: z.boolean(),
  question: z.object({ problem: z.string(), ground_truth_answer: z.string().nullable().optional() }),
  label: z.object({
    steps: z.array(
      z.object({
        // null in real records where only a human wrote the step.
        completions: z.array(z.object({ text: z.string(), rating: Rating, flagged: z.boolean().nullable(), copies: z.number().int().min(2).optional() })).nullable(),
        human_completion: z.object({ text: z.string(), rating: Rating, source: z.string().optional(), flagged: z.boolean().nullable() }).nullable(),
        chosen_completion: z.number().int().nullable(),
      }),
    ),
    total_time: z.number().int(),
    finish_reason: z.enum(['solution', 'found_error', 'give_up', 'bad_problem']),
  }),
});
export type Prm800kRecord = z.infer<typeof Prm800kRecordSchema>;

export interface RatingThresholds {
  /** value ≥ positive → +1 (default 0.7) */
  positive?: number;
  /** value ≤ negative → −1 (default 0.3); in between → 0 */
  negative?: number;
}

export function rating(v: number | undefined, t: RatingThresholds = {}): -1 | 0 | 1 | null {
  if (v === undefined) return null;
  if (v >= (t.positive ?? 0.7)) return 1;
  if (v <= (t.negative ?? 0.3)) return -1;
  return 0;
}

export function buildPrm800kRecords(tree: TraceTree, opts: RatingThresholds & { siblings?: boolean; dropPruned?: boolean } = {}): Prm800kRecord[] {
  const score = stepScorer(tree);
  const t = tree.trace;
  const keep = (n: TraceNode) => (n.kind === 'step' || n.kind === 'answer') && !(opts.dropPruned && n.status === 'pruned');
  return rootToLeafPaths(tree, { dropPruned: opts.dropPruned }).map((path) => {
    const steps = path.map((node) => {
      const alts = opts.siblings === false ? [node] : tree.children(node.parentId!).filter(keep);
      return {
        completions: alts.map((n) => ({ text: n.text, rating: rating(score(n), opts), flagged: false, ...(copiesOf(n) > 1 ? { copies: copiesOf(n) } : {}) })),
        human_completion: null,
        chosen_completion: alts.findIndex((n) => n.id === node.id),
      };
    });
    const last = path[path.length - 1]!;
    const chosenRatings = steps.map((s) => s.completions[s.chosen_completion]?.rating ?? null);
    const finish = last.verified === true ? 'solution' : chosenRatings.includes(-1) ? 'found_error' : 'give_up';
    const question: Prm800kRecord['question'] = { problem: t.problem.text };
    if (t.problem.answer !== undefined) question.ground_truth_answer = t.problem.answer;
    return {
      labeler: 'metacot',
      timestamp: t.createdAt,
      generation: null,
      is_quality_control_question: false,
      is_initial_screening_question: false,
      question,
      label: { steps, total_time: 0, finish_reason: finish },
    };
  });
}
