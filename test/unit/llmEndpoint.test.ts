/**
 * The endpoint Generator against the real reference server over HTTP on 127.0.0.1: the three continuation
 * modes, `n` in one request and the fallback to separate requests (detected once), stop and step patterns,
 * logprobs (and their fallback), streaming, reasoning kept apart, token accounting, the replay cache, and a
 * least-loaded pool of several endpoints.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../src/core/server/referenceServer';
import { scriptedPolicy } from '../../src/core/server/policies/scriptedPolicy';
import { longCotPolicy } from '../../src/core/server/policies/longCotResponder';
import { countdownPolicy } from '../../src/core/server/policies/countdownProposer';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { EndpointConfigInput } from '../../src/core/llm/endpointConfig';
import { createGeneratorPool } from '../../src/core/llm/generatorPool';
import { EndpointDescriptionSchema } from '../../src/core/trace/schema';

const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
const STEP = /^\d+ [-+*/] \d+ = -?\d+ \(left: [\d, ]+\)$|^Answer: /;
let server: ReferenceServer;
const tmp = mkdtempSync(join(tmpdir(), 'metacot-llm-'));

before(async () => {
  server = await startReferenceServer({
    seed: 3,
    policies: {
      'sim-countdown': countdownPolicy(),
      'sim-long-cot': longCotPolicy(),
      'sim-long-cot-r': longCotPolicy({ name: 'sim-long-cot-r', style: 'reasoning-field' }),
      steps: scriptedPolicy('steps', (_req, i) => `Step 1: first idea ${i}\nStep 2: second\n\nmore`),
    },
  });
});
after(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const cfg = (over: Partial<EndpointConfigInput> = {}): EndpointConfigInput => ({ name: 'local', baseUrl: server.url, model: 'sim-countdown', retryBaseMs: 1, ...over });
const lastBodies = (k: number) => server.log.generations().slice(-k).map((e) => e.body as Record<string, unknown>);

for (const mode of ['chat', 'chat-continue', 'completions'] as const) {
  test(`mode ${mode}: one request for n=3 step siblings, cut at the blank line, in the Countdown format`, async () => {
    const g = createEndpointGenerator(cfg({ mode }));
    const before = server.log.generations().length;
    const out = await g.generate({ problem: PROBLEM, steps: ['5 * 3 = 15 (left: 7, 2, 15)'], purpose: 'step', n: 3, seed: 8 });
    assert.equal(out.length, 3);
    assert.equal(server.log.generations().length - before, 1, 'n siblings share one request');
    const entry = server.log.generations().at(-1)!;
    assert.equal(entry.path, mode === 'completions' ? '/v1/completions' : '/v1/chat/completions');
    const body = entry.body as Record<string, unknown>;
    assert.equal(body.n, 3);
    assert.deepEqual(body.stop, ['\n\n']);
    assert.equal(body.seed, 8);
    if (mode === 'chat-continue') {
      assert.equal(body.continue_final_message, true);
      assert.equal(body.add_generation_prompt, false);
      const msgs = body.messages as { role: string; content: string }[];
      assert.deepEqual(msgs.at(-1), { role: 'assistant', content: '5 * 3 = 15 (left: 7, 2, 15)\n\n' });
    }
    if (mode === 'completions') assert.ok((body.prompt as string).endsWith('5 * 3 = 15 (left: 7, 2, 15)\n\n'));
    for (const gen of out) {
      assert.match(gen.text, STEP);
      assert.doesNotMatch(gen.text, /^5 \* 3/, 'continues after the given step');
      assert.equal(gen.finishReason, 'stop');
      assert.equal(gen.cached, false);
      assert.ok(gen.logprobs && gen.logprobs.tokens > 0 && gen.logprobs.min <= gen.logprobs.mean && gen.logprobs.mean < 0);
    }
    // Token accounting adds up to the server's usage: the prompt once, completions per choice.
    assert.equal(out.reduce((s, x) => s + x.tokensIn, 0), entry.promptTokens);
    assert.equal(out.reduce((s, x) => s + x.tokensOut, 0), entry.completionTokens);
    // The server reports cached prompt tokens (0 on a cold cache is a report, not "unknown").
    assert.deepEqual(g.usage(), { requests: 1, cachedRequests: 0, tokensIn: entry.promptTokens, tokensOut: entry.completionTokens, cost: 0, cachedTokensIn: entry.cachedTokens });
    assert.deepEqual(out.map((x) => x.requests), [1, 0, 0]);
    assert.equal(out[0]!.cachedTokensIn, entry.cachedTokens);
  });
}

test('prefix reuse on the server: a child step request hits the prefix cache for its parent prompt (every mode)', async () => {
  for (const mode of ['chat', 'chat-continue', 'completions'] as const) {
    server.resetPrefixCache();
    const g = createEndpointGenerator(cfg({ mode }));
    const steps = ['5 * 3 = 15 (left: 7, 2, 15)'];
    await g.generate({ problem: PROBLEM, steps, purpose: 'step', n: 2, seed: 1 });
    const parent = server.log.generations().at(-1)!;
    await g.generate({ problem: PROBLEM, steps: [...steps, '15 + 7 = 22 (left: 2, 22)'], purpose: 'step', n: 2, seed: 1 });
    const child = server.log.generations().at(-1)!;
    // Everything of the parent's prompt up to the end of its last step is shared; the cache works in 16-token blocks.
    const sharedChars = parent.promptText!.indexOf(steps[0]!) + steps[0]!.length;
    assert.ok(child.promptText!.startsWith(parent.promptText!.slice(0, sharedChars)), mode);
    assert.ok(child.cachedTokens! >= 16 && child.cachedTokens! >= parent.promptTokens! - 32, `${mode}: cached ${child.cachedTokens} of parent ${parent.promptTokens}`);
  }
});

test('full solutions: no stop by default; logprob summary equals the server logprobs of the text', async () => {
  const g = createEndpointGenerator(cfg({ sampling: { temperature: 0.7 } }));
  const [gen] = await g.generate({ problem: PROBLEM, steps: [], purpose: 'full', n: 1, seed: 2 });
  const body = lastBodies(1)[0]!;
  assert.equal(body.stop, undefined);
  assert.equal(body.temperature, 0.7);
  assert.match(gen!.text, /\n\nAnswer: .* = \d+$/);
  const raw = await new OpenAI({ baseURL: server.url, apiKey: 'x' }).chat.completions.create(body as never as OpenAI.ChatCompletionCreateParamsNonStreaming);
  const lps = raw.choices[0]!.logprobs!.content!.map((t) => t.logprob);
  assert.equal(gen!.logprobs!.tokens, lps.length);
  assert.equal(gen!.logprobs!.min, Math.min(...lps));
  assert.ok(Math.abs(gen!.logprobs!.mean - lps.reduce((a, b) => a + b, 0) / lps.length) < 1e-12);
});

test('stepPattern segments a step when the server does not stop there', async () => {
  const g = createEndpointGenerator(cfg({ model: 'steps', stepPattern: '^Step \\d+:' }));
  const out = await g.generate({ problem: 'p', steps: [], purpose: 'step', n: 2 });
  const body = lastBodies(1)[0]!;
  assert.equal(body.stop, undefined, 'no blank-line stop: the pattern delimits steps');
  assert.equal(body.max_tokens, 512);
  assert.deepEqual(out.map((x) => x.text), ['Step 1: first idea 0', 'Step 1: first idea 1']);
  assert.equal(out[0]!.finishReason, 'stop');
  assert.ok(out[0]!.logprobs!.tokens < 8, 'logprobs summarise only the kept step');
});

test('n fallback: a server that rejects n gets separate requests, detected once per endpoint', async () => {
  const s = await startReferenceServer({ nSupport: 'reject', seed: 1 });
  try {
    const g = createEndpointGenerator(cfg({ baseUrl: s.url }));
    const outs = await Promise.all([0, 1, 2, 3].map((k) => g.generate({ problem: PROBLEM, steps: [], purpose: 'step', n: 3, seed: 10 * k })));
    for (const out of outs) assert.equal(out.length, 3);
    const entries = s.log.generations();
    assert.equal(entries.filter((e) => e.n > 1).length, 1, 'only one request ever asked for n > 1');
    assert.equal(entries.filter((e) => e.status === 400).length, 1);
    assert.equal(entries.filter((e) => e.status === 200).length, 12);
    assert.equal(g.nMode, 'no');
    // seeds vary per sample so the siblings are distinct draws
    const seeds = entries.filter((e) => e.status === 200).map((e) => (e.body as { seed: number }).seed).sort((a, b) => a - b);
    assert.deepEqual(seeds, [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
  } finally {
    await s.close();
  }
});

test('n fallback: a server that silently ignores n gets the missing siblings separately', async () => {
  const s = await startReferenceServer({ nSupport: 'ignore' });
  try {
    const g = createEndpointGenerator(cfg({ baseUrl: s.url }));
    assert.equal((await g.generate({ problem: PROBLEM, steps: [], purpose: 'step', n: 3 })).length, 3);
    assert.equal(s.log.generations().length, 3);
    assert.equal(g.nMode, 'no');
    await g.generate({ problem: PROBLEM, steps: [], purpose: 'step', n: 2 });
    assert.deepEqual(s.log.generations().slice(3).map((e) => e.n), [1, 1]);
  } finally {
    await s.close();
  }
});

test('logprobs: a server that refuses them is asked again without, once per endpoint', async () => {
  const s = await startReferenceServer({ unsupportedParams: ['logprobs'] });
  try {
    const g = createEndpointGenerator(cfg({ baseUrl: s.url }));
    const [a] = await g.generate({ problem: PROBLEM, steps: [], purpose: 'step', n: 1 });
    assert.equal(a!.logprobs, undefined);
    await g.generate({ problem: PROBLEM, steps: [], purpose: 'step', n: 1 });
    assert.deepEqual(s.log.generations().map((e) => e.status), [400, 200, 200]);
    assert.equal((s.log.generations()[2]!.body as { logprobs?: unknown }).logprobs, undefined);
  } finally {
    await s.close();
  }
});

test('streaming gives the same generations as whole responses', async () => {
  const req = { problem: PROBLEM, steps: ['7 - 5 = 2 (left: 3, 2, 2)'], purpose: 'full' as const, n: 2, seed: 4 };
  const whole = await createEndpointGenerator(cfg()).generate(req);
  const streamed = await createEndpointGenerator(cfg({ stream: true })).generate(req);
  assert.equal(lastBodies(1)[0]!.stream, true);
  // The second request finds the first one's prompt in the server's prefix cache: cached tokens differ, the rest not.
  const strip = (gs: typeof whole) => gs.map(({ latencyMs: _l, cachedTokensIn: _c, ...rest }) => rest);
  assert.deepEqual(strip(streamed), strip(whole));
});

test('onDelta streams the first sample as it arrives; the pieces add up to the raw answer', async () => {
  for (const model of ['sim-long-cot', 'sim-long-cot-r']) {
    let text = '';
    let reasoning = '';
    const [gen] = await createEndpointGenerator(cfg({ model })).generate({
      problem: 'What is 3 + 4 * 5?', steps: [], purpose: 'full', n: 2, seed: 1,
      onDelta: (d) => ((text += d.text ?? ''), (reasoning += d.reasoning ?? '')),
    });
    assert.equal(lastBodies(1)[0]!.stream, true, 'asked for a stream');
    if (model === 'sim-long-cot') assert.equal(text, `<think>\n${gen!.reasoning}\n</think>\n\n${gen!.text}`);
    else assert.deepEqual([reasoning, text], [gen!.reasoning, gen!.text]);
  }
});

test('reasoning is kept apart from the answer: <think> tags and reasoning_content', async () => {
  for (const model of ['sim-long-cot', 'sim-long-cot-r']) {
    for (const stream of [false, true]) {
      const [gen] = await createEndpointGenerator(cfg({ model, stream })).generate({ problem: 'What is 3 + 4 * 5?', steps: [], purpose: 'full', n: 1, seed: 1 });
      assert.equal(gen!.text, 'The answer is \\boxed{23}.', `${model} stream=${stream}`);
      assert.match(gen!.reasoning!, /^Okay, so I need to compute 3 \+ 4 \* 5\./);
      assert.match(gen!.reasoning!, /So the answer is 23\.$/);
      assert.doesNotMatch(gen!.reasoning!, /<\/?think>/);
    }
  }
});

test('describe() fits the strict trace EndpointDescription and carries no secret', () => {
  const g = createEndpointGenerator(cfg({ mode: 'completions', headers: { 'x-team': 'a' }, price: { inputPer1M: 1, outputPer1M: 2 }, sampling: { temperature: 0.5 } }), { apiKey: 'sk-secret-describe-1' });
  const d = g.describe();
  assert.deepEqual(EndpointDescriptionSchema.parse(d), { name: 'local', baseUrl: server.url, model: 'sim-countdown', mode: 'completions', sampling: { temperature: 0.5 } });
  assert.doesNotMatch(JSON.stringify(d), /secret|x-team/);
  assert.throws(() => createEndpointGenerator({ ...cfg(), apiKey: 'sk-in-config-123' } as EndpointConfigInput), (e: Error & { kind?: string }) => e.kind === 'config' && /apiKey/.test(e.message) && !e.message.includes('sk-in-config-123'));
  assert.throws(() => createEndpointGenerator(cfg({ headers: { Authorization: 'Bearer sk-header-123456' } })), (e: Error) => /credential headers/.test(e.message) && !e.message.includes('sk-header-123456'));
});

test('replay cache: an identical request costs zero server requests and replays exactly, across server restarts', async () => {
  const dir = join(tmp, 'cache');
  const req = { problem: PROBLEM, steps: ['5 + 3 = 8 (left: 7, 2, 8)'], purpose: 'step' as const, n: 3, seed: 21 };
  const g1 = createEndpointGenerator(cfg(), { cacheDir: dir, apiKey: 'sk-cache-never-stored-42' });
  const first = await g1.generate(req);
  const count = server.log.generations().length;
  const g2 = createEndpointGenerator(cfg(), { cacheDir: dir });
  const again = await g2.generate(req);
  assert.equal(server.log.generations().length, count, 'no request reached the server');
  assert.deepEqual(again.map((x) => x.text), first.map((x) => x.text));
  assert.deepEqual(again.map((x) => x.logprobs), first.map((x) => x.logprobs));
  assert.ok(again.every((x) => x.cached && x.tokensIn === 0 && x.tokensOut === 0));
  assert.deepEqual(g2.usage(), { requests: 0, cachedRequests: 1, tokensIn: 0, tokensOut: 0, cost: 0 });
  // Another server on another port, same model: still a hit (the key has no base URL).
  const other = await startReferenceServer({ seed: 99 });
  try {
    const g3 = createEndpointGenerator(cfg({ baseUrl: other.url }), { cacheDir: dir });
    assert.deepEqual((await g3.generate(req)).map((x) => x.text), first.map((x) => x.text));
    assert.equal(other.log.generations().length, 0);
    // Opt-out, or any change to the request, goes to the server.
    await createEndpointGenerator(cfg({ baseUrl: other.url }), { cacheDir: dir, cache: false }).generate(req);
    await g3.generate({ ...req, seed: 22 });
    assert.equal(other.log.generations().length, 2);
  } finally {
    await other.close();
  }
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.json'));
  assert.equal(files.length, 2);
  for (const f of files) assert.ok(!readFileSync(join(dir, String(f)), 'utf8').includes('sk-cache-never-stored-42'), 'no key in cache files');
});

test('replay cache: identical requests in flight together are sent once; one caller cancelling does not fail the other', async () => {
  // Long enough that the abort below (sent once the server holds the request) lands before the answer, even on a
  // loaded machine.
  const s = await startReferenceServer({ latencyMs: 500 });
  try {
    const g = createEndpointGenerator(cfg({ baseUrl: s.url }), { cacheDir: join(tmp, 'dedupe') });
    const req = { problem: PROBLEM, steps: [], purpose: 'step' as const, n: 2, seed: 5 };
    const [a, b] = await Promise.all([g.generate(req), g.generate(req)]);
    assert.deepEqual(b.map((x) => x.text), a.map((x) => x.text));
    assert.equal(s.log.generations().length, 1);
    assert.deepEqual([a[0]!.cached, b[0]!.cached], [false, true]);
    const ctl = new AbortController();
    const other = { ...req, seed: 6 };
    const first = g.generate({ ...other, signal: ctl.signal });
    const second = g.generate(other);
    // Abort once the shared request has reached the server, rather than after a fixed delay.
    while (s.log.generations().length < 2) await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    await assert.rejects(first, (e: Error & { kind?: string }) => e.kind === 'cancelled');
    assert.equal((await second).length, 2);
    await s.log.settled();
    assert.deepEqual(s.log.generations().slice(1).map((e) => e.clientClosed), [true, false]);
  } finally {
    await s.close();
  }
});

test('pool: least-loaded across endpoints, each cap respected, failover when one is down', async () => {
  const a = await startReferenceServer({ latencyMs: 40 });
  const b = await startReferenceServer({ latencyMs: 40 });
  try {
    const ga = createEndpointGenerator(cfg({ name: 'a', baseUrl: a.url, maxConcurrency: 2 }));
    const gb = createEndpointGenerator(cfg({ name: 'b', baseUrl: b.url, maxConcurrency: 2 }));
    const pool = createGeneratorPool([ga, gb]);
    const outs = await Promise.all(Array.from({ length: 12 }, (_, k) => pool.generate({ problem: PROBLEM, steps: [], purpose: 'step', n: 1, seed: k })));
    assert.equal(outs.length, 12);
    assert.equal(a.log.generations().length + b.log.generations().length, 12);
    assert.equal(a.log.maxInFlight, 2);
    assert.equal(b.log.maxInFlight, 2);
    assert.ok(Math.abs(a.log.generations().length - b.log.generations().length) <= 2, `split ${a.log.generations().length}/${b.log.generations().length}`);
    assert.deepEqual(pool.usage().requests, 12);
    assert.equal(EndpointDescriptionSchema.parse(pool.describe()).name, 'pool: a, b');
    await a.close();
    const more = await Promise.all(Array.from({ length: 4 }, (_, k) => pool.generate({ problem: PROBLEM, steps: [], purpose: 'step', n: 1, seed: 100 + k })));
    assert.equal(more.length, 4);
    assert.equal(b.log.generations().length - (12 - a.log.generations().length), 4);
  } finally {
    await a.close();
    await b.close();
  }
});
