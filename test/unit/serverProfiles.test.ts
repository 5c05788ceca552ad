/**
 * Server profiles seen from the wire: raw HTTP requests (node fetch, not our client) against the reference server
 * started with each profile show its documented behaviour, and `expectedCapabilities` agrees with what they show.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { scriptedPolicy } from '../../src/core/server/policies/scriptedPolicy';
import { expectedCapabilities, getServerProfile, SERVER_PROFILES, serverProfileNames } from '../../src/core/server/profiles';
import type { ExpectedCapabilities, ServerProfile } from '../../src/core/server/profiles';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../src/core/server/referenceServer';
import { DEFAULT_REASONING } from '../../src/core/server/profileReply';

const MODEL = 'sim-steps';
// Text that depends on the seed (so seed handling shows) and runs past a blank-line step stop.
const policy = scriptedPolicy(MODEL, (req, i) => `Step ${(req.seed ?? 0) % 997}-${i} adds 2 and 3 to get 5.\n\nThen 5 times 4 is 20.\n\nAnswer: 20`);
const PROBLEM = 'Problem: reach 20 with the numbers 2, 3, 4 using each once and any of + - * /. Show every step.';

interface Reply {
  status: number;
  text: string;
  json: unknown;
}

async function post(server: ReferenceServer, path: string, body: Record<string, unknown>): Promise<Reply> {
  const res = await fetch(`${server.origin}/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

/** The error message, read the way the profile's server lays it out (asserting that layout). */
function errorMessage(profile: ServerProfile, r: Reply, shape = profile.errorShape): string {
  const j = r.json as Record<string, unknown> | null;
  if (shape === 'text') {
    assert.equal(j, null, `plain-text body expected, got ${r.text}`);
    return r.text;
  }
  assert.ok(j, `JSON error body expected, got ${r.text}`);
  if (shape === 'fastapi') {
    assert.equal(typeof j.detail, 'string');
    return j.detail as string;
  }
  if (shape === 'vllm-flat') {
    assert.equal(j.object, 'error');
    assert.equal(j.code, r.status);
    return j.message as string;
  }
  const e = j.error as Record<string, unknown>;
  assert.equal(typeof e, 'object');
  if (shape === 'vllm' || shape === 'llamacpp') assert.equal(e.code, r.status);
  if (shape === 'openai' || shape === 'ollama') assert.ok('param' in e && 'code' in e && 'type' in e);
  if (shape === 'llamacpp') assert.ok(!('param' in e));
  return e.message as string;
}

const chat = (extra: Record<string, unknown> = {}) => ({ model: MODEL, messages: [{ role: 'user', content: PROBLEM }], max_tokens: 60, ...extra });

type Observed = ExpectedCapabilities;

