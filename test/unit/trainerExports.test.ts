/**
 * Trainer-ready exports (issue 18): every layout has a schema; the fixture written from the format's own
 * documentation (test/fixtures/export, see its README) parses with it, and so does our export of real traces
 * (the shipped MCTS / beam fixtures and a real two-run MCTS of the embedded model with rollout values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXPORT_FORMATS, IDENTICAL_PAIR_REASON, exportTraces, parseJsonl, toJsonl, type ExportFormat } from '../../src/core/export/exportTraces';
import { DpoRecordSchema, buildDpoRecords } from '../../src/core/export/dpoRecord';
import { LinearRecordSchema } from '../../src/core/export/linearRecord';
import { MathShepherdRecordSchema, parseMathShepherd } from '../../src/core/export/mathShepherdRecord';
import { OpenAiChatRecordSchema, OpenAiDpoRecordSchema } from '../../src/core/export/openaiRecords';
import { Prm800kRecordSchema } from '../../src/core/export/prm800kRecord';
import { DEFAULT_SYSTEM_PROMPT, SftRecordSchema } from '../../src/core/export/sftRecord';
import { TRL_PRM_STEP_SEPARATOR, TrlDpoRecordSchema, TrlPrmRecordSchema, TrlSftRecordSchema } from '../../src/core/export/trlRecords';
import { linearize } from '../../src/core/trace/linearize/linearize';
import { parseTrace } from '../../src/core/trace/io';
import type { Trace } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { equationTree } from '../fixtures/metacot/handTrees';

const FIX = join(__dirname, '..', 'fixtures');
const fixtureLines = (name: string): unknown[] => parseJsonl(readFileSync(join(FIX, 'export', name), 'utf8'));
const trace = (rel: string): Trace => parseTrace(readFileSync(join(FIX, rel), 'utf8'));
const mcts30 = () => trace('traces/mcts-30.metacot.json');
const beam = () => trace('traces/countdown-beam.metacot.json');
/** Real engine run: two MCTS runs of the embedded model, rollout values (K = 8); see fixtures/export/README.md. */
const rollout = () => trace('export/rollout-mcts-two-runs.metacot.json');

const SCHEMAS: Record<ExportFormat, { parse(x: unknown): unknown; safeParse(x: unknown): { success: boolean } }> = {
  sft: SftRecordSchema,
  linear: LinearRecordSchema,
  dpo: DpoRecordSchema,
  prm800k: Prm800kRecordSchema,
  'math-shepherd': MathShepherdRecordSchema,
  'trl-sft': TrlSftRecordSchema,
  'trl-dpo': TrlDpoRecordSchema,
  'trl-prm': TrlPrmRecordSchema,
  'openai-chat': OpenAiChatRecordSchema,
  'openai-dpo': OpenAiDpoRecordSchema,
};
/** The documentation fixture of each trainer layout (our own sft / linear / dpo layouts have no outside doc). */
const DOC_FIXTURES: Partial<Record<ExportFormat, string>> = {
  'trl-sft': 'trl-sft.jsonl',
  'trl-dpo': 'trl-dpo.jsonl',
  'trl-prm': 'trl-prm.jsonl',
  'openai-chat': 'openai-chat.jsonl',
  'openai-dpo': 'openai-dpo.jsonl',
  prm800k: 'prm800k.jsonl',
  'math-shepherd': 'math-shepherd.jsonl',
};

/** Export, write JSONL, read it back: what a trainer would load. */
function exported(format: ExportFormat, traces: Trace[], opts: Omit<Parameters<typeof exportTraces>[1], 'format'> = {}) {
  const res = exportTraces(traces, { format, ...opts });
  return { ...res, lines: parseJsonl(toJsonl(res.records)) };
}

test('every documentation fixture parses with its format schema, line by line', () => {
  const counts: Record<string, number> = {};
  for (const [format, file] of Object.entries(DOC_FIXTURES)) {
    const lines = fixtureLines(file);
    lines.forEach((l, i) => assert.doesNotThrow(() => SCHEMAS[format as ExportFormat].parse(l), `${file} line ${i + 1}`));
    counts[format] = lines.length;
  }
  assert.deepEqual(counts, { 'trl-sft': 4, 'trl-dpo': 2, 'trl-prm': 2, 'openai-chat': 2, 'openai-dpo': 2, prm800k: 2, 'math-shepherd': 2 });
  // The fixtures mean what the docs say: the Math-Shepherd labels read back, PRM800K's human-only step is null.
  assert.deepEqual(parseMathShepherd(MathShepherdRecordSchema.parse(fixtureLines('math-shepherd.jsonl')[1])).steps.map((s) => s.label), ['+', '-']);
  assert.equal(Prm800kRecordSchema.parse(fixtureLines('prm800k.jsonl')[1]).label.steps[0]!.completions, null);
});

