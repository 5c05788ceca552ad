/**
 * Hugging Face search-and-learn result rows (huggingface/search-and-learn: src/sal/search/{best_of_n,beam_search,
 * diverse_verifier_tree_search}.py add `completions`, `scores` (per completion, one PRM score per step),
 * `pred` and `completion_tokens`; src/sal/utils/score.py adds `agg_scores` and `pred_weighted@n`, `pred_maj@n`,
 * `pred_naive@n`; src/sal/utils/data.py writes `{approach}_completions.jsonl`, one problem's row a line, the data
 * set's own columns kept). Steps are what the PRM scored: the completion cut at "\n\n" (reward_models.py). The
 * completions become root-to-leaf paths, steps with the same text under the same parent shared (beam search's
 * beams share their prefix), each step's score its value; `pred` is the selected path and the result.
 */
import * as z from 'zod';
import type { Problem, TraceNode } from '../schema';
import { TraceTree } from '../tree';
import { extractAnswer } from '../../verify/answerExtraction';
import { importedValue, keepUnknown, metaValue, parseShape, unitValue, verifyAnswer, type LibraryImport, type LibraryImportOptions } from './libraryImport';

export const SalRowSchema = z
  .looseObject({
    problem: z.string().optional(),
    answer: z.union([z.string(), z.number()]).optional(),
    unique_id: z.string().optional(),
    completions: z.array(z.string()).min(1),
    // null: Python wrote NaN.
    scores: z.array(z.array(z.number().nullable())),
    pred: z.string().optional(),
    // DVTS writes -1 for the whole problem.
    completion_tokens: z.union([z.array(z.number()), z.number()]).optional(),
    agg_scores: z.array(z.number().nullable()).optional(),
  })
  .superRefine((row, ctx) => {
    if (row.scores.length !== row.completions.length) ctx.addIssue({ code: 'custom', path: ['scores'], message: `${row.scores.length} score lists for ${row.completions.length} completions` });
  });
export type SalRow = z.infer<typeof SalRowSchema>;

export const SAL_SHAPE = 'a search-and-learn result row {problem, answer?, completions: [string], scores: [[number]] (one list per completion, one score per "\\n\\n" step), pred?, completion_tokens?, agg_scores?, pred_weighted@n?, pred_maj@n?, pred_naive@n?}';
export const LIBRARY = 'search-and-learn';
const STEP_SEP = '\n\n';
const MAPPED = ['problem', 'answer', 'unique_id', 'completions', 'scores', 'pred', 'completion_tokens', 'agg_scores'];

/** The signature of a result row: `completions` and `scores` lists. */
export function looksLikeSalRow(o: Record<string, unknown>): boolean {
  return Array.isArray(o.completions) && Array.isArray(o.scores);
}

export function parseSalRow(value: unknown, where: string): SalRow {
  return parseShape(SalRowSchema, value, where, 'search-and-learn result row', SAL_SHAPE);
}

/** The steps the PRM scored: the text cut at "\n\n", without the empty piece after a final "\n\n". */
export function salSteps(completion: string): string[] {
  const parts = completion.split(STEP_SEP);
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export const salProblem = (row: SalRow): Problem | undefined =>
  row.problem === undefined ? undefined : { text: row.problem, ...(row.answer !== undefined ? { answer: String(row.answer) } : {}) };

export function importSalRow(row: SalRow, given: Problem, opts: LibraryImportOptions = {}): LibraryImport {
  // MATH-500's unique_id ("test/precalculus/807.json") names the problem.
  const problem: Problem = given.id === undefined && row.unique_id !== undefined ? { ...given, id: row.unique_id } : given;
  const extra = keepUnknown(row, MAPPED);
  if (typeof row.completion_tokens === 'number') extra.completion_tokens = row.completion_tokens;
  const tree = TraceTree.create({ ...problem, ...(Object.keys(extra).length ? { meta: { ...problem.meta, ...extra } } : {}) }, { id: opts.id, createdAt: opts.createdAt });
  const issues: string[] = [];
  const root = tree.root();
  const byText = new Map<string, TraceNode>();
  const through = new Map<string, number[]>();
  const leaves: TraceNode[] = [];
  row.completions.forEach((completion, i) => {
    const steps = salSteps(completion);
    const scores = row.scores[i]!;
    if (scores.length !== steps.length) issues.push(`completion ${i + 1}: ${steps.length} steps but ${scores.length} scores (matched from the first step)`);
    let parent = root;
    steps.forEach((text, j) => {
      const key = `${parent.id}\u0000${text}`;
      let node = byText.get(key);
      if (!node) {
        const value = unitValue(scores[j]);
        node = tree.addChild(parent.id, {
          kind: 'step',
          author: 'imported',
          text,
          status: 'open',
          ...(value !== undefined ? { value, valueSource: importedValue(`${LIBRARY} PRM score`) } : {}),
          // A score outside [0, 1] (our value field cannot hold it) is kept as it is.
          ...(value === undefined && scores[j] != null ? { meta: { score: scores[j]! } } : {}),
        });
        byText.set(key, node);
        if (parent.status === 'open') tree.update(parent.id, { status: 'expanded' });
      }
      const list = through.get(node.id);
      if (list) list.push(i);
      else through.set(node.id, [i]);
      parent = node;
    });
    leaves[i] = parent;
  });
  for (const [id, list] of through) {
    const n = tree.node(id);
    tree.update(id, { meta: { ...n.meta, 'sal.completions': list } });
  }
  row.completions.forEach((completion, i) => {
    const leaf = leaves[i]!;
    if (leaf.id === root.id || tree.childIdsOf(leaf.id).length > 0) return;
    const answer = extractAnswer(completion)?.answer;
    const verified = verifyAnswer(answer, problem);
    const meta = { ...leaf.meta };
    if (Array.isArray(row.completion_tokens) && row.completion_tokens[i] !== undefined) meta.completion_tokens = row.completion_tokens[i]!;
    if (row.agg_scores?.[i] != null) meta.agg_score = metaValue(row.agg_scores[i]);
    tree.update(leaf.id, { status: 'terminal', meta, ...(answer !== undefined ? { kind: 'answer' as const, answer } : {}), ...(verified !== undefined ? { verified } : {}) });
  });
  const predIndex = row.pred === undefined ? -1 : row.completions.indexOf(row.pred);
  if (row.pred !== undefined && predIndex < 0) issues.push('pred is none of the completions (no path selected)');
  let summaryPred = '';
  if (predIndex >= 0) {
    const leaf = tree.node(leaves[predIndex]!.id);
    const agg = row.agg_scores?.[predIndex];
    const reason = `on pred, the completion search-and-learn chose (highest aggregated PRM score${typeof agg === 'number' ? `, ${agg}` : ''})`;
    for (const n of tree.pathToRoot(leaf.id)) if (n.kind !== 'root') tree.update(n.id, { selection: { reason } });
    if (leaf.id !== root.id) tree.trace.result = { bestNodeId: leaf.id, verified: leaf.verified ?? false, ...(leaf.answer !== undefined ? { finalAnswer: leaf.answer } : {}) };
    summaryPred = `, pred = completion ${predIndex + 1}${leaf.answer !== undefined ? ` (answer ${leaf.answer}${leaf.verified === true ? ' ✓' : leaf.verified === false ? ' ✗' : ''})` : ''}`;
  }
  const distinct = new Set(leaves.map((l) => l.id)).size;
  const summary = `${row.completions.length} completions (${distinct} distinct) → ${tree.size} nodes${summaryPred}`;
  return { tree, issues, summary };
}
