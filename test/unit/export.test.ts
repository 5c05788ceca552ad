import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportTraces, parseJsonl, toJsonl } from '../../src/core/export/exportTraces';
import { DEFAULT_SYSTEM_PROMPT, SftRecordSchema } from '../../src/core/export/sftRecord';
import { DpoRecordSchema, buildDpoRecords } from '../../src/core/export/dpoRecord';
import { Prm800kRecordSchema } from '../../src/core/export/prm800kRecord';
import { MathShepherdRecordSchema, parseMathShepherd } from '../../src/core/export/mathShepherdRecord';
import { LinearRecordSchema } from '../../src/core/export/linearRecord';
import { countdownChecker } from '../../src/core/verify/checker';
import { TraceTree } from '../../src/core/trace/tree';
import { countdownTree, equationTree } from '../fixtures/metacot/handTrees';
import { readJsonl, skipShared } from '../fixtures/metacot/sharedData';

/** Export, write JSONL, read it back and validate every line with the layout's schema. */
function roundTrip<T>(records: unknown[], schema: { parse(x: unknown): T }): T[] {
  return parseJsonl(toJsonl(records)).map((r) => schema.parse(r));
}

const Z = 'Subtract 3 from both sides: 2x = 8.\n0.75\n\nDivide both sides by 3: x = 11/3.\n0.03125\n\nAdd 3 to both sides: 2x = 14.\n0.0625\n\nDivide both sides by 2: x = 4.\n0.9375\n\nThe answer is 4.\n1.0';
const S = 'Solution:\nSubtract 3 from both sides: 2x = 8.\n\nDivide both sides by 2: x = 4.\n\nThe answer is 4.';

