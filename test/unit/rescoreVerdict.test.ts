/**
 * rescore (issue 18): a verdict the new checker flips takes the value it had set with it. A Countdown answer that
 * reaches the target without using every number is verified by `countdown` (value 1.0 from the verifier) and
 * refuted by `countdown-exact`; its score must fall to 0, and the path must lose to one that verifies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRescore, formatRescore, rescoreTrace } from '../../src/core/analyse/rescore';
import { runRescoreCommand } from '../../src/cli/commands/rescore';
import { readTraceFile, writeTraceFile } from '../../src/core/trace/io';
import { TraceTree } from '../../src/core/trace/tree';

/** 36 from 3, 8, 12, 2: the verified answer leaves the 2 unused; two other paths miss the target. */
function exactTree(): TraceTree {
  const t = TraceTree.create(
    { text: 'Use the numbers 3, 8, 12, 2 to reach 36. Use + - * / and each number at most once.', meta: { numbers: [3, 8, 12, 2], target: 36 } },
    { id: 'exact-1', createdAt: '2026-01-01T00:00:00.000Z' },
  );
  const step = { kind: 'step' as const, author: 'model' as const, status: 'expanded' as const };
  const leaf = { kind: 'answer' as const, author: 'model' as const, status: 'terminal' as const, verified: true, value: 1, valueSource: { kind: 'verifier' as const, verifier: 'countdown' } };
  const a1 = t.addChild('n0', { ...step, text: '8 * 3 = 24 (left: 12, 2, 24)', value: 0.9, valueSource: { kind: 'rollouts', k: 7, K: 8 } });
  const a2 = t.addChild(a1.id, { ...leaf, text: '24 + 12 = 36 (left: 2, 36)', answer: '36' });
  const b1 = t.addChild('n0', { ...step, text: '12 * 2 = 24 (left: 3, 8, 24)', value: 0.6, valueSource: { kind: 'rollouts', k: 5, K: 8 } });
  const b2 = t.addChild(b1.id, { ...step, text: '8 + 24 = 32 (left: 3, 32)', value: 0.7, valueSource: { kind: 'rollouts', k: 6, K: 8 } });
  t.addChild(b2.id, { ...leaf, text: '32 + 3 = 35 (left: 35)', verified: false, value: 0, answer: '35' });
  const d1 = t.addChild('n0', { ...step, text: '12 * 3 = 36 (left: 8, 2, 36)', value: 0.5, valueSource: { kind: 'rollouts', k: 4, K: 8 } });
  const d2 = t.addChild(d1.id, { ...step, text: '8 / 2 = 4 (left: 36, 4)', value: 0.5, valueSource: { kind: 'rollouts', k: 4, K: 8 } });
  t.addChild(d2.id, { ...leaf, text: '36 - 4 = 32 (left: 32)', verified: false, value: 0, answer: '32' });
  t.trace.result = { bestNodeId: a2.id, finalAnswer: '36', verified: true };
  return t;
}

test('countdown-exact flips the verdict of the answer that skips a number, and its value and score follow', () => {
  const t = exactTree();
  const leafId = t.trace.result!.bestNodeId!;
  const plain = rescoreTrace(t, { verifier: 'countdown', aggregation: 'last' });
  assert.deepEqual(plain.flipped, []);
  assert.equal(plain.ranking.find((p) => p.nodeId === leafId)!.score, 1);

  const exact = rescoreTrace(t, { verifier: 'countdown-exact', aggregation: 'last' });
  assert.equal(exact.verifier, 'countdown-exact');
  assert.deepEqual(exact.flipped, [leafId]);
  const p = exact.ranking.find((r) => r.nodeId === leafId)!;
  assert.deepEqual([p.verified, p.storedVerified, p.value, p.score], [false, true, { from: 1, to: 0 }, 0]);
  // min / mean over the path use the new leaf value too.
  const mean = rescoreTrace(t, { verifier: 'countdown-exact', aggregation: 'mean' });
  assert.equal(mean.ranking.find((r) => r.nodeId === leafId)!.score, (0.9 + 0) / 2);
  // Unflipped refuted leaves keep their value: nothing else is re-valued.
  assert.deepEqual(exact.ranking.filter((r) => r.value).map((r) => r.nodeId), [leafId]);
  // The result follows: every leaf now scores 0, creation order keeps n2 first, and it is no longer verified.
  assert.deepEqual(exact.after, { nodeId: leafId, answer: '36', verified: false });
  assert.match(formatRescore(exact), new RegExp(`values set by the new verdicts: ${leafId} 1 → 0`));

  applyRescore(t, exact);
  assert.deepEqual([t.node(leafId).verified, t.node(leafId).value, t.node(leafId).valueSource], [false, 0, { kind: 'verifier', verifier: 'countdown-exact' }]);
  assert.equal(t.trace.result!.verified, false);
  // Rescoring the written trace again with the same checker flips nothing more.
  assert.deepEqual(rescoreTrace(t, { verifier: 'countdown-exact' }).flipped, []);
});

test('estimated leaf values (a PRM, a judge, rollouts) are not the verdict: a flip leaves them', () => {
  const t = exactTree();
  const leafId = t.trace.result!.bestNodeId!;
  t.update(leafId, { value: 0.8, valueSource: { kind: 'prm' } });
  const res = rescoreTrace(t, { verifier: 'countdown-exact', aggregation: 'last' });
  assert.deepEqual(res.flipped, [leafId]);
  const p = res.ranking.find((r) => r.nodeId === leafId)!;
  assert.deepEqual([p.value, p.score], [undefined, 0.8]);
  // A hand-made leaf with no value source whose value is exactly its verdict's number does follow.
  t.update(leafId, { value: 1, valueSource: undefined });
  assert.deepEqual(rescoreTrace(t, { verifier: 'countdown-exact' }).ranking.find((r) => r.nodeId === leafId)!.value, { from: 1, to: 0 });
});

test('metacot rescore --verifier countdown-exact --out: the written trace has the new verdict, value and result', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-rescore-'));
  try {
    const f = join(dir, 'x.metacot.json');
    await writeTraceFile(f, exactTree().toJSON());
    const o = { out: '', err: '' };
    const io = { out: (s: string) => void (o.out += s), err: (s: string) => void (o.err += s) };
    assert.equal(await runRescoreCommand([f, '--verifier', 'countdown-exact', '--aggregation', 'last', '--out', f], io), 0, o.err);
    assert.match(o.out, /verdicts flipped on 1 path\(s\): n2\nvalues set by the new verdicts: n2 1 → 0\n/);
    assert.match(o.out, /\n {2}n2 {5}score 0\.0000 {2}36 ✗/);
    const back = await readTraceFile(f);
    const leaf = back.nodes.find((n) => n.id === 'n2')!;
    assert.deepEqual([leaf.verified, leaf.value], [false, 0]);
    assert.equal(back.result?.verified, false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
