/** Sampling, PRNG and Countdown helpers of the embedded model (no model file needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash32, logSoftmax, Prng, sampleToken } from '../../src/core/embedded/sampler';
import {
  applyStep,
  checkAnswer,
  evalExpr,
  findProblem,
  legalOps,
  parseStep,
  stepLine,
  verifySolution,
} from '../../src/core/embedded/countdown';

test('Prng is deterministic per seed and uniform enough', () => {
  const a = new Prng(42);
  const b = new Prng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, String(mean));
  assert.notEqual(new Prng(43).next(), new Prng(42).next());
  assert.notEqual(hash32(1, 0), hash32(1, 1));
  assert.notEqual(hash32(0, 1), hash32(1, 0));
});

test('logSoftmax normalises and sampleToken honours temperature, top-p and banned ids', () => {
  const lp = logSoftmax([2, 1, 0, -1]);
  assert.ok(Math.abs(lp.reduce((s, x) => s + Math.exp(x), 0) - 1) < 1e-12);
  assert.ok(lp.every((x) => x <= 0));
  const rng = new Prng(1);
  assert.equal(sampleToken(lp, { temperature: 0, topP: 1 }, rng), 0, 'greedy = argmax');
  assert.equal(sampleToken(lp, { temperature: 0, topP: 1, banned: new Set([0]) }, rng), 1);
  // top-p 0.5: only the most likely token (p ≈ 0.64) survives
  for (let i = 0; i < 200; i++) assert.equal(sampleToken(lp, { temperature: 1, topP: 0.5 }, rng), 0);
  // temperature 1 sampling follows the distribution
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[sampleToken(lp, { temperature: 1, topP: 1 }, rng)]!++;
  counts.forEach((c, k) => assert.ok(Math.abs(c / 4000 - Math.exp(lp[k]!)) < 0.03, `${k}: ${c}`));
  // a very low temperature is nearly greedy, a high one nearly uniform
  let zero = 0;
  for (let i = 0; i < 500; i++) zero += sampleToken(lp, { temperature: 0.05, topP: 1 }, rng) === 0 ? 1 : 0;
  assert.equal(zero, 500);
  const hot = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) hot[sampleToken(lp, { temperature: 100, topP: 1 }, rng)]!++;
  hot.forEach((c) => assert.ok(Math.abs(c / 4000 - 0.25) < 0.04, String(hot)));
});

test('Countdown helpers: problem parsing, legal steps, left lists, answers', () => {
  const f = findProblem('Solve.\nUse the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.\n\n5 * 3 = 15');
  assert.deepEqual(f?.problem, { numbers: [3, 5, 7, 2], target: 24 });
  assert.deepEqual(findProblem('Make 96 with the numbers [58, 84, 48, 62] using standard arithmetic operations.')?.problem, {
    numbers: [58, 84, 48, 62],
    target: 96,
  });
  assert.equal(findProblem('What is 2 + 2?'), undefined);
  const s = parseStep('Step 1: 5x3=15');
  assert.deepEqual(s, { a: 5, op: '*', b: 3, result: 15 });
  assert.equal(stepLine(s!, applyStep([3, 5, 7, 2], s!)!), '5 * 3 = 15 (left: 7, 2, 15)');
  assert.equal(applyStep([3, 7], s!), undefined);
  assert.equal(parseStep('Answer: 5 * 3 + 9 = 24'), undefined);
  const ops = legalOps([6, 3]);
  assert.deepEqual(ops.map((o) => `${o.a}${o.op}${o.b}=${o.result}`).sort(), ['6*3=18', '6+3=9', '6-3=3', '6/3=2']);
  assert.equal(evalExpr('((5 * 3) + 7) + 2'), 24);
  assert.equal(evalExpr('(5 * 3'), undefined);
  assert.equal(checkAnswer('Answer: ((5 * 3) + 7) + 2 = 24', { numbers: [3, 5, 7, 2], target: 24 }), true);
  assert.equal(checkAnswer('Answer: (5 * 5) - 1 = 24', { numbers: [3, 5, 7, 2], target: 24 }), false, '5 used twice');
  assert.equal(checkAnswer('Answer: (5 * 3) + 7 = 22', { numbers: [3, 5, 7, 2], target: 24 }), false);
  assert.equal(verifySolution('5 * 3 = 15 (left: 7, 2, 15)\n\n15 + 7 = 22 (left: 2, 22)\n\n22 + 2 = 24 (left: 24)', { numbers: [3, 5, 7, 2], target: 24 }), true);
  assert.equal(verifySolution('5 * 3 = 16 (left: 7, 2, 16)\n\n16 + 7 = 23 (left: 2, 23)', { numbers: [3, 5, 7, 2], target: 24 }), false);
});