test('SFT: system / user = problem / assistant = Z then S, parsed back', () => {
  const { records, skipped } = exportTraces([equationTree()], { format: 'sft' });
  assert.deepEqual(skipped, []);
  const [rec] = roundTrip(records, SftRecordSchema);
  assert.deepEqual(rec, {
    messages: [
      { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
      { role: 'user', content: 'Solve for x: 2x + 3 = 11.' },
      { role: 'assistant', content: `${Z}\n\n${S}` },
    ],
    meta: { trace_id: 'eq-1', linearization: 'appendix-e', objective: 'z-and-s', verified: true, final_answer: '4' },
  });
  // Z only (Eq. 23): the loss spans say which part is learned.
  const [zOnly] = roundTrip(exportTraces([equationTree()], { format: 'sft', objective: 'z-only', system: 'Think.' }).records, SftRecordSchema);
  assert.equal(zOnly!.messages[0].content, 'Think.');
  assert.deepEqual(zOnly!.assistant_spans, [
    { text: Z, loss: true },
    { text: `\n\n${S}`, loss: false },
  ]);
  // Other linearizations: backtracking phrases.
  const [bt] = roundTrip(exportTraces([equationTree()], { format: 'sft', linearize: { format: 'backtrack' } }).records, SftRecordSchema);
  assert.match(bt!.messages[2].content, /\n\nWait, divide both sides by 3/);
  assert.equal(bt!.meta.linearization, 'backtrack-phrases');
});

test('Meta-STaR filter: only traces whose final solution verifies, on by default', () => {
  const unverified = TraceTree.create({ text: 'q' }, { id: 'bad', createdAt: '2026-01-01T00:00:00.000Z' });
  unverified.addChild('n0', { kind: 'answer', author: 'model', text: 'The answer is 3.', verified: false, value: 0.1 });
  const filtered = exportTraces([equationTree(), unverified], { format: 'sft' });
  assert.equal(filtered.records.length, 1);
  assert.deepEqual(filtered.skipped, [{ traceId: 'bad', reason: 'Meta-STaR filter: no winning path (nothing verified, no result.bestNodeId)' }]);
  const all = exportTraces([equationTree(), unverified], { format: 'sft', filter: false });
  assert.equal(all.records.length, 2);
  assert.equal((all.records[1] as { meta: { verified: boolean } }).meta.verified, false);
  // Re-checking with a checker instead of trusting the stored verdict: a claimed win that does not reach the target.
  const liar = countdownTree();
  liar.update('n6', { text: '24 + 12 = 37 (left: 37)' });
  const rechecked = exportTraces([countdownTree(), liar], { format: 'sft', checker: countdownChecker(), linearize: { format: 'sos' } });
  assert.equal(rechecked.records.length, 1);
  assert.match(rechecked.skipped[0]!.reason, /^Meta-STaR filter: countdown: step "24 \+ 12 = 37 \(left: 37\)" is wrong/);
  const trusted = exportTraces([liar], { format: 'sft', linearize: { format: 'sos' } });
  assert.equal(trusted.records.length, 1);
});

test('DPO pairs: at nodes with two or more valued children far enough apart', () => {
  const recs = roundTrip(exportTraces([equationTree()], { format: 'dpo' }).records, DpoRecordSchema);
  assert.deepEqual(recs, [
    {
      // The prompt ends with the step separator: prompt + chosen is the text as the model writes it.
      prompt: 'Solve for x: 2x + 3 = 11.\n\n',
      chosen: 'Subtract 3 from both sides: 2x = 8.',
      rejected: 'Divide both sides by 3: x = 11/3.',
      prefix: [],
      chosen_value: 0.75,
      rejected_value: 0.03125,
      meta: { trace_id: 'eq-1', node_id: 'n0', chosen_id: 'n1', rejected_id: 'n2' },
    },
    {
      prompt: 'Solve for x: 2x + 3 = 11.\n\nSubtract 3 from both sides: 2x = 8.\n\n',
      chosen: 'Divide both sides by 2: x = 4.',
      rejected: 'Add 3 to both sides: 2x = 14.',
      prefix: ['Subtract 3 from both sides: 2x = 8.'],
      chosen_value: 0.9375,
      rejected_value: 0.0625,
      meta: { trace_id: 'eq-1', node_id: 'n1', chosen_id: 'n4', rejected_id: 'n3' },
    },
  ]);
  // Threshold: 0.75 − 0.03125 = 0.71875 is below 0.8, 0.875 is not.
  assert.deepEqual(buildDpoRecords(equationTree(), { threshold: 0.8 }).map((r) => r.meta.node_id), ['n1']);
  // Three children: extremes gives one pair, all gives every pair over the threshold (best first).
  const t = equationTree();
  t.addChild('n1', { kind: 'step', author: 'model', text: 'Divide by 2 first: x + 1.5 = 5.5.', value: 0.5 });
  assert.deepEqual(buildDpoRecords(t).filter((r) => r.meta.node_id === 'n1').map((r) => [r.meta.chosen_id, r.meta.rejected_id]), [['n4', 'n3']]);
  assert.deepEqual(
    buildDpoRecords(t, { pairs: 'all', threshold: 0.4 }).filter((r) => r.meta.node_id === 'n1').map((r) => [r.meta.chosen_id, r.meta.rejected_id]),
    [['n4', 'n6'], ['n4', 'n3'], ['n6', 'n3']],
  );
  // Unvalued children make no pair.
  assert.match(exportTraces([countdownTree()], { format: 'dpo' }).skipped[0]!.reason, /no node with two valued children/);
});

test('PRM800K-like records: one per root-to-leaf path, siblings as rated completions', () => {
  const recs = roundTrip(exportTraces([equationTree()], { format: 'prm800k' }).records, Prm800kRecordSchema);
  assert.equal(recs.length, 3);
  const steps = recs.map((r) => r.label.steps.map((s) => [s.completions!.map((c) => c.rating), s.chosen_completion]));
  assert.deepEqual(steps, [
    [[[1, -1], 0], [[-1, 1], 0]],
    [[[1, -1], 0], [[-1, 1], 1], [[1], 0]],
    [[[1, -1], 1]],
  ]);
  assert.deepEqual(recs.map((r) => r.label.finish_reason), ['found_error', 'solution', 'found_error']);
  assert.deepEqual(recs[1]!.question, { problem: 'Solve for x: 2x + 3 = 11.', ground_truth_answer: '4' });
  assert.equal(recs[1]!.label.steps[1]!.completions![1]!.text, 'Divide both sides by 2: x = 4.');
  // Thresholds are configurable: 0.75 rated 0 when +1 needs 0.8.
  const strict = exportTraces([equationTree()], { format: 'prm800k', prm: { positive: 0.8 } }).records as { label: { steps: { completions: { rating: number }[] }[] } }[];
  assert.equal(strict[0]!.label.steps[0]!.completions[0]!.rating, 0);
});

test('Math-Shepherd-like records: Step i lines tagged ки, labels + / -, parsed back', () => {
  const recs = roundTrip(exportTraces([equationTree()], { format: 'math-shepherd', mathShepherd: { task: 'EQ' } }).records, MathShepherdRecordSchema);
  assert.equal(recs.length, 3);
  assert.deepEqual(recs[1], {
    input: 'Solve for x: 2x + 3 = 11. Step 1: Subtract 3 from both sides: 2x = 8. ки\nStep 2: Divide both sides by 2: x = 4. ки\nStep 3: The answer is 4. ки',
    label: 'Solve for x: 2x + 3 = 11. Step 1: Subtract 3 from both sides: 2x = 8. +\nStep 2: Divide both sides by 2: x = 4. +\nStep 3: The answer is 4. +',
    task: 'EQ',
  });
  assert.deepEqual(parseMathShepherd(recs[0]!), {
    question: 'Solve for x: 2x + 3 = 11.',
    steps: [
      { text: 'Subtract 3 from both sides: 2x = 8.', label: '+' },
      { text: 'Add 3 to both sides: 2x = 14.', label: '-' },
    ],
  });
  // Countdown tree: unvalued steps take their subtree's verdict (n1's leaves all fail, n5 reaches the goal).
  const cd = exportTraces([countdownTree()], { format: 'math-shepherd' }).records.map((r) => parseMathShepherd(MathShepherdRecordSchema.parse(r)).steps.map((s) => s.label).join(''));
  assert.deepEqual(cd, ['--', '--', '++']);
  // The pruned 12+3=15 path has no value and nothing below it: it cannot be labelled and is left out.
});

test('linear records: text, segments with loss flags, winning path', () => {
  const [rec] = roundTrip(exportTraces([equationTree()], { format: 'linear', objective: 'correct-path' }).records, LinearRecordSchema);
  assert.equal(rec!.text, `${Z}\n\n${S}`);
  assert.equal(rec!.segments.map((s) => s.text).join(''), rec!.text);
  assert.deepEqual(rec!.winning_path, ['n1', 'n4', 'n5']);
  assert.equal(rec!.segments.filter((s) => s.node === 'n2').every((s) => !s.loss), true);
});

test('JSONL: one line per record, errors name the line', () => {
  const text = toJsonl([{ a: 1 }, { b: 'x\ny' }]);
  assert.equal(text, '{"a":1}\n{"b":"x\\ny"}\n');
  assert.deepEqual(parseJsonl(text), [{ a: 1 }, { b: 'x\ny' }]);
  assert.throws(() => parseJsonl('{"a":1}\n{oops\n'), /^Error: line 2: /);
});

test('our layouts read the real PRM800K and Math-Shepherd records', { skip: skipShared }, () => {
  const prm = readJsonl('prm-labels/prm800k_sample6.jsonl').map((r) => Prm800kRecordSchema.parse(r));
  assert.equal(prm.length, 6);
  assert.deepEqual(prm.map((r) => r.label.finish_reason).sort(), ['found_error', 'give_up', 'solution', 'solution', 'solution', 'solution']);
  assert.equal(prm[0]!.label.steps[1]!.completions!.length, 5);
  const ms = readJsonl('prm-labels/math-shepherd_sample7.jsonl').map((r) => MathShepherdRecordSchema.parse(r));
  assert.equal(ms.length, 7);
  const first = parseMathShepherd(ms[0]!);
  assert.equal(first.steps.length, 5);
  assert.deepEqual(first.steps.map((s) => s.label).join(''), '++++-');
  assert.match(first.question, /^Janet pays \$40\/hour/);
  assert.equal(ms.every((r) => r.input.split('ки').length - 1 === parseMathShepherd(r).steps.length), true);
});

test('a real MCTS tree (OmegaPRM, Monte-Carlo value on every node): DPO pairs and step labels', { skip: skipShared }, () => {
  type OmegaNode = { text: string; mc_value: number; children?: OmegaNode[] };
  const rows = readJsonl('prm-labels/math-aps-tree_omegaprm_sample3.jsonl') as { question_id: number; final_answer: unknown; reasoning_steps: OmegaNode }[];
  const got = rows.map((r, i) => {
    const t = TraceTree.create({ text: r.reasoning_steps.text, answer: String(r.final_answer) }, { id: `omega-${i}`, createdAt: '2026-01-01T00:00:00.000Z' });
    const add = (parent: string, n: OmegaNode): void => {
      const c = t.addChild(parent, { kind: 'step', author: 'imported', text: n.text, value: n.mc_value });
      for (const k of n.children ?? []) add(c.id, k);
    };
    for (const k of r.reasoning_steps.children ?? []) add('n0', k);
    const dpo = roundTrip(exportTraces([t], { format: 'dpo' }).records, DpoRecordSchema);
    const prm = roundTrip(exportTraces([t], { format: 'prm800k' }).records, Prm800kRecordSchema);
    const ms = roundTrip(exportTraces([t], { format: 'math-shepherd' }).records, MathShepherdRecordSchema);
    assert.ok(dpo.every((p) => p.chosen_value - p.rejected_value >= 0.2));
    // Nothing in these trees is verified: Meta-STaR keeps none of them for SFT.
    assert.equal(exportTraces([t], { format: 'sft' }).records.length, 0);
    return [t.size, dpo.length, prm.length, ms.length, ms.filter((x) => x.label.endsWith('+')).length];
  });
  // Frozen: nodes (143 / 90 / 24 as the data README says), pairs, one PRM record per leaf, paths ending "+".
  assert.deepEqual(got, [
    [143, 5, 137, 137, 135],
    [90, 3, 85, 85, 82],
    [24, 3, 20, 20, 17],
  ]);
});
