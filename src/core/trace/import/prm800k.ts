/**
 * PRM800K rows (openai/prm800k, README "Data"; real rows in ../shared/data/prm-labels/prm800k_sample6.jsonl): one
 * labelled solution a line, `label.steps[k]` holding the model's alternative `completions` at step k, each with a
 * `rating` (−1 / 0 / +1), an optional `human_completion` (phase 1: the labeler's own step when every completion was
 * rated −1) and `chosen_completion` (the index the trajectory continues from; null: the human completion, or the
 * end). Already a shallow tree: the alternatives are siblings and the chosen one continues. A rating becomes the
 * human's label (+1 correct, −1 incorrect) and a value (1, 0.5, 0), which our prm800k export turns back into the
 * same rating; "# Answer" in a step is its answer. Unknown fields stay in meta.
 */
import * as z from 'zod';
import type { NewNode } from '../tree';
import type { Problem, TraceNode } from '../schema';
import { TraceTree } from '../tree';
import { ImportError } from './importError';
import { importedValue, keepUnknown, parseShape, verifyAnswer, type LibraryImport, type LibraryImportOptions } from './libraryImport';

const Rating = z.union([z.literal(-1), z.literal(0), z.literal(1)]).nullish();
const CompletionSchema = z.looseObject({ text: z.string(), rating: Rating, flagged: z.boolean().nullish() });
const HumanSchema = z.union([z.string(), z.looseObject({ text: z.string(), rating: Rating, source: z.string().nullish(), flagged: z.boolean().nullish() })]);
export const Prm800kRowSchema = z.looseObject({
  question: z.looseObject({ problem: z.string(), ground_truth_answer: z.string().nullish() }),
  label: z.looseObject({
    steps: z.array(
      z.looseObject({
        completions: z.array(CompletionSchema).nullish(),
        human_completion: HumanSchema.nullish(),
        chosen_completion: z.number().int().nonnegative().nullish(),
      }),
    ),
    finish_reason: z.string().optional(),
  }),
});
export type Prm800kRow = z.infer<typeof Prm800kRowSchema>;

export const PRM800K_SHAPE = 'a PRM800K row {question: {problem, ground_truth_answer}, label: {steps: [{completions: [{text, rating: -1 | 0 | 1}], human_completion, chosen_completion}], finish_reason}}';
export const LIBRARY = 'PRM800K';
const ANSWER_RE = /#\s*Answer\s*\n+\s*([^\n]+?)\s*$/;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The signature of a PRM800K row: `question` and `label.steps`. */
export function looksLikePrm800k(o: Record<string, unknown>): boolean {
  return isObj(o.question) && isObj(o.label) && Array.isArray(o.label.steps);
}

export function parsePrm800k(value: unknown, where: string): Prm800kRow {
  return parseShape(Prm800kRowSchema, value, where, 'PRM800K row', PRM800K_SHAPE);
}

export const prm800kProblem = (row: Prm800kRow): Problem => ({
  text: row.question.problem,
  ...(typeof row.question.ground_truth_answer === 'string' ? { answer: row.question.ground_truth_answer } : {}),
});

/** A rating as our fields: the labeler's mark and a value the prm800k export's thresholds (0.7 / 0.3) read back. */
function ratingFields(rating: -1 | 0 | 1 | null | undefined): Partial<NewNode> {
  if (rating === undefined || rating === null) return {};
  return {
    value: rating === 1 ? 1 : rating === 0 ? 0.5 : 0,
    valueSource: importedValue(`${LIBRARY} rating`),
    ...(rating === 1 ? { label: 'correct' as const } : rating === -1 ? { label: 'incorrect' as const } : {}),
  };
}

export function importPrm800k(row: Prm800kRow, where: string, problem: Problem, opts: LibraryImportOptions = {}): LibraryImport {
  const meta = {
    ...problem.meta,
    ...keepUnknown(row, ['question', 'label']),
    ...keepUnknown(row.question, ['problem', 'ground_truth_answer'], 'question.'),
    ...keepUnknown(row.label, ['steps'], 'label.'),
  };
  const tree = TraceTree.create({ ...problem, meta }, { id: opts.id, createdAt: opts.createdAt });
  let parent: TraceNode = tree.root();
  let chosenSteps = 0;
  let alternatives = 0;
  const add = (fields: NewNode): TraceNode => {
    const n = tree.addChild(parent.id, fields);
    const answer = ANSWER_RE.exec(n.text)?.[1];
    if (answer !== undefined) {
      const verified = verifyAnswer(answer, problem);
      tree.update(n.id, { kind: 'answer', answer, status: 'terminal', ...(verified !== undefined ? { verified } : {}) });
    }
    return n;
  };
  for (const [k, step] of row.label.steps.entries()) {
    const created = (step.completions ?? []).map((c, j) =>
      add({
        kind: 'step',
        author: 'imported',
        text: c.text,
        status: 'open',
        ...ratingFields(c.rating),
        meta: { 'prm800k.step': k, 'prm800k.completion': j, ...keepUnknown(c, ['text']) },
      }),
    );
    alternatives += created.length;
    let chosen: TraceNode | undefined;
    let reason = '';
    if (step.chosen_completion != null) {
      chosen = created[step.chosen_completion];
      if (!chosen) throw new ImportError(`${where}: label.steps.${k}.chosen_completion: ${step.chosen_completion} but the step has ${created.length} completions; expected ${PRM800K_SHAPE}`);
      reason = 'chosen_completion: the labeler continued the solution from this step';
    } else if (step.human_completion != null) {
      const h = typeof step.human_completion === 'string' ? { text: step.human_completion } : step.human_completion;
      chosen = add({
        kind: 'step',
        author: 'imported',
        text: h.text,
        status: 'open',
        ...ratingFields('rating' in h ? h.rating : undefined),
        meta: { 'prm800k.step': k, 'prm800k.human': true, ...keepUnknown(h, ['text']) },
      });
      reason = 'human_completion: the labeler wrote this step (chosen_completion is null)';
    }
    if (created.length || chosen) tree.update(parent.id, { status: 'expanded' });
    if (!chosen) break;
    tree.update(chosen.id, { selection: { reason } });
    chosenSteps++;
    parent = tree.node(chosen.id);
  }
  const end = parent;
  // The chosen path's end: a solution's answer, or where the labeler found an error or gave up (left open).
  if (end.kind !== 'root') {
    tree.trace.result = { bestNodeId: end.id, verified: end.verified ?? false, ...(end.answer !== undefined ? { finalAnswer: end.answer } : {}) };
  }
  const finish = row.label.finish_reason !== undefined ? `, finish_reason ${row.label.finish_reason}` : '';
  const summary = `${row.label.steps.length} labelled steps, ${alternatives} completions, chosen path of ${chosenSteps}${end.answer !== undefined ? ` ending in answer ${end.answer}` : ''}${finish} → ${tree.size} nodes`;
  return { tree, issues: [], summary };
}