async function observe(profile: ServerProfile, server: ReferenceServer, reasoningServer: ReferenceServer): Promise<Observed> {
  const e = profile.errors;
  // n
  const nReply = await post(server, '/chat/completions', chat({ n: 3, seed: 1 }));
  let n: Observed['n'];
  if (nReply.status === 200) {
    const count = (nReply.json as { choices: unknown[] }).choices.length;
    assert.equal(count, profile.n === 'native' ? 3 : 1);
    n = count === 3 ? 'yes' : 'no';
  } else {
    const expected = profile.rejectedFields.includes('n') ? e.rejectedField : e.nRejected;
    assert.equal(nReply.status, expected.status);
    assert.match(errorMessage(profile, nReply, expected.shape), /n|one completion choice/);
    n = 'no';
  }
  // logprobs / top_logprobs
  const lp = await post(server, '/chat/completions', chat({ logprobs: true, top_logprobs: 3, seed: 1 }));
  let logprobs: Observed['logprobs'] = 'no';
  let topLogprobs: Observed['topLogprobs'] = 'no';
  if (lp.status === 200) {
    const content = (lp.json as { choices: { logprobs: { content: { top_logprobs: unknown[] }[] } | null }[] }).choices[0]?.logprobs?.content;
    if (content && content.length > 0) {
      logprobs = 'yes';
      topLogprobs = (content[0]?.top_logprobs.length ?? 0) === 3 ? 'yes' : 'no';
    }
  } else {
    assert.equal(lp.status, e.rejectedField.status);
    assert.match(errorMessage(profile, lp), /logprobs/);
  }
  // stop
  const st = await post(server, '/chat/completions', chat({ stop: ['\n\n'], seed: 5 }));
  assert.equal(st.status, 200);
  const stopText = (st.json as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
  const stop: Observed['stop'] = stopText.endsWith('\n\n') ? 'keeps' : stopText.includes('\n\n') ? 'ignored' : 'cuts';
  if (stop === 'cuts') assert.equal(stopText, `Step ${5 % 997}-0 adds 2 and 3 to get 5.`);
  // seed
  const s1 = await post(server, '/chat/completions', chat({ seed: 42 }));
  const s2 = await post(server, '/chat/completions', chat({ seed: 42 }));
  const t = (r: Reply) => (r.json as { choices: { message: { content: string } }[] }).choices[0]?.message.content;
  const seed: Observed['seed'] = t(s1) === t(s2) ? 'yes' : 'no';
  // continuation of a final assistant message
  const partial = 'Step 1 adds 2 and 3 to get 5.\n\n';
  const cont = await post(server, '/chat/completions', {
    model: MODEL,
    messages: [{ role: 'user', content: PROBLEM }, { role: 'assistant', content: partial }],
    continue_final_message: true,
    add_generation_prompt: false,
    max_tokens: 30,
  });
  let continuation: Observed['continuation'] = 'no';
  if (cont.status === 200) {
    const entry = server.log.entries.at(-1);
    assert.ok(entry?.promptText?.endsWith(partial), 'the partial assistant message is left open in the prompt');
    continuation = 'yes';
  } else {
    assert.equal(cont.status, e.unknownField.status);
    assert.match(errorMessage(profile, cont), /continue_final_message|add_generation_prompt/);
  }
  // completions and echo
  const comp = await post(server, '/completions', { model: MODEL, prompt: PROBLEM, max_tokens: 20, seed: 1 });
  let completions: Observed['completions'] = 'no';
  let echo: Observed['echo'] = 'no';
  if (comp.status === 200) {
    completions = 'yes';
    const ec = await post(server, '/completions', { model: MODEL, prompt: PROBLEM, max_tokens: 20, echo: true, seed: 1 });
    if (ec.status === 200) {
      const text = (ec.json as { choices: { text: string }[] }).choices[0]?.text ?? '';
      echo = text.startsWith(PROBLEM) ? 'yes' : 'no';
    } else {
      assert.equal(ec.status, e.echoRejected.status);
      assert.match(errorMessage(profile, ec, e.echoRejected.shape), /echo/);
    }
  } else {
    assert.equal(comp.status, e.completionsNotServed.status);
    errorMessage(profile, comp, e.completionsNotServed.shape);
  }
  // reasoning placement (a server whose model reasons)
  const rs = await post(reasoningServer, '/chat/completions', chat({ seed: 3, stop: ['\n\n'] }));
  assert.equal(rs.status, 200);
  const msg = (rs.json as { choices: { message: Record<string, unknown> }[] }).choices[0]?.message ?? {};
  const content = String(msg.content);
  let reasoningField: Observed['reasoningField'] = 'none';
  if (typeof msg.reasoning_content === 'string') reasoningField = 'reasoning_content';
  else if (typeof msg.reasoning === 'string') reasoningField = 'reasoning';
  else if (content.includes('</think>')) reasoningField = 'think-tags';
  if (reasoningField === 'reasoning_content' || reasoningField === 'reasoning') assert.equal(msg[reasoningField], DEFAULT_REASONING);
  if (reasoningField === 'think-tags') {
    assert.equal(content.startsWith('<think>'), profile.reasoning === 'think-tags');
    assert.ok(content.includes(`${DEFAULT_REASONING}</think>\nStep`), content);
  }
  // cached prompt tokens: the same long prompt twice
  const c1 = await post(server, '/chat/completions', chat({ seed: 9 }));
  const c2 = await post(server, '/chat/completions', chat({ seed: 9 }));
  assert.equal(c1.status, 200);
  const details = (c2.json as { usage: { prompt_tokens_details?: { cached_tokens: number } } }).usage.prompt_tokens_details;
  const cachedTokens: Observed['cachedTokens'] = details && details.cached_tokens > 0 ? 'yes' : 'no';
  return { n, logprobs, topLogprobs, stop, seed, continuation, completions, echo, reasoningField, cachedTokens };
}

for (const name of serverProfileNames()) {
  describe(`profile ${name}`, () => {
    const profile = getServerProfile(name);
    let server: ReferenceServer;
    let reasoningServer: ReferenceServer;
    before(async () => {
      server = await startReferenceServer({ policy, profile: name });
      reasoningServer = await startReferenceServer({ policy, profile: name, reasoning: true });
    });
    after(async () => {
      await server.close();
      await reasoningServer.close();
    });

    test('an unknown model is answered in the server\'s words and shape', async () => {
      const r = await post(server, '/chat/completions', { ...chat(), model: 'no-such-model' });
      if (profile.unknownModel === 'served') {
        assert.equal(r.status, 200);
        return;
      }
      assert.equal(r.status, profile.errors.unknownModel.status);
      const m = errorMessage(profile, r, profile.errors.unknownModel.shape);
      if (profile.errors.unknownModel.message.includes('{model}')) assert.ok(m.includes('no-such-model'), m);
      const entry = server.log.entries.at(-1);
      assert.equal(entry?.status, r.status);
      assert.deepEqual([entry?.promptTokens, entry?.completionTokens, entry?.choices], [0, 0, 0]);
    });

    test('what raw requests observe is what expectedCapabilities says', async () => {
      server.log.clear();
      const observed = await observe(profile, server, reasoningServer);
      assert.deepEqual(observed, expectedCapabilities(name, { reasoning: true }));
      assert.equal(expectedCapabilities(name).reasoningField, 'none');
    });

    test('every 200 body\'s usage equals the request log\'s counts', async () => {
      server.log.clear();
      const bodies = [chat({ seed: 2 }), chat({ seed: 2, n: profile.n === 'reject' ? undefined : 2 }), chat({ stop: ['\n\n'], seed: 4 })];
      for (const b of bodies) {
        const clean = Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined));
        const r = await post(server, '/chat/completions', clean);
        assert.equal(r.status, 200, r.text);
        const body = r.json as { choices: unknown[]; usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens: number } } };
        const entry = server.log.entries.at(-1);
        assert.equal(entry?.status, 200);
        assert.equal(body.usage.prompt_tokens, entry?.promptTokens);
        assert.equal(body.usage.completion_tokens, entry?.completionTokens);
        assert.equal(body.usage.prompt_tokens_details?.cached_tokens, entry?.cachedTokens);
        assert.equal(body.choices.length, entry?.choices);
        assert.equal(entry?.n, (clean.n as number | undefined) ?? 1);
      }
    });
  });
}

