/**
 * Limits on what one request may cost: a response over the size cap is cut (a stream stops being read, a whole body
 * keeps what fit) and the cut is on the node; a server that sends headers and then nothing ends at the request
 * timeout with the retries given; the wall-time budget is overshot by less than one request timeout; a step longer
 * than maxStepChars is cut and marked. Against local node:http servers on 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EndpointClient } from '../../src/core/llm/endpointClient';
import { EndpointConfigSchema } from '../../src/core/llm/endpointConfig';
import type { EndpointConfigInput } from '../../src/core/llm/endpointConfig';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import { EndpointError } from '../../src/core/llm/errors';
import { DEFAULT_MAX_RESPONSE_BYTES } from '../../src/core/llm/responseCap';
import { closeCutJson } from '../../src/core/llm/wire';
import { runSearch } from '../../src/core/search/engine';
import { capStep, DEFAULT_MAX_STEP_CHARS } from '../../src/core/search/nodeFilling';
import { freshTree, makeGenerator } from './searchFixtures';

const MB = 1024 * 1024;

interface Served {
  url: string;
  requests: number;
  /** Body bytes the server managed to write, over all requests. */
  written: number;
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, s: Served) => void | Promise<void>): Promise<Served> {
  const sockets = new Set<import('node:net').Socket>();
  const served: Served = { url: '', requests: 0, written: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    served.requests++;
    req.resume();
    req.on('end', () => void handler(req, res, served));
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  served.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  served.close = () => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  };
  return served;
}

/** Writes `total` bytes made by `piece(i)`, honouring back-pressure, until done or the client goes away. */
async function writeLazily(res: ServerResponse, s: Served, total: number, piece: (i: number) => string, tail = ''): Promise<void> {
  let gone = false;
  const closed = new Promise<void>((r) => res.once('close', () => ((gone = true), r())));
  for (let i = 0, sent = 0; sent < total && !gone; i++) {
    const chunk = piece(i);
    sent += chunk.length;
    s.written += chunk.length;
    if (!res.write(chunk)) await Promise.race([new Promise<void>((r) => res.once('drain', r)), closed]);
  }
  if (!gone) res.end(tail);
}

const FILL = 'x'.repeat(64 * 1024);

/** A chat completion whose content is 50 MB of "x", written lazily (the server never holds it). */
function hugeWhole(size = 50 * MB) {
  return (_req: IncomingMessage, res: ServerResponse, s: Served) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"');
    return writeLazily(res, s, size, () => FILL, '"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":9}}');
  };
}

