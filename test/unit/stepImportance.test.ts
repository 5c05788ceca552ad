/**
 * Step importance (counterfactual resampling): answer counts, accuracy, TV and Δacc against hand-computed numbers from
 * a scripted generator; one request with n = K per prefix; budgets stop early and keep what finished; the result is
 * stored in the trace (save / load, compact and chunked loads) and found stale after an edit; and one measurement on
 * the real embedded model, checked by the Countdown checker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { TraceTree } from '../../src/core/trace/tree';
import { parseTrace, serializeTrace } from '../../src/core/trace/io';
import { answerChecker, countdownChecker } from '../../src/core/verify/checker';
import { answerKey, checkerForTrace, measureStepImportance, totalVariation } from '../../src/core/analyse/stepImportance';
import { parseCountdownProblem } from '../../src/core/verify/countdown';
import { importanceFor, importanceStaleness, textHash, withImportance } from '../../src/core/analyse/stepImportanceSchema';
import { chunkTrace, compactTrace, expandCompactTrace, CompactTraceSchema } from '../../src/protocol/compactTrace';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../../src/core/embedded/policy';
import { EmbeddedGenerator } from '../../src/core/embedded/generator';

/** Problem with reference answer 42 and a three-step path whose steps state no answer (no digits). */
function mathTree(opts: { answerLeaf?: boolean } = {}) {
  const tree = TraceTree.create({ text: 'What is six times seven?', answer: '42' }, { id: 't-imp', createdAt: '2026-01-01T00:00:00.000Z' });
  const a = tree.addChild('n0', { kind: 'step', text: 'Think about sixes.', author: 'model', status: 'expanded', iteration: 1 });
  const b = tree.addChild(a.id, { kind: 'step', text: 'Multiply them.', author: 'model', status: 'expanded', iteration: 1 });
  const c = tree.addChild(b.id, { kind: opts.answerLeaf ? 'answer' : 'step', text: opts.answerLeaf ? 'The answer is \\boxed{42}.' : 'Check the product.', author: 'model', status: 'expanded', iteration: 1 });
  return { tree, ids: [a.id, b.id, c.id] };
}

/** Answers per prefix length (steps kept), one per sibling index. */
const SCRIPT: Record<number, string[]> = {
  0: ['42', '7', '7', '7'],
  1: ['42', '42', '7', '7'],
  2: ['42', '42', '42', '42'],
  3: ['42', '42', '42', '42'],
};
const scripted = () => new InProcessGenerator((req, i) => `So the answer is \\boxed{${SCRIPT[req.steps.length]![i]}}.`);

test('answer counts, accuracy, TV and Δacc equal the hand-computed numbers; one request with n = K per prefix', async () => {
  const { tree, ids } = mathTree();
  const gen = scripted();
  const r = await measureStepImportance({ tree, nodeId: ids[2]!, generator: gen, checker: answerChecker, k: 4, parallel: 2, now: () => new Date('2026-02-02T00:00:00Z') });
  assert.deepEqual(gen.requests.map((q) => [q.steps.length, q.n, q.purpose]).sort(), [[0, 4, 'rollout'], [1, 4, 'rollout'], [2, 4, 'rollout'], [3, 4, 'rollout']]);
  assert.deepEqual(gen.requests.find((q) => q.steps.length === 2)!.steps, ['Think about sixes.', 'Multiply them.']);
  assert.ok(gen.maxInFlight <= 2);
  assert.deepEqual(r.prefixes.map((p) => p.answers), [
    [{ answer: '7', count: 3, verified: false }, { answer: '42', count: 1, verified: true }],
    [{ answer: '42', count: 2, verified: true }, { answer: '7', count: 2, verified: false }],
    [{ answer: '42', count: 4, verified: true }],
    [{ answer: '42', count: 4, verified: true }],
  ]);
  assert.deepEqual(r.prefixes.map((p) => [p.status, p.got, p.correct, p.accuracy]), [['done', 4, 1, 0.25], ['done', 4, 2, 0.5], ['done', 4, 4, 1], ['done', 4, 4, 1]]);
  // TV_1 = ½(|.5−.25| + |.5−.75|) = .25; TV_2 = ½(|1−.5| + |0−.5|) = .5; TV_3 = 0.
  assert.deepEqual(r.steps, [
    { index: 1, nodeId: ids[0], tv: 0.25, accuracyDelta: 0.25, top: true },
    { index: 2, nodeId: ids[1], tv: 0.5, accuracyDelta: 0.5, top: true },
    { index: 3, nodeId: ids[2], tv: 0, accuracyDelta: 0 },
  ]);
  assert.equal(r.usage.requests, 4);
  assert.equal(r.usage.tokensOut, r.prefixes.reduce((s, p) => s + p.tokensOut, 0));
  assert.equal(r.stopped, undefined);
  assert.equal(r.createdAt, '2026-02-02T00:00:00.000Z');
  assert.deepEqual(r.path.map((p) => p.id), ids);
  assert.equal(r.checker, 'answer');
});

