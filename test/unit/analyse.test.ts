import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracyVsN, bestOfK, choose, majAtK, meanOverSubsets, passAtK, type VoteSample } from '../../src/core/analyse/passAtK';
import { answerSamples } from '../../src/core/analyse/samples';
import { estimateTokens, treeStats } from '../../src/core/analyse/treeStats';
import { analyseTrace, formatAnalysis } from '../../src/core/analyse/analyseTrace';
import { diffTraces, formatDiff } from '../../src/core/analyse/diff';
import { applyRescore, formatRescore, rescoreTrace } from '../../src/core/analyse/rescore';
import { TraceTree } from '../../src/core/trace/tree';
import { extractAnswer } from '../../src/core/verify/answerExtraction';
import { countdownTree, equationTree } from '../fixtures/metacot/handTrees';
import { readJsonl, skipShared } from '../fixtures/metacot/sharedData';

/** Numbers rounded to 12 decimals, so float products and quotients compare as the same value. */
function round12<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toFixed(12)) : v))) as T;
}

function bigChoose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** 1 − C(n−c,k)/C(n,k) from exact integers, rounded only at the end. */
function closedForm(n: number, c: number, k: number): number {
  const num = bigChoose(n - c, k);
  const den = bigChoose(n, k);
  const scale = 10n ** 30n;
  return 1 - Number((num * scale) / den) / 1e30;
}

test('pass@k equals the closed form 1 − C(n−c,k)/C(n,k) on every small case', () => {
  for (let n = 1; n <= 20; n++)
    for (let c = 0; c <= n; c++)
      for (let k = 1; k <= n; k++) assert.ok(Math.abs(passAtK(n, c, k) - closedForm(n, c, k)) < 1e-12, `n=${n} c=${c} k=${k}`);
  assert.equal(passAtK(10, 0, 5), 0);
  assert.equal(passAtK(10, 6, 5), 1);
  assert.equal(passAtK(4, 2, 1), 0.5);
  assert.ok(Math.abs(passAtK(5, 2, 2) - 0.7) < 1e-15); // 1 − C(3,2)/C(5,2) = 1 − 3/10
  // Stable where the binomials overflow doubles: C(1000, 500) ≈ 2.7e299, C(1000, 600) too big for a double.
  assert.ok(Math.abs(passAtK(1000, 3, 500) - closedForm(1000, 3, 500)) < 1e-12);
  assert.ok(Math.abs(passAtK(2000, 5, 600) - closedForm(2000, 5, 600)) < 1e-12);
  assert.throws(() => passAtK(3, 4, 1), RangeError);
  assert.throws(() => passAtK(3, 1, 4), RangeError);
  assert.equal(choose(10, 3), 120);
});

test('maj@k and best-of-k are exact expectations over k-subsets on small cases', () => {
  // Two correct votes for A, one wrong B, one wrong C.
  const s: VoteSample[] = [
    { key: 'A', correct: true, score: 0.9 },
    { key: 'A', correct: true, score: 0.4 },
    { key: 'B', correct: false, score: 0.8 },
    { key: 'C', correct: false, score: 0.4 },
  ];
  assert.equal(majAtK(s, 1), 0.5);
  assert.equal(majAtK(s, 2), 0.5); // {A,A}=1, four A/other ties=½ each, {B,C}=0 → 3/6
  assert.ok(Math.abs(majAtK(s, 3) - 2 / 3) < 1e-15); // {A,A,B}=1 {A,A,C}=1 {A,B,C}=⅓ twice
  assert.equal(majAtK(s, 4), 1);
  // best-of-2 by score: pairs {0.9,*} → correct (3), {0.4A,0.8B} → wrong, {0.4A,0.4C} tie → ½, {0.8B,0.4C} → wrong.
  assert.equal(bestOfK(s, 2), 3.5 / 6);
  // Abstentions never win a vote.
  assert.equal(majAtK([{ correct: false }, { key: 'x', correct: true }], 2), 1);
  // Sampling mode (more subsets than the limit) stays close to the exact mean and is seeded.
  const many = Array.from({ length: 30 }, (_, i) => ({ key: String(i % 3), correct: i % 3 === 0 }));
  const exact = majAtK(many, 5);
  const sampled = majAtK(many, 5, { exactLimit: 10, draws: 4000, seed: 7 });
  assert.ok(Math.abs(exact - sampled) < 0.03, `${exact} vs ${sampled}`);
  assert.equal(sampled, majAtK(many, 5, { exactLimit: 10, draws: 4000, seed: 7 }));
  assert.equal(meanOverSubsets(5, 2, (idx) => idx[0]! + idx[1]!), 4); // mean of i+j over pairs of 0..4
});

