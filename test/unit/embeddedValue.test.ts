/**
 * The embedded value model: its states, its training problems (never a held-out one), checksum-verified loading,
 * the pooling server in vLLM's shape, and the PRM adapter reaching it in process and over HTTP with the same scores.
 * The embedded set-up's default verifier is this model.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedValueModel, encodeValueState, VALUE_CHECKSUM_FILE, VALUE_META_FILE, VALUE_MODEL_FILE, type TokenValueMeta, pairInputs } from '../../src/core/embedded/valueModel';
import { legalFrontiers, multisetKey, pathStates, reachableResults, readValueState, sampleTrainingProblem, solvableState, valueStateText } from '../../src/core/embedded/valueState';
import { embeddedPrmFetch, poolValues, PoolingResponseSchema, readPoolingInput, stepScorePlan } from '../../src/core/embedded/valuePooling';
import { EMBEDDED_PRM_URL, embeddedValueVerifier, VALUE_MODEL_ID } from '../../src/core/embedded/embeddedNames';
import { serveEmbedded, type EmbeddedServer } from '../../src/core/embedded/serve';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { renderProblem, type CountdownProblem } from '../../src/core/embedded/countdown';
import { Prng } from '../../src/core/embedded/sampler';
import { prmEstimator, readPrmScores } from '../../src/core/verify/prm';
import { createVerifier } from '../../src/core/verify/verifier';
import { defaultVerifierConfig, resolveRunConfig } from '../../src/core/search/engine';
import { verifierDestinations } from '../../src/core/run/rerunVerifier';
import type { EndpointDescription } from '../../src/core/trace/schema';
import { prepareRun } from '../../src/core/run/runSetup';
import { RunSetupError } from '../../src/core/run/runSetupError';
import { CHECKSUM_FILE, MODEL_FILE, VOCAB_FILE } from '../../src/core/embedded/modelFiles';

const MODEL_DIR = join(__dirname, '../../model');
const heldout = JSON.parse(readFileSync(join(MODEL_DIR, 'heldout.json'), 'utf8')) as Record<'test' | 'validation', CountdownProblem[]>;
const problem: CountdownProblem = { numbers: [3, 5, 7, 2], target: 24 };
const signal = new AbortController().signal;
const noSample = async () => {
  throw new Error('a PRM never samples');
};

let value: EmbeddedValueModel;
let server: EmbeddedServer;
let policyModel: EmbeddedModel;

before(async () => {
  value = await EmbeddedValueModel.load({ dir: MODEL_DIR });
  policyModel = await EmbeddedModel.load({ dir: MODEL_DIR });
  server = await serveEmbedded({ model: policyModel, valueModel: value });
});
after(async () => {
  await server.close();
  await policyModel.release();
  await value.release();
});

test('a state is the remaining numbers, sorted, and the target; a path walks legal steps only', () => {
  assert.equal(valueStateText([7, 2, 15], 24), '2, 7, 15 > 24');
  const ok = pathStates(problem, ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)', '22 + 2 = 24 (left: 24)', 'Answer: ((5 * 3) + 7) + 2 = 24']);
  assert.deepEqual(ok, { states: ['2, 3, 5, 7 > 24', '2, 7, 15 > 24', '2, 22 > 24', '24 > 24'], reached: true });
  const wrong = pathStates(problem, ['5 * 3 = 16 (left: 7, 2, 16)', '16 + 7 = 23 (left: 2, 23)']);
  assert.deepEqual(wrong, { states: ['2, 3, 5, 7 > 24'], reached: false, brokenAt: 0 });
  const unavailable = pathStates(problem, ['7 - 2 = 5 (left: 3, 5, 5)', '9 + 5 = 14 (left: 5, 14)']);
  assert.equal(unavailable.brokenAt, 1);
  assert.deepEqual(unavailable.states, ['2, 3, 5, 7 > 24', '3, 5, 5 > 24']);
});

test('a state text reads back to its numbers and target; solvable means some legal steps make the target', () => {
  assert.deepEqual(readValueState(valueStateText([7, 2, 15], 24)), { numbers: [2, 7, 15], target: 24 });
  assert.deepEqual(readValueState('24 > 24'), { numbers: [24], target: 24 });
  for (const bad of ['', '2, 7 >', '2,7 > 24', 'two > 24', '2, 7 > 24 ']) assert.equal(readValueState(bad), undefined, bad);
  assert.equal(solvableState([3, 8], 24), true); // 3 * 8
  assert.equal(solvableState([4, 7], 24), false); // 11, 3, 28: none is 24
  assert.equal(solvableState([24], 24), true);
  assert.equal(solvableState([2, 3, 5, 7], 24), true); // (5 * 3) + 7 + 2
  assert.equal(solvableState([1, 1, 1], 24), false);
  assert.equal(solvableState([6, 4], 24), true); // an intermediate result counts too (6 * 4 = 24)
  assert.equal(solvableState([12, 3, 2], 2), true); // one of the numbers already is the target
  // every legal step, by depth; a state holding the target is left out (3 * 2 = 6), one number left goes nowhere
  assert.deepEqual(legalFrontiers([2, 3], 6, 2), [[[5], [1]], []]);
  const [one, two] = legalFrontiers([1, 2, 3, 4], 100, 2);
  assert.equal(one!.length, 22);
  assert.equal(two!.length, one!.reduce((n, ns) => n + legalFrontiers(ns, 100, 1)[0]!.length, 0));
});

test('a state is encoded as the value model was trained: characters, or one token per number with <big> beyond the list', () => {
  // train_value.py CHAR_VOCAB
  const chars: TokenValueMeta = { format: 'metacot-countdown-value/1', tokens: ['<pad>', '<cls>', ...'0123456789', ',', ' ', '>'], pad: 0, cls: 1, ctx: 48, d: 8, layers: 1, heads: 1 };
  const charIds = new Map(chars.tokens.map((t, i) => [t, i]));
  assert.deepEqual(encodeValueState(chars, charIds, '2, 15 > 24'), [chars.cls, ...[...'2, 15 > 24'].map((c) => charIds.get(c)!)]);
  assert.throws(() => encodeValueState(chars, charIds, '2; 15 > 24'), /cannot read ";"/);
  // train_value.py NUMBER_VOCAB: <pad>, <cls>, >, <big>, then "0" … "999"
  const tokens = ['<pad>', '<cls>', '>', '<big>', ...Array.from({ length: 1000 }, (_, n) => String(n))];
  const numbers: TokenValueMeta = { format: 'metacot-countdown-value/1', tokens, pad: 0, cls: 1, big: 3, tokenize: 'numbers', ctx: 8, d: 8, layers: 1, heads: 1 };
  const ids = new Map(tokens.map((t, i) => [t, i]));
  assert.deepEqual(encodeValueState(numbers, ids, '2, 7, 1500 > 24'), [1, 6, 11, 3, 2, 28]);
  assert.deepEqual(encodeValueState(numbers, ids, '24 > 24'), [1, 28, 2, 28]);
  assert.deepEqual(encodeValueState({ ...numbers, ctx: 3 }, ids, '2, 7 > 24'), [1, 6, 11]);
  assert.throws(() => encodeValueState(numbers, ids, '2, 7 24'), /cannot read state/);
  assert.throws(() => encodeValueState(numbers, ids, '2, x > 24'), /cannot read "x"/);
  // the pair network: numbers in the first slots, a mask, the target (train_value.py numeric_inputs)
  const pairs = pairInputs(4, ['2, 7, 15 > 24', '24 > 24', '1, 2, 3, 4 > 10']);
  assert.deepEqual([...pairs.numbers], [2, 7, 15, 0, 24, 0, 0, 0, 1, 2, 3, 4]);
  assert.deepEqual([...pairs.mask], [1, 1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual([...pairs.target], [24, 24, 10]);
  assert.throws(() => pairInputs(4, ['1, 2, 3, 4, 5 > 10']), /at most 4 numbers/);
  assert.throws(() => pairInputs(4, ['2, 7 24']), /cannot read state/);
});

test('training problems never share their numbers with a held-out problem, and their target is reachable', () => {
  const held = new Set([...heldout.test, ...heldout.validation].map((p) => multisetKey(p.numbers)));
  assert.equal(held.size, 400);
  const rng = new Prng(5);
  for (let i = 0; i < 2000; i++) {
    const p = sampleTrainingProblem(rng, held);
    assert.ok(!held.has(multisetKey(p.numbers)), `drew held-out numbers ${p.numbers.join(',')}`);
    assert.ok(p.target >= 10 && p.target <= 100 && !p.numbers.includes(p.target));
    assert.ok(reachableResults(p.numbers).has(p.target));
  }
  // a distribution whose multisets are all held out but one: every draw is that one
  const tiny = { count: 2, min: 2, max: 4, targetMin: 1, targetMax: 100 };
  const all = ['2,2', '2,3', '2,4', '3,3', '3,4', '4,4'];
  const kept = '3,4';
  for (let i = 0; i < 50; i++) {
    const p = sampleTrainingProblem(rng, new Set(all.filter((k) => k !== kept)), tiny);
    assert.equal(multisetKey(p.numbers), kept);
  }
});

test('the shipped value model scores as the trained network did (the meta\'s check states, scored by torch at export)', async () => {
  const meta = JSON.parse(readFileSync(join(MODEL_DIR, VALUE_META_FILE), 'utf8')) as { check?: { states: string[]; values: number[] } };
  assert.ok(meta.check && meta.check.states.length >= 5, 'train_value.py writes check states into the meta');
  const got = await value.score(meta.check.states);
  got.forEach((v, i) => assert.ok(Math.abs(v - meta.check!.values[i]!) < 1e-5, `${meta.check!.states[i]}: runtime ${v}, torch ${meta.check!.values[i]}`));
});

test('the value model loads checksum-verified and refuses a changed file', async () => {
  assert.match(value.sha256, /^[0-9a-f]{64}$/);
  const dir = mkdtempSync(join(tmpdir(), 'value-model-'));
  for (const f of [VALUE_MODEL_FILE, VALUE_CHECKSUM_FILE, VALUE_META_FILE]) copyFileSync(join(MODEL_DIR, f), join(dir, f));
  const bytes = readFileSync(join(dir, VALUE_MODEL_FILE));
  bytes[bytes.length - 10] ^= 0xff;
  writeFileSync(join(dir, VALUE_MODEL_FILE), bytes);
  await assert.rejects(EmbeddedValueModel.load({ dir }), /embedded value model checksum mismatch: .*train_value\.py/);
});

test('scores are probabilities, the same alone or batched', async () => {
  const states = ['2, 3, 5, 7 > 24', '2, 7, 15 > 24', '2, 22 > 24', '1, 1 > 97', '3, 8 > 24'];
  const batched = await value.score(states);
  assert.equal(batched.length, states.length);
  for (const s of batched) assert.ok(s > 0 && s < 1, `score ${s}`);
  const fresh = await EmbeddedValueModel.load({ dir: MODEL_DIR });
  try {
    for (const [i, s] of states.entries()) {
      const [alone] = await fresh.score([s]);
      assert.ok(Math.abs(alone! - batched[i]!) < 1e-5, `${s}: ${alone} alone vs ${batched[i]} batched`);
    }
  } finally {
    await fresh.release();
  }
  await assert.rejects(value.score(['2, x > 24']), /cannot read/);
});

test('the pooling answer has vLLM\'s shape, one [p_bad, p_good] per step tag; rules decide illegal, reached and answered steps', async () => {
  const steps = ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)', '22 + 2 = 24 (left: 24)'];
  const input = `${renderProblem(problem)}\n\n${steps.map((s) => s + '<extra_0>').join('')}`;
  assert.deepEqual(readPoolingInput(input), { problem, steps });
  const body = PoolingResponseSchema.parse(await poolValues(value, { model: VALUE_MODEL_ID, input }));
  assert.equal(body.data.length, 1);
  const scores = readPrmScores(body, { format: 'vllm-pooling' });
  const [a, b] = await value.score(['2, 7, 15 > 24', '2, 22 > 24']);
  assert.ok(Math.abs(scores[0]! - a!) < 1e-6 && Math.abs(scores[1]! - b!) < 1e-6);
  assert.equal(scores[2], 1);
  for (const v of body.data[0]!.data) assert.ok(Math.abs(v[0] + v[1] - 1) < 1e-6);

  assert.deepEqual(stepScorePlan(problem, ['5 * 3 = 16 (left: 7, 2, 16)', '16 + 7 = 23 (left: 2, 23)']), [
    { kind: 'rule', value: 0, why: 'not a legal step' },
    { kind: 'rule', value: 0, why: 'not a legal step' },
  ]);
  assert.deepEqual(stepScorePlan(problem, ['Answer: (5 * 3) + 7 + 2 = 24']), [{ kind: 'rule', value: 1, why: 'verified answer' }]);
  assert.deepEqual(stepScorePlan(problem, ['Answer: 5 + 3 = 8']), [{ kind: 'rule', value: 0, why: 'wrong answer' }]);
  await assert.rejects(poolValues(value, { input: 'What is 2 + 2?<extra_0>' }), (e: Error & { status?: number }) => e.status === 400 && /cannot read this problem/.test(e.message));
  await assert.rejects(poolValues(value, { input: 3 }), (e: Error & { status?: number }) => e.status === 400 && /input/.test(e.message));
});

test('the PRM adapter gets the same value in process and from metacot serve over HTTP', async () => {
  const steps = ['7 * 3 = 21 (left: 5, 2, 21)'];
  const input = { problem: { text: renderProblem(problem) }, steps, sample: noSample, signal };
  const inProcess = createVerifier(embeddedValueVerifier(), {}, input.problem);
  const local = await inProcess.estimator!.estimate(input);
  const http = prmEstimator({ url: `${server.url.replace(/\/v1$/, '')}/pooling`, format: 'vllm-pooling', model: VALUE_MODEL_ID });
  const remote = await http.estimate(input);
  const [direct] = await value.score(['2, 5, 21 > 24']);
  assert.ok(Math.abs(local.value - direct!) < 1e-6, `${local.value} vs ${direct}`);
  assert.equal(remote.value, local.value);
  assert.deepEqual(local.source, { kind: 'prm', model: VALUE_MODEL_ID, stepScores: [local.value] });
  const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
  assert.deepEqual(models.data.map((m) => m.id).sort(), ['embedded-countdown', 'embedded-countdown-path', 'embedded-countdown-sos', VALUE_MODEL_ID]);
  const bad = await fetch(`${server.url.replace(/\/v1$/, '')}/pooling`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'other', input: 'x' }) });
  assert.equal(bad.status, 404);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /embedded-countdown-value/);
});

test('another scorer can stand behind the embedded URL (the budget benchmark\'s oracle): same adapter, same rules, its values', async () => {
  const asked: string[][] = [];
  const scorer = { score: async (states: readonly string[]) => (asked.push([...states]), states.map(() => 0.25)) };
  const input = { problem: { text: renderProblem(problem) }, steps: ['7 * 3 = 21 (left: 5, 2, 21)'], sample: noSample, signal };
  const v = createVerifier(embeddedValueVerifier(), { embeddedFetch: embeddedPrmFetch(async () => scorer) }, input.problem);
  const got = await v.estimator!.estimate(input);
  assert.equal(got.value, 0.25);
  assert.deepEqual(asked, [['2, 5, 21 > 24']]);
  // the rules still come first: an illegal step is 0 without asking the scorer
  const illegal = await v.estimator!.estimate({ ...input, steps: ['7 * 3 = 22 (left: 5, 2, 22)'] });
  assert.equal(illegal.value, 0);
  assert.deepEqual(asked.flat(), ['2, 5, 21 > 24']);
});

test('the embedded set-up values nodes with the value model by default; other endpoints keep the checks alone', () => {
  const countdown = { text: renderProblem(problem) };
  const embedded: EndpointDescription = { name: 'embedded', baseUrl: `embedded:${MODEL_DIR}`, model: 'embedded-countdown', mode: 'chat-continue', sampling: { temperature: 1, topP: 1, maxTokens: 160, stop: ['\n\n'], logprobs: true } };
  const remote: EndpointDescription = { ...embedded, name: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', model: 'Qwen/Qwen2.5-7B-Instruct' };
  assert.deepEqual(defaultVerifierConfig(countdown, embedded), embeddedValueVerifier());
  assert.deepEqual(defaultVerifierConfig(countdown, remote), { kind: 'countdown', params: {} });
  assert.deepEqual(defaultVerifierConfig({ text: 'What is 6 * 7?' }, embedded), { kind: 'answer', params: {} });
  const { config } = resolveRunConfig({ strategy: 'astar' }, countdown, embedded);
  assert.equal(config.verifier.kind, 'prm');
  assert.equal(config.verifier.params?.url, EMBEDDED_PRM_URL);
  assert.equal(config.verifier.params?.check, 'auto');
  // nothing leaves the machine: a re-run takes such a verifier without asking
  assert.deepEqual(verifierDestinations(config.verifier), {});
});

test('a run that would use the value model is refused up front when its files are missing; the checks alone still run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'policy-only-'));
  for (const f of [MODEL_FILE, CHECKSUM_FILE, VOCAB_FILE]) copyFileSync(join(MODEL_DIR, f), join(dir, f));
  const before = process.env['METACOT_EMBEDDED_MODEL_DIR'];
  process.env['METACOT_EMBEDDED_MODEL_DIR'] = dir;
  try {
    const sample = { text: renderProblem(problem) };
    await assert.rejects(
      prepareRun({ problem: sample, strategy: 'astar', endpoint: { kind: 'embedded' } }),
      (e: unknown) => e instanceof RunSetupError && e.kind === 'embedded-model' && /embedded value model file missing: .*countdown-value\.onnx/.test(e.message) && /verifier countdown/.test(e.advice),
    );
    const checksOnly = await prepareRun({ problem: sample, strategy: 'astar', endpoint: { kind: 'embedded' }, verifier: { kind: 'countdown', params: {} } });
    assert.equal(checksOnly.endpoint.model, 'embedded-countdown');
  } finally {
    if (before === undefined) delete process.env['METACOT_EMBEDDED_MODEL_DIR'];
    else process.env['METACOT_EMBEDDED_MODEL_DIR'] = before;
  }
});