test('the schemas refuse what the trainers would refuse or misread', () => {
  const [prm] = fixtureLines('trl-prm.jsonl') as { labels: boolean[] }[];
  assert.equal(TrlPrmRecordSchema.safeParse({ ...prm, labels: prm!.labels.slice(1) }).success, false, 'one label per step');
  assert.equal(TrlPrmRecordSchema.safeParse({ ...prm, labels: prm!.labels.map((b) => (b ? 1 : 0)) }).success, false, 'labels are booleans');
  assert.equal(TrlPrmRecordSchema.safeParse({ question: 'q', steps: ['a'] }).success, false, "no prompt: TRL's KeyError: 'prompt'");
  assert.equal(TrlDpoRecordSchema.safeParse({ prompt: 'p', chosen: 'x', rejected: 'x' }).success, false, 'identical pair');
  const [chat] = fixtureLines('openai-chat.jsonl') as Record<string, unknown>[];
  assert.equal(OpenAiChatRecordSchema.safeParse({ ...chat, meta: { trace_id: 't' } }).success, false, 'OpenAI records carry no extra key');
  assert.equal(OpenAiChatRecordSchema.safeParse({ messages: [{ role: 'user', content: 'q' }, { role: 'user', content: 'r' }] }).success, false, 'nothing to learn');
  const [pref] = fixtureLines('openai-dpo.jsonl') as { preferred_output: unknown[] }[];
  assert.equal(OpenAiDpoRecordSchema.safeParse({ ...pref, preferred_output: [...pref!.preferred_output, ...pref!.preferred_output] }).success, false, 'one preferred message');
  assert.equal(TrlSftRecordSchema.safeParse({ prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'user', content: 'a' }] }).success, false, 'the completion is the assistant');
});

test('our export of real traces parses with every format schema', () => {
  const got: Record<string, number[]> = {};
  for (const format of EXPORT_FORMATS) {
    got[format] = [mcts30(), beam(), rollout()].map((t) => {
      const { lines } = exported(format, [t], { dpo: { pairs: 'all' } });
      lines.forEach((l, i) => assert.doesNotThrow(() => SCHEMAS[format].parse(l), `${format} ${t.id} record ${i + 1}`));
      return lines.length;
    });
  }
  // Records per trace (mcts-30, beam, rollout run): chat layouts only for the verified ones; pairs with `all`;
  // one PRM row per root-to-leaf path (trl-prm and math-shepherd leave out a path with an unlabeled step).
  assert.deepEqual(got, {
    sft: [1, 1, 0],
    dpo: [12, 7, 6],
    prm800k: [20, 7, 39],
    'math-shepherd': [20, 6, 39],
    linear: [1, 1, 0],
    'trl-sft': [1, 1, 0],
    'trl-dpo': [12, 7, 6],
    'trl-prm': [20, 6, 39],
    'openai-chat': [1, 1, 0],
    'openai-dpo': [12, 7, 6],
  });
});