describe('profile data and errors', () => {
  test('six named servers plus vllm-legacy, each fact sourced', () => {
    assert.deepEqual(serverProfileNames().sort(), ['llamacpp', 'ollama', 'openai', 'sglang', 'transformers', 'vllm', 'vllm-legacy']);
    for (const p of Object.values(SERVER_PROFILES)) {
      for (const s of p.sources) {
        assert.match(s.url, /^https:\/\//);
        if (s.assumed) assert.ok(s.why, `${p.name}: an assumed fact says why`);
      }
    }
    assert.throws(() => getServerProfile('tgi'), /unknown server profile "tgi" \(choose from openai, vllm, vllm-legacy, sglang, llamacpp, ollama, transformers\)/);
  });

  test('exact wording: OpenAI unknown argument, transformers 422, llama.cpp n, vLLM model', async () => {
    const cases: [string, string, Record<string, unknown>, number, string][] = [
      ['openai', '/chat/completions', chat({ continue_final_message: true }), 400, 'Unrecognized request argument supplied: continue_final_message'],
      ['transformers', '/chat/completions', chat({ continue_final_message: true, add_generation_prompt: false }), 422, "Unexpected keys in the request: {'add_generation_prompt', 'continue_final_message'}"],
      ['transformers', '/chat/completions', chat({ n: 1 }), 422, "Unsupported fields in the request: {'n'}"],
      ['llamacpp', '/chat/completions', chat({ n: 2 }), 500, 'Only one completion choice is allowed'],
      ['vllm', '/chat/completions', chat({ model: 'x' }), 404, 'The model `x` does not exist.'],
      ['vllm-legacy', '/chat/completions', chat({ model: 'x' }), 404, 'The model `x` does not exist.'],
      ['ollama', '/chat/completions', chat({ model: 'x' }), 404, 'model "x" not found, try pulling it first'],
      ['openai', '/completions', { model: MODEL, prompt: 'p' }, 404, 'This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?'],
    ];
    for (const [name, path, body, status, message] of cases) {
      const server = await startReferenceServer({ policy, profile: name });
      try {
        const r = await post(server, path, body);
        assert.equal(r.status, status, `${name}: ${r.text}`);
        const p = getServerProfile(name);
        const shape = status === 404 && path === '/completions' ? p.errors.completionsNotServed.shape : undefined;
        assert.equal(errorMessage(p, r, shape ?? p.errorShape), message);
      } finally {
        await server.close();
      }
    }
  });

  test('a profile object can change one behaviour (stop ignored: the text runs on past the step)', async () => {
    const profile = { ...getServerProfile('vllm'), name: 'vllm-cb', stop: 'ignored' as const };
    // One step per call, numbered from what the partial answer already holds: the server must ask again.
    const stepper = scriptedPolicy(MODEL, (req) => {
      const last = req.messages?.at(-1);
      const sofar = last?.role === 'assistant' ? last.content : '';
      return `Step ${(sofar.match(/Step/g) ?? []).length + 1}.`;
    });
    const server = await startReferenceServer({ policy: stepper, profile });
    try {
      const r = await post(server, '/chat/completions', chat({ stop: ['\n\n'], max_tokens: 12 }));
      const text = (r.json as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
      assert.match(text, /^Step 1\.\n\nStep 2\.\n\nStep 3\./);
      assert.equal(expectedCapabilities(profile).stop, 'ignored');
    } finally {
      await server.close();
    }
  });

  test('proxy and FastAPI validation faults answer HTML and a detail list; other errors take the profile shape', async () => {
    const server = await startReferenceServer({ policy, profile: 'vllm-legacy', faults: { sequence: ['proxy-502', 'validation-422', '503'] } });
    try {
      const a = await post(server, '/chat/completions', chat());
      assert.equal(a.status, 502);
      assert.match(a.text, /<title>502 Bad Gateway<\/title>/);
      const b = await post(server, '/chat/completions', chat());
      assert.equal(b.status, 422);
      assert.deepEqual((b.json as { detail: { loc: string[]; msg: string }[] }).detail.map((d) => [d.loc, d.msg]), [[['body', 'messages'], 'Field required']]);
      const c = await post(server, '/chat/completions', chat());
      assert.equal(c.status, 503);
      assert.equal((c.json as { object: string }).object, 'error');
    } finally {
      await server.close();
    }
  });
});
