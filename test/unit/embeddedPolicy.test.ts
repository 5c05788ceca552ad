/**
 * The embedded Countdown model as a reference-server Policy: request parsing (chat, chat-continue, completions),
 * one step per request with the default stop, whole solutions without stop, logprobs, and answers through the
 * real `openai` client against the reference server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy, parsePolicyRequest } from '../../src/core/embedded/policy';
import { serveEmbedded, type EmbeddedServer } from '../../src/core/embedded/serve';
import { EmbeddedGenerator } from '../../src/core/embedded/generator';
import { renderProblem, type CountdownProblem } from '../../src/core/embedded/countdown';
import type { PolicyRequest } from '../../src/core/server/policy';

const STEP_LINE = /^\d+ [+\-*/] \d+ = \d+ \(left: \d+(?:, \d+)*\)$/;
const ANSWER_LINE = /^Answer: [\d+\-*/() ]+ = \d+$/;

const heldout = JSON.parse(readFileSync(join(__dirname, '../../model/heldout.json'), 'utf8')) as { test: CountdownProblem[] };
const problem = heldout.test[0]!;
const user = renderProblem(problem);

let model: EmbeddedModel;
let policy: EmbeddedCountdownPolicy;
let server: EmbeddedServer;
const signal = new AbortController().signal;

before(async () => {
  model = await EmbeddedModel.load({ dir: join(__dirname, '../../model') });
  policy = new EmbeddedCountdownPolicy(model);
  server = await serveEmbedded({ model });
});
after(async () => {
  await server.close();
  await model.release();
});

const base: PolicyRequest = {
  continueFinalMessage: false,
  n: 1,
  maxTokens: 200,
  temperature: 0,
  topP: 1,
  stop: ['\n\n'],
  logprobs: true,
};

