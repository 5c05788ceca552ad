/**
 * The reference server over real HTTP on 127.0.0.1, consumed with the real `openai` client: n, stop, max_tokens,
 * logprobs, seed, streaming, vLLM extras, concurrency cap (429 + Retry-After), every fault kind as seen on the
 * wire, auth, context length, request log and prefix reuse, loopback-only, and the `metacot serve` command.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../src/core/server/referenceServer';
import { parseFaultSpec } from '../../src/core/server/faults';
import { prefixReuse } from '../../src/core/server/requestLog';
import { scriptedPolicy } from '../../src/core/server/policies/scriptedPolicy';
import { runServeCommand } from '../../src/cli/commands/serve';

const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
let server: ReferenceServer;
let client: OpenAI;

before(async () => {
  server = await startReferenceServer({ seed: 11 });
  client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
});
after(async () => {
  await server.close();
});

const user = (content: string) => [{ role: 'user' as const, content }];

test('serves the three simulated policies on a random loopback port', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  assert.ok(server.port > 0);
  const models = (await client.models.list()).data.map((m) => m.id);
  assert.deepEqual(models, ['sim-countdown', 'sim-arithmetic', 'sim-long-cot']);
  await assert.rejects(startReferenceServer({ host: '0.0.0.0' }), /not a loopback address/);
});

test('n, stop and max_tokens: n choices, cut at the stop string (excluded), length when max_tokens bites', async () => {
  const full = await client.chat.completions.create({ model: 'sim-countdown', messages: user(PROBLEM), n: 3, seed: 5 });
  assert.equal(full.choices.length, 3);
  const cut = await client.chat.completions.create({ model: 'sim-countdown', messages: user(PROBLEM), n: 3, seed: 5, stop: ['\n\n'] });
  for (let i = 0; i < 3; i++) {
    const whole = full.choices[i]!.message.content!;
    assert.equal(cut.choices[i]!.message.content, whole.split('\n\n')[0]);
    assert.equal(cut.choices[i]!.finish_reason, 'stop');
    assert.equal(cut.choices[i]!.index, i);
  }
  const short = await client.chat.completions.create({ model: 'sim-countdown', messages: user(PROBLEM), seed: 5, max_tokens: 4, logprobs: true });
  assert.equal(short.choices[0]!.finish_reason, 'length');
  assert.equal(short.usage!.completion_tokens, 4);
  assert.equal(short.choices[0]!.logprobs!.content!.length, 4);
  assert.ok(full.choices[0]!.message.content!.startsWith(short.choices[0]!.message.content!));
});

test('seed: same request and seed → same output; no seed → fresh draws', async () => {
  const req = { model: 'sim-countdown', messages: user(PROBLEM), seed: 42, n: 2 };
  const a = await client.chat.completions.create(req);
  const b = await client.chat.completions.create(req);
  assert.deepEqual(a.choices.map((c) => c.message.content), b.choices.map((c) => c.message.content));
  const texts = new Set<string>();
  for (let i = 0; i < 6; i++) texts.add((await client.chat.completions.create({ model: 'sim-countdown', messages: user(PROBLEM) })).choices[0]!.message.content!);
  assert.ok(texts.size > 1);
});

test('logprobs and top_logprobs (chat and completions): tokens rebuild the text, alternatives ranked', async () => {
  const r = await client.chat.completions.create({ model: 'sim-arithmetic', messages: user('What is 2 + 3 * 4?'), logprobs: true, top_logprobs: 4, seed: 1 });
  const lp = r.choices[0]!.logprobs!.content!;
  assert.equal(lp.map((t) => t.token).join(''), r.choices[0]!.message.content);
  assert.equal(lp.length, r.usage!.completion_tokens);
  for (const t of lp) {
    assert.ok(t.logprob < 0);
    assert.equal(t.top_logprobs.length, 4);
    assert.equal(t.top_logprobs[0]!.token, t.token);
    for (let k = 1; k < 4; k++) assert.ok(t.top_logprobs[k]!.logprob < t.top_logprobs[k - 1]!.logprob);
    assert.deepEqual(t.bytes, [...Buffer.from(t.token)]);
  }
  const c = await client.completions.create({ model: 'sim-arithmetic', prompt: 'What is 2 + 3 * 4?', logprobs: 2, seed: 1 });
  const clp = c.choices[0]!.logprobs!;
  assert.equal(clp.tokens!.join(''), c.choices[0]!.text);
  assert.equal(clp.text_offset![0], 'What is 2 + 3 * 4?'.length);
  assert.equal(Object.keys(clp.top_logprobs![0]!).length, 2);
  const none = await client.chat.completions.create({ model: 'sim-arithmetic', messages: user('What is 2 + 3 * 4?') });
  assert.equal(none.choices[0]!.logprobs, null);
});

test('streaming (chat and completions) delivers the same text as a whole response, then usage and [DONE]', async () => {
  const req = { model: 'sim-countdown', messages: user(PROBLEM), n: 2, seed: 9, logprobs: true };
  const whole = await client.chat.completions.create(req);
  const stream = await client.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
  const texts = ['', ''];
  const finish: (string | null)[] = [null, null];
  let usage: OpenAI.CompletionUsage | undefined;
  let lpTokens = 0;
  for await (const chunk of stream) {
    for (const ch of chunk.choices) {
      texts[ch.index] += ch.delta.content ?? '';
      if (ch.finish_reason) finish[ch.index] = ch.finish_reason;
      lpTokens += ch.logprobs?.content?.length ?? 0;
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.deepEqual(texts, whole.choices.map((c) => c.message.content));
  assert.deepEqual(finish, ['stop', 'stop']);
  assert.equal(usage!.completion_tokens, whole.usage!.completion_tokens);
  assert.equal(lpTokens, whole.usage!.completion_tokens);
  const cs = await client.completions.create({ model: 'sim-arithmetic', prompt: 'What is 2 + 3 * 4?', seed: 1, stream: true });
  let ctext = '';
  for await (const chunk of cs) ctext += chunk.choices[0]?.text ?? '';
  const cw = await client.completions.create({ model: 'sim-arithmetic', prompt: 'What is 2 + 3 * 4?', seed: 1 });
  assert.equal(ctext, cw.choices[0]!.text);
});

test('latency knobs: latencyMs before the first token, perTokenMs between streamed tokens', async () => {
  const s = await startReferenceServer({ policy: scriptedPolicy('words', () => 'one two three four five six seven eight'), latencyMs: 60, perTokenMs: 15 });
  const c = new OpenAI({ baseURL: s.url, apiKey: 'x', maxRetries: 0 });
  try {
    const t0 = performance.now();
    const stream = await c.chat.completions.create({ model: 'words', messages: user('go'), stream: true });
    const arrivals: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) arrivals.push(performance.now() - t0);
    assert.equal(arrivals.length, 8);
    assert.ok(arrivals[0]! >= 55, `first token after ${arrivals[0]} ms`);
    assert.ok(arrivals[7]! - arrivals[0]! >= 7 * 15 - 10, `tokens spread over ${arrivals[7]! - arrivals[0]!} ms`);
    const t1 = performance.now();
    await c.chat.completions.create({ model: 'words', messages: user('go') });
    assert.ok(performance.now() - t1 >= 60 + 8 * 15 - 10, 'a whole response waits for all its tokens');
  } finally {
    await s.close();
  }
});

test('vLLM extras: continue_final_message continues the open assistant message; misuse is a 400', async () => {
  const body = {
    model: 'sim-countdown',
    messages: [
      { role: 'user' as const, content: PROBLEM },
      { role: 'assistant' as const, content: '5 * 3 = 15 (left: 7, 2, 15)\n\n' },
    ],
    continue_final_message: true,
    add_generation_prompt: false,
    stop: ['\n\n'],
    seed: 1,
  };
  const r = await client.chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming);
  assert.match(r.choices[0]!.message.content!, /^\d+ [-+*/] \d+ = -?\d+ \(left: /);
  assert.doesNotMatch(r.choices[0]!.message.content!, /^5 \* 3/);
  const entry = server.log.generations().at(-1)!;
  assert.ok(entry.promptText!.endsWith('<|im_start|>assistant\n5 * 3 = 15 (left: 7, 2, 15)\n\n'), 'assistant turn left open');
  await assert.rejects(
    client.chat.completions.create({ ...body, messages: user(PROBLEM) } as OpenAI.ChatCompletionCreateParamsNonStreaming),
    (e: unknown) => e instanceof OpenAI.BadRequestError && /continue_final_message/.test(e.message),
  );
});

