/**
 * Errors in the server's own words: extractServerMessage over every body shape real OpenAI-compatible servers send
 * (and hostile ones), the cause read from the words whatever the status, and the whole path through EndpointClient
 * against a tiny HTTP server answering each shape: kind, status, server message, field, attempts, advice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extractServerMessage, fieldInMessage, MAX_SERVER_MESSAGE } from '../../src/core/llm/errorBody';
import { fieldAdvice, isUnknownModel } from '../../src/core/llm/errorCause';
import { EndpointClient } from '../../src/core/llm/endpointClient';
import { EndpointConfigSchema } from '../../src/core/llm/endpointConfig';
import { EndpointError } from '../../src/core/llm/errors';
import type { EndpointErrorKind } from '../../src/core/llm/errors';
import { cliAdvice, fieldNamed } from '../../src/cli/runAdvice';
import { SERVER_PROFILES } from '../../src/core/server/profiles';
import { profileHttpError } from '../../src/core/server/profileErrors';

const KEY = 'sk-live-9f8e7d6c5b4a3f2e1d0c';
const json = (v: unknown): string => JSON.stringify(v);

// ---- extractServerMessage: every shape ----

const shapes: { name: string; status: number; body: string; type?: string; message: string | RegExp; field?: string; code?: string }[] = [
  {
    name: 'OpenAI error object with param and code',
    status: 400,
    body: json({ error: { message: "Unsupported parameter: 'seed' is not supported with this model.", type: 'invalid_request_error', param: 'seed', code: 'unsupported_parameter' } }),
    message: "Unsupported parameter: 'seed' is not supported with this model",
    field: 'seed',
    code: 'unsupported_parameter',
  },
  {
    name: 'OpenAI unrecognized argument (param null): field from the words',
    status: 400,
    body: json({ error: { message: 'Unrecognized request argument supplied: continue_final_message', type: 'invalid_request_error', param: null, code: null } }),
    message: 'Unrecognized request argument supplied: continue_final_message',
    field: 'continue_final_message',
    code: 'invalid_request_error',
  },
  {
    name: 'OpenAI unknown model',
    status: 404,
    body: json({ error: { message: 'The model `gpt-9` does not exist or you do not have access to it.', type: 'invalid_request_error', param: null, code: 'model_not_found' } }),
    message: 'The model `gpt-9` does not exist or you do not have access to it',
    code: 'model_not_found',
  },
  { name: 'Ollama {error: "text"}', status: 404, body: json({ error: 'model "llama9" not found, try pulling it first' }), message: 'model "llama9" not found, try pulling it first' },
  {
    name: 'vLLM flat error',
    status: 404,
    body: json({ object: 'error', message: 'The model `x` does not exist.', type: 'NotFoundError', param: null, code: 404 }),
    message: 'The model `x` does not exist',
    code: '404',
  },
  {
    name: 'vLLM flat error carrying a pydantic v1 repr',
    status: 400,
    body: json({ object: 'error', message: "[{'loc': ('body', 'best_of'), 'msg': 'extra fields not permitted', 'type': 'value_error.extra'}]", type: 'BadRequestError', param: null, code: 400 }),
    message: /extra fields not permitted/,
    field: 'best_of',
  },
  { name: 'FastAPI detail text', status: 422, body: json({ detail: "Unexpected keys in the request: {'continue_final_message', 'add_generation_prompt'}" }), message: "Unexpected keys in the request: {'continue_final_message', 'add_generation_prompt'}", field: 'continue_final_message' },
  {
    name: 'FastAPI validation list, two items joined',
    status: 422,
    body: json({
      detail: [
        { type: 'extra_forbidden', loc: ['body', 'continue_final_message'], msg: 'Extra inputs are not permitted', input: true },
        { type: 'extra_forbidden', loc: ['body', 'add_generation_prompt'], msg: 'Extra inputs are not permitted', input: false },
      ],
    }),
    message: 'body.continue_final_message: Extra inputs are not permitted; body.add_generation_prompt: Extra inputs are not permitted',
    field: 'continue_final_message',
    code: 'extra_forbidden',
  },
  {
    name: 'llama.cpp error object with a numeric code',
    status: 400,
    body: json({ error: { code: 400, message: 'Only one completion choice is allowed', type: 'invalid_request_error' } }),
    message: 'Only one completion choice is allowed',
    field: 'n',
    code: '400',
  },
  { name: 'top-level message', status: 500, body: json({ message: 'CUDA out of memory.' }), message: 'CUDA out of memory' },
  { name: 'RFC 7807 problem with title only', status: 400, body: json({ type: 'about:blank', title: 'Bad Request', status: 400 }), message: 'Bad Request' },
  { name: 'plain text', status: 500, body: 'Internal Server Error\n', type: 'text/plain; charset=utf-8', message: 'Internal Server Error' },
  {
    name: "a proxy's HTML 502: title first, tags stripped, whitespace folded",
    status: 502,
    body: '<html>\r\n<head><title>502 Bad Gateway</title><style>body{color:red}</style></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n',
    type: 'text/html',
    message: '502 Bad Gateway: nginx/1.25.3',
  },
  { name: 'HTML without a title: the first heading', status: 404, body: '<!DOCTYPE html><body><h1>Not Found</h1><p>The requested URL was not found on this server &amp; that&#39;s all.</p></body>', message: "Not Found: The requested URL was not found on this server & that's all" },
  { name: 'empty body', status: 400, body: '', message: 'empty body' },
  { name: 'whitespace-only body', status: 502, body: '  \n\t ', message: 'empty body' },
  { name: 'JSON cut short: what it began to say', status: 500, body: '{"error": {"message": "half', message: 'half' },
  { name: 'JSON-looking text that cannot be closed is text', status: 500, body: '{oops: not json}', type: 'text/plain', message: '{oops: not json}' },
  {
    name: 'nested JSON: a gateway wrapping the upstream body',
    status: 502,
    body: json({ error: { message: json({ detail: [{ loc: ['body', 'n'], msg: 'Input should be less than or equal to 1', type: 'less_than_equal' }] }), type: 'upstream_error' } }),
    message: 'body.n: Input should be less than or equal to 1',
    field: 'n',
  },
];

for (const s of shapes) {
  test(`extractServerMessage: ${s.name}`, () => {
    const info = extractServerMessage(s.status, s.body, s.type ?? 'application/json');
    if (typeof s.message === 'string') assert.equal(info.message, s.message);
    else assert.match(info.message, s.message);
    assert.equal(info.field, s.field);
    if (s.code !== undefined) assert.equal(info.code, s.code);
  });
}

test('extractServerMessage: a huge body is bounded (and a huge HTML page too)', () => {
  const huge = json({ error: { message: `boom ${'x'.repeat(1_000_000)}` } });
  const info = extractServerMessage(500, huge, 'application/json');
  assert.equal(info.message.length, MAX_SERVER_MESSAGE);
  assert.ok(info.message.startsWith('boom xxx') && info.message.endsWith('…'));
  const page = extractServerMessage(502, `<html><body>${'<p>row</p>'.repeat(200_000)}</body></html>`, 'text/html');
  assert.ok(page.message.length <= MAX_SERVER_MESSAGE && page.message.startsWith('row row'));
});

test('extractServerMessage: deeply nested JSON ends, bounded, without a crash', () => {
  let v: unknown = 'innermost';
  for (let i = 0; i < 200; i++) v = { error: { message: v } };
  const info = extractServerMessage(500, json(v), 'application/json');
  assert.ok(info.message.length > 0 && info.message.length <= MAX_SERVER_MESSAGE, info.message);
  let s = 'deep';
  for (let i = 0; i < 20; i++) s = json({ error: { message: s } });
  assert.equal(extractServerMessage(500, s).message.includes('"error"'), true, 'stops unwrapping at the depth limit');
});

test('extractServerMessage: non-UTF-8 bytes and control characters do not reach the message', () => {
  const bytes = Buffer.concat([Buffer.from('bad '), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(' byte\u0000\u0007 here')]);
  const info = extractServerMessage(400, new TextDecoder().decode(bytes), 'text/plain');
  assert.equal(info.message, 'bad \ufffd byte here');
});

test('extractServerMessage: a key the server echoes back is redacted, even cut at the bound', () => {
  const echoed = extractServerMessage(401, json({ error: { message: `Incorrect API key provided: ${KEY}. You can find your API key at https://x/keys.` } }), 'application/json', [KEY]);
  assert.ok(!echoed.message.includes(KEY) && !echoed.message.includes(KEY.slice(0, 12)), echoed.message);
  assert.match(echoed.message, /Incorrect API key provided: \*\*\*/);
  // A key not passed as a secret is still masked by its shape, and the bound cuts after redaction.
  const long = extractServerMessage(400, `${'a'.repeat(MAX_SERVER_MESSAGE - 10)} Authorization: Bearer abcdefghijklmnop`, 'text/plain');
  assert.ok(!long.message.includes('abcdefgh'), long.message);
  const field = extractServerMessage(400, json({ error: { message: 'bad', param: KEY } }), 'application/json', [KEY]);
  assert.equal(field.field, '***');
});

