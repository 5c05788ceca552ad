// The one import reader (src/core/trace/import/sources.ts) on fixtures written from each format's documentation
// (test/fixtures/import): OpenAI chat completion responses (think tags in content; DeepSeek's reasoning_content),
// chat messages (vLLM's `reasoning`, content parts), a JSONL file with a line choice and bad lines, Thought Anchors
// folders; the errors name the file, the line and the shapes accepted. Then the preview of the segmentation, and the
// CLI reading through the same reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportError } from '../../src/core/trace/import/importError';
import {
  buildImport,
  fileFormat,
  jsonlLines,
  needsProblem,
  readSourceText,
  readThoughtAnchorsFolder,
  sourceFromJson,
  type ImportSource,
} from '../../src/core/trace/import/sources';
import { linearize } from '../../src/core/trace/linearize/linearize';
import { importPreview } from '../../src/extension/importPreview';
import { runImportCommand } from '../../src/cli/commands/import';
import { readTraceFile } from '../../src/core/trace/io';
import { countdownTree } from '../fixtures/metacot/handTrees';

const FIX = join(__dirname, '../fixtures/import');
const read = (name: string) => readFileSync(join(FIX, name), 'utf8');
const fromFile = (name: string, line?: number) => readSourceText(read(name), { name, ...(line !== undefined ? { line } : {}) });
const steps = (src: ImportSource, problem?: string) =>
  buildImport(src, problem !== undefined ? { problem } : {})
    .tree.trace.nodes.slice(1)
    .map((n) => `${n.kind}:${n.text}`);
const folderReader = (dir: string) => async (f: string) => {
  const p = join(FIX, 'thought-anchors', dir, f);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
};
const throwsImport = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof ImportError && re.test(e.message));

test('an OpenAI chat completion response: the think tags in choices[0].message.content split thinking from the answer; no problem in it', () => {
  const src = fromFile('chat-completion.json');
  assert.equal(src.kind, 'long-cot');
  assert.equal(src.shape, 'chat-completion');
  assert.equal(src.problem, undefined);
  assert.equal(needsProblem(src), true);
  throwsImport(() => buildImport(src), /chat-completion\.json: importing a long chain of thought needs the problem/);
  assert.deepEqual(steps(src, 'What is 7 * 64?'), [
    'step:I need 7 * 64.',
    'step:7 * 60 = 420 and 7 * 4 = 28, so 7 * 64 = 448.',
    'step:Alternatively, 64 * 7 = 64 * 5 + 64 * 2 = 320 + 128 = 448.',
    'step:Let me check: 448 / 7 = 64.',
    'step:Yes.',
    'answer:The answer is \\boxed{448}.',
  ]);
});

test("DeepSeek's reasoning_content is the thinking and content the answer; the reference answer verifies it", () => {
  const src = fromFile('deepseek-reasoner.json');
  assert.equal(src.shape, 'chat-completion');
  assert.deepEqual(src.kind === 'long-cot' && src.input, {
    reasoning: JSON.parse(read('deepseek-reasoner.json')).choices[0].message.reasoning_content,
    content: 'The coefficient is \\boxed{6}.',
  });
  const b = buildImport(src, { problem: 'What is the coefficient of x^2 in (1 + x)^4?', answer: '6' });
  assert.equal(b.kind, 'long-cot');
  assert.equal(b.longCot!.finalAnswer, '6');
  assert.equal(b.longCot!.verified, true);
  assert.deepEqual(b.longCot!.counts, { progress: 4, backtrack: 1, verification: 1, regret: 0 });
  assert.deepEqual(b.issues, []);
  const wait = b.tree.trace.nodes.find((n) => n.text === 'Wait, no.')!;
  assert.equal(wait.meta?.stepType, 'backtrack');
});

test("chat messages: the last assistant message (vLLM's `reasoning` field) and the user message before it as the problem", () => {
  const src = fromFile('chat-messages.json');
  assert.equal(src.shape, 'chat-messages');
  assert.equal(src.problem, 'What is 12 * 12?', 'the text part of a content array; the system message is not the problem');
  assert.equal(needsProblem(src), false);
  const b = buildImport(src, { problemSource: { file: 'chat-messages.json' } });
  assert.equal(b.tree.trace.problem.text, 'What is 12 * 12?');
  assert.deepEqual(b.tree.trace.problem.source, { file: 'chat-messages.json' });
  assert.deepEqual(steps(src), [
    'step:12 * 12 = 12 * 10 + 12 * 2 = 120 + 24 = 144.',
    'step:Let me check: 144 / 12 = 12.',
    'step:So the answer is 144.',
    'answer:12 * 12 = **144**. The answer is 144.',
  ]);
  // The bare array of messages reads the same.
  const bare = sourceFromJson(JSON.parse(read('chat-messages.json')).messages, 'bare');
  assert.equal(bare.problem, 'What is 12 * 12?');
  throwsImport(() => sourceFromJson({ messages: [{ role: 'user', content: 'hi' }] }, 'q.json'), /q\.json: the chat messages hold no assistant message/);
});

