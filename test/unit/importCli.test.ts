import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImportCommand } from '../../src/cli/commands/import';
import { readTraceFile } from '../../src/core/trace/io';
import { DATA, skipShared } from '../fixtures/metacot/sharedData';

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}

async function inTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-import-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('metacot import long-cot: think-tag text and an OpenAI chat response with reasoning_content', async () => {
  await inTmp(async (dir) => {
    const text = '<think>\n7 * 64 = 448.\n\nSo the answer is 448.\n</think>\n\nThe answer is \\boxed{1792}.';
    writeFileSync(join(dir, 'a.txt'), text);
    const c = capture();
    assert.equal(await runImportCommand([join(dir, 'a.txt'), '--kind', 'long-cot', '--problem', 'What is 7 * 64?', '--answer', '448', '--out', join(dir, 'a.metacot.json')], c.io), 0);
    assert.match(c.o.out, /2 steps \(2 progress, 0 backtrack, 0 verification, 0 regret\), 4 nodes\nfinal answer: 1792 \(not verified\)\nanswer inside the thinking differs: n2 says 448, the final answer is 1792\n/);
    const trace = await readTraceFile(join(dir, 'a.metacot.json'));
    assert.equal(trace.problem.text, 'What is 7 * 64?');
    assert.equal(trace.nodes[2]!.meta?.answerMismatch, true);
    const response = { choices: [{ index: 0, message: { role: 'assistant', reasoning_content: '7 * 64 = 448.\n\nSo the answer is 448.', content: 'The answer is \\boxed{448}.' }, finish_reason: 'stop' }] };
    writeFileSync(join(dir, 'r.json'), JSON.stringify(response));
    const r = capture();
    assert.equal(await runImportCommand([join(dir, 'r.json'), '--kind', 'long-cot', '--answer', '448', '--out', join(dir, 'r.metacot.json')], r.io), 0);
    assert.match(r.o.out, /final answer: 448 \(verified\)\n$/);
    const t2 = await readTraceFile(join(dir, 'r.metacot.json'));
    assert.deepEqual(t2.nodes.map((n) => n.text), ['(imported)', '7 * 64 = 448.', 'So the answer is 448.', 'The answer is \\boxed{448}.']);
  });
});

test('metacot import: usage errors', async () => {
  const c = capture();
  assert.equal(await runImportCommand(['x.txt', '--kind', 'pdf', '--out', 'y'], c.io), 2);
  assert.match(c.o.err, /--kind must be long-cot, sos or thought-anchors/);
  const d = capture();
  assert.equal(await runImportCommand(['x.txt', '--kind', 'sos'], d.io), 2);
  assert.match(d.o.err, /--out TRACE is required/);
});

test('metacot import sos from a JSONL line and thought-anchors from a folder (real data)', { skip: skipShared }, async () => {
  await inTmp(async (dir) => {
    const c = capture();
    const file = join(DATA, 'countdown-sos/qwen2.5-7b-sos-sft_countdown_test_sample24.jsonl');
    assert.equal(await runImportCommand([file, '--kind', 'sos', '--line', '3', '--out', join(dir, 's.metacot.json')], c.io), 0);
    assert.match(c.o.out, /22 nodes, 21 operations explored, goal reached at n21 \(87 \* \(48 \/ \(50 - 2\)\)\)/);
    const t = await readTraceFile(join(dir, 's.metacot.json'));
    assert.match(t.problem.text, /^Make 87 with the numbers/);
    const ta = capture();
    assert.equal(await runImportCommand([join(DATA, 'long-cot/r1-distill-qwen-14b_problem_2238_correct'), '--kind', 'thought-anchors', '--out', join(dir, 'ta.metacot.json')], ta.io), 0);
    assert.match(ta.o.out, /60 steps \(55 progress, 2 backtrack, 3 verification, 0 regret\), 62 nodes\nfinal answer: 120 \(verified\)/);
  });
});