test('requests are read in every continuation mode', () => {
  const p = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
  // chat: partial solution inside the prompt, any step spelling, re-rendered canonically
  const chat = parsePolicyRequest({
    continueFinalMessage: false,
    messages: [
      { role: 'system', content: 'You solve Countdown. Example: Use the numbers 1, 2, 3, 4 to reach 10.' },
      { role: 'user', content: `${p}\n\nSolution so far:\n5x3=15\n\nWrite the next step.` },
    ],
  });
  assert.deepEqual(chat.problem, { numbers: [3, 5, 7, 2], target: 24 });
  assert.deepEqual(chat.steps, ['5 * 3 = 15 (left: 7, 2, 15)']);
  assert.equal(chat.separator, '');
  assert.equal(chat.partial, '');
  // chat-continue: the open assistant message holds the steps; a separator keeps the joined text well formed
  const cont = (content: string) =>
    parsePolicyRequest({ continueFinalMessage: true, messages: [{ role: 'user', content: p }, { role: 'assistant', content }] });
  assert.deepEqual(cont('5 * 3 = 15 (left: 7, 2, 15)\n\n15 + 7 = 22 (left: 2, 22)').steps, [
    '5 * 3 = 15 (left: 7, 2, 15)',
    '15 + 7 = 22 (left: 2, 22)',
  ]);
  assert.equal(cont('5 * 3 = 15 (left: 7, 2, 15)').separator, '\n\n');
  assert.equal(cont('5 * 3 = 15 (left: 7, 2, 15)\n').separator, '\n');
  assert.equal(cont('5 * 3 = 15 (left: 7, 2, 15)\n\n').separator, '');
  assert.equal(cont('').separator, '');
  // an unfinished line is continued
  const half = cont('5 * 3 = 15 (left: 7, 2, 15)\n\n15 + 7 =');
  assert.deepEqual([half.steps.length, half.partial, half.separator], [1, '15 + 7 =', '']);
  assert.equal(cont('5 * 3 = 15 (left: 7, 2, 15)\n\nAnswer: (5 * 3) + 7 + 2 = 24').finished, true);
  // completions: the prompt is problem + partial solution
  const comp = parsePolicyRequest({ continueFinalMessage: false, prompt: `${p}\nSolution:\n5 * 3 = 15 (left: 7, 2, 15)\n\n` });
  assert.deepEqual([comp.steps.length, comp.separator], [1, '']);
  assert.throws(() => parsePolicyRequest({ continueFinalMessage: false, messages: [{ role: 'user', content: 'What is 2+2?' }] }), /cannot read this problem: no numbers and target found in "What is 2\+2\?"\. Write it like: "Use the numbers 3, 5, 7, 2 to reach 24\./);
});

test('greedy output on a held-out problem is a well-formed step line', async () => {
  const r = await policy.generate({ ...base, messages: [{ role: 'user', content: user }] }, signal);
  assert.equal(r.choices.length, 1);
  const c = r.choices[0]!;
  assert.match(c.text, STEP_LINE);
  assert.equal(c.finishReason, 'stop');
  assert.ok(r.promptTokens > 5 && r.completionTokens[0]! === c.text.length + 1, 'the newline that ended the step counts');
});

test('stop sequences cut the text, and no stop gives the whole remaining solution', async () => {
  const whole = await policy.generate({ ...base, stop: [], messages: [{ role: 'user', content: user }] }, signal);
  const text = whole.choices[0]!.text;
  const lines = text.split('\n\n');
  assert.ok(lines.length >= 2 && lines.length <= 4, text);
  lines.slice(0, -1).forEach((l) => assert.match(l, STEP_LINE));
  assert.match(lines.at(-1)!, ANSWER_LINE);
  assert.equal(whole.choices[0]!.finishReason, 'stop');
  // a custom stop string is cut before, and the first step is a prefix of the whole solution
  const cut = await policy.generate({ ...base, stop: [' = '], messages: [{ role: 'user', content: user }] }, signal);
  assert.equal(cut.choices[0]!.text, text.slice(0, text.indexOf(' = ')));
  const step = await policy.generate({ ...base, messages: [{ role: 'user', content: user }] }, signal);
  assert.equal(step.choices[0]!.text, lines[0]);
  // maxTokens ends with length
  const short = await policy.generate({ ...base, maxTokens: 4, messages: [{ role: 'user', content: user }] }, signal);
  assert.deepEqual([short.choices[0]!.text, short.choices[0]!.finishReason], [text.slice(0, 4), 'length']);
  // continuing from the first step gives the same second step (greedy)
  const next = await policy.generate(
    { ...base, continueFinalMessage: true, messages: [{ role: 'user', content: user }, { role: 'assistant', content: lines[0]! }] },
    signal,
  );
  assert.equal(next.choices[0]!.text, '\n\n' + lines[1]);
  // a finished solution gets nothing more
  const done = await policy.generate(
    { ...base, continueFinalMessage: true, messages: [{ role: 'user', content: user }, { role: 'assistant', content: text }] },
    signal,
  );
  assert.equal(done.choices[0]!.text, '');
});

test('logprobs are <= 0, one per token, and their tokens join to the text', async () => {
  const r = await policy.generate({ ...base, n: 6, temperature: 1, seed: 9, stop: [], messages: [{ role: 'user', content: user }] }, signal);
  assert.equal(r.choices.length, 6, 'n choices');
  assert.equal(r.completionTokens.length, 6);
  for (const c of r.choices) {
    assert.ok(c.logprobs && c.logprobs.length > 0);
    assert.equal(c.logprobs.map((t) => t.token).join(''), c.text);
    for (const t of c.logprobs) assert.ok(t.logprob <= 0 && Number.isFinite(t.logprob));
  }
  const again = await policy.generate({ ...base, n: 6, temperature: 1, seed: 9, stop: [], messages: [{ role: 'user', content: user }] }, signal);
  assert.deepEqual(again.choices, r.choices, 'same seed, same choices');
  const other = await policy.generate({ ...base, n: 6, temperature: 1, seed: 10, stop: [], messages: [{ role: 'user', content: user }] }, signal);
  assert.notDeepEqual(other.choices.map((c) => c.text), r.choices.map((c) => c.text));
});

test('answers through the real openai client (chat, chat-continue, completions)', async () => {
  const client = new OpenAI({ baseURL: server.url, apiKey: 'unused', maxRetries: 0 });
  const models = await client.models.list();
  // the policy, and the value model behind POST /pooling
  // the reasoners found beside the policy are served with it
  assert.deepEqual(models.data.map((m) => m.id), ['embedded-countdown', 'embedded-countdown-sos', 'embedded-countdown-path', 'embedded-countdown-value']);
  const chat = await client.chat.completions.create({
    model: 'embedded-countdown',
    messages: [{ role: 'user', content: user }],
    n: 4,
    temperature: 1,
    seed: 5,
    stop: ['\n\n'],
    max_tokens: 64,
    logprobs: true,
  });
  assert.equal(chat.choices.length, 4);
  for (const c of chat.choices) {
    assert.ok(!c.message.content!.includes('\n\n'));
    assert.ok(c.logprobs?.content?.every((t) => t.logprob <= 0));
  }
  assert.ok(chat.usage && chat.usage.completion_tokens > 0);
  const greedy = await client.chat.completions.create({
    model: 'embedded-countdown',
    messages: [{ role: 'user', content: user }],
    temperature: 0,
    stop: ['\n\n'],
    max_tokens: 64,
  });
  const first = greedy.choices[0]!.message.content!;
  assert.match(first, STEP_LINE);
  const cont = await client.chat.completions.create({
    model: 'embedded-countdown',
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: first + '\n\n' },
    ],
    temperature: 0,
    stop: ['\n\n'],
    max_tokens: 64,
    // vLLM / SGLang extra body
    ...({ continue_final_message: true, add_generation_prompt: false } as object),
  });
  assert.match(cont.choices[0]!.message.content!, new RegExp(`${STEP_LINE.source}|${ANSWER_LINE.source}`));
  const comp = await client.completions.create({
    model: 'embedded-countdown',
    prompt: `${user}\nSolution:\n${first}\n\n`,
    temperature: 0,
    stop: ['\n\n'],
    max_tokens: 64,
  });
  assert.equal(comp.choices[0]!.text, cont.choices[0]!.message.content);
  // streamed
  const stream = await client.chat.completions.create({
    model: 'embedded-countdown',
    messages: [{ role: 'user', content: user }],
    temperature: 0,
    stop: ['\n\n'],
    max_tokens: 64,
    stream: true,
  });
  let streamed = '';
  for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
  assert.equal(streamed, first);
});

test('the in-process Generator asks the policy for steps and full solutions', async () => {
  const gen = new EmbeddedGenerator(policy, { temperature: 1, seed: 4 });
  assert.equal(gen.describe().model, 'embedded-countdown');
  const steps = await gen.generate({ problem: user, steps: [], purpose: 'step', n: 4 });
  assert.equal(steps.length, 4);
  assert.equal(steps[0]!.tokensIn > 0 && steps.slice(1).every((g) => g.tokensIn === 0), true, 'the prompt is counted once');
  for (const g of steps) {
    assert.ok(!g.text.includes('\n'), 'one step per request');
    assert.ok(g.tokensOut > 0 && g.logprobs && g.logprobs.mean <= 0 && g.logprobs.min <= g.logprobs.mean);
    assert.equal(g.cached, false);
  }
  const greedy = await gen.generate({ problem: user, steps: [], purpose: 'full', n: 1, temperature: 0 });
  const first = greedy[0]!.text.split('\n\n')[0]!;
  const next = await gen.generate({ problem: user, steps: [first], purpose: 'step', n: 1, temperature: 0 });
  assert.equal(next[0]!.text, greedy[0]!.text.split('\n\n')[1], 'continuing a path gives the same text as one whole solution');
});
