/**
 * The endpoint generator adapting to servers that differ from the reference: usage counted from what was sent
 * (checked against the server's own request log), logprobs ignored, `stop` ignored or kept, `chat-continue`
 * refused (fallback to chat or completions), reasoning in every placement (streamed or not, live in-context tree).
 * Behaviours the reference server lacks are played by tiny node:http servers defined here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { EndpointConfigInput } from '../../src/core/llm/endpointConfig';
import type { GeneratePurpose } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer, ReferenceServerOptions } from '../../src/core/server/referenceServer';
import type { Adaptation, Capabilities, Problem, Run, StrategyName } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';

const countdown: Problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };
const STEP1 = '5 * 3 = 15 (left: 7, 2, 15)';

async function withRef<T>(opts: ReferenceServerOptions, fn: (s: ReferenceServer) => Promise<T>): Promise<T> {
  const s = await startReferenceServer(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const cfg = (url: string, over: Partial<EndpointConfigInput> = {}): EndpointConfigInput => ({ name: 'adapt', baseUrl: url, model: 'sim-countdown', maxRetries: 0, retryBaseMs: 1, ...over });

/** What the server's own log counted: requests that reached it, prompt and completion tokens, cached prompt tokens. */
function serverCount(s: ReferenceServer) {
  const es = s.log.generations();
  return {
    requests: es.length,
    tokensIn: es.reduce((a, e) => a + (e.promptTokens ?? 0), 0),
    tokensOut: es.reduce((a, e) => a + (e.completionTokens ?? 0), 0),
    cachedTokensIn: es.reduce((a, e) => a + (e.cachedTokens ?? 0), 0),
  };
}

async function search(s: ReferenceServer, strategy: StrategyName, params: Record<string, number | boolean>, over: Partial<EndpointConfigInput> = {}, budgets = {}) {
  const tree = TraceTree.create(countdown);
  const generator = createEndpointGenerator(cfg(s.url, over));
  const run = await runSearch({ tree, config: { strategy, params: { seed: 3, ...params }, budgets }, generator });
  await s.log.settled(3000).catch(() => undefined);
  return { run, tree, generator };
}

const usageOf = (run: Run) => ({ requests: run.usage.requests, tokensIn: run.usage.tokensIn, tokensOut: run.usage.tokensOut, cachedTokensIn: run.usage.cachedTokensIn });

test('usage equals the server log exactly when the server ignores n (beam, best-of-n) or refuses it', async () => {
  for (const nSupport of ['ignore', 'reject'] as const) {
    for (const [strategy, params] of [['beam', { N: 3, width: 2, maxDepth: 3, concurrency: 2 }], ['best-of-n', { n: 4, perRequest: 2, concurrency: 2 }]] as const) {
      await withRef({ nSupport, seed: 4 }, async (s) => {
        const { run, tree } = await search(s, strategy, params);
        const label = `${nSupport} ${strategy}`;
        assert.ok(s.log.generations().some((e) => e.n === 1) && s.log.generations().length > 2, label);
        assert.deepEqual(usageOf(run), serverCount(s), label);
        assert.deepEqual({ ...tree.toJSON().usage }, { ...run.usage }, `${label}: trace usage is the run's`);
        assert.ok(run.adaptations?.some((a) => a.kind === 'separate-requests' && a.count > 0), label);
      });
    }
  }
});

test('requestsFor: n once the server is known to ignore n; maxRequests is not passed (concurrent calls reserve n each)', async () => {
  await withRef({ nSupport: 'ignore', seed: 2 }, async (s) => {
    const g = createEndpointGenerator(cfg(s.url));
    assert.equal(g.requestsFor(3), 1, 'unknown yet: one request');
    await g.generate({ problem: countdown.text, steps: [], purpose: 'step', n: 3 });
    assert.equal(g.requestsFor(3), 3);
    assert.equal(g.requestsFor(1), 1);
    s.log.clear();
    const tree = TraceTree.create(countdown);
    const run = await runSearch({ tree, generator: g, config: { strategy: 'best-of-n', params: { n: 8, perRequest: 2, concurrency: 4, seed: 1 }, budgets: { maxRequests: 5 } } });
    assert.equal(run.status, 'budget', run.reason);
    assert.match(run.reason ?? '', /maxRequests/);
    assert.equal(run.usage.requests, 4, 'two calls of 2 requests; a third would pass 5');
    assert.equal(s.log.generations().length, 4);
  });
});

