/**
 * Math-Shepherd-like step labels (layout of ../shared/data/prm-labels/math-shepherd_sample7.jsonl): `input` is the
 * question followed by `Step i: … ки` lines, `label` the same text with each `ки` replaced by `+` or `-`. One record
 * per root-to-leaf path whose every step has a label; a step's newlines become spaces (a step is one line here).
 * When a step of the path stands for several identical samples (merged siblings), `step_copies` gives each step's
 * count (1 = not merged), a per-step sample weight; readers that take only input / label ignore it.
 */
import * as z from 'zod';
import type { TraceTree } from '../trace/tree';
import { copiesOf, rootToLeafPaths, stepScorer } from './pathLabels';

export const STEP_TAG = 'ки';

export const MathShepherdRecordSchema = z.object({
  input: z.string(),
  label: z.string(),
  task: z.string(),
  step_copies: z.array(z.number().int().min(1)).optional(),
});
export type MathShepherdRecord = z.infer<typeof MathShepherdRecordSchema>;

export function buildMathShepherdRecords(
  tree: TraceTree,
  opts: { threshold?: number; task?: string; dropPruned?: boolean } = {},
): { records: MathShepherdRecord[]; unlabeledPaths: number } {
  const score = stepScorer(tree);
  const records: MathShepherdRecord[] = [];
  let unlabeledPaths = 0;
  for (const path of rootToLeafPaths(tree, { dropPruned: opts.dropPruned })) {
    const values = path.map(score);
    if (values.some((v) => v === undefined)) {
      unlabeledPaths++;
      continue;
    }
    const lines = path.map((n, i) => `Step ${i + 1}: ${n.text.replace(/\s*\n\s*/g, ' ').trim()}`);
    const q = tree.trace.problem.text.replace(/\s*\n\s*/g, ' ').trim();
    const copies = path.map(copiesOf);
    records.push({
      input: `${q} ${lines.map((l) => `${l} ${STEP_TAG}`).join('\n')}`,
      label: `${q} ${lines.map((l, i) => `${l} ${values[i]! >= (opts.threshold ?? 0.5) ? '+' : '-'}`).join('\n')}`,
      task: opts.task ?? 'metacot',
      ...(copies.some((c) => c > 1) ? { step_copies: copies } : {}),
    });
  }
  return { records, unlabeledPaths };
}

/** Steps and labels back out of a record (its `label` text): for checks and for importing Math-Shepherd data. */
export function parseMathShepherd(rec: MathShepherdRecord): { question: string; steps: { text: string; label: '+' | '-' }[] } {
  const first = rec.label.search(/Step 1: /);
  const question = (first < 0 ? rec.label : rec.label.slice(0, first)).trim();
  const steps: { text: string; label: '+' | '-' }[] = [];
  if (first >= 0) {
    for (const line of rec.label.slice(first).split('\n')) {
      const m = /^Step \d+: (.*) ([+-])$/.exec(line);
      if (m) steps.push({ text: m[1]!, label: m[2] as '+' | '-' });
    }
  }
  return { question, steps };
}