test('TRL SFT: prompt-completion by default (completion-only loss), messages on request; the objective is the completion', () => {
  const t = mcts30();
  const lin = linearize(TraceTree.from(t), { format: 'appendix-e' });
  const [pc] = exported('trl-sft', [t]).lines.map((l) => TrlSftRecordSchema.parse(l));
  assert.deepEqual(pc, {
    prompt: [
      { role: 'system', content: DEFAULT_SYSTEM_PROMPT },
      { role: 'user', content: t.problem.text },
    ],
    completion: [{ role: 'assistant', content: lin.text }],
    meta: { trace_id: 'generated-30-3', problem_id: 'countdown-3-5-7-2', linearization: 'appendix-e', objective: 'z-and-s', verified: true, final_answer: '24' },
  });
  const [msgs] = exported('trl-sft', [t], { trlSft: { form: 'messages' }, system: 'Search.' }).lines.map((l) => TrlSftRecordSchema.parse(l));
  assert.ok('messages' in msgs!);
  assert.deepEqual(msgs.messages.map((m) => [m.role, m.content]), [
    ['system', 'Search.'],
    ['user', t.problem.text],
    ['assistant', lin.text],
  ]);
  // z-only (Eq. 23): learn Z; S after it is learned by nothing and conditions nothing learned, so it is left out.
  const [zOnly] = exported('trl-sft', [t], { objective: 'z-only' }).lines.map((l) => TrlSftRecordSchema.parse(l));
  assert.ok('completion' in zOnly!);
  assert.equal(zOnly.completion[0]!.content, lin.z);
  assert.notEqual(lin.z, lin.text);
  // correct-path interleaves learned and unlearned steps: no single completion says that, so the trace is skipped.
  const cp = exported('trl-sft', [t], { objective: 'correct-path' });
  assert.equal(cp.records.length, 0);
  assert.match(cp.skipped[0]!.reason, /^the correct-path mask cannot be one completion .*use --format linear.*: unlearned text lies between learned steps$/);
  // OpenAI chat: the same three turns, nothing else on the line.
  const [oa] = exported('openai-chat', [t], { objective: 'z-only' }).lines;
  assert.deepEqual(oa, { messages: [{ role: 'system', content: DEFAULT_SYSTEM_PROMPT }, { role: 'user', content: t.problem.text }, { role: 'assistant', content: lin.z }] });
  // Meta-STaR: the unverified rollout run gives no SFT record in either layout.
  assert.match(exported('openai-chat', [rollout()]).skipped[0]!.reason, /^Meta-STaR filter: /);
});

test('DPO layouts: the prompt ends with the step separator, so prompt + chosen reads as the model wrote it', () => {
  for (const t of [mcts30(), rollout()]) {
    const tree = TraceTree.from(t);
    const trl = exported('trl-dpo', [t], { dpo: { pairs: 'all' } }).lines.map((l) => TrlDpoRecordSchema.parse(l));
    const ours = exported('dpo', [t], { dpo: { pairs: 'all' } }).lines.map((l) => DpoRecordSchema.parse(l));
    assert.equal(trl.length, ours.length);
    trl.forEach((r, i) => {
      const m = r.meta!;
      const prefix = tree.stepsTo(m.node_id);
      assert.equal(r.prompt, `${[t.problem.text, ...prefix].join('\n\n')}\n\n`);
      assert.equal(ours[i]!.prompt, r.prompt);
      assert.deepEqual([r.chosen, r.rejected], [tree.node(m.chosen_id).text, tree.node(m.rejected_id).text]);
      assert.ok(m.chosen_value - m.rejected_value >= 0.2);
    });
    // The case: a step glued to the one before it ("…(left: 2, 18)18 - 2 = 16") is gone.
    assert.ok(trl.every((r) => !/\)\d/.test(r.prompt + r.chosen) && !/\)\d/.test(r.prompt + r.rejected)), t.id);
  }
  // A deeper pair, spelled out, in the OpenAI layout: the shared prefix, then the step.
  const oa = exported('openai-dpo', [equationTree().toJSON()]).lines.map((l) => OpenAiDpoRecordSchema.parse(l));
  assert.deepEqual(oa[1], {
    input: { messages: [{ role: 'system', content: DEFAULT_SYSTEM_PROMPT }, { role: 'user', content: 'Solve for x: 2x + 3 = 11.' }] },
    preferred_output: [{ role: 'assistant', content: 'Subtract 3 from both sides: 2x = 8.\n\nDivide both sides by 2: x = 4.' }],
    non_preferred_output: [{ role: 'assistant', content: 'Subtract 3 from both sides: 2x = 8.\n\nAdd 3 to both sides: 2x = 14.' }],
  });
  // Another linearization separator carries into the pair prompt.
  const [line] = exported('trl-dpo', [equationTree().toJSON()], { linearize: { format: 'appendix-e', separator: '\n' } }).lines.map((l) => TrlDpoRecordSchema.parse(l));
  assert.equal(line!.prompt, 'Solve for x: 2x + 3 = 11.\n');
});

