/**
 * Failure handling of the endpoint client against the real reference server: every fault kind with retry counts
 * and final errors asserted, Retry-After honoured, timeouts, cancellation that closes the socket (seen by the
 * server), the per-endpoint concurrency cap (server-side max in-flight), and API keys never in any error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer, ReferenceServerOptions } from '../../src/core/server/referenceServer';
import type { FaultKind } from '../../src/core/server/faults';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { EndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { EndpointConfigInput } from '../../src/core/llm/endpointConfig';
import { EndpointError } from '../../src/core/llm/errors';
import type { EndpointErrorKind } from '../../src/core/llm/errors';
import type { GenerateRequest } from '../../src/core/llm/generator';

const KEY = 'sk-test-4f9a8b7c6d5e4f3a2b1c';
const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
const REQ: GenerateRequest = { problem: PROBLEM, steps: [], purpose: 'step', n: 1, seed: 1 };
/** Every error message any test here produced: checked for the key at the end. */
const seen: EndpointError[] = [];

async function withServer(opts: ReferenceServerOptions, fn: (s: ReferenceServer) => Promise<void>): Promise<void> {
  const s = await startReferenceServer({ apiKey: KEY, ...opts });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const gen = (s: ReferenceServer, over: Partial<EndpointConfigInput> = {}): EndpointGenerator =>
  createEndpointGenerator({ name: 'local', baseUrl: s.url, model: 'sim-countdown', retryBaseMs: 1, retryMaxMs: 5, maxRetries: 3, ...over }, { apiKey: KEY });

async function expectError(p: Promise<unknown>, kind: EndpointErrorKind, attempts: number, message?: RegExp): Promise<EndpointError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof EndpointError, `not an EndpointError: ${String(e)}`);
    seen.push(e);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.attempts, attempts, e.message);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected an EndpointError of kind ${kind}`);
}

const retryable: [FaultKind, EndpointErrorKind, boolean][] = [
  ['429', 'rate-limited', false],
  ['500', 'server', false],
  ['503', 'server', false],
  ['reset', 'connection', false],
  ['malformed', 'malformed', false],
  ['bad-shape', 'malformed', false],
  ['stream-cut', 'stream-cut', false],
  ['malformed', 'malformed', true],
  ['stream-cut', 'stream-cut', true],
];

for (const [fault, kind, stream] of retryable) {
  test(`fault ${fault}${stream ? ' (streamed)' : ''}: retried to success, and '${kind}' after maxRetries`, async () => {
    await withServer({ faults: { sequence: [fault, fault, 'ok'], retryAfterMs: 1 } }, async (s) => {
      const g = gen(s, { stream });
      const [out] = await g.generate(REQ);
      assert.match(out!.text, /^\d+ [-+*/] \d+ = /);
      assert.equal(s.log.generations().length, 3, 'two failures then success');
      assert.equal(g.client.retries, 2);
      s.setFaults({ rates: { [fault]: 1 }, retryAfterMs: 1 });
      const e = await expectError(g.generate(REQ), kind, 4);
      assert.equal(s.log.generations().length, 7, 'first attempt + 3 retries');
      if (kind === 'rate-limited') assert.match(e.message, /rate limited \(429: .*\); the server last asked to wait 1 ms \(gave up after 4 attempts\)\. Lower maxConcurrency or requestsPerMinute/);
      if (kind === 'server') assert.match(e.message, new RegExp(`server error ${fault} \\(.*\\) \\(gave up after 4 attempts\\)\\. The server is failing or overloaded`));
      if (kind === 'malformed') assert.match(e.message, /not (valid JSON|a valid chat completion)/);
      if (kind === 'stream-cut') assert.match(e.message, /broke off|ended before it was complete/);
    });
  });
}

test('Retry-After is honoured between attempts', async () => {
  await withServer({ faults: { sequence: ['429', '503', 'ok'], retryAfterMs: 120 } }, async (s) => {
    await gen(s).generate(REQ);
    const t = s.log.generations().map((e) => e.tIn);
    assert.ok(t[1]! - t[0]! >= 115, `waited ${t[1]! - t[0]!} ms after 429`);
    assert.ok(t[2]! - t[1]! >= 115, `waited ${t[2]! - t[1]!} ms after 503`);
  });
});

test('a Retry-After far beyond the backoff cap ends the request at once, naming the wait', async () => {
  await withServer({ faults: { rates: { '429': 1 }, retryAfterMs: 3_600_000 } }, async (s) => {
    const t0 = Date.now();
    const e = await expectError(gen(s).generate(REQ), 'rate-limited', 1, /the server last asked to wait 3600000 ms/);
    assert.equal(e.retryAfterMs, 3_600_000);
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(s.log.generations().length, 1);
  });
});

test('hang past the timeout: timeout error after retries; the server sees each abandoned request closed', async () => {
  await withServer({ faults: { sequence: ['hang', 'ok'] } }, async (s) => {
    // Long enough for a normal answer on a loaded machine; the hung request waits it out.
    const g = gen(s, { timeoutMs: 600, maxRetries: 1 });
    await g.generate(REQ);
    await s.log.settled();
    assert.equal(s.log.generations()[0]!.clientClosed, true);
    s.setFaults({ rates: { hang: 1 } });
    const t0 = Date.now();
    await expectError(g.generate(REQ), 'timeout', 2, /no complete response within 600 ms/);
    assert.ok(Date.now() - t0 < 5000);
    await s.log.settled();
    assert.deepEqual(s.log.generations().slice(2).map((e) => e.clientClosed), [true, true]);
  });
});

test('cancellation mid-request closes the connection (the server sees it) and rejects with cancelled, at once', async () => {
  await withServer({ latencyMs: 5000 }, async (s) => {
    const ctl = new AbortController();
    const p = gen(s).generate({ ...REQ, signal: ctl.signal });
    while (s.log.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    ctl.abort();
    await expectError(p, 'cancelled', 1);
    assert.ok(Date.now() - t0 < 1500, 'rejected promptly, not after the 5 s latency');
    await s.log.settled();
    const [entry] = s.log.generations();
    assert.equal(entry!.clientClosed, true, 'server saw the socket close before answering');
    assert.equal(s.log.inFlight, 0);
    assert.equal(s.log.generations().length, 1, 'not retried');
  });
  // Also while waiting for a retry, and while queued behind the concurrency cap.
  await withServer({ faults: { rates: { '503': 1 }, retryAfterMs: 5000 }, latencyMs: 0 }, async (s) => {
    const ctl = new AbortController();
    const p = gen(s).generate({ ...REQ, signal: ctl.signal });
    while (s.log.generations().length === 0) await new Promise((r) => setTimeout(r, 5));
    setTimeout(() => ctl.abort(), 20);
    await expectError(p, 'cancelled', 1);
    assert.equal(s.log.generations().length, 1);
  });
  await withServer({ latencyMs: 300 }, async (s) => {
    const g = gen(s, { maxConcurrency: 1 });
    const ctl = new AbortController();
    const first = g.generate(REQ);
    const queued = g.generate({ ...REQ, seed: 2, signal: ctl.signal });
    ctl.abort();
    await expectError(queued, 'cancelled', 1);
    await first;
    assert.equal(s.log.generations().length, 1, 'the queued request never reached the server');
  });
});

test('concurrency cap per endpoint: server-side max in-flight never exceeds it', async () => {
  await withServer({ latencyMs: 30 }, async (s) => {
    const g = gen(s, { maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 15 }, (_, k) => g.generate({ ...REQ, seed: k })));
    assert.equal(s.log.generations().length, 15);
    assert.equal(s.log.maxInFlight, 3);
  });
});

test('requests per minute: the client waits instead of exceeding the limit', async () => {
  await withServer({}, async (s) => {
    const g = gen(s, { requestsPerMinute: 2 });
    await g.generate({ ...REQ, seed: 1 });
    await g.generate({ ...REQ, seed: 2 });
    const ctl = new AbortController();
    const third = g.generate({ ...REQ, seed: 3, signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(s.log.generations().length, 2, 'third request held back');
    ctl.abort();
    await expectError(third, 'cancelled', 1);
  });
});

test('unreachable host: retried, then an actionable error naming the URL', async () => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const g = createEndpointGenerator({ name: 'gone', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', retryBaseMs: 1, maxRetries: 2 }, { apiKey: KEY });
  await expectError(g.generate(REQ), 'unreachable', 3, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/v1 \\(connection refused\\) \\(gave up after 3 attempts\\)\\. Is the server running\\?`));
});

