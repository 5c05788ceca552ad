/**
 * The reference server answers in the exact shapes of OpenAI's API: its raw HTTP responses are validated against
 * the published OpenAPI description (../shared/reference/openai-openapi.json, $refs resolved by ajv).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../src/core/server/referenceServer';
import { longCotPolicy } from '../../src/core/server/policies/longCotResponder';
import { countdownPolicy } from '../../src/core/server/policies/countdownProposer';

const SPEC = join(__dirname, '../../../shared/reference/openai-openapi.json');
const haveSpec = existsSync(SPEC);
const skip = haveSpec ? false : 'skipped: ../shared is absent';

let ajv: Ajv2020;
const validators = new Map<string, ValidateFunction>();
let server: ReferenceServer;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed bodies are checked by the schemas, not by TypeScript
type Json = any;
const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';

function validator(name: string): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile({ $ref: `openai.json#/components/schemas/${name}` });
    validators.set(name, v);
  }
  return v;
}

function assertConforms(name: string, body: unknown): void {
  const v = validator(name);
  const ok = v(body);
  assert.ok(ok, `${name}: ${JSON.stringify(v.errors?.slice(0, 5), null, 1)}\nbody: ${JSON.stringify(body).slice(0, 600)}`);
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function sseData(text: string): string[] {
  return text
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice(6));
}

/**
 * The description mixes OpenAPI 3.0's `nullable: true` into 3.1 schemas (sometimes without `type`); rewrite it the
 * 3.1 way (`type: [t, 'null']`, null added to an `enum`, or `anyOf` with null) so ajv reads it as the API means it.
 */
function normalizeNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeNullable);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = normalizeNullable(v);
  if (out.nullable !== true) {
    delete out.nullable;
    return out;
  }
  delete out.nullable;
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  if (Array.isArray(out.type)) return { ...out, type: [...new Set([...out.type, 'null'])] };
  return { anyOf: [out, { type: 'null' }] };
}

before(async () => {
  if (!haveSpec) return;
  const spec = normalizeNullable(JSON.parse(readFileSync(SPEC, 'utf8'))) as Record<string, unknown>;
  // strict: false ignores OpenAPI-only keywords (x-oaiMeta, discriminator, deprecated); `nullable` is understood by ajv.
  ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addFormat('unixtime', true);
  ajv.addSchema(spec, 'openai.json');
  server = await startReferenceServer({
    policies: { 'sim-countdown': countdownPolicy(), 'sim-long-cot-r': longCotPolicy({ name: 'sim-long-cot-r', style: 'reasoning-field' }) },
    apiKey: 'test-key-123456',
    maxConcurrent: 1,
    latencyMs: 0,
  });
});

after(async () => {
  await server?.close();
});

const auth = { authorization: 'Bearer test-key-123456' };

test('chat completion (n, stop, logprobs, reasoning_content) matches CreateChatCompletionResponse', { skip }, async () => {
  const res = await post('/chat/completions', { model: 'sim-countdown', messages: [{ role: 'user', content: PROBLEM }], n: 2, stop: ['\n\n'], logprobs: true, top_logprobs: 3, seed: 1 }, auth);
  assert.equal(res.status, 200);
  const body: Json = await res.json();
  assertConforms('CreateChatCompletionResponse', body);
  assert.equal(body.choices.length, 2);
  assert.equal(body.choices[0].logprobs.content[0].top_logprobs.length, 3);
  const r = await post('/chat/completions', { model: 'sim-long-cot-r', messages: [{ role: 'user', content: 'What is 2 + 3 * 4?' }] }, auth);
  const rb: Json = await r.json();
  assertConforms('CreateChatCompletionResponse', rb);
  assert.match(rb.choices[0].message.reasoning_content, /Let me double-check/);
});

test('every chat stream chunk (role, content, finish, usage) matches CreateChatCompletionStreamResponse', { skip }, async () => {
  const res = await post('/chat/completions', { model: 'sim-countdown', messages: [{ role: 'user', content: PROBLEM }], n: 2, logprobs: true, stream: true, stream_options: { include_usage: true }, seed: 2 }, auth);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const events = sseData(await res.text());
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  assert.ok(chunks.length > 4);
  for (const c of chunks) assertConforms('CreateChatCompletionStreamResponse', c);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage.completion_tokens > 0);
  assert.equal(chunks.filter((c) => c.choices[0]?.finish_reason).length, 2);
});

test('completion (logprobs) matches CreateCompletionResponse', { skip }, async () => {
  const res = await post('/completions', { model: 'sim-countdown', prompt: `Problem: ${PROBLEM}\n\nSolution:\n\n`, logprobs: 2, max_tokens: 30, seed: 3 }, auth);
  assert.equal(res.status, 200);
  const body: Json = await res.json();
  assertConforms('CreateCompletionResponse', body);
  assert.equal(body.choices[0].logprobs.tokens.join(''), body.choices[0].text);
});

test('model list and model match ListModelsResponse and Model', { skip }, async () => {
  const list: Json = await (await fetch(`${server.url}/models`, { headers: auth })).json();
  assertConforms('ListModelsResponse', list);
  assert.deepEqual(list.data.map((m: { id: string }) => m.id).sort(), ['sim-countdown', 'sim-long-cot-r']);
  const one = await (await fetch(`${server.url}/models/sim-countdown`, { headers: auth })).json();
  assertConforms('Model', one);
});

test('error bodies (400, 401, 404, 429, 500, 503) match ErrorResponse', { skip }, async () => {
  const cases: [number, Promise<Response>][] = [
    [400, post('/chat/completions', { model: 'sim-countdown', messages: [] }, auth)],
    [401, post('/chat/completions', { model: 'sim-countdown', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer wrong' })],
    [404, post('/chat/completions', { model: 'nope', messages: [{ role: 'user', content: 'x' }] }, auth)],
    [404, fetch(`${server.url}/nowhere`, { headers: auth })],
  ];
  for (const [status, p] of cases) {
    const res = await p;
    assert.equal(res.status, status);
    assertConforms('ErrorResponse', await res.json());
  }
  server.setFaults({ sequence: ['429', '500', '503'] });
  for (const status of [429, 500, 503]) {
    const res = await post('/chat/completions', { model: 'sim-countdown', messages: [{ role: 'user', content: PROBLEM }] }, auth);
    assert.equal(res.status, status);
    assertConforms('ErrorResponse', await res.json());
    if (status !== 500) assert.ok(Number(res.headers.get('retry-after')) >= 1);
  }
  server.setFaults(undefined);
});