test('accuracy vs N by subsampling', () => {
  const s: VoteSample[] = [
    { key: 'A', correct: true, score: 0.9 },
    { key: 'A', correct: true, score: 0.4 },
    { key: 'B', correct: false, score: 0.8 },
    { key: 'C', correct: false, score: 0.4 },
  ];
  assert.deepEqual(round12(accuracyVsN(s)), round12([
    { n: 1, passAtN: 0.5, majAtN: 0.5, bestOfN: 0.5 },
    { n: 2, passAtN: 5 / 6, majAtN: 0.5, bestOfN: 3.5 / 6 },
    { n: 4, passAtN: 1, majAtN: 1, bestOfN: 1 },
  ]));
});

function bestOfNTree(): TraceTree {
  const t = TraceTree.create({ text: 'What is 2 + 3?', answer: '5' }, { id: 'bon', createdAt: '2026-01-01T00:00:00.000Z' });
  const add = (text: string, answer: string | undefined, verified: boolean, value: number) =>
    t.addChild('n0', { kind: 'answer', author: 'model', text, status: 'terminal', verified, value, ...(answer ? { answer } : {}) });
  add('2 + 3 = 5. The answer is 5.', '5', true, 0.9);
  add('Adding gives 5. The answer is 5.', '5', true, 0.4);
  add('2 + 3 = 7. The answer is 7.', '7', false, 0.8);
  add('I am not sure.', undefined, false, 0.2);
  return t;
}

test('samples and the analysis of one tree', () => {
  const t = bestOfNTree();
  const samples = answerSamples(t);
  assert.deepEqual(samples.map((s) => [s.nodeId, s.key, s.correct, s.score]), [
    ['n1', '#5', true, 0.9],
    ['n2', '#5', true, 0.4],
    ['n3', '#7', false, 0.8],
    ['n4', undefined, false, 0.2],
  ]);
  const a = analyseTrace(t);
  assert.equal(a.samples, 4);
  assert.equal(a.correct, 2);
  assert.deepEqual(round12(a.passAtK), round12([
    { k: 1, value: 0.5 },
    { k: 2, value: 5 / 6 },
    { k: 4, value: 1 },
  ]));
  assert.equal(a.accuracyVsN[1]!.majAtN, 4 / 6); // {5,5}=1, {5,7}=½ ×2, {5,–}=1 ×2, {7,–}=0 → 4/6
  assert.match(formatAnalysis(a), /answers 4, correct 2\n  N +pass@N +maj@N +best-of-N\n  1 +50\.0% +50\.0%/);
});

test('tree stats: depth, switches, marker counts, repetitions, tokens on the final path', () => {
  const s = treeStats(equationTree());
  assert.equal(s.nodes, 6);
  assert.equal(s.steps, 5);
  assert.equal(s.leaves, 3);
  assert.equal(s.maxDepth, 3);
  assert.equal(s.meanLeafDepth, 2);
  assert.equal(s.branchSwitches, 3);
  assert.deepEqual(s.stepTypes, {});
  assert.equal(s.repeatedSteps, 0);
  assert.equal(estimateTokens('Subtract 3 from both sides: 2x = 8.'), 10);
  // Final path n1, n4, n5: 10 + 10 + 5 estimated tokens; n2 and n3 the rest.
  assert.deepEqual(s.tokens, { finalPath: 25, rest: 12 + 10, total: 47, estimated: true });
  assert.equal(s.finalPathLength, 3);
  const t = equationTree();
  t.update('n5', { tokensOut: 7 });
  t.addChild('n1', { kind: 'step', author: 'model', text: 'subtract 3 from both sides:  2x = 8' });
  const r = treeStats(t);
  assert.equal(r.repeatedSteps, 1);
  assert.deepEqual(r.topRepeated, [{ text: 'subtract 3 from both sides: 2x = 8', count: 2 }]);
  assert.equal(r.tokens.finalPath, 27);
});