test('DPO layouts on a rollout-valued real run: identical chosen / rejected pairs are dropped and counted', () => {
  const t = rollout();
  const tree = TraceTree.from(t);
  // The run really has one: "5 * 3 = 15" was sampled in three expansions of the root (two in run 1, one in run 2),
  // and their rollouts valued the same step 0.25, 0.125 and 0.
  const twins = tree.children('n0').filter((n) => n.text === '5 * 3 = 15 (left: 7, 2, 15)');
  assert.deepEqual(twins.map((n) => [n.runId, n.value]), [['r1', 0.25], ['r1', 0.125], ['r2', 0]]);
  for (const format of ['dpo', 'trl-dpo', 'openai-dpo'] as const) {
    const res = exported(format, [t], { dpo: { pairs: 'all' } });
    assert.deepEqual(res.dropped, [{ traceId: 'rollout-mcts', reason: IDENTICAL_PAIR_REASON, count: 1 }], format);
    assert.equal(res.lines.length, 6, format);
    for (const l of res.lines) {
      const r = l as Record<string, unknown>;
      const [c, rj] = format === 'openai-dpo' ? [(r.preferred_output as { content: string }[])[0]!.content, (r.non_preferred_output as { content: string }[])[0]!.content] : [r.chosen, r.rejected];
      assert.notEqual(c, rj, format);
    }
  }
  // Extremes at n0 is a different pair (best vs worst text differ): nothing dropped.
  assert.deepEqual(exported('trl-dpo', [t]).dropped, []);
  // A node whose only pair far enough apart is the twins: skipped with the count.
  const only = TraceTree.create({ text: 'q' }, { id: 'twins', createdAt: '2026-01-01T00:00:00.000Z' });
  only.addChild('n0', { kind: 'step', author: 'model', text: 'same step', value: 0.9 });
  only.addChild('n0', { kind: 'step', author: 'model', text: 'same step ', value: 0.1 });
  const res = exportTraces([only], { format: 'trl-dpo' });
  assert.deepEqual([res.records.length, res.dropped, res.skipped], [0, [{ traceId: 'twins', reason: IDENTICAL_PAIR_REASON, count: 1 }], [{ traceId: 'twins', reason: 'every pair far enough apart had identical chosen and rejected text (1)' }]]);
  assert.equal(buildDpoRecords(only).length, 0);
});

test('TRL stepwise supervision (PRM): prompt, the path steps as completions, a bool label per step', () => {
  const recs = exported('trl-prm', [equationTree().toJSON()]).lines.map((l) => TrlPrmRecordSchema.parse(l));
  assert.deepEqual(recs, [
    { prompt: `Solve for x: 2x + 3 = 11.${TRL_PRM_STEP_SEPARATOR}`, completions: ['Subtract 3 from both sides: 2x = 8.', 'Add 3 to both sides: 2x = 14.'], labels: [true, false], meta: { trace_id: 'eq-1', leaf_id: 'n3' } },
    { prompt: 'Solve for x: 2x + 3 = 11.\n', completions: ['Subtract 3 from both sides: 2x = 8.', 'Divide both sides by 2: x = 4.', 'The answer is 4.'], labels: [true, true, true], meta: { trace_id: 'eq-1', leaf_id: 'n5' } },
    { prompt: 'Solve for x: 2x + 3 = 11.\n', completions: ['Divide both sides by 3: x = 11/3.'], labels: [false], meta: { trace_id: 'eq-1', leaf_id: 'n2' } },
  ]);
  // The label threshold moves: 0.75 is not good at 0.8.
  const strict = exported('trl-prm', [equationTree().toJSON()], { trlPrm: { threshold: 0.8 } }).lines.map((l) => TrlPrmRecordSchema.parse(l));
  assert.deepEqual(strict[1]!.labels, [false, true, true]);
  // On the real MCTS: the labels agree with the Math-Shepherd layout's + / − for every path (same scorer, 0.5).
  const ms = exported('math-shepherd', [mcts30()]).lines.map((l) => parseMathShepherd(MathShepherdRecordSchema.parse(l)).steps.map((s) => s.label === '+'));
  const prm = exported('trl-prm', [mcts30()]).lines.map((l) => TrlPrmRecordSchema.parse(l).labels);
  assert.deepEqual(prm, ms);
  assert.ok(prm.some((l) => l.includes(true)) && prm.some((l) => l.includes(false)));
});