/** A chat completion stream of 50 MB of small "x" deltas. */
function hugeStream(size = 50 * MB) {
  const event = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'x'.repeat(4000) }, finish_reason: null }] })}\n\n`;
  return (_req: IncomingMessage, res: ServerResponse, s: Served) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    return writeLazily(res, s, size, () => event, 'data: [DONE]\n\n');
  };
}

/** Headers, then nothing, ever. */
const headersThenNothing = (contentType: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': contentType });
  res.flushHeaders();
};

const config = (url: string, extra: Partial<EndpointConfigInput> = {}): EndpointConfigInput => ({ name: 'local', baseUrl: url, model: 'm', retryBaseMs: 1, retryMaxMs: 5, ...extra });

const rssMb = () => Math.round(process.memoryUsage().rss / MB);

test('a 50 MB whole response is cut at the 2 MiB cap: the node keeps what fit, finishReason cut, meta.cut says so; memory stays bounded', async () => {
  const s = await serve(hugeWhole());
  try {
    const before = rssMb();
    const tree = freshTree();
    const gen = createEndpointGenerator(config(s.url, { maxRetries: 0 }), {});
    const run = await runSearch({ tree, config: { strategy: 'best-of-n', params: { n: 1, concurrency: 1 }, verifier: { kind: 'answer', params: {} } }, generator: gen });
    const after = rssMb();
    console.log(`50 MB whole response: rss ${before} MB -> ${after} MB; server wrote ${Math.round(s.written / MB)} MB before the client stopped`);
    const node = tree.trace.nodes.find((n) => n.runId === run.id && n.kind !== 'root' && n.parentId !== null);
    assert.ok(node, 'the run made a node');
    assert.equal(node.finishReason, 'cut');
    assert.match(String(node.meta?.cut), /size cap \(maxResponseBytes\)/);
    // The text is the content that fit under the cap: all "x", a little under 2 MiB (the JSON before it counts).
    assert.ok(node.text.length > DEFAULT_MAX_RESPONSE_BYTES - 200 && node.text.length <= DEFAULT_MAX_RESPONSE_BYTES, `${node.text.length}`);
    assert.match(node.text, /^x+$/);
    assert.equal(s.requests, 1, 'a cut response is an answer, not retried');
    assert.ok(s.written < 20 * MB, `the client stopped reading: the server wrote ${s.written} bytes`);
    assert.ok(after - before < 400, `rss grew ${after - before} MB`);
  } finally {
    await s.close();
  }
});

test('a 50 MB stream stops being read at the cap: the choice ends cut with the text that arrived', async () => {
  const s = await serve(hugeStream());
  try {
    const before = rssMb();
    const client = new EndpointClient(EndpointConfigSchema.parse(config(s.url, { stream: true, maxRetries: 0 })), { maxResponseBytes: MB });
    const r = await client.call({ api: 'chat', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] } });
    const after = rssMb();
    console.log(`50 MB stream: rss ${before} MB -> ${after} MB; server wrote ${Math.round(s.written / MB)} MB`);
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0]!.finishReason, 'cut');
    const text = r.choices[0]!.content;
    // Whole events only (the half event at the cap is dropped): a multiple of the 4,000-char delta, and as many
    // events as fit in 1 MiB with their JSON around them.
    assert.equal(text.length % 4000, 0);
    assert.ok(text.length > 0.95 * MB && text.length < MB, `${text.length}`);
    assert.equal(s.requests, 1);
    assert.ok(s.written < 20 * MB, `server wrote ${s.written}`);
    assert.ok(after - before < 400, `rss grew ${after - before} MB`);
  } finally {
    await s.close();
  }
});

test('a body cut before any text arrives is a malformed-size error naming the cap, not a crash', async () => {
  const s = await serve(hugeWhole());
  try {
    // 40 bytes do not reach the content: nothing to keep.
    const client = new EndpointClient(EndpointConfigSchema.parse(config(s.url, { maxRetries: 0 })), { maxResponseBytes: 40 });
    await assert.rejects(client.call({ api: 'chat', body: { model: 'm', messages: [] } }), (e: unknown) => {
      assert.ok(e instanceof EndpointError);
      assert.match(e.message, /larger than the 40-byte cap \(maxResponseBytes\)/);
      return true;
    });
  } finally {
    await s.close();
  }
});

test('closeCutJson: every cut of a chat completion parses, and the content kept is a prefix of the real one', () => {
  const content = 'Step 1: 3 * 8 = 24 \\ "quoted" é — 𝄞 end';
  const full = JSON.stringify({ id: 'c', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2 } });
  const contentAt = full.indexOf('"content":"') + 11;
  let kept = 0;
  for (let i = contentAt; i <= full.length; i++) {
    const closed = closeCutJson(full.slice(0, i)) as { choices: { message: { content?: string } }[] };
    assert.ok(closed !== undefined, `cut at ${i} did not parse`);
    const got = closed.choices[0]!.message.content ?? '';
    assert.ok(content.startsWith(got), `cut at ${i}: ${JSON.stringify(got)}`);
    assert.ok(got.length >= kept, 'more input never keeps less text');
    kept = got.length;
  }
  assert.equal(kept, content.length);
  assert.deepEqual(closeCutJson('{"choices":[{"index":0,"mess'), { choices: [{ index: 0 }] });
  assert.deepEqual(closeCutJson('{"a":[1,2,tr'), { a: [1, 2] });
});

test('headers and then nothing: each attempt ends at timeoutMs, and the request gives up after the retries given (whole and streamed)', async () => {
  for (const stream of [false, true]) {
    const s = await serve(headersThenNothing(stream ? 'text/event-stream' : 'application/json'));
    try {
      const timeoutMs = 300;
      const client = new EndpointClient(EndpointConfigSchema.parse(config(s.url, { timeoutMs, maxRetries: 2, stream })));
      const t0 = performance.now();
      await assert.rejects(client.call({ api: 'chat', body: { model: 'm', messages: [] } }), (e: unknown) => {
        assert.ok(e instanceof EndpointError);
        assert.equal(e.kind, 'timeout', e.message);
        assert.equal(e.attempts, 3);
        assert.match(e.message, /no complete response within 300 ms \(gave up after 3 attempts\)/);
        return true;
      });
      const elapsed = performance.now() - t0;
      console.log(`headers then nothing (${stream ? 'stream' : 'whole'}): gave up after ${Math.round(elapsed)} ms, ${s.requests} requests`);
      assert.equal(s.requests, 3);
      // Three timeouts plus two tiny backoffs; never the 120 s default per attempt.
      assert.ok(elapsed >= 3 * timeoutMs - 30 && elapsed < 3 * timeoutMs + 1_000, `${elapsed} ms`);
    } finally {
      await s.close();
    }
  }
});

test('maxWallMs is overshot by less than one request timeout, whatever the server does (hangs, or answers slowly)', async () => {
  const slowAnswer = (_req: IncomingMessage, res: ServerResponse) => {
    const t = setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'c', choices: [{ index: 0, message: { role: 'assistant', content: 'a step' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2 } }));
    }, 150);
    res.on('close', () => clearTimeout(t));
  };
  for (const [what, handler] of [['hang', headersThenNothing('application/json')], ['slow', slowAnswer]] as const) {
    const s = await serve(handler);
    try {
      const timeoutMs = 2_000;
      const maxWallMs = 500;
      const gen = createEndpointGenerator(config(s.url, { timeoutMs, maxRetries: 4, nStrategy: 'separate' }), {});
      const t0 = performance.now();
      const run = await runSearch({
        tree: freshTree(),
        config: { strategy: 'beam', params: { N: 2, width: 2, concurrency: 2, maxErrors: 1000 }, budgets: { maxWallMs }, verifier: { kind: 'answer', params: {} } },
        generator: gen,
      });
      const elapsed = performance.now() - t0;
      console.log(`maxWallMs ${maxWallMs}, ${what} server: run ${run.status} after ${Math.round(elapsed)} ms (${s.requests} requests)`);
      assert.ok(elapsed - maxWallMs < timeoutMs, `overshoot ${elapsed - maxWallMs} ms`);
      assert.ok(elapsed >= maxWallMs - 20, `${elapsed}`);
      assert.match(run.reason ?? '', /maxWallMs/);
    } finally {
      await s.close();
    }
  }
});

test('a step longer than maxStepChars is cut to its first maxStepChars characters and marked on the node', async () => {
  const long = 'y'.repeat(10_000);
  const tree = freshTree();
  const gen = makeGenerator((req) => (req.steps.length === 0 ? long : 'The answer is 42'));
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 1, width: 1, maxDepth: 2 }, verifier: { kind: 'answer', params: {} } }, generator: gen });
  const first = tree.trace.nodes.find((n) => n.runId === run.id && n.parentId === tree.root().id && n.kind !== 'rollout');
  assert.ok(first);
  assert.equal(first.text.length, DEFAULT_MAX_STEP_CHARS);
  assert.equal(first.text, long.slice(0, DEFAULT_MAX_STEP_CHARS));
  assert.equal(first.finishReason, 'cut');
  assert.equal(first.meta?.cut, `step over maxStepChars (4000): kept the first 4000 of 10000 characters`);
  // A short step is left alone.
  const short = tree.trace.nodes.find((n) => n.parentId === first.id);
  assert.ok(short && short.finishReason !== 'cut' && short.meta?.cut === undefined);

  const g = { text: 'abcdef', finishReason: 'stop', tokensIn: 0, tokensOut: 3, latencyMs: 1, cached: false };
  assert.deepEqual(capStep(g, 6), { g });
  const cut = capStep(g, 4);
  assert.equal(cut.g.text, 'abcd');
  assert.equal(cut.g.finishReason, 'cut');
  assert.equal(cut.cut, 'step over maxStepChars (4): kept the first 4 of 6 characters');
});
