/**
 * Pure parts of the endpoint layer: prompt layout (siblings identical, descendants extend their ancestors'
 * prefix, byte for byte, in every mode), step segmentation and reasoning split, logprob summaries, redaction,
 * backoff / Retry-After, the concurrency semaphore, rate window, config validation and cache keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildPrompt } from '../../src/core/llm/prompt';
import type { WirePrompt } from '../../src/core/llm/prompt';
import { cutFirstStep, splitSteps, splitThinking } from '../../src/core/llm/segment';
import { summarizeLogprobs } from '../../src/core/llm/logprobs';
import { redact } from '../../src/core/llm/redact';
import { backoffDelay, retryAfterFrom } from '../../src/core/llm/backoff';
import { RateWindow, Semaphore } from '../../src/core/llm/limiter';
import { EndpointConfigSchema, costOf } from '../../src/core/llm/endpointConfig';
import { cacheKey, canonicalJson } from '../../src/core/llm/replayCache';
import { renderChatTemplate } from '../../src/core/server/chatTemplate';
import type { GenerateRequest } from '../../src/core/llm/generator';

/** The prompt string a vLLM-like server sees for a wire prompt. */
function served(p: WirePrompt): string {
  if (p.kind === 'completions') return p.prompt;
  return renderChatTemplate(p.messages, { addGenerationPrompt: !p.continueFinalMessage, continueFinalMessage: p.continueFinalMessage });
}

const commonPrefix = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

// Random texts wrapped in unique markers, so the test can find where the parent's last step ends.
const body = fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.replace(/[⟦⟧]/g, '').replace(/\n\s*\n/g, '\n').trim() || 'x');
const stepText = body.map((s) => `⟦S:${s}⟧`);

test('prompts: siblings byte-identical; a child prompt extends its parent problem + steps exactly (all modes, all purposes)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('chat' as const, 'chat-continue' as const, 'completions' as const),
      fc.constantFrom('step' as const, 'full' as const, 'rollout' as const),
      body.map((s) => `⟦P:${s}⟧`),
      fc.array(stepText, { maxLength: 5 }),
      stepText,
      (mode, purpose, problem, steps, next) => {
        const cfg = { mode, systemPrompt: undefined, promptTemplate: undefined };
        const parentReq: GenerateRequest = { problem, steps, purpose, n: 3 };
        const a = served(buildPrompt(cfg, parentReq));
        assert.equal(served(buildPrompt(cfg, { ...parentReq, n: 1, seed: 5 })), a, 'n and seed never change the prompt');
        const child = served(buildPrompt(cfg, { ...parentReq, steps: [...steps, next] }));
        // Everything of the parent up to the end of its last step (or the problem) is shared byte for byte.
        const sharedNeeded = a.lastIndexOf('⟧') + 1;
        assert.ok(commonPrefix(a, child) >= sharedNeeded, `${mode}/${purpose}: shared ${commonPrefix(a, child)} < ${sharedNeeded}`);
        // And the problem comes first: nothing before it but the fixed system text / template head.
        assert.ok(a.indexOf(problem) <= 200);
      },
    ),
    { numRuns: 150 },
  );
});