/** A tiny OpenAI-compatible server for behaviours the reference server does not have; `reply` answers each request. */
type Reply = { status?: number; json?: unknown; sse?: unknown[] };
async function mini(reply: (path: string, body: Record<string, unknown>, k: number) => Reply) {
  const bodies: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      const path = (req.url ?? '').replace(/^\/v1/, '');
      bodies.push({ path, body });
      const r = reply(path, body, bodies.length - 1);
      if (r.sse) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const c of r.sse) res.write(`data: ${JSON.stringify(c)}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(r.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(r.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const usage = { prompt_tokens: 10, completion_tokens: 6 };
const chat = (message: Record<string, unknown>, logprobs?: unknown) => ({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: 'stop', logprobs: logprobs ?? null }], usage });
const tokens = (text: string) => text.match(/\S+\s*|\s+/g)!.map((t) => ({ token: t, logprob: -0.5 }));

test('logprobs ignored (a 200 without them): unknown on the node, never 0; said once and no longer asked for', async () => {
  const m = await mini(() => ({ json: chat({ content: 'the step' }) }));
  try {
    const said: Adaptation[] = [];
    const g = createEndpointGenerator(cfg(m.url), { onAdaptation: (a) => said.push(a) });
    const [a] = await g.generate({ problem: 'p', steps: [], purpose: 'step', n: 1 });
    assert.equal(a!.logprobs, undefined);
    await g.generate({ problem: 'p', steps: [], purpose: 'step', n: 1 });
    assert.deepEqual(m.bodies.map((b) => b.body.logprobs), [true, undefined]);
    assert.deepEqual(said, [{ kind: 'no-logprobs', message: 'the server returns no logprobs: node confidence is unknown', count: 1 }]);
    assert.deepEqual(g.adaptations().map((x) => [x.kind, x.count]), [['no-logprobs', 2]]);
  } finally {
    await m.close();
  }
});

test('stop ignored: the client cuts the step at the first blank line (logprobs over the kept part); stop text kept: removed', async () => {
  const ran = 'first step\n\nsecond step\n\nthird';
  const m = await mini((_p, body) => {
    const kept = (body.messages as { content: string }[])[1]!.content.includes('KEPT');
    const text = kept ? 'only step\n\n' : ran;
    return { json: chat({ content: text }, { content: tokens(text) }) };
  });
  try {
    const said: Adaptation[] = [];
    const g = createEndpointGenerator(cfg(m.url), { onAdaptation: (a) => said.push(a) });
    const [a] = await g.generate({ problem: 'p', steps: [], purpose: 'step', n: 1 });
    assert.deepEqual(m.bodies[0]!.body.stop, ['\n\n']);
    assert.equal(a!.text, 'first step');
    assert.equal(a!.finishReason, 'stop');
    assert.match(a!.stepCut!, /kept 10 of 30 characters/);
    assert.deepEqual(a!.logprobs, { mean: -0.5, min: -0.5, tokens: 2 }, 'only "first " and "step" (the blank line starts the cut)');
    const [b] = await g.generate({ problem: 'KEPT', steps: [], purpose: 'step', n: 1 });
    assert.equal(b!.text, 'only step');
    assert.equal(b!.stepCut, undefined);
    assert.deepEqual(said.map((x) => x.kind), ['client-step-cut', 'stop-text-removed']);
    // Full solutions are not cut.
    const [full] = await g.generate({ problem: 'p', steps: [], purpose: 'full', n: 1 });
    assert.equal(full!.text, ran);
    // Through the engine: the node says what was cut, the run says how often the client cut.
    const tree = TraceTree.create({ text: 'p' });
    const run = await runSearch({ tree, generator: g, config: { strategy: 'beam', params: { N: 2, width: 1, maxDepth: 2, seed: 1 }, verifier: { kind: 'none', params: {} } } });
    const steps = tree.toJSON().nodes.filter((n) => n.kind === 'step');
    assert.ok(steps.length >= 2 && steps.every((n) => n.text === 'first step' && /kept 10 of 30/.test(String(n.meta?.stepCut))));
    // The mini server answers one choice whatever n is: the siblings went as separate requests, also recorded.
    // Identical samples are merged (mergeDuplicates): count samples, not nodes.
    const samples = steps.reduce((sum, n) => sum + (n.copies ?? 1), 0);
    assert.deepEqual(run.adaptations?.map((x) => [x.kind, x.count]), [['client-step-cut', samples], ['separate-requests', samples / 2]]);
  } finally {
    await m.close();
  }
});

const refusal = "Unsupported parameter: 'continue_final_message' is not supported";

test('chat-continue refused: switches once to chat with the steps in the prompt, resends, counts the refused request', async () => {
  await withRef({ unsupportedParams: ['continue_final_message'], seed: 1 }, async (s) => {
    const said: Adaptation[] = [];
    const g = createEndpointGenerator(cfg(s.url, { mode: 'chat-continue' }), { onAdaptation: (a) => said.push(a) });
    // Depth 1 needs no continuation: it goes through as usual.
    await g.generate({ problem: countdown.text, steps: [], purpose: 'step', n: 2 });
    const outs = await Promise.all([0, 1, 2].map((k) => g.generate({ problem: countdown.text, steps: [STEP1], purpose: 'step', n: 2, seed: k })));
    const log = s.log.generations();
    assert.deepEqual(log.map((e) => e.status), [200, 400, 200, 200, 200], 'one refusal: the other calls waited for the switch');
    assert.equal(outs.reduce((a, o) => a + o.reduce((b, x) => b + (x.requests ?? 0), 0), 0), 4);
    const resent = log[2]!.body as { messages: { role: string; content: string }[]; continue_final_message?: boolean };
    assert.equal(resent.continue_final_message, undefined);
    assert.equal(resent.messages.length, 2);
    assert.match(resent.messages[1]!.content, new RegExp(`Solution so far:\\n\\n${STEP1.replace(/[()*]/g, '\\$&')}`));
    assert.equal(g.currentMode, 'chat');
    assert.equal(said.length, 1);
    assert.equal(said[0]!.kind, 'mode-fallback');
    assert.ok(said[0]!.message.includes(refusal) && said[0]!.message.includes('chat mode'), said[0]!.message);
    for (const o of outs) assert.ok(o.every((x) => /^\d+ [-+*/] \d+ = /.test(x.text) || x.text.startsWith('Answer')));
  });
});

test('chat-continue refused with /v1/completions served: falls back to completions; a probe that said no skips the refusal', async () => {
  const caps = (over: Partial<Capabilities>): Capabilities => ({ probedAt: '2026-01-01T00:00:00Z', n: 'yes', logprobs: 'yes', topLogprobs: 'unknown', stop: 'cuts', seed: 'yes', continuation: 'unknown', completions: 'yes', echo: 'unknown', reasoningField: 'none', cachedTokens: 'yes', requests: 4, ...over });
  await withRef({ unsupportedParams: ['continue_final_message'], seed: 1 }, async (s) => {
    const g = createEndpointGenerator(cfg(s.url, { mode: 'chat-continue' }), { capabilities: caps({}) });
    const [a] = await g.generate({ problem: countdown.text, steps: [STEP1], purpose: 'step', n: 1 });
    assert.deepEqual(s.log.generations().map((e) => [e.status, e.path]), [[400, '/v1/chat/completions'], [200, '/v1/completions']]);
    assert.ok((s.log.generations()[1]!.body as { prompt: string }).prompt.endsWith(`${STEP1}\n\n`));
    assert.equal(a!.requests, 2);
    assert.equal(g.describe().capabilities?.completions, 'yes');
    s.log.clear();
    const h = createEndpointGenerator(cfg(s.url, { mode: 'chat-continue' }), { capabilities: caps({ continuation: 'no', completions: 'no' }) });
    await h.generate({ problem: countdown.text, steps: [STEP1], purpose: 'step', n: 1 });
    assert.deepEqual(s.log.generations().map((e) => [e.status, e.path]), [[200, '/v1/chat/completions']]);
    assert.equal(h.currentMode, 'chat');
    assert.deepEqual(h.adaptations().map((x) => x.kind), ['mode-fallback']);
  });
});

test('chat-continue refused during a beam search: the run goes on past depth 1, usage equals the server log', async () => {
  await withRef({ unsupportedParams: ['continue_final_message'], seed: 6 }, async (s) => {
    // No stop on solve: a request cancelled before any answer came is not counted (the client cannot know it arrived).
    const { run, tree } = await search(s, 'beam', { N: 2, width: 2, maxDepth: 3, concurrency: 2, stopOnSolve: false }, { mode: 'chat-continue' });
    assert.ok(tree.toJSON().nodes.some((n) => tree.stepsTo(n.id).length >= 2), 'nodes below depth 1');
    assert.equal(s.log.generations().filter((e) => e.status === 400).length, 1);
    assert.deepEqual(usageOf(run), serverCount(s));
    assert.ok(run.adaptations?.some((a) => a.kind === 'mode-fallback'));
  });
});

test('a vLLM-style refusal of continue_final_message (400, error body in the message) also falls back', async () => {
  const m = await mini((_p, body) =>
    body.continue_final_message !== undefined
      ? { status: 400, json: { object: 'error', message: "[{'type': 'extra_forbidden', 'loc': ('body', 'continue_final_message'), 'msg': 'Extra inputs are not permitted'}]", type: 'BadRequestError', param: null, code: 400 } }
      : { json: chat({ content: 'next' }) },
  );
  try {
    const g = createEndpointGenerator(cfg(m.url, { mode: 'chat-continue' }));
    const [a] = await g.generate({ problem: 'p', steps: ['s1'], purpose: 'step', n: 1 });
    assert.equal(a!.text, 'next');
    assert.equal(m.bodies.length, 2);
    assert.equal(g.currentMode, 'chat');
  } finally {
    await m.close();
  }
});

/** Each placement of reasoning a server may use, for chat (whole and streamed) and completions. */
const THINK = 'Let me think. 2 and 2.';
const ANSWER = 'It is 4.';
const PLACEMENTS: Record<string, { message: Record<string, string>; chunks: Record<string, string>[] }> = {
  reasoning_content: { message: { reasoning_content: THINK, content: ANSWER }, chunks: [{ reasoning_content: 'Let me ' }, { reasoning_content: 'think. 2 and 2.' }, { content: ANSWER }] },
  reasoning: { message: { reasoning: THINK, content: ANSWER }, chunks: [{ reasoning: 'Let me think.' }, { reasoning: ' 2 and 2.' }, { content: ANSWER }] },
  'think-tags': { message: { content: `<think>\n${THINK}\n</think>\n\n${ANSWER}` }, chunks: [{ content: '<thi' }, { content: `nk>\n${THINK}\n</th` }, { content: `ink>\n\n${ANSWER}` }] },
  'close-only': { message: { content: `${THINK}\n</think>\n\n${ANSWER}` }, chunks: [{ content: 'Let me think.' }, { content: ' 2 and 2.\n</' }, { content: `think>\n\n${ANSWER}` }] },
};

test('reasoning in every placement, every purpose, streamed or not, chat and completions: kept apart, no tags', async () => {
  let placement = 'reasoning_content';
  const m = await mini((path, body) => {
    const p = PLACEMENTS[placement]!;
    if (path === '/completions') {
      const text = p.message.content!.includes('</think>') ? p.message.content! : `<think>${THINK}</think>${ANSWER}`;
      return { json: { object: 'text_completion', choices: [{ index: 0, text, finish_reason: 'stop' }], usage } };
    }
    if (body.stream) {
      const sse = p.chunks.map((delta, i) => ({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: i === p.chunks.length - 1 ? 'stop' : null }] }));
      return { sse: [...sse, { object: 'chat.completion.chunk', choices: [], usage }] };
    }
    return { json: chat(p.message) };
  });
  try {
    for (placement of Object.keys(PLACEMENTS)) {
      for (const mode of ['chat', 'completions'] as const) {
        for (const stream of mode === 'chat' ? [false, true] : [false]) {
          for (const purpose of ['step', 'full', 'rollout', 'judge'] as GeneratePurpose[]) {
            const g = createEndpointGenerator(cfg(m.url, { mode, stream }));
            const [x] = await g.generate({ problem: 'What is 2 + 2?', steps: [], purpose, n: 1, ...(purpose === 'judge' ? { context: ['Is it right?'] } : {}) });
            const label = `${placement} ${mode} stream=${stream} ${purpose}`;
            assert.equal(x!.text, ANSWER, label);
            assert.equal(x!.reasoning, THINK, label);
          }
        }
      }
    }
  } finally {
    await m.close();
  }
});

test('in-context: reasoning without an opening tag, or a stray tag in the content, never reaches a node; the answer node holds the answer', async () => {
  for (const chunks of [
    [{ content: 'First I add 2 and 2. ' }, { content: 'That gives 4.\n</th' }, { content: 'ink>\n\nThe answer is 4.' }],
    [{ reasoning: 'First I add 2 and 2. That gives 4.' }, { content: '</think>\n\nThe answer is 4.' }],
  ]) {
    const m = await mini(() => ({ sse: [...chunks.map((delta, i) => ({ choices: [{ index: 0, delta, finish_reason: i === chunks.length - 1 ? 'stop' : null }] })), { choices: [], usage }] }));
    try {
      const tree = TraceTree.create({ text: 'What is 2 + 2?', answer: '4' });
      const run = await runSearch({ tree, generator: createEndpointGenerator(cfg(m.url)), config: { strategy: 'in-context', params: {}, verifier: { kind: 'answer', params: {} } } });
      const nodes = tree.toJSON().nodes.filter((n) => n.kind !== 'root');
      assert.ok(nodes.length >= 2, JSON.stringify(nodes.map((n) => n.text)));
      for (const n of nodes) assert.doesNotMatch(n.text, /<\/?think>/);
      const answer = nodes.find((n) => n.kind === 'answer');
      assert.equal(answer?.text, 'The answer is 4.');
      assert.equal(run.status, 'solved', run.reason);
    } finally {
      await m.close();
    }
  }
});