test('JSONL: one summary per record, bad lines named with their reason; a line is chosen by its 1-based number', () => {
  const text = read('conversations.jsonl');
  const lines = jsonlLines(text, 'conversations.jsonl');
  assert.deepEqual(
    lines.map((l) => [l.line, l.shape ?? 'error']),
    [
      [1, 'chat-messages'],
      [3, 'chat-completion'],
      [4, 'error'],
      [5, 'error'],
    ],
  );
  assert.equal(lines[0]!.summary, 'chat messages · problem “What is 9 + 10?” · 77 chars');
  assert.match(lines[2]!.error!, /^conversations\.jsonl line 4: malformed JSON/);
  assert.match(lines[2]!.summary, /^malformed JSON/, 'the picker names the line itself');
  assert.match(lines[3]!.error!, /^conversations\.jsonl line 5: unrecognised JSON \(an object with keys prompt_id, score\); accepted: an OpenAI chat completion response/);

  const one = fromFile('conversations.jsonl', 1);
  assert.equal(one.where, 'conversations.jsonl line 1');
  assert.equal(one.problem, 'What is 9 + 10?');
  assert.deepEqual(steps(one), ['step:9 + 10 = 19.', 'step:Let me check: 19 - 10 = 9.', 'step:So the answer is 19.', 'answer:The answer is 19.']);
  assert.deepEqual(steps(fromFile('conversations.jsonl', 3), '3 * 3?'), ['step:3 * 3 = 9.', 'answer:The answer is 9.']);
  throwsImport(() => fromFile('conversations.jsonl', 4), /^conversations\.jsonl line 4: malformed JSON/);
  throwsImport(() => fromFile('conversations.jsonl', 2), /^conversations\.jsonl line 2 is blank$/);
  throwsImport(() => fromFile('conversations.jsonl', 9), /^conversations\.jsonl has no line 9 \(it has 6 lines\)$/);
  throwsImport(() => fromFile('conversations.jsonl'), /^conversations\.jsonl holds 4 JSONL records: choose one with a line number$/);
  // A single record needs no line.
  assert.equal(readSourceText(`\n${text.split('\n')[0]}\n`, { name: 'x.jsonl' }).where, 'x.jsonl line 2');
});

test('a Thought Anchors folder: problem.json is the problem and reference, the labelled chunks the steps with their accuracies as values', async () => {
  const src = await readThoughtAnchorsFolder(folderReader('problem_binomial'), 'problem_binomial');
  assert.equal(src.kind, 'thought-anchors');
  assert.equal(src.problem, 'What is the coefficient of $x^2$ in $(1+x)^4$?');
  assert.equal(needsProblem(src), false);
  const b = buildImport(src, { problemSource: { file: 'problem_binomial' } });
  const chunks = JSON.parse(read('thought-anchors/problem_binomial/chunks_labeled.json')) as { chunk: string; accuracy: number }[];
  const stepNodes = b.tree.trace.nodes.filter((n) => n.kind === 'step');
  assert.deepEqual(
    stepNodes.map((n) => [n.text, n.value]),
    chunks.map((c) => [c.chunk, c.accuracy]),
  );
  assert.equal(b.tree.trace.problem.answer, '6');
  assert.deepEqual(b.tree.trace.problem.source, { file: 'problem_binomial' });
  assert.equal(b.longCot!.verified, true);
  // Without chunks_labeled.json the segmenter cuts the solution's thinking (no values then).
  const plain = buildImport(await readThoughtAnchorsFolder(folderReader('no-chunks'), 'no-chunks'));
  assert.ok(plain.tree.trace.nodes.filter((n) => n.kind === 'step').length >= chunks.length);
  assert.ok(plain.tree.trace.nodes.every((n) => n.value === undefined));
  assert.equal(plain.longCot!.finalAnswer, '6');
});