test('prompts: layout per mode', () => {
  const req: GenerateRequest = { problem: 'P?', steps: ['s1', 's2'], purpose: 'step', n: 1 };
  const chat = buildPrompt({ mode: 'chat', systemPrompt: 'SYS', promptTemplate: undefined }, req);
  assert.deepEqual(chat, { kind: 'chat', continueFinalMessage: false, messages: [{ role: 'system', content: 'SYS' }, { role: 'user', content: 'P?\n\nSolution so far:\n\ns1\n\ns2\n\nContinue with the next step only.' }] });
  const cont = buildPrompt({ mode: 'chat-continue', systemPrompt: 'SYS', promptTemplate: undefined }, req);
  assert.deepEqual(cont, { kind: 'chat', continueFinalMessage: true, messages: [{ role: 'system', content: 'SYS' }, { role: 'user', content: 'P?' }, { role: 'assistant', content: 's1\n\ns2\n\n' }] });
  const comp = buildPrompt({ mode: 'completions', systemPrompt: undefined, promptTemplate: 'Q: {problem}\nA:\n\n{steps}' }, req);
  assert.deepEqual(comp, { kind: 'completions', prompt: 'Q: P?\nA:\n\ns1\n\ns2\n\n' });
  // Text that looks like a placeholder or a replacement pattern is inserted literally.
  const odd = buildPrompt({ mode: 'completions', systemPrompt: undefined, promptTemplate: undefined }, { ...req, problem: "Say {steps} and $& and $'" });
  assert.deepEqual(odd, { kind: 'completions', prompt: "Problem: Say {steps} and $& and $'\n\nSolution:\n\ns1\n\ns2\n\n" });
  const rev = buildPrompt({ mode: 'chat', systemPrompt: 'SYS', promptTemplate: undefined }, { ...req, steps: [], purpose: 'revision', context: ['try 1', 'try 2'] });
  assert.equal(rev.kind === 'chat' && rev.messages[1]!.content, 'P?\n\nPrevious attempts:\n\nAttempt 1:\ntry 1\n\nAttempt 2:\ntry 2\n\nWrite a new attempt that avoids the mistakes of the previous ones.');
  const judge = buildPrompt({ mode: 'chat-continue', systemPrompt: 'SYS', promptTemplate: undefined }, { ...req, purpose: 'judge', context: ['Is this correct? Answer yes or no.'] });
  assert.equal(judge.kind === 'chat' && judge.messages.at(-1)!.content, 'P?\n\nSolution so far:\n\ns1\n\ns2\n\nIs this correct? Answer yes or no.');
});

test('segmentation: reasoning split (<think>, bare </think>, unclosed), first step by pattern, steps of a full solution', () => {
  assert.deepEqual(splitThinking('<think>\nhmm\n</think>\n\nAnswer 3'), { answer: 'Answer 3', thinking: 'hmm' });
  assert.deepEqual(splitThinking('hmm, wait\n</think>\nAnswer 3'), { answer: 'Answer 3', thinking: 'hmm, wait' });
  assert.deepEqual(splitThinking('<think>still going'), { answer: '', thinking: 'still going' });
  assert.deepEqual(splitThinking('plain'), { answer: 'plain' });
  assert.deepEqual(cutFirstStep('Step 1: a\nb\nStep 2: c', '^Step \\d+:'), { step: 'Step 1: a\nb', cut: true, keptChars: 12 });
  assert.deepEqual(cutFirstStep('\nonly one', '^Step \\d+:'), { step: 'only one', cut: false, keptChars: 9 });
  assert.deepEqual(splitSteps('a\n\nb\n \nc\n\n'), ['a', 'b', 'c']);
  assert.deepEqual(splitSteps('Step 1: a\nStep 2: b\nmore\nStep 3: c', '^Step \\d+:'), ['Step 1: a', 'Step 2: b\nmore', 'Step 3: c']);
});

test('logprob summary: mean, min, count; limited to kept characters', () => {
  const toks = [{ token: 'ab', logprob: -1 }, { token: 'c', logprob: -3 }, { token: 'de', logprob: -0.5 }];
  assert.deepEqual(summarizeLogprobs(toks), { mean: -1.5, min: -3, tokens: 3 });
  assert.deepEqual(summarizeLogprobs(toks, 3), { mean: -2, min: -3, tokens: 2 });
  assert.equal(summarizeLogprobs([]), undefined);
});

test('redaction: the given key anywhere, and key-shaped strings', () => {
  const key = 'abc123-secret-value';
  assert.equal(redact(`Incorrect API key provided: ${key}.`, [key]), 'Incorrect API key provided: ***.');
  assert.equal(redact('header Authorization: Bearer eyJhbGciOi.x-y_z'), 'header Authorization: Bearer ***');
  assert.equal(redact('key sk-proj-AbCdEf0123456789 leaked'), 'key sk-*** leaked');
  assert.equal(redact('{"api_key": "zzz999"}'), '{"api_key": "***"}');
  assert.equal(redact('nothing here'), 'nothing here');
});