test('diff: aligned by path text, with added, removed, changed nodes and value changes', () => {
  const a = equationTree();
  const b = TraceTree.create({ text: 'Solve for x: 2x + 3 = 11.', answer: '4' }, { id: 'eq-2', createdAt: '2026-01-02T00:00:00.000Z' });
  const b1 = b.addChild('n0', { kind: 'step', author: 'model', text: 'Subtract 3 from both sides:  2x = 8', value: 0.75 });
  b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Add 3 to both sides: 2x = 15.', value: 0.0625 });
  const b3 = b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Divide both sides by 2: x = 4.', value: 0.96875 });
  b.addChild(b3.id, { kind: 'answer', author: 'model', text: 'The answer is 4.', verified: true });
  b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Halve: x = 4.', value: 1 });
  const d = diffTraces(a, b);
  assert.equal(d.sameProblem, true);
  assert.deepEqual(
    d.entries.map((e) => [e.kind, e.a ?? null, e.b ?? null, e.depth, e.valueChanged]),
    [
      ['same', 'n1', 'n1', 1, false],
      ['changed', 'n3', 'n2', 2, false],
      ['same', 'n4', 'n3', 2, true],
      ['same', 'n5', 'n4', 3, false],
      ['added', null, 'n5', 2, false],
      ['removed', 'n2', null, 1, false],
    ],
  );
  assert.deepEqual(d.counts, { same: 3, changed: 1, removed: 1, added: 1, valueChanged: 1 });
  assert.equal(
    formatDiff(d),
    [
      'diff eq-1 → eq-2',
      '~     n3 → n2 "Add 3 to both sides: 2x = 14." → "Add 3 to both sides: 2x = 15."',
      '=     n4 ~ n3 "Divide both sides by 2: x = 4."  value 0.9375 → 0.9688',
      '+     n5 "Halve: x = 4."',
      '-   n2 "Divide both sides by 3: x = 11/3."',
      '3 same, 1 changed, 1 removed, 1 added, 1 value changes',
      '',
    ].join('\n'),
  );
  const same = diffTraces(a, equationTree());
  assert.deepEqual(same.counts, { same: 5, changed: 0, removed: 0, added: 0, valueChanged: 0 });
});

function prmTree(): TraceTree {
  const t = TraceTree.create({ text: 'What is 2 + 3?', answer: '5' }, { id: 'prm', createdAt: '2026-01-01T00:00:00.000Z' });
  const path = (values: number[], last: string, verified: boolean) => {
    let id = 'n0';
    values.forEach((v, i) => {
      const final = i === values.length - 1;
      id = t.addChild(id, { kind: final ? 'answer' : 'step', author: 'model', text: final ? last : `step ${i} of ${last}`, value: v, ...(final ? { verified, answer: last.replace(/\D/g, '') } : {}) }).id;
    });
    return id;
  };
  const p1 = path([0.9, 0.2, 0.95], 'The answer is 5.', true);
  path([0.6, 0.6, 0.7], 'The answer is 7.', true); // stored verdict wrong on purpose
  path([0.5, 0.5, 0.5], 'The answer is 7.', false);
  t.trace.result = { bestNodeId: p1, finalAnswer: '5', verified: true };
  return t;
}

