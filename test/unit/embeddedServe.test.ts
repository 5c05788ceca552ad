/**
 * The embedded model served honestly: `top_logprobs` are its own softmax at each position (recomputed here from
 * the model), n / stop / seed / max_tokens are honoured, fields it cannot honour are refused in OpenAI's shape,
 * and `metacot serve --model embedded-countdown` serves it over HTTP.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedModel, topAlternatives } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy, parsePolicyRequest } from '../../src/core/embedded/policy';
import { serveEmbedded, type EmbeddedServer } from '../../src/core/embedded/serve';
import { EMBEDDED_REFUSED_PARAMS } from '../../src/core/embedded/capabilities';
import { renderProblem, type CountdownProblem } from '../../src/core/embedded/countdown';
import { runServeCommand } from '../../src/cli/commands/serve';

const heldout = JSON.parse(readFileSync(join(__dirname, '../../model/heldout.json'), 'utf8')) as { validation: CountdownProblem[] };
const problem = heldout.validation[0]!;
const user = renderProblem(problem);

let model: EmbeddedModel;
let server: EmbeddedServer;

before(async () => {
  model = await EmbeddedModel.load({ dir: join(__dirname, '../../model') });
  server = await serveEmbedded({ model });
});
after(async () => {
  await server.close();
  await model.release();
});

interface ChatLogprob {
  token: string;
  logprob: number;
  top_logprobs: { token: string; logprob: number }[];
}

async function post(path: string, body: Record<string, unknown>, url = server.url): Promise<{ status: number; json: any }> {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

const chat = (extra: Record<string, unknown>, assistant = '') => ({
  model: 'embedded-countdown',
  messages: [
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ],
  continue_final_message: true,
  add_generation_prompt: false,
  ...extra,
});

/** The model's own distribution after the context the policy builds for `messages` plus the tokens chosen so far. */
async function modelRows(assistant: string, chosen: string[]): Promise<Float64Array[]> {
  const policy = new EmbeddedCountdownPolicy(model);
  const input = parsePolicyRequest({ continueFinalMessage: true, messages: [{ role: 'user', content: user }, { role: 'assistant', content: assistant }] });
  assert.equal(input.separator, '', 'the test reads tokens without a separator in front');
  const tk = model.tokenizer;
  const idOf = new Map(Array.from({ length: tk.size }, (_, id) => [tk.token(id), id] as const));
  const prefix = [tk.bos, ...tk.encode(policy.contextText(input), true)];
  const rows: Float64Array[] = [];
  for (const piece of chosen) {
    rows.push(await model.nextLogprobs(prefix));
    // a served newline is the step separator (a blank line)
    const id = idOf.get(piece === '\n\n' ? '\n' : piece);
    assert.ok(id !== undefined, `token ${JSON.stringify(piece)} is in the vocabulary`);
    prefix.push(id);
  }
  return rows;
}

const render = (id: number) => {
  const ch = model.tokenizer.token(id);
  return ch === '\n' ? '\n\n' : ch;
};

test('chat top_logprobs are the model\'s own softmax at every position (k most likely, summing to at most 1)', async () => {
  const k = 5;
  const { status, json } = await post('/chat/completions', chat({ logprobs: true, top_logprobs: k, temperature: 1, seed: 11, max_tokens: 24, stop: [] }));
  assert.equal(status, 200, JSON.stringify(json));
  const content = json.choices[0].logprobs.content as ChatLogprob[];
  assert.equal(content.length, 24);
  assert.equal(content.map((t) => t.token).join(''), json.choices[0].message.content);
  const rows = await modelRows('', content.map((t) => t.token));
  content.forEach((t, i) => {
    const want = topAlternatives(rows[i]!, k, new Set([model.vocab.pad, model.vocab.bos]));
    assert.equal(t.top_logprobs.length, k);
    assert.deepEqual(t.top_logprobs.map((a) => a.token), want.map((a) => render(a.id)), `position ${i}`);
    t.top_logprobs.forEach((a, j) => assert.ok(Math.abs(a.logprob - want[j]!.logprob) < 1e-4, `position ${i}: ${a.logprob} vs ${want[j]!.logprob}`));
    // best first, a distribution's part (never the invented 1.89 of old)
    for (let j = 1; j < k; j++) assert.ok(t.top_logprobs[j - 1]!.logprob >= t.top_logprobs[j]!.logprob);
    const mass = t.top_logprobs.reduce((s, a) => s + Math.exp(a.logprob), 0);
    assert.ok(mass <= 1 + 1e-6, `position ${i}: mass ${mass}`);
    // the chosen token's logprob is its own under the same distribution, whether or not it is among the top k
    const chosenId = [...Array(model.tokenizer.size).keys()].find((id) => render(id) === t.token)!;
    assert.ok(Math.abs(t.logprob - rows[i]![chosenId]!) < 1e-4);
  });
});

test('completions logprobs=N give the same real alternatives as chat (a stop ends the text before it)', async () => {
  const prompt = `${user}\nSolution:\n`;
  const { status, json } = await post('/completions', { model: 'embedded-countdown', prompt, logprobs: 3, temperature: 0, max_tokens: 60, stop: [')'] });
  assert.equal(status, 200, JSON.stringify(json));
  const c = json.choices[0];
  assert.equal(c.finish_reason, 'stop');
  assert.ok(!c.text.includes(')'));
  const tokens = c.logprobs.tokens as string[];
  const tops = c.logprobs.top_logprobs as Record<string, number>[];
  assert.equal(tokens.join(''), c.text);
  const greedy = await post('/chat/completions', chat({ logprobs: true, top_logprobs: 3, temperature: 0, max_tokens: tokens.length }));
  const content = greedy.json.choices[0].logprobs.content as ChatLogprob[];
  // same context, same model: the same distribution whichever API asks
  tokens.forEach((t, i) => {
    assert.equal(content[i]!.token, t);
    const dict = Object.fromEntries(content[i]!.top_logprobs.map((a) => [a.token, a.logprob]));
    assert.deepEqual(Object.keys(tops[i]!).sort(), Object.keys(dict).sort());
    for (const [tok, lp] of Object.entries(tops[i]!)) assert.ok(Math.abs(lp - dict[tok]!) < 1e-5);
    // greedy: the chosen token is the most likely one
    assert.ok(Math.abs(Math.max(...Object.values(tops[i]!)) - c.logprobs.token_logprobs[i]) < 1e-6);
  });
});