test('fieldInMessage: the phrasings servers use', () => {
  assert.equal(fieldInMessage('Unrecognized request argument supplied: add_generation_prompt'), 'add_generation_prompt');
  assert.equal(fieldInMessage("unsupported parameter: 'top_logprobs'"), 'top_logprobs');
  assert.equal(fieldInMessage('Unsupported param: echo'), 'echo');
  assert.equal(fieldInMessage("Unexpected keys in the request: {'seed'}"), 'seed');
  assert.equal(fieldInMessage('1 validation error for ChatCompletionRequest continue_final_message Extra inputs are not permitted [type=extra_forbidden]'), 'continue_final_message');
  assert.equal(fieldInMessage('body.stop: extra fields not permitted'), 'stop');
  assert.equal(fieldInMessage('logprobs is not supported for this model'), 'logprobs');
  assert.equal(fieldInMessage('The model `x` does not exist'), undefined);
  assert.equal(fieldInMessage('n must be at most 1'), 'n');
  assert.equal(fieldInMessage("Unsupported fields in the request: {'n', 'top_logprobs'}"), 'n');
  assert.equal(fieldInMessage('Unknown fields: continue_final_message, add_generation_prompt'), 'continue_final_message');
  assert.equal(fieldInMessage('Only no echo is supported'), 'echo');
  assert.equal(fieldInMessage('a total of n tokens must be left for the answer'), undefined, 'a one-letter word is a field only when quoted or phrased as one');
  assert.equal(fieldInMessage("'n' must be 1 for this server"), 'n');
});