test('a path that states its answer takes its own answer as the last distribution, without a request', async () => {
  const { tree, ids } = mathTree({ answerLeaf: true });
  const gen = scripted();
  const r = await measureStepImportance({ tree, nodeId: ids[2]!, generator: gen, checker: answerChecker, k: 4 });
  assert.equal(gen.requests.length, 3);
  assert.deepEqual(r.prefixes[3], { steps: 3, status: 'done', asked: 4, got: 4, answers: [{ answer: '42', count: 4, verified: true }], correct: 4, accuracy: 1, requests: 0, tokensIn: 0, tokensOut: 0, fromPath: true });
  // Prefix 2 answered 42 four times too: the last step changes nothing.
  assert.equal(r.steps[2]!.tv, 0);
});

test('the budget stops new requests; finished prefixes are kept and the rest marked skipped', async () => {
  const { tree, ids } = mathTree();
  const byRequests = await measureStepImportance({ tree, nodeId: ids[2]!, generator: scripted(), checker: answerChecker, k: 4, parallel: 1, maxRequests: 2 });
  assert.deepEqual(byRequests.prefixes.map((p) => p.status), ['done', 'done', 'skipped', 'skipped']);
  assert.equal(byRequests.steps[0]!.tv, 0.25);
  assert.equal(byRequests.steps[1]!.tv, undefined);
  assert.equal(byRequests.steps[2]!.tv, undefined);
  assert.match(byRequests.stopped!, /request budget spent: 2 ≥ 2/);
  assert.equal(byRequests.usage.requests, 2);

  const gen = scripted();
  const byTokens = await measureStepImportance({ tree, nodeId: ids[2]!, generator: gen, checker: answerChecker, k: 4, parallel: 1, maxTokens: 1 });
  assert.equal(gen.requests.length, 1);
  assert.deepEqual(byTokens.prefixes.map((p) => p.status), ['done', 'skipped', 'skipped', 'skipped']);
  assert.match(byTokens.stopped!, /token budget spent/);
  assert.ok(byTokens.steps.every((s) => s.tv === undefined && !s.top));
});

test('a failed request marks its prefix failed and scores no step that needs it; cancelling stops the rest', async () => {
  const { tree, ids } = mathTree();
  const gen = new InProcessGenerator((req, i) => `So the answer is \\boxed{${SCRIPT[req.steps.length]![i]}}.`, { fail: (req) => (req.steps.length === 1 ? new Error('HTTP 500 from server') : undefined) });
  const r = await measureStepImportance({ tree, nodeId: ids[2]!, generator: gen, checker: answerChecker, k: 4 });
  assert.equal(r.prefixes[1]!.status, 'failed');
  assert.equal(r.prefixes[1]!.error, 'HTTP 500 from server');
  assert.deepEqual(r.steps.map((s) => s.tv), [undefined, undefined, 0]);

  const ctl = new AbortController();
  const slow = new InProcessGenerator((req, i) => `\\boxed{${SCRIPT[req.steps.length]![i]}}`, { latencyMs: 20 });
  const run = measureStepImportance({ tree, nodeId: ids[2]!, generator: slow, checker: answerChecker, k: 4, parallel: 1, signal: ctl.signal, onProgress: () => ctl.abort() });
  const c = await run;
  assert.equal(c.prefixes[0]!.status, 'done');
  assert.deepEqual(c.prefixes.slice(1).map((p) => p.status), ['skipped', 'skipped', 'skipped']);
  assert.equal(c.stopped, 'cancelled');
});