test('re-score: another aggregation or verifier changes which path wins, without generating', () => {
  const t = prmTree();
  const last = rescoreTrace(t, { aggregation: 'last' });
  assert.equal(last.after.nodeId, 'n3');
  assert.equal(last.changed, false);
  const min = rescoreTrace(t, { aggregation: 'min' });
  assert.deepEqual(min.ranking.map((p) => [p.nodeId, p.score]), [
    ['n6', 0.6],
    ['n9', 0.5],
    ['n3', 0.2],
  ]);
  assert.deepEqual(min.after, { nodeId: 'n6', answer: '7', verified: true });
  assert.equal(min.changed, true);
  const maj = rescoreTrace(t, { aggregation: 'majority' });
  assert.equal(maj.after.nodeId, 'n6');
  assert.equal(maj.ranking[0]!.votes, 2);
  // The answer checker re-checks every path: the stored verdict on n6 was wrong.
  const checked = rescoreTrace(t, { verifier: 'answer', aggregation: 'min' });
  assert.deepEqual(checked.flipped, ['n6']);
  assert.deepEqual(checked.after, { nodeId: 'n6', answer: '7', verified: false });
  const oracle = rescoreTrace(t, { verifier: 'answer' });
  assert.equal(oracle.select, 'verified-first');
  assert.equal(oracle.after.nodeId, 'n3');
  assert.match(formatRescore(min), /after: {2}n6 answer 7 \(verified\) {3}← a different path wins/);
  applyRescore(t, checked);
  assert.deepEqual(t.trace.result, { bestNodeId: 'n6', verified: false, finalAnswer: '7' });
  assert.equal(t.node('n6').verified, false);
});

test('re-score a Countdown tree with the Countdown checker', () => {
  const res = rescoreTrace(countdownTree(), { verifier: 'countdown' });
  assert.equal(res.verifier, 'countdown');
  assert.deepEqual(res.ranking.map((p) => [p.nodeId, p.verified]), [
    ['n6', true],
    ['n2', false],
    ['n3', false],
    ['n4', false],
  ]);
  assert.equal(res.changed, false);
  assert.deepEqual(res.flipped, []);
});

test('GSM8K (real): four GPT-3 solutions per problem as a best-of-4 tree; verdicts match the data set’s labels', { skip: skipShared }, () => {
  const questions = readJsonl('gsm8k/test_first200.jsonl') as { question: string; answer: string }[];
  const solutions = readJsonl('gsm8k/example_model_solutions_first493.jsonl').slice(0, 200) as Record<string, { solution: string; is_correct: boolean }>[];
  const configs = ['6b_finetuning', '6b_verification', '175b_finetuning', '175b_verification'];
  let agree = 0;
  let labelledCorrect = 0;
  let pass1 = 0;
  let pass4 = 0;
  let maj4 = 0;
  questions.forEach((q, i) => {
    // The reference answer is GSM8K's "#### n" line; each model answer is its last number ("A: 18").
    const t = TraceTree.create({ text: q.question, answer: q.answer }, { id: `gsm-${i}`, createdAt: '2026-01-01T00:00:00.000Z' });
    for (const c of configs) {
      const sol = solutions[i]![c]!;
      const a = extractAnswer(sol.solution, { lenient: true });
      t.addChild('n0', { kind: 'answer', author: 'imported', text: sol.solution, status: 'terminal', ...(a ? { answer: a.answer } : {}) });
    }
    answerSamples(t).forEach((s, j) => {
      const label = solutions[i]![configs[j]!]!.is_correct;
      if (s.correct === label) agree++;
      if (label) labelledCorrect++;
    });
    const a = analyseTrace(t);
    pass1 += a.passAtK[0]!.value;
    pass4 += a.passAtK.at(-1)!.value;
    maj4 += a.accuracyVsN.at(-1)!.majAtN;
  });
  assert.equal(agree, 800);
  assert.equal(labelledCorrect, 295);
  assert.ok(Math.abs(pass1 / 200 - 295 / 800) < 1e-12);
  assert.ok(Math.abs(pass4 / 200 - 0.63) < 1e-12); // 126 of 200 problems have a correct solution among the four
  assert.ok(Math.abs(maj4 / 200 - 0.46875) < 1e-12);
});