test('isUnknownModel: by code, by words, by the configured name; not a model that is loading', () => {
  assert.ok(isUnknownModel('whatever', 'model_not_found'));
  assert.ok(isUnknownModel('The model `qwen-9b` does not exist.', undefined));
  assert.ok(isUnknownModel('model "llama9" not found, try pulling it first', undefined));
  assert.ok(isUnknownModel('Unknown model: foo', undefined));
  assert.ok(isUnknownModel('no deployment named my-model is not found', undefined, 'my-model'));
  assert.ok(!isUnknownModel("This model's maximum context length is 4096 tokens", undefined));
  assert.ok(!isUnknownModel('Model is not loaded yet', undefined));
  assert.ok(!isUnknownModel('logprobs are not supported by this model', undefined));
});

test('fieldAdvice: what to change for each refused field', () => {
  assert.match(fieldAdvice('continue_final_message'), /cannot continue an assistant message\): use mode completions \(when it serves \/v1\/completions\) or chat/);
  assert.match(fieldAdvice('add_generation_prompt'), /use mode completions/);
  assert.match(fieldAdvice('n'), /nStrategy to "separate"/);
  assert.match(fieldAdvice('top_logprobs'), /sampling\.logprobs to false/);
  assert.match(fieldAdvice('seed'), /remove the sampling setting seed/);
  assert.match(fieldAdvice('top_p'), /remove the sampling setting topP/);
  assert.match(fieldAdvice('stop'), /remove the sampling setting stop/);
  assert.match(fieldAdvice('guided_json'), /request field "guided_json": remove the endpoint setting that sends it/);
});