test('bad input is refused: K, the root, an unknown node', async () => {
  const { tree, ids } = mathTree();
  await assert.rejects(measureStepImportance({ tree, nodeId: ids[0]!, generator: scripted(), checker: answerChecker, k: 0 }), /K must be a positive integer/);
  await assert.rejects(measureStepImportance({ tree, nodeId: 'n0', generator: scripted(), checker: answerChecker, k: 2 }), /root has no steps/);
  await assert.rejects(measureStepImportance({ tree, nodeId: 'nope', generator: scripted(), checker: answerChecker, k: 2 }), /no node "nope"/);
});

test('total variation: identical 0, disjoint 1, symmetric', () => {
  const p = new Map([['a', 0.5], ['b', 0.5]]);
  assert.equal(totalVariation(p, p), 0);
  assert.equal(totalVariation(p, new Map([['c', 1]])), 1);
  const q = new Map([['a', 0.25], ['c', 0.75]]);
  assert.equal(totalVariation(p, q), totalVariation(q, p));
  assert.equal(totalVariation(p, q), 0.75);
});

test('stored in the trace: save and load keep it, compact and chunked loads carry it, a trace without it loads', async () => {
  const { tree, ids } = mathTree();
  const plain = serializeTrace(tree.toJSON());
  assert.equal(parseTrace(plain).analyses, undefined);
  const r = await measureStepImportance({ tree, nodeId: ids[2]!, generator: scripted(), checker: answerChecker, k: 4 });
  tree.trace.analyses = withImportance(tree.trace.analyses, r);
  const text = serializeTrace(tree.toJSON());
  const back = parseTrace(text);
  assert.deepEqual(importanceFor(back.analyses, ids[2]!), r);
  assert.equal(serializeTrace(back), text, 'a round trip writes the same bytes');
  const compact = CompactTraceSchema.parse(JSON.parse(JSON.stringify(compactTrace(back))));
  assert.deepEqual(expandCompactTrace(compact).analyses, back.analyses);
  assert.deepEqual(chunkTrace(back, 'l1', 1, 1).head.analyses, back.analyses);
  // A second measurement of the same node replaces the first; another node's is kept beside it.
  const again = withImportance(withImportance(back.analyses, { ...r, k: 2 }), { ...r, nodeId: ids[1]!, path: r.path.slice(0, 2) });
  assert.deepEqual(again.stepImportance!.map((x) => [x.nodeId, x.k]), [[ids[2], 2], [ids[1], 4]]);
  // Bad stored numbers are refused, not shown.
  const broken = JSON.parse(text);
  broken.analyses.stepImportance[0].steps[0].tv = 3;
  assert.throws(() => parseTrace(JSON.stringify(broken)), /analyses\.stepImportance\[0\]\.steps\[0\]\.tv: Too big/);
});