test('max concurrent: beyond the cap the server answers 429 with Retry-After; the log records max in-flight', async () => {
  const s = await startReferenceServer({ latencyMs: 400, maxConcurrent: 2, retryAfterMs: 70 });
  try {
    const statuses = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const res = await fetch(`${s.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'sim-countdown', messages: user(PROBLEM) }) });
        await res.arrayBuffer();
        return [res.status, res.headers.get('retry-after'), res.headers.get('retry-after-ms')] as const;
      }),
    );
    assert.equal(statuses.filter(([st]) => st === 200).length, 2);
    const limited = statuses.filter(([st]) => st === 429);
    assert.equal(limited.length, 4);
    for (const [, ra, ram] of limited) {
      assert.equal(ra, '1');
      assert.equal(ram, '70');
    }
    assert.ok(s.log.maxInFlight > 2, 'more requests arrived at once than the cap');
    const served = s.log.generations().filter((e) => e.status === 200);
    assert.equal(served.length, 2);
    assert.ok(served.every((e) => e.tOut! - e.tIn >= 390), 'admitted requests took the full latency');
  } finally {
    await s.close();
  }
});

test('faults on the wire: every kind, by sequence, and by seeded rate', async () => {
  const s = await startReferenceServer({ faults: { sequence: ['429', '500', '503', 'malformed', 'bad-shape', 'reset', 'stream-cut', 'ok'], retryAfterMs: 30 } });
  const send = async (stream = false) => {
    try {
      const res = await fetch(`${s.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'sim-countdown', messages: user(PROBLEM), stream }) });
      const text = await res.text();
      return { status: res.status, text, retryAfterMs: res.headers.get('retry-after-ms') };
    } catch (e) {
      return { status: 0, text: String((e as Error).cause ?? e), retryAfterMs: null };
    }
  };
  try {
    const r429 = await send();
    assert.equal(r429.status, 429);
    assert.equal(r429.retryAfterMs, '30');
    assert.equal((await send()).status, 500);
    assert.equal((await send()).status, 503);
    const malformed = await send();
    assert.equal(malformed.status, 200);
    assert.throws(() => JSON.parse(malformed.text));
    const badShape = JSON.parse((await send()).text);
    assert.equal(badShape.choices, undefined);
    assert.equal((await send()).status, 0, 'reset: the connection is destroyed without a response');
    const cut = await send(true);
    assert.ok(cut.status === 0 || !cut.text.includes('[DONE]'), 'stream cut: no [DONE]');
    assert.equal((await send()).status, 200);
    assert.deepEqual(s.log.generations().map((e) => e.fault ?? 'ok'), ['429', '500', '503', 'malformed', 'bad-shape', 'reset', 'stream-cut', 'ok']);
    // hang: no answer until the client gives up; the server notices the close
    s.setFaults({ sequence: ['hang'] });
    await assert.rejects(fetch(`${s.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'sim-countdown', messages: user(PROBLEM) }), signal: AbortSignal.timeout(150) }));
    await s.log.settled();
    const hung = s.log.generations().at(-1)!;
    assert.equal(hung.fault, 'hang');
    assert.equal(hung.clientClosed, true);
    // rates: seeded, so the same plan on the same seed injects the same faults
    const counts: number[] = [];
    for (let round = 0; round < 2; round++) {
      s.setFaults({ rates: { '500': 0.5 } });
      const before = s.log.generations().length;
      for (let i = 0; i < 20; i++) await send();
      counts.push(s.log.generations().slice(before).filter((e) => e.fault === '500').length);
    }
    assert.ok(counts[0]! > 3 && counts[0]! < 17, `${counts[0]} of 20 faulted at rate 0.5`);
    assert.deepEqual(parseFaultSpec('429:0.1,500:0.05;seq:429,ok;retry-after-ms:100'), { rates: { '429': 0.1, '500': 0.05 }, sequence: ['429', 'ok'], retryAfterMs: 100 });
    assert.throws(() => parseFaultSpec('teapot:0.1'), /rates/);
  } finally {
    await s.close();
  }
});

test('auth, unknown model, context length and bad bodies answer with OpenAI-style errors', async () => {
  const s = await startReferenceServer({ apiKey: 'sk-local-secret-000', contextLength: 200 });
  try {
    const bad = new OpenAI({ baseURL: s.url, apiKey: 'sk-wrong-key-999', maxRetries: 0 });
    await assert.rejects(bad.models.list(), (e: unknown) => e instanceof OpenAI.AuthenticationError && e.code === 'invalid_api_key');
    const good = new OpenAI({ baseURL: s.url, apiKey: 'sk-local-secret-000', maxRetries: 0 });
    await assert.rejects(good.chat.completions.create({ model: 'gpt-unknown', messages: user('x') }), (e: unknown) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
    await assert.rejects(
      good.chat.completions.create({ model: 'sim-countdown', messages: user('word '.repeat(300)) }),
      (e: unknown) => e instanceof OpenAI.BadRequestError && e.code === 'context_length_exceeded' && /maximum context length is 200 tokens/.test(e.message),
    );
    await assert.rejects(good.chat.completions.create({ model: 'sim-countdown', messages: user('x'), n: 0 }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'n');
  } finally {
    await s.close();
  }
});

test('n support knobs: reject n > 1 (400 naming n) or ignore it (one choice)', async () => {
  const s = await startReferenceServer({ nSupport: 'reject', unsupportedParams: ['logprobs'] });
  const c = new OpenAI({ baseURL: s.url, apiKey: 'x', maxRetries: 0 });
  try {
    await assert.rejects(c.chat.completions.create({ model: 'sim-countdown', messages: user(PROBLEM), n: 2 }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'n');
    await assert.rejects(c.chat.completions.create({ model: 'sim-countdown', messages: user(PROBLEM), logprobs: true }), (e: unknown) => e instanceof OpenAI.BadRequestError && e.param === 'logprobs');
    s.setKnobs({ nSupport: 'ignore', unsupportedParams: [] });
    const r = await c.chat.completions.create({ model: 'sim-countdown', messages: user(PROBLEM), n: 3 });
    assert.equal(r.choices.length, 1);
  } finally {
    await s.close();
  }
});

test('request log: times, prompt text, and prefix reuse / cached_tokens for prompts sharing a prefix', async () => {
  const s = await startReferenceServer({ policy: scriptedPolicy('echo', () => 'ok') });
  const c = new OpenAI({ baseURL: s.url, apiKey: 'x', maxRetries: 0 });
  try {
    const long = 'A long shared problem statement with many words in it. '.repeat(8);
    const a = await c.chat.completions.create({ model: 'echo', messages: user(`${long}\n\nStep one.`) });
    const b = await c.chat.completions.create({ model: 'echo', messages: user(`${long}\n\nStep one.\n\nStep two.`) });
    assert.equal(a.usage!.prompt_tokens_details!.cached_tokens, 0);
    assert.ok(b.usage!.prompt_tokens_details!.cached_tokens! >= 64, `cached ${b.usage!.prompt_tokens_details!.cached_tokens}`);
    const entries = s.log.generations();
    assert.equal(entries.length, 2);
    for (const e of entries) {
      assert.ok(e.tOut! >= e.tIn);
      assert.equal(e.status, 200);
      assert.equal(e.clientClosed, false);
      assert.ok(e.promptText!.includes(long));
    }
    const reuse = prefixReuse(entries);
    assert.ok(reuse.perRequest[1]! > long.length, 'second prompt reuses the whole first prompt but its closing');
    assert.ok(reuse.ratio > 0.4);
  } finally {
    await s.close();
  }
});

test('metacot serve: prints the URL, serves until stopped, rejects bad options', async () => {
  const ctl = new AbortController();
  let printed = '';
  const done = runServeCommand(['--latency', '1', '--policy', 'arithmetic', '--faults', 'seq:500'], { signal: ctl.signal, out: (t) => (printed += t) });
  while (!/listening at (\S+)/.test(printed)) await new Promise((r) => setTimeout(r, 10));
  const url = /listening at (\S+)/.exec(printed)![1]!;
  const c = new OpenAI({ baseURL: url, apiKey: 'x', maxRetries: 1 });
  const r = await c.chat.completions.create({ model: 'sim-arithmetic', messages: user('What is 1 + 2?') });
  assert.match(r.choices[0]!.message.content!, /\\boxed\{3\}/);
  ctl.abort();
  assert.equal(await done, 0);
  assert.match(printed, /Stopped\. 2 generation requests served/);
  let err = '';
  assert.equal(await runServeCommand(['--policy', 'gpt'], { err: (t) => (err += t) }), 2);
  assert.match(err, /unknown policy "gpt"/);
  assert.equal(await runServeCommand(['--latency', 'soon'], { err: (t) => (err += t) }), 2);
  assert.match(err, /--latency: "soon" is not a non-negative number/);
});