test('n, seed, stop and max_tokens are honoured', async () => {
  const a = await post('/chat/completions', chat({ n: 3, seed: 5, temperature: 1, max_tokens: 80 }));
  const b = await post('/chat/completions', chat({ n: 3, seed: 5, temperature: 1, max_tokens: 80 }));
  assert.equal(a.status, 200);
  assert.equal(a.json.choices.length, 3);
  assert.deepEqual(a.json.choices.map((c: any) => c.message.content), b.json.choices.map((c: any) => c.message.content));
  // no stop given: the default (a blank line) is not assumed by the server, the whole solution comes back
  const short = await post('/chat/completions', chat({ seed: 5, max_tokens: 7, stop: [] }));
  assert.equal(short.json.choices[0].finish_reason, 'length');
  assert.equal(short.json.usage.completion_tokens, 7);
  assert.equal(short.json.choices[0].message.content.length, 7, 'one token per character');
  const step = await post('/chat/completions', chat({ seed: 5, max_tokens: 80, stop: ['\n\n'] }));
  assert.equal(step.json.choices[0].finish_reason, 'stop');
  assert.match(step.json.choices[0].message.content, /^\d+ [+\-*/] \d+ = \d+ \(left: [\d, ]+\)$/);
});

test('fields the model cannot honour are refused with a 400 in OpenAI shape', async () => {
  assert.ok(EMBEDDED_REFUSED_PARAMS.includes('logit_bias'));
  const bias = await post('/chat/completions', chat({ logit_bias: { '50256': -100 } }));
  assert.equal(bias.status, 400);
  assert.deepEqual(bias.json.error, {
    message: "Unsupported parameter: 'logit_bias' is not supported with this model.",
    type: 'invalid_request_error',
    param: 'logit_bias',
    code: 'unsupported_parameter',
  });
  const echo = await post('/completions', { model: 'embedded-countdown', prompt: `${user}\nSolution:\n`, echo: true, max_tokens: 5 });
  assert.equal(echo.status, 400);
  assert.equal(echo.json.error.param, 'echo');
  // neutral values are fine
  const off = await post('/completions', { model: 'embedded-countdown', prompt: `${user}\nSolution:\n`, echo: false, max_tokens: 5 });
  assert.equal(off.status, 200);
});

test('metacot serve --model embedded-countdown serves the model over HTTP; clashing flags and unknown models are refused', async () => {
  let out = '';
  let err = '';
  const ctl = new AbortController();
  const done = runServeCommand(['--model', 'embedded-countdown', '--seed', '3'], { signal: ctl.signal, out: (t) => void (out += t), err: (t) => void (err += t) });
  for (let i = 0; i < 600 && !/listening at (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /listening at (\S+)/.exec(out)?.[1];
  assert.ok(url, out + err);
  assert.match(out, /Embedded Countdown model \(.*sha256 [0-9a-f]{12}…, wasm; value model sha256 [0-9a-f]{12}… at POST \/pooling\)/);
  assert.match(out, /Models: embedded-countdown, embedded-countdown-sos, embedded-countdown-path, embedded-countdown-value\n/);
  const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
  assert.deepEqual(models.data.map((m) => m.id), ['embedded-countdown', 'embedded-countdown-sos', 'embedded-countdown-path', 'embedded-countdown-value']);
  const r = await post('/chat/completions', chat({ logprobs: true, top_logprobs: 2, max_tokens: 80, stop: ['\n\n'], seed: 1 }), url);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.match(r.json.choices[0].message.content, /^\d+ [+\-*/] \d+ = \d+ \(left: [\d, ]+\)$/);
  assert.equal((r.json.choices[0].logprobs.content as ChatLogprob[])[0]!.top_logprobs.length, 2);
  const refused = await post('/chat/completions', chat({ frequency_penalty: 0.5 }), url);
  assert.equal(refused.status, 400);
  assert.equal(refused.json.error.code, 'unsupported_parameter');
  ctl.abort();
  assert.equal(await done, 0);
  assert.match(out, /Stopped\. 2 generation requests served\./);

  let bad = '';
  assert.notEqual(await runServeCommand(['--model', 'gpt-5'], { out: () => {}, err: (t) => void (bad += t) }), 0);
  assert.match(bad, /--model: unknown model "gpt-5" \(choose from embedded-countdown, embedded-countdown-sos, embedded-countdown-path\)/);
  bad = '';
  assert.notEqual(await runServeCommand(['--model', 'embedded-countdown', '--policy', 'countdown'], { out: () => {}, err: (t) => void (bad += t) }), 0);
  assert.match(bad, /does not go with --policy/);
});

test('serve --help says what the embedded model honours, ignores and refuses', async () => {
  let out = '';
  assert.equal(await runServeCommand(['--help'], { out: (t) => void (out += t), err: () => {} }), 0);
  assert.match(out, /--model NAME/);
  assert.match(out, /honoured: n, stop, seed, max_tokens/);
  assert.match(out, /ignored: "Previous attempts"/);
  assert.match(out, /refused \(400\): logit_bias/);
});