test('stale: an edited, removed or moved path node makes the stored result stale', async () => {
  const { tree, ids } = mathTree();
  const r = await measureStepImportance({ tree, nodeId: ids[2]!, generator: scripted(), checker: answerChecker, k: 2 });
  const get = (id: string) => tree.get(id);
  assert.equal(importanceStaleness(r, get), undefined);
  assert.equal(r.path[1]!.textHash, textHash('Multiply them.'));
  tree.editText(ids[1]!, 'Add them.');
  assert.equal(importanceStaleness(r, get), `step 2 (${ids[1]}) was edited after the measurement`);
  tree.editText(ids[1]!, 'Multiply them.');
  assert.equal(importanceStaleness(r, get), undefined, 'the text back as measured: not stale');
  assert.equal(importanceStaleness({ ...r, nodeId: 'gone' }, get), 'node gone is no longer in the trace');
  assert.match(importanceStaleness({ ...r, path: r.path.slice(1) }, get)!, /now has 3 steps, not 2/);
});

test('answer keys: Countdown expressions by the value they reach, a rule-breaking one apart; others as extracted', () => {
  const spec = parseCountdownProblem({ text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' });
  assert.ok(spec);
  assert.equal(answerKey('(5 * 3) + 7 + 2', true, spec), '24');
  assert.equal(answerKey('2 + 7 + 5*3', true, spec), '24');
  assert.equal(answerKey('5 * 5 - 1', false, spec), '24 (breaks the rules)');
  assert.equal(answerKey('5 + 7', false, spec), '12');
  assert.equal(answerKey('5 +', false, spec), '5 +', 'an expression that does not parse stays as written');
  assert.equal(answerKey(undefined, false, spec), '');
  assert.equal(answerKey('\\frac{1}{2}', true, undefined), '\\frac{1}{2}');
});

test('checkerForTrace: the last run verifier, else auto', () => {
  const { tree } = mathTree();
  assert.equal(checkerForTrace(tree.toJSON()).name, 'auto');
});

let model: EmbeddedModel | undefined;
before(async () => {
  model = await EmbeddedModel.load({ dir: join(__dirname, '../../model') });
});
after(async () => {
  await model?.release();
});

test('the real embedded model on a Countdown path: structure, and answers checked by the Countdown checker', async () => {
  const policy = new EmbeddedCountdownPolicy(model!);
  const gen = new EmbeddedGenerator(policy, { temperature: 1, seed: 7 });
  const problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };
  const greedy = await gen.generate({ problem: problem.text, steps: [], purpose: 'full', n: 1, temperature: 0 });
  const steps = greedy[0]!.text.split('\n\n').filter((s) => s.trim() !== '');
  assert.ok(steps.length >= 2, `a solution of several steps: ${greedy[0]!.text}`);
  const tree = TraceTree.create(problem);
  let parent = 'n0';
  for (const text of steps) parent = tree.addChild(parent, { kind: 'step', text, author: 'model', status: 'expanded', iteration: 1 }).id;
  const checker = countdownChecker();
  const t0 = Date.now();
  const r = await measureStepImportance({ tree, nodeId: parent, generator: gen, checker, k: 2, parallel: 2, maxTokens: 20_000 });
  assert.ok(Date.now() - t0 < 10_000, 'tiny K and path: well under 10 s');
  assert.equal(r.checker, 'countdown');
  assert.equal(r.model, 'embedded-countdown');
  assert.equal(r.prefixes.length, steps.length + 1);
  assert.equal(r.steps.length, steps.length);
  const own = checker.check(problem, steps);
  const sampled = r.prefixes.filter((p) => !p.fromPath);
  assert.equal(sampled.length, own.answer !== undefined ? steps.length : steps.length + 1);
  for (const p of sampled) {
    assert.equal(p.status, 'done');
    assert.equal(p.got, 2);
    assert.equal(p.answers.reduce((s, a) => s + a.count, 0), 2);
    // Every continuation is judged by the Countdown checks: accuracy is known for each prefix.
    assert.ok(p.accuracy !== undefined && p.correct !== undefined && p.correct === Math.round(p.accuracy * 2));
    assert.ok(p.tokensOut > 0);
  }
  for (const s of r.steps) assert.ok(s.tv !== undefined && s.tv >= 0 && s.tv <= 1 && s.accuracyDelta !== undefined);
  assert.equal(r.usage.requests, sampled.length, 'one request per sampled prefix');
});
