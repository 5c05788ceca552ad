/**
 * Capability probing: a handful of tiny requests (max_tokens ≤ 48, at most 8 HTTP requests) that find out what an
 * OpenAI-compatible server actually does with `n`, logprobs, `stop`, `seed`, continuation of an assistant message,
 * `/v1/completions` and `echo`, where it puts reasoning text and whether it reports cached prompt tokens. The prompt is
 * a Countdown step, so a real model (and the reference server's simulated policies) answers it as it would in a run.
 * A refusal (a 4xx naming what was sent) is an answer, recorded in `notes`; any other failure (unreachable, auth,
 * unknown model, timeout) ends the probe with that EndpointError, so "Test Connection" reports it as it is.
 */
import { EndpointClient } from './endpointClient';
import type { CallResult, WireCall } from './endpointClient';
import type { EndpointConfig } from './endpointConfig';
import { EndpointError } from './errors';
import type { GenerateRequest } from './generator';
import { buildPrompt, STEP_SEPARATOR } from './prompt';
import { redact } from './redact';
import type { Capabilities, Support } from '../trace/schema';

export interface ProbeOptions {
  apiKey?: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** The problem every probe asks about: a Countdown step, answered in one short line by a step-following model. */
export const PROBE_PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
const PROBE_STEP = '7 - 3 = 4 (left: 4, 5, 2)';
const PROBE_SEED = 4242;
/** Enough tokens for one step and the start of the next: a server that ignores `stop` shows it by running on. */
const MAIN_TOKENS = 48;
const SHORT_TOKENS = 16;

/** Kinds that say nothing about a capability: the server is not there, refuses the key, or lacks the model. */
const FATAL = new Set(['config', 'unreachable', 'connection', 'timeout', 'auth', 'model-not-found', 'context-length', 'rate-limited', 'server', 'malformed', 'stream-cut', 'cancelled']);

/** A 4xx refusal of what the request asked for (a parameter, a field, an endpoint path): an answer, not a failure. */
function isRefusal(e: unknown, pathMayBeMissing: boolean): e is EndpointError {
  if (!(e instanceof EndpointError)) return false;
  if (pathMayBeMissing && (e.kind === 'bad-url' || e.kind === 'model-not-found')) return true;
  if (FATAL.has(e.kind) || e.kind === 'bad-url') return false;
  // Some servers refuse a field with a 500 (llama.cpp: "Only one completion choice is allowed"): the client's
  // classification by cause ('bad-request') decides, else any other 4xx.
  return e.kind === 'bad-request' || (e.status !== undefined && e.status >= 400 && e.status < 500);
}

const serverWords = (e: EndpointError): string => e.serverMessage ?? e.detail;

const mentions = (e: EndpointError, param: string): boolean => e.field === param || new RegExp(`(^|[^a-z_])${param}([^a-z_]|$)`, 'i').test(serverWords(e));

type Raw = Record<string, unknown> | undefined;
interface Sent {
  result: CallResult;
  /** The response body as the server sent it (the normalized result drops which reasoning field it used). */
  raw: Raw;
}

const asRecord = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const rawChoices = (raw: Raw): Record<string, unknown>[] => (Array.isArray(raw?.choices) ? (raw.choices as unknown[]).map(asRecord).filter((c): c is Record<string, unknown> => !!c) : []);

/** Where the body's reasoning text was: a message field, inline tags, or nowhere. */
function reasoningIn(raw: Raw): Capabilities['reasoningField'] | undefined {
  for (const c of rawChoices(raw)) {
    const message = asRecord(c.message);
    if (typeof message?.reasoning_content === 'string') return 'reasoning_content';
    if (typeof message?.reasoning === 'string') return 'reasoning';
    const text = typeof message?.content === 'string' ? message.content : typeof c.text === 'string' ? c.text : '';
    if (text.includes('<think>') || text.includes('</think>')) return 'think-tags';
  }
  return undefined;
}

const reportsCached = (raw: Raw): boolean => typeof asRecord(asRecord(raw?.usage)?.prompt_tokens_details)?.cached_tokens === 'number';

/** Alternatives per token came back: chat `top_logprobs` lists, or completions' per-token dictionaries. */
function hasTopLogprobs(raw: Raw): boolean {
  for (const c of rawChoices(raw)) {
    const lp = asRecord(c.logprobs);
    const content = Array.isArray(lp?.content) ? (lp.content as unknown[]) : undefined;
    if (content?.some((t) => Array.isArray(asRecord(t)?.top_logprobs) && (asRecord(t)!.top_logprobs as unknown[]).length >= 2)) return true;
    const tops = Array.isArray(lp?.top_logprobs) ? (lp.top_logprobs as unknown[]) : undefined;
    if (tops?.some((t) => Object.keys(asRecord(t) ?? {}).length >= 2)) return true;
  }
  return false;
}

/** How the server treated `stop: ["\n\n"]`, from the first choice of a step request. */
export function stopBehaviour(text: string, finishReason: string): Capabilities['stop'] {
  // Inline reasoning may hold blank lines of its own: only the answer after it counts.
  const close = text.lastIndexOf('</think>');
  const answer = close >= 0 ? text.slice(close + '</think>'.length) : text;
  const body = answer.endsWith(STEP_SEPARATOR) ? answer.slice(0, -STEP_SEPARATOR.length) : answer;
  if (body.trim().length > 0 && body.trimStart().includes(STEP_SEPARATOR)) return 'ignored';
  if (answer.endsWith(STEP_SEPARATOR)) return 'keeps';
  if (finishReason === 'stop') return 'cuts';
  return 'unknown';
}

/**
 * Probes `config`'s server (its mode decides whether the main request goes to chat or completions). Throws the
 * EndpointError of the first request that failed for a reason other than a refusal.
 */
export async function probeCapabilities(config: EndpointConfig, opts: ProbeOptions = {}): Promise<Capabilities> {
  let last: Raw;
  const inner = opts.fetch ?? globalThis.fetch;
  // Keeps the body the client parses: which reasoning field, top logprobs and usage details it had.
  const capture: typeof fetch = async (input, init) => {
    const res = await inner(input, init);
    try {
      last = asRecord(await res.clone().json());
    } catch {
      last = undefined;
    }
    return res;
  };
  // Whole (not streamed) answers, few retries: the probe asks about the server, not about its patience.
  const client = new EndpointClient({ ...config, stream: false, maxRetries: Math.min(config.maxRetries, 2) }, { apiKey: opts.apiKey, fetch: capture });
  const notes: string[] = [];
  const note = (what: string, e: EndpointError) => notes.push(redact(`${what}: ${serverWords(e)}`.replace(/\s+/g, ' ').slice(0, 300), [opts.apiKey]));
  const send = async (call: WireCall): Promise<Sent> => {
    last = undefined;
    const result = await client.call(call, opts.signal);
    return { result, raw: last };
  };

  const step: GenerateRequest = { problem: PROBE_PROBLEM, steps: [], purpose: 'step', n: 1 };
  const primary = config.mode === 'completions' ? 'completions' : 'chat';
  const prompt = buildPrompt({ ...config, mode: primary === 'chat' ? 'chat' : 'completions' }, step);
  const base: Record<string, unknown> = { model: config.model, ...(prompt.kind === 'chat' ? { messages: prompt.messages } : { prompt: prompt.prompt }) };

  // 1. One step with n = 2, logprobs (with alternatives) and the step stop: each refused parameter is dropped in turn.
  const asked: Record<string, unknown> = { ...base, max_tokens: MAIN_TOKENS, temperature: 1, stop: [STEP_SEPARATOR], n: 2, ...(primary === 'chat' ? { logprobs: true, top_logprobs: 2 } : { logprobs: 2 }) };
  const refused = new Set<string>();
  let main: Sent | undefined;
  for (let attempt = 0; !main; attempt++) {
    try {
      main = await send({ api: primary, body: asked });
    } catch (e) {
      if (!isRefusal(e, false) || attempt >= 2) throw e;
      const named = ['n', 'logprobs', 'top_logprobs'].filter((p) => p in asked && mentions(e, p));
      // Every field the refusal names goes at once; one that names none of them (or a second refusal) drops all the
      // optional ones, so the third try is the bare step, and a refusal of that is not about a capability.
      const drop = named.length > 0 && attempt === 0 ? named : ['n', 'logprobs', 'top_logprobs'].filter((p) => p in asked);
      if (drop.length === 0) throw e;
      note(`${drop.join(', ')} refused`, e);
      for (const p of drop) {
        refused.add(p);
        delete asked[p];
      }
      // Alternatives are asked through logprobs: without it there are none.
      if (drop.includes('logprobs')) delete asked.top_logprobs;
    }
  }
  const choices = main.result.choices;
  const first = choices[0];
  const n: Support = refused.has('n') || choices.length < 2 ? 'no' : 'yes';
  const logprobs: Support = choices.some((c) => (c.logprobs?.length ?? 0) > 0) ? 'yes' : 'no';
  const topLogprobs: Support = logprobs === 'yes' && hasTopLogprobs(main.raw) ? 'yes' : 'no';
  const stop = first ? stopBehaviour(first.content, first.finishReason) : 'unknown';
  let reasoning = reasoningIn(main.raw);
  let cached = reportsCached(main.raw);

  // 2–3. The same seeded request twice, at temperature 1: the same text back means `seed` is honoured.
  const seeded = { ...base, max_tokens: SHORT_TOKENS, temperature: 1, seed: PROBE_SEED, stop: [STEP_SEPARATOR] };
  let seed: Support = 'unknown';
  try {
    const a = await send({ api: primary, body: seeded });
    const b = await send({ api: primary, body: seeded });
    seed = a.result.choices[0]?.content === b.result.choices[0]?.content ? 'yes' : 'no';
    cached ||= reportsCached(a.raw) || reportsCached(b.raw);
  } catch (e) {
    if (!isRefusal(e, false)) throw e;
    note('seed refused', e);
    seed = 'no';
  }

  // 4. A final assistant message continued (vLLM / SGLang `continue_final_message`).
  const partial = buildPrompt({ ...config, mode: 'chat-continue' }, { ...step, steps: [PROBE_STEP] });
  let continuation: Support = 'unknown';
  if (partial.kind === 'chat') {
    try {
      const r = await send({ api: 'chat', body: { model: config.model, messages: partial.messages, continue_final_message: true, add_generation_prompt: false, max_tokens: SHORT_TOKENS, stop: [STEP_SEPARATOR] } });
      continuation = 'yes';
      reasoning ??= reasoningIn(r.raw);
      cached ||= reportsCached(r.raw);
    } catch (e) {
      if (!isRefusal(e, true)) throw e;
      note('continuation refused', e);
      continuation = 'no';
    }
  }

  // 5. /v1/completions with echo; refused, once more without echo (some servers refuse only the flag).
  const raw = buildPrompt({ ...config, mode: 'completions' }, step);
  let completions: Support = primary === 'completions' ? 'yes' : 'unknown';
  let echo: Support = 'unknown';
  if (raw.kind === 'completions') {
    const body = { model: config.model, prompt: raw.prompt, max_tokens: SHORT_TOKENS, stop: [STEP_SEPARATOR] };
    try {
      const r = await send({ api: 'completions', body: { ...body, echo: true } });
      completions = 'yes';
      echo = r.result.choices[0]?.content.startsWith(raw.prompt) ? 'yes' : 'no';
      cached ||= reportsCached(r.raw);
    } catch (e) {
      if (!isRefusal(e, true)) throw e;
      echo = 'no';
      try {
        const r = await send({ api: 'completions', body });
        completions = 'yes';
        note('echo refused', e);
        cached ||= reportsCached(r.raw);
      } catch (e2) {
        if (!isRefusal(e2, true)) throw e2;
        completions = 'no';
        note('/v1/completions refused', e2);
      }
    }
  }

  const caps: Capabilities = {
    probedAt: new Date().toISOString(),
    n,
    logprobs,
    topLogprobs,
    stop,
    seed,
    continuation,
    completions,
    echo,
    reasoningField: reasoning ?? 'none',
    cachedTokens: cached ? 'yes' : 'no',
    requests: client.httpRequests,
  };
  if (notes.length > 0) caps.notes = notes;
  return caps;
}