test('backoff: exponential with jitter inside bounds, capped; Retry-After (ms header, seconds, date) wins', () => {
  for (let retry = 0; retry < 8; retry++) {
    for (const u of [0, 0.5, 0.999]) {
      const d = backoffDelay(retry, { baseMs: 100, maxMs: 2000, random: () => u });
      const step = Math.min(2000, 100 * 2 ** retry);
      assert.ok(d >= step / 2 && d <= step, `retry ${retry}: ${d}`);
    }
  }
  assert.equal(backoffDelay(3, { baseMs: 100, maxMs: 2000, retryAfterMs: 700, random: () => 0 }), 700);
  const h = (o: Record<string, string>) => ({ get: (n: string) => o[n] ?? null });
  assert.equal(retryAfterFrom(h({ 'retry-after-ms': '250', 'retry-after': '9' })), 250);
  assert.equal(retryAfterFrom(h({ 'retry-after': '2' })), 2000);
  const soon = new Date(Date.now() + 3000).toUTCString();
  const fromDate = retryAfterFrom(h({ 'retry-after': soon }))!;
  assert.ok(fromDate > 1000 && fromDate <= 3000);
  assert.equal(retryAfterFrom(h({})), undefined);
});

test('semaphore: never more than capacity, FIFO, abort leaves the queue', async () => {
  const sem = new Semaphore(2);
  const order: number[] = [];
  const r1 = await sem.acquire();
  const r2 = await sem.acquire();
  const ctl = new AbortController();
  const p3 = sem.acquire().then((r) => (order.push(3), r));
  const p4 = sem.acquire(ctl.signal);
  const p5 = sem.acquire().then((r) => (order.push(5), r));
  assert.equal(sem.inUse, 2);
  assert.equal(sem.waiting, 3);
  ctl.abort(new Error('stop'));
  await assert.rejects(p4, /stop/);
  assert.equal(sem.waiting, 2);
  r1();
  r1(); // double release is ignored
  const r3 = await p3;
  assert.equal(sem.inUse, 2);
  r2();
  const r5 = await p5;
  assert.deepEqual(order, [3, 5]);
  r3();
  r5();
  assert.equal(sem.inUse, 0);
});

test('rate window: requests per minute and tokens per minute', async () => {
  let now = 0;
  const w = new RateWindow(2, 1000, () => now);
  await w.admit(100);
  await w.admit(100);
  let third = false;
  const p = w.admit(100).then(() => (third = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(third, false, 'held: 2 requests already this minute');
  now = 60_001;
  await p;
  assert.equal(third, true);
  const t = new RateWindow(undefined, 500, () => now);
  const a = await t.admit(400);
  let second = false;
  const q = t.admit(200).then(() => (second = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(second, false, 'held: 400 + 200 > 500 tokens');
  a.adjust(100); // the first request turned out smaller
  await q;
  assert.equal(second, true);
});

test('config: defaults, strict (no apiKey), no credential headers, template and regex checked; cost', () => {
  const c = EndpointConfigSchema.parse({ name: 'x', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' });
  assert.equal(c.mode, 'chat');
  assert.equal(c.maxConcurrency, 8);
  assert.equal(c.nStrategy, 'auto');
  assert.deepEqual(c.headers, {});
  const bad = (over: Record<string, unknown>) => EndpointConfigSchema.safeParse({ name: 'x', baseUrl: 'http://127.0.0.1:8000/v1', model: 'm', ...over }).success;
  assert.equal(bad({ apiKey: 'k' }), false);
  assert.equal(bad({ headers: { 'X-Api-Key': 'k' } }), false);
  assert.equal(bad({ headers: { 'x-org': 'o' } }), true);
  assert.equal(bad({ promptTemplate: '{steps} then {problem}' }), false);
  assert.equal(bad({ promptTemplate: 'Q: {problem}\n{steps}' }), true);
  assert.equal(bad({ stepPattern: '(' }), false);
  assert.equal(bad({ baseUrl: 'not a url' }), false);
  assert.equal(costOf({ price: { inputPer1M: 2, outputPer1M: 8 } }, 1_000_000, 500_000), 6);
});

test('cache key: canonical JSON ignores key order and transport fields; anything else changes it', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: null }] }), '{"a":[{"d":2,"e":null}],"b":1}');
  const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2, seed: 1 };
  const k = cacheKey({ model: 'm', path: 'chat', body });
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(cacheKey({ model: 'm', path: 'chat', body: { seed: 1, n: 2, messages: body.messages, model: 'm', stream: true, stream_options: { include_usage: true } } }), k);
  assert.notEqual(cacheKey({ model: 'm', path: 'chat', body: { ...body, seed: 2 } }), k);
  assert.notEqual(cacheKey({ model: 'm', path: 'completions', body }), k);
  assert.notEqual(cacheKey({ model: 'm', path: 'chat', body, sample: 1 }), k);
});