test('401 bad key: not retried, says what to do, and never shows the key even when the server echoes it', async () => {
  await withServer({}, async (s) => {
    const wrong = 'sk-wrong-0a1b2c3d4e5f6a7b8c9d';
    const g = createEndpointGenerator({ name: 'local', baseUrl: s.url, model: 'sim-countdown', retryBaseMs: 1 }, { apiKey: wrong });
    const e = await expectError(g.generate(REQ), 'auth', 1, /rejected the API key \(401: .*\)\. Set a valid key for this endpoint with the "Meta-CoT: Set API Key" command/);
    assert.equal(e.status, 401);
    for (const text of [e.message, e.serverMessage ?? '', String(e), e.stack ?? '', JSON.stringify(e)]) assert.ok(!text.includes(wrong), text);
    assert.equal(s.log.generations().length, 1);
    assert.ok(!JSON.stringify(s.log.entries).includes(wrong), 'the server request log holds no key');
  });
});

test('404 unknown model lists the server models; 404 path points at the base URL', async () => {
  await withServer({}, async (s) => {
    const e = await expectError(gen(s, { model: 'gpt-imaginary' }).generate(REQ), 'model-not-found', 1, /model "gpt-imaginary" is not served .* The server serves: sim-countdown, sim-arithmetic, sim-long-cot\. Set the endpoint's model/);
    assert.deepEqual(e.models, ['sim-countdown', 'sim-arithmetic', 'sim-long-cot']);
    assert.match(e.serverMessage ?? '', /gpt-imaginary/, "the server's own words are kept");
    await expectError(gen(s, { baseUrl: s.origin }).generate(REQ), 'bad-url', 1, /usually expect it to end in \/v1/);
  });
});

test('400 context too long: not retried, advice to shorten or lower maxTokens', async () => {
  await withServer({ contextLength: 120 }, async (s) => {
    await expectError(gen(s).generate({ ...REQ, maxTokens: 100 }), 'context-length', 1, /exceed the model's context .* Lower maxTokens/);
    assert.equal(s.log.generations().length, 1);
  });
});

test('no error message produced by these tests contains the API key', () => {
  assert.ok(seen.length >= 15, `${seen.length} errors seen`);
  for (const e of seen) {
    for (const text of [e.message, e.serverMessage ?? '', e.stack ?? '']) assert.ok(!text.includes(KEY), `${e.kind}: ${text}`);
    assert.match(e.message, /^endpoint "[^"]+": \S/, 'says which endpoint');
  }
});