// ---- end to end: EndpointClient against a server answering each shape ----

interface Answer {
  status: number;
  body: string | Buffer;
  type?: string;
  headers?: Record<string, string>;
}

async function withShapeServer(answer: Answer, fn: (url: string, hits: () => number) => Promise<void>): Promise<void> {
  let hits = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && req.url?.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(json({ object: 'list', data: [{ id: 'qwen-0.5b', object: 'model' }, { id: 'qwen-7b', object: 'model' }] }));
        return;
      }
      hits++;
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, () => hits);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

interface Case {
  name: string;
  answer: Answer;
  kind: EndpointErrorKind;
  attempts: number;
  serverMessage: string | RegExp;
  field?: string;
  message: RegExp;
  stream?: boolean;
  /** The endpoint's model (default qwen-9b, which the test server does not list). */
  model?: string;
}

const fastapiExtra = json({ detail: [{ type: 'extra_forbidden', loc: ['body', 'continue_final_message'], msg: 'Extra inputs are not permitted', input: true }] });

const cases: Case[] = [
  {
    name: 'FastAPI 422 validation list (transformers serve): field and the mode to use',
    answer: { status: 422, body: fastapiExtra },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: 'body.continue_final_message: Extra inputs are not permitted',
    field: 'continue_final_message',
    message: /^endpoint "e": the server refused the request \(422: body\.continue_final_message: Extra inputs are not permitted\)\. The server does not accept the request field "continue_final_message" \(this server cannot continue an assistant message\): use mode completions/,
  },
  {
    name: 'the same, streamed',
    answer: { status: 422, body: fastapiExtra },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: 'body.continue_final_message: Extra inputs are not permitted',
    field: 'continue_final_message',
    message: /\(422: body\.continue_final_message: Extra inputs are not permitted\)/,
    stream: true,
  },
  {
    name: 'vLLM flat 404 unknown model: the served ids listed',
    answer: { status: 404, body: json({ object: 'error', message: 'The model `qwen-9b` does not exist.', type: 'NotFoundError', param: null, code: 404 }) },
    kind: 'model-not-found',
    attempts: 1,
    serverMessage: 'The model `qwen-9b` does not exist',
    message: /model "qwen-9b" is not served at .* \(404: The model `qwen-9b` does not exist\)\. The server serves: qwen-0\.5b, qwen-7b\. Set the endpoint's model to one of them/,
  },
  {
    name: 'unknown model answered with 400: not advice about sampling',
    answer: { status: 400, body: json({ error: { message: 'The model `qwen-9b` does not exist.', type: 'BadRequestError', code: 400 } }) },
    kind: 'model-not-found',
    attempts: 1,
    serverMessage: 'The model `qwen-9b` does not exist',
    message: /The server serves: qwen-0\.5b, qwen-7b/,
  },
  {
    name: 'Ollama unknown model as a 500: not retried, not "overloaded"',
    answer: { status: 500, body: json({ error: 'model "qwen-9b" not found, try pulling it first' }) },
    kind: 'model-not-found',
    attempts: 1,
    serverMessage: 'model "qwen-9b" not found, try pulling it first',
    message: /\(500: model "qwen-9b" not found, try pulling it first\)\. The server serves: qwen-0\.5b, qwen-7b/,
  },
  {
    name: 'OpenAI 400 unrecognized argument n: nStrategy',
    answer: { status: 400, body: json({ error: { message: 'Unrecognized request argument supplied: n', type: 'invalid_request_error', param: null, code: null } }) },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: 'Unrecognized request argument supplied: n',
    field: 'n',
    message: /\(400: Unrecognized request argument supplied: n\)\. The server does not accept the request field "n": set the endpoint's nStrategy to "separate"/,
  },
  {
    name: 'llama.cpp 400 one choice only',
    answer: { status: 400, body: json({ error: { code: 400, message: 'Only one completion choice is allowed', type: 'invalid_request_error' } }) },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: 'Only one completion choice is allowed',
    field: 'n',
    message: /nStrategy/,
  },
  {
    name: 'FastAPI detail text naming logprobs',
    answer: { status: 422, body: json({ detail: "Unexpected keys in the request: {'logprobs'}" }) },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: "Unexpected keys in the request: {'logprobs'}",
    field: 'logprobs',
    message: /sampling\.logprobs to false/,
  },
  {
    name: 'an unsupported field behind a 500 is not retried',
    answer: { status: 500, body: json({ error: { message: 'Unsupported param: echo', type: 'server_error' } }) },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: 'Unsupported param: echo',
    field: 'echo',
    message: /request field "echo"/,
  },
  {
    name: '401 echoing the key: auth, the Set API Key command, no key',
    answer: { status: 401, body: json({ error: `invalid api key ${KEY}` }) },
    kind: 'auth',
    attempts: 1,
    serverMessage: 'invalid api key ***',
    message: /rejected the API key \(401: invalid api key \*\*\*\)\. Set a valid key for this endpoint with the "Meta-CoT: Set API Key" command/,
  },
  {
    name: 'a 400 that is about the key is auth',
    answer: { status: 400, body: json({ error: { message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } }) },
    kind: 'auth',
    attempts: 1,
    serverMessage: 'API key not valid. Please pass a valid API key',
    message: /Meta-CoT: Set API Key/,
  },
  {
    name: 'empty 400 body',
    answer: { status: 400, body: '' },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: 'empty body',
    message: /the server refused the request \(400: empty body\)\. Check the endpoint's sampling settings/,
  },
  {
    name: 'non-UTF-8 400 body',
    answer: { status: 400, body: Buffer.concat([Buffer.from('bad request '), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\u0000')]), type: 'text/plain' },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: /^bad request \ufffd\(\ufffd$/,
    message: /\(400: bad request /,
  },
  {
    name: 'a 1 MB 400 body: bounded',
    answer: { status: 400, body: json({ detail: `nope ${'y'.repeat(1_000_000)}` }) },
    kind: 'bad-request',
    attempts: 1,
    serverMessage: /^nope y+…$/,
    message: /\(400: nope y+…\)/,
  },
  {
    name: "a proxy's HTML 502: retried, in its own words",
    answer: { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>', type: 'text/html' },
    kind: 'server',
    attempts: 4,
    serverMessage: '502 Bad Gateway: nginx',
    message: /server error 502 \(502 Bad Gateway: nginx\) \(gave up after 4 attempts\)/,
  },
  {
    name: 'plain-text 500 for a model the server lists: retried',
    answer: { status: 500, body: 'Internal Server Error', type: 'text/plain' },
    model: 'qwen-7b',
    kind: 'server',
    attempts: 4,
    serverMessage: 'Internal Server Error',
    message: /server error 500 \(Internal Server Error\) \(gave up after 4 attempts\)/,
  },
  {
    name: 'plain-text 500 for a model the server does not list (transformers serve): unknown model, not retried',
    answer: { status: 500, body: 'Internal Server Error', type: 'text/plain' },
    kind: 'model-not-found',
    attempts: 1,
    serverMessage: 'Internal Server Error',
    message: /model "qwen-9b" is not among the models .* lists \(the server answered 500: Internal Server Error\)\. The server serves: qwen-0\.5b, qwen-7b/,
  },
  {
    name: 'a 503 for a model still loading is retried, not an unknown model',
    answer: { status: 503, body: json({ error: 'model "qwen-9b" not found yet: loading, try again later' }) },
    kind: 'server',
    attempts: 4,
    serverMessage: 'model "qwen-9b" not found yet: loading, try again later',
    message: /server error 503/,
  },
  {
    name: 'a wrong base URL (HTML 404 without the word model)',
    answer: { status: 404, body: '<!doctype html><title>404 Not Found</title><h1>Not Found</h1>', type: 'text/html' },
    kind: 'bad-url',
    attempts: 1,
    serverMessage: '404 Not Found: Not Found',
    message: /answered 404 Not Found \(404 Not Found: Not Found\)\. Check the base URL/,
  },
];

for (const c of cases) {
  test(`EndpointClient: ${c.name}`, async () => {
    await withShapeServer(c.answer, async (url, hits) => {
      const config = EndpointConfigSchema.parse({ name: 'e', baseUrl: url, model: c.model ?? 'qwen-9b', maxRetries: 3, retryBaseMs: 1, retryMaxMs: 2, stream: c.stream ?? false });
      const client = new EndpointClient(config, { apiKey: KEY });
      let err: unknown;
      try {
        await client.call({ api: 'chat', body: { model: config.model, messages: [{ role: 'user', content: 'hi' }] } });
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof EndpointError, `not an EndpointError: ${String(err)}`);
      assert.equal(err.kind, c.kind, err.message);
      assert.equal(err.status, c.answer.status);
      assert.equal(err.attempts, c.attempts, err.message);
      assert.equal(hits(), c.attempts, 'requests the server saw');
      if (typeof c.serverMessage === 'string') assert.equal(err.serverMessage, c.serverMessage);
      else assert.match(err.serverMessage ?? '', c.serverMessage);
      assert.equal(err.field, c.field);
      assert.match(err.message, c.message);
      assert.ok(!err.message.includes('status code (no body)'), err.message);
      for (const text of [err.message, err.serverMessage ?? '', err.stack ?? '']) assert.ok(!text.includes(KEY), text);
      if (c.kind === 'model-not-found') assert.deepEqual(err.models, ['qwen-0.5b', 'qwen-7b']);
    });
  });
}

test('completions API: an unknown field on /v1/completions is read the same way', async () => {
  await withShapeServer({ status: 400, body: json({ object: 'error', message: "[{'type': 'extra_forbidden', 'loc': ('body', 'echo'), 'msg': 'Extra inputs are not permitted'}]", type: 'BadRequestError', param: null, code: 400 }) }, async (url) => {
    const client = new EndpointClient(EndpointConfigSchema.parse({ name: 'e', baseUrl: url, model: 'm', maxRetries: 2, retryBaseMs: 1 }));
    await assert.rejects(client.call({ api: 'completions', body: { model: 'm', prompt: 'x', echo: true } }), (e: unknown) => {
      assert.ok(e instanceof EndpointError);
      assert.equal(e.kind, 'bad-request');
      assert.equal(e.field, 'echo');
      assert.equal(e.attempts, 1);
      return true;
    });
  });
});

// ---- the CLI's advice for the new causes ----

test('cliAdvice: field-specific flags for a refused field, the served ids for an unknown model', () => {
  const refused = 'bad-request: endpoint "cli": the server refused the request (422: body.continue_final_message: Extra inputs are not permitted). The server does not accept the request field "continue_final_message" (this server cannot continue an assistant message): use mode completions';
  assert.equal(fieldNamed(refused), 'continue_final_message');
  assert.match(cliAdvice('bad-request', 't.json', refused), /pass --mode completions \(when it serves \/v1\/completions\) or --mode chat/);
  // Cut before the client's advice (a trace keeps 500 characters): the server's own words still name the field.
  assert.match(cliAdvice('bad-request', 't.json', 'endpoint "cli": the server refused the request (400: Unrecognized request argument supplied: n'), /refuses "n"/);
  assert.match(cliAdvice('bad-request', 't.json', 'endpoint "cli": the server refused the request (400: Unsupported parameter: \'top_p\')'), /drop --param topP/);
  assert.match(cliAdvice('bad-request', 't.json', 'endpoint "cli": the server refused the request (400: empty body)'), /check --mode and the sampling params/);
  assert.equal(cliAdvice('model-not-found', 't.json', 'endpoint "cli": model "x" is not served at u (404: nope). The server serves: a, b-1.5. Set the endpoint\'s model to one of them.'), 'Pass --model with a model the server serves: a, b-1.5.');
  assert.match(cliAdvice('model-not-found', 't.json'), /Pass --model with a model the server serves/);
  assert.match(cliAdvice('auth', 't.json'), /--api-key-env NAME/);
  assert.match(cliAdvice(undefined, 't.json'), /metacot show t\.json/);
});

// ---- every reference-server profile's refusals, in its own shape, read right ----

const PROFILE_FIELDS = ['continue_final_message', 'add_generation_prompt'];
/** What each profile refusal must become: kind, field (undefined: none) and whether it is retried. */
function expectedFor(profile: string, which: string): { kind: EndpointErrorKind; field?: string | RegExp; retried?: boolean } {
  // transformers serve's bare 500 names no model: the client finds the cause in the server's model list.
  if (which === 'unknownModel') return { kind: 'model-not-found' };
  if (which === 'unknownField' || which === 'rejectedField') return { kind: 'bad-request', field: /^(continue_final_message|add_generation_prompt)$/ };
  if (which === 'nRejected') return { kind: 'bad-request', field: 'n' };
  if (which === 'echoRejected') return profile === 'openai' ? { kind: 'bad-request' } : profile === 'transformers' ? { kind: 'bad-url' } : { kind: 'bad-request', field: 'echo' };
  if (which === 'completionsNotServed' && profile === 'openai') return { kind: 'bad-request' };
  return { kind: 'bad-url' };
}

for (const [name, profile] of Object.entries(SERVER_PROFILES)) {
  test(`profile ${name}: each refusal in its own error shape gets the right kind, field and retry`, async () => {
    for (const [which, e] of Object.entries(profile.errors)) {
      const rendered = profileHttpError(profile, e, { model: 'qwen-9b', fields: PROFILE_FIELDS, path: '/v1/completions' }).rendered!;
      await withShapeServer({ status: e.status, body: rendered.body, type: rendered.contentType }, async (url, hits) => {
        const client = new EndpointClient(EndpointConfigSchema.parse({ name: 'e', baseUrl: url, model: 'qwen-9b', maxRetries: 2, retryBaseMs: 1, retryMaxMs: 2 }));
        const want = expectedFor(name, which);
        const err = await client.call({ api: 'chat', body: { model: 'qwen-9b', messages: [] } }).then(
          () => assert.fail('expected a refusal'),
          (x: unknown) => x,
        );
        assert.ok(err instanceof EndpointError, String(err));
        const what = `${which}: ${err.message}`;
        assert.equal(err.kind, want.kind, what);
        assert.equal(err.attempts, want.retried ? 3 : 1, what);
        assert.equal(hits(), err.attempts, what);
        if (want.field instanceof RegExp) assert.match(err.field ?? '', want.field, what);
        else assert.equal(err.field, want.field, what);
        const words = JSON.parse(JSON.stringify(e.message.replaceAll('{model}', 'qwen-9b'))).split('{')[0].replace(/\.\s*$/, '').trim();
        assert.ok(err.message.includes(words), `${what} should quote "${words}"`);
      });
    }
  });
}

test('completions API: a 404 for /v1/completions says the server may not serve it', async () => {
  await withShapeServer({ status: 404, body: '404 page not found', type: 'text/plain' }, async (url, hits) => {
    const client = new EndpointClient(EndpointConfigSchema.parse({ name: 'e', baseUrl: url, model: 'm', maxRetries: 2, retryBaseMs: 1 }));
    const err = await client.call({ api: 'completions', body: { model: 'm', prompt: 'x' } }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EndpointError);
    assert.equal(err.kind, 'bad-url');
    assert.equal(hits(), 1);
    assert.match(err.message, /answered 404 Not Found \(404 page not found\)\. .*does not serve \/v1\/completions: use mode chat or chat-continue/);
  });
});