test('a folder without problem.json, or with a broken file, is an error naming the file', async () => {
  await assert.rejects(readThoughtAnchorsFolder(folderReader('no-problem'), 'no-problem'), /^ImportError: no-problem has no problem\.json: not a Thought Anchors folder/);
  const files: Record<string, string> = { 'problem.json': '{"problem": "x"}', 'base_solution.json': '{"prompt": "", "solution": "a. b."}' };
  await assert.rejects(readThoughtAnchorsFolder(async (f) => files[f], 'ta'), /ta\/problem\.json: gt_answer: .*\(it needs "problem" and "gt_answer" strings\)/);
  files['problem.json'] = '{"problem": "x", "gt_answer": "1"}';
  files['chunks_labeled.json'] = '[{"chunk": "a."';
  await assert.rejects(readThoughtAnchorsFolder(async (f) => files[f], 'ta'), /ta\/chunks_labeled\.json: malformed JSON/);
  files['chunks_labeled.json'] = '[]';
  await assert.rejects(readThoughtAnchorsFolder(async (f) => files[f], 'ta'), /ta\/chunks_labeled\.json holds no chunks/);
  delete files['base_solution.json'];
  await assert.rejects(readThoughtAnchorsFolder(async (f) => files[f], 'ta'), /ta has no base_solution\.json/);
});

