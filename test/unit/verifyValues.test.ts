import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GenerateRequest, Generation } from '../../src/core/llm/generator';
import { prmEstimator, readPrmScores, PrmError } from '../../src/core/verify/prm';
import { judgeEstimator, parseJudgeScore } from '../../src/core/verify/judge';
import { rolloutEstimator } from '../../src/core/verify/rolloutValue';
import { answerChecker } from '../../src/core/verify/checker';
import { createVerifier } from '../../src/core/verify/verifier';
import { ParamError } from '../../src/core/search/params';

const gen = (text: string): Generation => ({ text, finishReason: 'stop', tokensIn: 1, tokensOut: 1, latencyMs: 0, cached: false });
const problem = { text: 'What is 6 * 7?', answer: '42' };
const never = new AbortController().signal;

async function readBody(req: IncomingMessage): Promise<unknown> {
  let s = '';
  for await (const chunk of req) s += chunk;
  return JSON.parse(s);
}

/** A tiny PRM server: answers like vLLM's /pooling (one [p_bad, p_good] per step tag) or a JSON service. */
async function withPrmServer(fn: (base: string, seen: unknown[]) => Promise<void>): Promise<void> {
  const seen: unknown[] = [];
  const server = createServer(async (req, res) => {
    const body = (await readBody(req)) as { input?: string; steps?: string[] };
    seen.push({ url: req.url, auth: req.headers.authorization, body });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/pooling') {
      const steps = (body.input ?? '').split('<extra_0>').slice(0, -1);
      // Good steps mention "7"; the score of each step tag is [p_bad, p_good].
      const data = steps.map((s) => (s.includes('7') ? [0.1, 0.9] : [0.8, 0.2]));
      res.end(JSON.stringify({ id: 'pool-1', object: 'list', created: 0, model: 'prm', data: [{ index: 0, object: 'pooling', data }], usage: { prompt_tokens: 10, total_tokens: 10 } }));
    } else if (req.url === '/score') {
      res.end(JSON.stringify({ result: { scores: body.steps!.map((_, i) => 0.5 + i / 10) } }));
    } else if (req.url === '/broken') {
      res.statusCode = 500;
      res.end('{"error":"oops"}');
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(`http://127.0.0.1:${port}`, seen);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

test('PRM adapter against a local vLLM-pooling-shaped server: step tags, positive class, bearer token', async () => {
  await withPrmServer(async (base, seen) => {
    process.env.TEST_PRM_KEY = 'sekrit';
    const est = prmEstimator({ url: `${base}/pooling`, format: 'vllm-pooling', model: 'prm', apiKeyEnv: 'TEST_PRM_KEY' });
    const e = await est.estimate({ problem, steps: ['6 * 7 = 42', 'so 42 is it'], sample: async () => [], signal: never });
    assert.equal(e.value, 0.2);
    assert.deepEqual(e.source, { kind: 'prm', model: 'prm', stepScores: [0.9, 0.2] });
    const sent = seen[0] as { body: { input: string; model: string }; auth: string };
    assert.equal(sent.body.input, 'What is 6 * 7?\n\n6 * 7 = 42<extra_0>so 42 is it<extra_0>');
    assert.equal(sent.body.model, 'prm');
    assert.equal(sent.auth, 'Bearer sekrit');
    delete process.env.TEST_PRM_KEY;
  });
});

test('PRM adapter: JSON mapping by dotted path, and server errors become PrmError', async () => {
  await withPrmServer(async (base) => {
    const est = prmEstimator({ url: `${base}/score`, format: 'json', scoresPath: 'result.scores' });
    const e = await est.estimate({ problem, steps: ['a', 'b', 'c'], sample: async () => [], signal: never });
    assert.equal(e.value, 0.7);
    assert.deepEqual((e.source as { stepScores: number[] }).stepScores, [0.5, 0.6, 0.7]);
    const broken = prmEstimator({ url: `${base}/broken`, format: 'json' });
    await assert.rejects(broken.estimate({ problem, steps: ['a'], sample: async () => [], signal: never }), (err: Error) => err instanceof PrmError && /500/.test(err.message));
  });
});

test('readPrmScores: logits get a softmax, scalars are read as the last step', () => {
  const logits = readPrmScores({ data: [{ data: [[0, Math.log(3)]] }] }, { format: 'vllm-pooling' });
  assert.ok(Math.abs(logits[0]! - 0.75) < 1e-12);
  assert.deepEqual(readPrmScores({ data: [{ data: [0.25] }] }, { format: 'vllm-pooling' }), [0.25]);
  assert.deepEqual(readPrmScores({ step_scores: [0.1, 0.4] }, { format: 'json' }), [0.1, 0.4]);
  assert.throws(() => readPrmScores({}, { format: 'json' }), PrmError);
});

test('judge: score parsing and majority over k samples', async () => {
  assert.equal(parseJudgeScore('Looks fine.\nScore: 0.8'), 0.8);
  assert.equal(parseJudgeScore('Score: 7/10'), 0.7);
  assert.equal(parseJudgeScore('Score: 9'), 0.9);
  assert.equal(parseJudgeScore('The solution is incorrect.'), 0);
  assert.equal(parseJudgeScore('Correct'), 1);
  assert.equal(parseJudgeScore('hmm'), undefined);
  const seen: Omit<GenerateRequest, 'signal'>[] = [];
  const replies = ['Score: 1', 'Score: 0.9', 'no idea', 'Score: 0.2', 'Score: 0.1'];
  const est = judgeEstimator({ k: 5 });
  const e = await est.estimate({ problem, steps: ['6*7=42'], signal: never, sample: async (r) => (seen.push(r), replies.map(gen)) });
  assert.equal(seen[0]!.purpose, 'judge');
  assert.equal(seen[0]!.n, 5);
  assert.match(seen[0]!.context![0]!, /Score: p/);
  assert.equal(e.value, (1 + 0.9 + 0.2 + 0.1) / 4);
  assert.equal(e.verified, false); // 2 of 4 parseable scores ≥ 0.5 is not a majority
  assert.deepEqual(e.source, { kind: 'judge', samples: 4 });
  await assert.rejects(est.estimate({ problem, steps: [], signal: never, sample: async () => [gen('?')] }), /none of 1 replies/);
});

test('rollouts (Eq. 11): fraction of K completions whose answer verifies, split into requests of perRequest', async () => {
  const seen: Omit<GenerateRequest, 'signal'>[] = [];
  const answers = ['The answer is 42', 'The answer is 41', '\\boxed{42}', 'I give up', 'so 42'];
  let i = 0;
  const est = rolloutEstimator({ K: 5, perRequest: 2, checker: answerChecker });
  const e = await est.estimate({
    problem,
    steps: ['6 * 7'],
    signal: never,
    sample: async (r) => {
      seen.push(r);
      return Array.from({ length: r.n }, () => gen(answers[i++]!));
    },
  });
  assert.deepEqual(seen.map((r) => [r.purpose, r.n]), [['rollout', 2], ['rollout', 2], ['rollout', 1]]);
  assert.deepEqual(seen[0]!.steps, ['6 * 7']);
  assert.deepEqual(e.source, { kind: 'rollouts', k: 3, K: 5 });
  assert.equal(e.value, 0.6);
});

test('createVerifier resolves params with defaults and rejects unknown ones', () => {
  const v = createVerifier({ kind: 'rollout', params: { K: '4' } });
  assert.equal(v.estimator?.kind, 'rollouts');
  assert.equal(v.config.params.K, 4);
  assert.equal(v.config.params.check, 'auto');
  assert.throws(() => createVerifier({ kind: 'rollout', params: { k: 4 } }), ParamError);
  assert.throws(() => createVerifier({ kind: 'prm', params: {} }), /url/);
  assert.equal(createVerifier({ kind: 'countdown', params: { exactlyOnce: true } }).checker.name, 'countdown-exact');
});
