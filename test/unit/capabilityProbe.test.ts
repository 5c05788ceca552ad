/**
 * Capability probing against the reference server's knobs and tiny custom servers (stop kept or ignored, continuation
 * refused, completions absent, reasoning fields, cached tokens), and the store that remembers probes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeCapabilities, stopBehaviour } from '../../src/core/llm/capabilityProbe';
import { CapabilityStore, capabilityKey } from '../../src/core/llm/capabilityStore';
import { EndpointConfigSchema } from '../../src/core/llm/endpointConfig';
import type { EndpointConfigInput } from '../../src/core/llm/endpointConfig';
import { EndpointError } from '../../src/core/llm/errors';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServerOptions } from '../../src/core/server/referenceServer';
import { capabilityMarkdown, capabilityRows, capabilitySummary } from '../../src/core/run/capabilityTable';
import { CapabilitiesSchema } from '../../src/core/trace/schema';
import type { Capabilities } from '../../src/core/trace/schema';

const dir = mkdtempSync(join(tmpdir(), 'metacot-caps-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cfg = (over: Partial<EndpointConfigInput> & { baseUrl: string }) => EndpointConfigSchema.parse({ name: 'probe', model: 'sim-countdown', maxRetries: 0, ...over });

async function probeReference(options: ReferenceServerOptions = {}, over: Partial<EndpointConfigInput> = {}) {
  const s = await startReferenceServer({ seed: 3, ...options });
  try {
    const caps = await probeCapabilities(cfg({ baseUrl: s.url, ...over }));
    return { caps, sent: s.log.generations().length, bodies: s.log.generations().map((e) => e.body as Record<string, unknown>) };
  } finally {
    await s.close();
  }
}

test('reference server: everything but echo is honoured, in at most 8 requests of at most 48 tokens', async () => {
  const { caps, sent, bodies } = await probeReference();
  assert.ok(CapabilitiesSchema.safeParse(caps).success);
  const { probedAt, ...found } = caps;
  assert.ok(!Number.isNaN(Date.parse(probedAt)));
  assert.deepEqual(found, {
    n: 'yes',
    logprobs: 'yes',
    topLogprobs: 'yes',
    stop: 'cuts',
    seed: 'yes',
    continuation: 'yes',
    completions: 'yes',
    echo: 'no',
    reasoningField: 'none',
    cachedTokens: 'yes',
    requests: 5,
  });
  assert.equal(sent, 5);
  for (const b of bodies) assert.ok((b.max_tokens as number) <= 48, JSON.stringify(b));
  // The Countdown problem is what is asked about.
  assert.match(JSON.stringify(bodies[0]), /Use the numbers 3, 5, 7, 2 to reach 24/);
});

test('n ignored: one choice back is n "no", without a refusal note', async () => {
  const { caps, sent } = await probeReference({ nSupport: 'ignore' });
  assert.equal(caps.n, 'no');
  assert.equal(caps.logprobs, 'yes');
  assert.equal(caps.notes, undefined);
  assert.equal(caps.requests, 5);
  assert.equal(sent, 5);
});

test('n rejected: the refusal is noted in the server\'s words, the rest is still probed', async () => {
  const { caps, sent, bodies } = await probeReference({ nSupport: 'reject' });
  assert.equal(caps.n, 'no');
  assert.equal(caps.logprobs, 'yes');
  assert.equal(caps.stop, 'cuts');
  assert.equal(caps.requests, 6);
  assert.equal(sent, 6);
  assert.equal(bodies[1]!.n, undefined);
  assert.equal(caps.notes?.length, 1);
  assert.match(caps.notes![0]!, /^n refused: .*'n' must be 1/);
});

test('logprobs rejected: logprobs and top_logprobs "no", one resend without them', async () => {
  const { caps, sent, bodies } = await probeReference({ unsupportedParams: ['logprobs'] });
  assert.equal(caps.logprobs, 'no');
  assert.equal(caps.topLogprobs, 'no');
  assert.equal(caps.n, 'yes');
  assert.equal(sent, 6);
  assert.equal(bodies[1]!.logprobs, undefined);
  assert.equal(bodies[1]!.top_logprobs, undefined);
  assert.match(caps.notes![0]!, /^logprobs refused: Unsupported parameter: 'logprobs'/);
});

test('completions mode: the main request goes to /v1/completions and reads its logprobs', async () => {
  const s = await startReferenceServer({ seed: 3 });
  try {
    const caps = await probeCapabilities(cfg({ baseUrl: s.url, mode: 'completions' }));
    const paths = s.log.generations().map((e) => e.path);
    assert.equal(paths[0], '/v1/completions');
    assert.equal(caps.n, 'yes');
    assert.equal(caps.logprobs, 'yes');
    assert.equal(caps.topLogprobs, 'yes');
    assert.equal(caps.completions, 'yes');
    assert.equal(caps.continuation, 'yes');
  } finally {
    await s.close();
  }
});

test('failures that are not answers end the probe with the client\'s EndpointError', async () => {
  const s = await startReferenceServer({ apiKey: 'sk-probe-secret-123456' });
  try {
    await assert.rejects(probeCapabilities(cfg({ baseUrl: s.url })), (e: unknown) => e instanceof EndpointError && e.kind === 'auth');
    await assert.rejects(probeCapabilities(cfg({ baseUrl: s.url, model: 'no-such-model' }), { apiKey: 'sk-probe-secret-123456' }), (e: unknown) => e instanceof EndpointError && e.kind === 'model-not-found');
    const ok = await probeCapabilities(cfg({ baseUrl: s.url }), { apiKey: 'sk-probe-secret-123456' });
    assert.equal(ok.n, 'yes');
  } finally {
    await s.close();
  }
  const gone = await startReferenceServer();
  await gone.close();
  await assert.rejects(probeCapabilities(cfg({ baseUrl: gone.url })), (e: unknown) => e instanceof EndpointError && e.kind === 'unreachable');
  const ctl = new AbortController();
  ctl.abort();
  await assert.rejects(probeCapabilities(cfg({ baseUrl: gone.url }), { signal: ctl.signal }), (e: unknown) => e instanceof EndpointError && e.kind === 'cancelled');
});

// A tiny OpenAI-shaped server whose answers each test writes: (path, body) → [status, body].
type Reply = [number, unknown];
async function fakeServer(answer: (path: string, body: Record<string, unknown>) => Reply) {
  const seen: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
      const path = (req.url ?? '').replace(/^\/v1/, '');
      seen.push({ path, body });
      const [status, out] = answer(path, body);
      res.writeHead(status, { 'content-type': typeof out === 'string' ? 'text/plain' : 'application/json' });
      res.end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  after(() => new Promise<void>((r) => server.close(() => r())));
  return { url, seen };
}

interface ChatAnswer {
  content?: string;
  finish?: string;
  message?: Record<string, unknown>;
  usage?: Record<string, unknown>;
  choices?: number;
}
const chat = (a: ChatAnswer): Reply => [
  200,
  {
    choices: Array.from({ length: a.choices ?? 1 }, (_, index) => ({ index, message: { role: 'assistant', content: a.content ?? '5 * 2 = 10 (left: 4, 10)', ...a.message }, finish_reason: a.finish ?? 'stop' })),
    usage: a.usage ?? { prompt_tokens: 10, completion_tokens: 5 },
  },
];
const completion = (text: string, usage: Record<string, unknown> = { prompt_tokens: 10, completion_tokens: 5 }): Reply => [200, { choices: [{ index: 0, text, finish_reason: 'stop' }], usage }];

async function probeFake(answer: (path: string, body: Record<string, unknown>) => Reply): Promise<{ caps: Capabilities; seen: { path: string; body: Record<string, unknown> }[] }> {
  const { url, seen } = await fakeServer(answer);
  return { caps: await probeCapabilities(cfg({ baseUrl: url, model: 'm' })), seen };
}

test('stop ignored (the text runs past a blank line), no logprobs, no cached tokens, seed not honoured', async () => {
  let draws = 0;
  const { caps } = await probeFake((path, body) => {
    if (path === '/completions') return completion('x');
    if (body.seed !== undefined) return chat({ content: `draw ${draws++}` });
    return chat({ content: '7 - 3 = 4 (left: 4, 5, 2)\n\n5 * 4 = 20', finish: 'length' });
  });
  assert.equal(caps.stop, 'ignored');
  assert.equal(caps.logprobs, 'no');
  assert.equal(caps.topLogprobs, 'no');
  assert.equal(caps.n, 'no');
  assert.equal(caps.cachedTokens, 'no');
  assert.equal(caps.seed, 'no');
});

test('stop kept (the text ends with the stop string); cached tokens reported; echo honoured', async () => {
  const { caps } = await probeFake((path, body) => {
    if (path === '/completions') return completion(`${body.echo ? String(body.prompt) : ''}7 - 3 = 4`);
    return chat({ content: '7 - 3 = 4 (left: 4, 5, 2)\n\n', choices: 2, usage: { prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 0 } } });
  });
  assert.equal(caps.stop, 'keeps');
  assert.equal(caps.n, 'yes');
  assert.equal(caps.cachedTokens, 'yes');
  assert.equal(caps.echo, 'yes');
  assert.equal(caps.seed, 'yes');
});

test('continuation refused with 4xx, completions absent (404): "no" each, the server\'s words in notes', async () => {
  const { caps, seen } = await probeFake((path, body) => {
    if (path === '/completions') return [404, { error: { message: 'Not Found', type: 'not_found' } }];
    if (body.continue_final_message) return [400, { error: { message: 'Unrecognized request argument supplied: continue_final_message', type: 'invalid_request_error' } }];
    return chat({});
  });
  assert.equal(caps.continuation, 'no');
  assert.equal(caps.completions, 'no');
  assert.equal(caps.echo, 'no');
  assert.equal(caps.stop, 'cuts');
  assert.ok(caps.notes?.some((n) => /^continuation refused: .*continue_final_message/.test(n)), JSON.stringify(caps.notes));
  assert.ok(caps.notes?.some((n) => n.startsWith('/v1/completions refused')), JSON.stringify(caps.notes));
  // Main, two seeded, continuation, completions with echo, completions without echo.
  assert.equal(seen.length, 6);
  assert.equal(caps.requests, 6);
  assert.ok(seen.length <= 8);
});

test('echo refused alone: completions "yes", echo "no"', async () => {
  const { caps } = await probeFake((path, body) => {
    if (path === '/completions') return body.echo ? [400, { error: { message: "'echo' is not supported" } }] : completion('7 - 3 = 4');
    return chat({});
  });
  assert.equal(caps.completions, 'yes');
  assert.equal(caps.echo, 'no');
  assert.ok(caps.notes?.some((n) => n.startsWith('echo refused')));
});

test('reasoning field: reasoning_content, reasoning, <think> tags or a bare </think>, none', async () => {
  const field = async (message: Record<string, unknown>) => (await probeFake((path) => (path === '/completions' ? completion('x') : chat({ message })))).caps.reasoningField;
  assert.equal(await field({ reasoning_content: 'let me think' }), 'reasoning_content');
  assert.equal(await field({ reasoning: 'let me think' }), 'reasoning');
  assert.equal(await field({ content: '<think>hmm</think>7 - 3 = 4' }), 'think-tags');
  assert.equal(await field({ content: 'hmm, 7 - 3 first</think>\n\n7 - 3 = 4' }), 'think-tags');
  assert.equal(await field({ reasoning_content: null }), 'none');
});

test('stopBehaviour: ignored, keeps, cuts, unknown (reasoning before </think> does not count)', () => {
  assert.equal(stopBehaviour('a\n\nb', 'length'), 'ignored');
  assert.equal(stopBehaviour('a\n\nb\n\n', 'stop'), 'ignored');
  assert.equal(stopBehaviour('a\n\n', 'stop'), 'keeps');
  assert.equal(stopBehaviour('a', 'stop'), 'cuts');
  assert.equal(stopBehaviour('a', 'length'), 'unknown');
  assert.equal(stopBehaviour('think\n\nmore</think>\n\na', 'stop'), 'cuts');
});

const sample: Capabilities = { probedAt: '2026-12-01T00:00:00.000Z', n: 'no', logprobs: 'yes', topLogprobs: 'no', stop: 'ignored', seed: 'yes', continuation: 'no', completions: 'yes', echo: 'no', reasoningField: 'reasoning', cachedTokens: 'no', requests: 6, notes: ['continuation refused: Extra inputs | are not permitted'] };

test('store: round trip, key per origin + base path + model + mode, corrupt files are a miss, forget', async () => {
  const store = new CapabilityStore(join(dir, 'store'));
  const a = { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', mode: 'chat' as const };
  assert.equal(await store.get(a), undefined);
  await store.put(a, sample);
  assert.deepEqual(await store.get(a), sample);
  // The same endpoint written differently: a trailing slash or credentials in the URL.
  assert.deepEqual(await store.get({ ...a, baseUrl: 'http://127.0.0.1:8000/v1/' }), sample);
  assert.deepEqual(await store.get({ ...a, baseUrl: 'http://u:p@127.0.0.1:8000/v1' }), sample);
  for (const other of [{ ...a, model: 'm2' }, { ...a, mode: 'completions' as const }, { ...a, baseUrl: 'http://127.0.0.1:8001/v1' }, { ...a, baseUrl: 'http://127.0.0.1:8000/v2' }]) {
    assert.equal(await store.get(other), undefined, capabilityKey(other));
  }
  const files = readdirSync(join(dir, 'store'));
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^[0-9a-f]{64}\.json$/);
  writeFileSync(store.file(a), '{"v":1,"endpoint":');
  assert.equal(await store.get(a), undefined);
  writeFileSync(store.file(a), JSON.stringify({ v: 1, endpoint: capabilityKey(a), capabilities: { ...sample, n: 'maybe' } }));
  assert.equal(await store.get(a), undefined);
  await store.put(a, sample);
  assert.equal(await store.forget(a), true);
  assert.equal(await store.get(a), undefined);
  assert.equal(await store.forget(a), false);
});

test('capability table: one row per capability with what the client does; summary and markdown', () => {
  const rows = capabilityRows(sample, 'chat-continue');
  assert.equal(rows.length, 10);
  const n = rows.find((r) => r.capability.startsWith('n '))!;
  assert.equal(n.lacking, true);
  assert.match(n.client, /one request per sample/);
  assert.match(rows.find((r) => r.capability.startsWith('continuation'))!.client, /falls back to completions mode.*set to chat-continue/);
  assert.match(rows.find((r) => r.capability.startsWith('stop'))!.client, /cuts each step/);
  assert.equal(capabilitySummary(sample), 'n ✗ logprobs ✓ top_logprobs ✗ stop ignored seed ✓ continuation ✗ completions ✓ echo ✗ reasoning reasoning cached tokens ✗');
  const md = capabilityMarkdown('endpoint x (model m)', sample);
  assert.equal(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| capability') && !l.startsWith('| ---')).length, 10);
  assert.match(md, /Extra inputs \\\| are not permitted/);
  // A server's HTML (or a bare <think>) shows as text in the preview, never as markup.
  const hostile = capabilityMarkdown('x', { ...sample, notes: ['refused: <img src=x onerror=alert(1)> & <think>'] });
  assert.match(hostile, /refused: &lt;img src=x onerror=alert\(1\)&gt; &amp; &lt;think&gt;/);
  assert.doesNotMatch(hostile, /<img|<think>/);
});

test('refusals naming several fields drop them together; a field refused with a 500 (llama.cpp) is still a refusal', async () => {
  const lp = (top: boolean) => ({ content: [{ token: '7', logprob: -0.1, ...(top ? { top_logprobs: [{ token: '7', logprob: -0.1 }, { token: '5', logprob: -2 }] } : {}) }] });
  const several = await probeFake((path, body) => {
    if (path === '/completions') return completion('x');
    if (body.n !== undefined || body.top_logprobs !== undefined) return [422, { detail: "Unsupported fields in the request: {'n', 'top_logprobs'}" }];
    const [status, out] = chat({});
    if (body.logprobs) (out as { choices: Record<string, unknown>[] }).choices[0]!.logprobs = lp(false);
    return [status, out];
  });
  assert.equal(several.caps.n, 'no');
  assert.equal(several.caps.logprobs, 'yes');
  assert.equal(several.caps.topLogprobs, 'no');
  assert.equal(several.seen.filter((q) => q.path === '/chat/completions' && q.body.seed === undefined && !q.body.continue_final_message).length, 2);
  assert.match(several.caps.notes![0]!, /^n, top_logprobs refused: Unsupported fields in the request/);

  const llama = await probeFake((path, body) => {
    if (path === '/completions') return completion('x');
    if (typeof body.n === 'number' && body.n > 1) return [500, { error: { code: 500, message: 'Only one completion choice is allowed', type: 'server_error' } }];
    const [status, out] = chat({});
    if (body.logprobs) (out as { choices: Record<string, unknown>[] }).choices[0]!.logprobs = lp(body.top_logprobs !== undefined);
    return [status, out];
  });
  assert.equal(llama.caps.n, 'no');
  assert.equal(llama.caps.logprobs, 'yes');
  assert.equal(llama.caps.topLogprobs, 'yes');
  assert.match(llama.caps.notes![0]!, /^n refused: Only one completion choice is allowed/);
  assert.ok(llama.caps.requests <= 8);
});