test('bad input: empty, malformed JSON, an unknown shape (never imported as its raw text), a file for a folder import', () => {
  throwsImport(() => fromFile('empty.txt'), /^empty\.txt is empty: nothing to import$/);
  throwsImport(() => readSourceText('  \n\t', {}), /^the text is empty/);
  throwsImport(() => fromFile('malformed.json'), /^malformed\.json: malformed JSON \(/);
  throwsImport(
    () => fromFile('unknown.json'),
    /^unknown\.json: unrecognised JSON \(an object with keys data, meta\); accepted: an OpenAI chat completion response \{choices: .*chat messages \{messages: .*\{reasoning_content \| reasoning, content, problem\?\}.*\{solution \| completion/,
  );
  // JSON in a .txt (or given as text) is still JSON.
  throwsImport(() => readSourceText(read('unknown.json'), { name: 'notes.txt' }), /^notes\.txt: unrecognised JSON/);
  throwsImport(() => readSourceText('[1, 2]'), /^the text: unrecognised JSON \(an array that is not a list of chat messages\)/);
  throwsImport(() => readSourceText('{"choices": [{"message": {"role": "assistant", "content": ""}}]}'), /the chat completion response holds no text to import/);
  throwsImport(() => fromFile('cot.txt', 2), /a line number is only for a JSONL file/);
  throwsImport(() => readSourceText(read('cot.txt'), { name: 'cot.txt', kind: 'thought-anchors' }), /a Thought Anchors import reads a folder/);
});

test('formats: by extension first, else by content; plain text is a long CoT or (with "Current State:" lines) Stream of Search', () => {
  assert.equal(fileFormat('a.jsonl', 'x'), 'jsonl');
  assert.equal(fileFormat('a.JSON', 'x'), 'json');
  assert.equal(fileFormat('a.txt', '{"a": 1}'), 'json');
  assert.equal(fileFormat('a.txt', '{"a": 1}\n{"a": 2}'), 'jsonl');
  assert.equal(fileFormat('a.md', '[link](x) then text'), 'text');
  assert.equal(fileFormat(undefined, '{x | x > 0} is a set'), 'text');
  const cot = fromFile('cot.txt');
  assert.deepEqual([cot.kind, cot.shape], ['long-cot', 'text']);
  const sosText = linearize(countdownTree(), { format: 'sos' }).text;
  const sos = readSourceText(sosText, { name: 'search.txt' });
  assert.deepEqual([sos.kind, sos.shape], ['sos', 'sos-text']);
  assert.equal(buildImport(sos).sos!.goalNodeId, 'n6');
  // A data-set record {prompt, completion} whose completion is a chat transcript: the assistant turn, the prompt as problem.
  const rec = sourceFromJson({ prompt: 'Make 24 with [8, 3, 12].', completion: `system\nYou are helpful.\nuser\nMake 24.\nassistant\n${sosText}` }, 'r');
  assert.deepEqual([rec.kind, rec.shape, rec.problem], ['sos', 'sos-record', 'Make 24 with [8, 3, 12].']);
  const b = buildImport(rec, { answer: '24' });
  assert.equal(b.tree.trace.problem.text, 'Make 24 with [8, 3, 12].');
  assert.equal(b.tree.trace.problem.answer, '24');
  assert.deepEqual(b.issues, []);
  // A record with a reasoning field and a reference answer.
  const r2 = sourceFromJson({ question: 'What is 1 + 1?', reasoning_content: '1 + 1 = 2.', content: 'The answer is 2.', answer: '2' }, 'r2');
  assert.deepEqual([r2.shape, r2.problem, r2.answer], ['reasoning-record', 'What is 1 + 1?', '2']);
  assert.equal(buildImport(r2).longCot!.verified, true);
});

test('the preview lists every node to write with its marks, and the counts in its title', async () => {
  const src = await readThoughtAnchorsFolder(folderReader('problem_binomial'), 'problem_binomial');
  const p = importPreview(buildImport(src), src);
  assert.equal(p.title, 'Import preview: 6 steps, 2 branches, answer 6 ✓ — 8 nodes');
  assert.equal(p.subtitle, '4 progress · 1 backtrack · 1 verification · 0 regret — from Thought Anchors folder (problem_binomial)');
  assert.deepEqual(
    p.steps.map((s) => [s.index, s.text, s.marks.join(' · ')]),
    [
      [1, 'Okay, so I need the coefficient of \\(x^2\\) in \\((1+x)^4\\).', ''],
      [2, 'By the binomial theorem it is \\(\\binom{4}{2}\\).', ''],
      [3, 'That is 4! / (2! 2!) = 24 / 4 = 8.', ''],
      [4, 'Wait, no, 24 / 4 is 6, not 8.', '↩ backtrack to step 2 · restates step 3'],
      [5, 'Let me check by expanding: \\((1+x)^4 = 1 + 4x + 6x^2 + 4x^3 + x^4\\).', '✓ check'],
      [6, 'So the coefficient is 6.', ''],
      [7, 'The coefficient of \\(x^2\\) is \\(\\boxed{6}\\).', 'final answer 6 ✓'],
    ],
  );
  // Long steps are cut to ~80 characters on one line; the full text stays for the picker.
  const long = 'Step one is long. '.repeat(10).trim();
  const src2 = readSourceText(long.replace(/\. /g, '.\n\n'), {});
  const p2 = importPreview(buildImport(src2, { problem: 'p' }), src2);
  assert.equal(p2.steps.length, 10);
  const one = readSourceText(`${'x'.repeat(200)} and the answer is 5.`, {});
  const p3 = importPreview(buildImport(one, { problem: 'p' }), one);
  assert.equal(p3.steps[0]!.text.length, 80);
  assert.ok(p3.steps[0]!.text.endsWith('…'));
  assert.equal(p3.steps[0]!.fullText.length, 221);
  assert.deepEqual(p3.steps[0]!.marks, ['states 5']);
  assert.equal(p3.title, 'Import preview: 1 step, 1 branch, answer 5 — 2 nodes');
});

test('the CLI reads through the same reader: chat messages give their problem, a JSONL needs --line, bad input writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-sources-'));
  const capture = () => {
    const o = { out: '', err: '' };
    return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
  };
  try {
    const a = capture();
    assert.equal(await runImportCommand([join(FIX, 'chat-messages.json'), '--out', join(dir, 'm.metacot.json')], a.io), 0, a.o.err);
    assert.match(a.o.out, /: 3 steps \(2 progress, 0 backtrack, 1 verification, 0 regret\), 5 nodes\nfinal answer: 144\n/);
    assert.equal((await readTraceFile(join(dir, 'm.metacot.json'))).problem.text, 'What is 12 * 12?');

    const b = capture();
    assert.equal(await runImportCommand([join(FIX, 'conversations.jsonl'), '--out', join(dir, 'c.metacot.json')], b.io), 2);
    assert.match(b.o.err, /holds 4 JSONL records: choose one with --line N\n {2}line 1: chat messages · problem “What is 9 \+ 10\?”/);
    const c = capture();
    assert.equal(await runImportCommand([join(FIX, 'conversations.jsonl'), '--line', '4', '--out', join(dir, 'c.metacot.json')], c.io), 1);
    assert.match(c.o.err, /conversations\.jsonl line 4: malformed JSON/);
    const d = capture();
    assert.equal(await runImportCommand([join(FIX, 'unknown.json'), '--kind', 'long-cot', '--out', join(dir, 'u.metacot.json')], d.io), 1);
    assert.match(d.o.err, /unrecognised JSON .*accepted: /);
    const e = capture();
    assert.equal(await runImportCommand([join(FIX, 'thought-anchors/no-problem'), '--out', join(dir, 't.metacot.json')], e.io), 1);
    assert.match(e.o.err, /has no problem\.json/);
    assert.ok(!existsSync(join(dir, 'c.metacot.json')) && !existsSync(join(dir, 'u.metacot.json')) && !existsSync(join(dir, 't.metacot.json')));

    const f = capture();
    assert.equal(await runImportCommand([join(FIX, 'thought-anchors/problem_binomial'), '--out', join(dir, 'ta.metacot.json')], f.io), 0, f.o.err);
    assert.match(f.o.out, /6 steps \(4 progress, 1 backtrack, 1 verification, 0 regret\), 8 nodes\nfinal answer: 6 \(verified\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
