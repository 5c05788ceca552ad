/**
 * One OpenAI-compatible endpoint over the `openai` package: admission (concurrency cap, requests/tokens per
 * minute), per-request timeout, AbortSignal cancellation that closes the HTTP connection, retries with backoff
 * honouring Retry-After, streamed or whole responses validated and normalized, and every failure turned into
 * an EndpointError that says what to do. The SDK's own retries are off: retrying here keeps counts exact and
 * frees the concurrency slot while waiting.
 */
import OpenAI from 'openai';
import { backoffDelay, retryAfterFrom, sleep } from './backoff';
import type { EndpointConfig } from './endpointConfig';
import { extractServerMessage } from './errorBody';
import { fieldAdvice, isUnknownModel, refusesField, SAMPLING_SETTING, topField } from './errorCause';
import { EndpointError } from './errors';
import type { EndpointErrorKind } from './errors';
import type { GenerationDelta } from './generator';
import { RateWindow, Semaphore } from './limiter';
import { redact } from './redact';
import { markRequestsSent } from './requestsSent';
import { ChatChunkWireSchema, ChatCompletionWireSchema, CompletionWireSchema, normalizeChat, normalizeCompletion, StreamAccumulator } from './wire';
import { CUT_FINISH, cappedFetch, DEFAULT_MAX_RESPONSE_BYTES, newCap, withCap } from './responseCap';
import type { ErrorBody, ResponseCap } from './responseCap';
import type { RawResult } from './wire';

export type WireApi = 'chat' | 'completions';

export interface WireCall {
  api: WireApi;
  /** The request body (model included). */
  body: Record<string, unknown>;
}

export interface CallResult extends RawResult {
  /** From sending the first attempt to the complete answer, retries included, ms. */
  latencyMs: number;
  attempts: number;
}

export interface EndpointClientOptions {
  /** From the caller's secret storage; never part of the config. */
  apiKey?: string | undefined;
  /** Custom fetch (tests, proxies). */
  fetch?: typeof fetch;
  /**
   * Most bytes read of one response (default 2 MiB). A longer one is cut there: a stream stops being read, a whole
   * body keeps what fit, and its choices end with finishReason 'cut'. What stays in memory per request is bounded.
   */
  maxResponseBytes?: number;
}

class Timeout extends Error {}

/** Longest Retry-After the client waits out (ms); longer ones end the request with the server's wait in the error. */
const MAX_RETRY_AFTER_MS = 60_000;

const isAbortLike = (e: unknown): boolean =>
  e instanceof OpenAI.APIUserAbortError || (e instanceof Error && (e.name === 'AbortError' || e.name === 'APIUserAbortError'));

function causeChain(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 5; depth++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(`${cur.message}${typeof code === 'string' ? ` (${code})` : ''}`);
      cur = (cur as { cause?: unknown }).cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(' <- ');
}

export class EndpointClient {
  readonly config: EndpointConfig;
  private readonly openai: OpenAI;
  private readonly slots: Semaphore;
  private readonly rate: RateWindow;
  private readonly secrets: (string | undefined)[];
  readonly maxResponseBytes: number;
  /** HTTP attempts made (retries included). */
  httpRequests = 0;
  /** Ask streams for a final usage chunk (`stream_options`); off once a server refuses the field (transformers serve). */
  streamUsage = true;
  retries = 0;

  constructor(config: EndpointConfig, options: EndpointClientOptions = {}) {
    this.config = config;
    this.secrets = [options.apiKey];
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.openai = new OpenAI({
      baseURL: config.baseUrl,
      // Local servers need no key, but the SDK insists on one; this placeholder is not a secret.
      apiKey: options.apiKey ?? 'no-key',
      maxRetries: 0,
      timeout: config.timeoutMs + 5_000,
      defaultHeaders: config.headers,
      logLevel: 'off',
      fetch: cappedFetch(options.fetch ?? globalThis.fetch, this.maxResponseBytes),
    });
    this.slots = new Semaphore(config.maxConcurrency);
    this.rate = new RateWindow(config.requestsPerMinute, config.tokensPerMinute);
  }

  /** Requests in flight plus waiting, relative to the cap: what a least-loaded pool compares. */
  get load(): number {
    return (this.slots.inUse + this.slots.waiting) / this.slots.capacity;
  }

  get inFlight(): number {
    return this.slots.inUse;
  }

  error(kind: EndpointErrorKind, message: string, extra: Partial<Pick<EndpointError, 'status' | 'retryAfterMs' | 'models' | 'serverMessage' | 'attempts' | 'advice' | 'field'>> = {}): EndpointError {
    const init: ConstructorParameters<typeof EndpointError>[0] = { kind, endpoint: this.config.name, message, secrets: this.secrets };
    if (extra.advice !== undefined) init.advice = extra.advice;
    if (extra.status !== undefined) init.status = extra.status;
    if (extra.retryAfterMs !== undefined) init.retryAfterMs = extra.retryAfterMs;
    if (extra.models !== undefined) init.models = extra.models;
    if (extra.serverMessage !== undefined) init.serverMessage = extra.serverMessage;
    if (extra.attempts !== undefined) init.attempts = extra.attempts;
    if (extra.field !== undefined) init.field = extra.field;
    return new EndpointError(init);
  }

  private cancelled(): EndpointError {
    return this.error('cancelled', 'request cancelled by the caller');
  }

  /** Sends one logical request, retrying retryable failures. `onDelta` streams the first choice's text as it arrives. */
  async call(call: WireCall, signal?: AbortSignal, onDelta?: (d: GenerationDelta) => void): Promise<CallResult> {
    const started = performance.now();
    const estimate = this.rate.limited ? this.estimateTokens(call) : 0;
    let shown = false;
    /** An attempt's response began to arrive: a cancel after that still counts the request as sent. */
    const reached = { any: false };
    const emit = onDelta && ((d: GenerationDelta) => ((shown = true), onDelta(d)));
    for (let attempt = 1; ; attempt++) {
      let release: (() => void) | undefined;
      let failure: EndpointError;
      try {
        release = await this.slots.acquire(signal);
        const admission = this.rate.limited ? await this.rate.admit(estimate, signal) : undefined;
        this.httpRequests++;
        const result = await this.once(call, signal, emit, reached);
        admission?.adjust(result.promptTokens + result.completionTokens);
        return { ...result, latencyMs: performance.now() - started, attempts: attempt };
      } catch (e) {
        failure = e instanceof EndpointError ? e : signal?.aborted ? this.cancelled() : this.classify(e);
      } finally {
        release?.();
      }
      if (signal?.aborted || failure.kind === 'cancelled') {
        // A request cancelled once the server had begun to answer it reached the server: it counts as sent. One cancelled
        // before any answer came is not counted (the client cannot know whether it arrived).
        const err = this.cancelled();
        markRequestsSent(err, reached.any ? 1 : 0);
        throw err;
      }
      // A 500 that gives no reason (transformers serve answers an unknown model with a bare "Internal Server Error"):
      // when the server lists its models and ours is not among them, that is the cause, and retrying cannot help.
      if (attempt === 1 && failure.kind === 'server' && failure.status === 500 && (await this.modelMissing(signal))) {
        throw await this.finalError(this.error('model-not-found', `model "${this.config.model}" is not among the models ${this.config.baseUrl} lists (the server answered 500: ${failure.serverMessage ?? 'no reason given'})`, { status: 500, ...(failure.serverMessage !== undefined ? { serverMessage: failure.serverMessage } : {}) }), attempt);
      }
      // A server asking for a wait far beyond our backoff cap (e.g. an exhausted daily quota) is not worth sleeping on.
      const tooLong = failure.retryAfterMs !== undefined && failure.retryAfterMs > Math.max(this.config.retryMaxMs, MAX_RETRY_AFTER_MS);
      // Text already streamed to the caller cannot be taken back: no retry after it.
      if (!failure.retryable || attempt > this.config.maxRetries || tooLong || shown) throw await this.finalError(failure, attempt);
      this.retries++;
      const delay = backoffDelay(attempt - 1, { baseMs: this.config.retryBaseMs, maxMs: this.config.retryMaxMs, retryAfterMs: failure.retryAfterMs });
      try {
        await sleep(delay, signal);
      } catch {
        const err = this.cancelled();
        markRequestsSent(err, reached.any ? 1 : 0);
        throw err;
      }
    }
  }

  /** One HTTP attempt under a timeout that covers the whole (possibly streamed) response. */
  private async once(call: WireCall, signal?: AbortSignal, onDelta?: (d: GenerationDelta) => void, reached?: { any: boolean }): Promise<RawResult> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(signal?.reason);
    if (signal?.aborted) throw this.cancelled();
    signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new Timeout('timeout'));
    }, this.config.timeoutMs);
    const cap = newCap(this.maxResponseBytes);
    const opts = { signal: ctl.signal, maxRetries: 0, timeout: this.config.timeoutMs + 5_000, fetchOptions: withCap(cap) };
    try {
      const result = this.config.stream || onDelta ? await this.streamed(call, opts, cap, onDelta) : await this.whole(call, opts, cap);
      // The SDK ends a stream quietly when aborted: check why it ended.
      if (timedOut) throw this.timeoutError();
      if (signal?.aborted) throw this.cancelled();
      return result;
    } catch (e) {
      if (timedOut) throw this.timeoutError();
      if (signal?.aborted) throw this.cancelled();
      throw e;
    } finally {
      if (cap.responded && reached) reached.any = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private timeoutError(): EndpointError {
    return this.error('timeout', `no complete response within ${this.config.timeoutMs} ms`, { advice: 'Raise timeoutMs for this endpoint, lower maxTokens, or check that the server is not overloaded.' });
  }

  private async whole(call: WireCall, opts: RequestOpts, cap: ResponseCap): Promise<RawResult> {
    let raw: unknown;
    try {
      raw = call.api === 'chat'
        ? await this.openai.chat.completions.create(call.body as never, opts)
        : await this.openai.completions.create(call.body as never, opts);
    } catch (e) {
      throw this.classify(e, cap, call.api);
    }
    // A body cut at the cap was closed into JSON (see closeCutJson): its usage may be half there, so it is estimated.
    if (cap.cut && raw && typeof raw === 'object') delete (raw as { usage?: unknown }).usage;
    let result: RawResult;
    if (call.api === 'chat') {
      const parsed = ChatCompletionWireSchema.safeParse(raw);
      if (!parsed.success) throw this.cutOrMalformed(cap, 'chat completion', raw, parsed.error.issues[0]);
      result = normalizeChat(parsed.data);
    } else {
      const parsed = CompletionWireSchema.safeParse(raw);
      if (!parsed.success || parsed.data.choices.length === 0) throw this.cutOrMalformed(cap, 'completion', raw, parsed.success ? undefined : parsed.error.issues[0]);
      result = normalizeCompletion(parsed.data);
    }
    if (cap.cut) for (const c of result.choices) c.finishReason = CUT_FINISH;
    return result;
  }

  /** A body that did not parse: malformed, or cut at the cap before any choice's text arrived. */
  private cutOrMalformed(cap: ResponseCap, what: string, raw: unknown, issue?: { path: PropertyKey[]; message: string }): EndpointError {
    if (!cap.cut) return this.malformedShape(what, raw, issue);
    return this.tooLarge();
  }

  private tooLarge(): EndpointError {
    return this.error('malformed', `the response is larger than the ${this.maxResponseBytes}-byte cap (maxResponseBytes) and no choice's text arrived before it`, {
      advice: 'Lower maxTokens, or check that the server is not sending something other than completions.',
    });
  }

  private async streamed(call: WireCall, opts: RequestOpts, cap: ResponseCap, onDelta?: (d: GenerationDelta) => void): Promise<RawResult> {
    const body = { ...call.body, stream: true, ...(this.streamUsage ? { stream_options: { include_usage: true } } : {}) };
    const acc = new StreamAccumulator();
    try {
      const stream = call.api === 'chat'
        ? await this.openai.chat.completions.create(body as never, opts)
        : await this.openai.completions.create(body as never, opts);
      for await (const chunk of stream as unknown as AsyncIterable<unknown>) {
        if (call.api === 'chat') {
          const parsed = ChatChunkWireSchema.safeParse(chunk);
          if (!parsed.success) throw this.malformedShape('chat completion chunk', chunk, parsed.error.issues[0]);
          acc.addChat(parsed.data);
          const c = onDelta && parsed.data.choices.find((x) => x.index === 0);
          const reasoning = c?.delta?.reasoning_content ?? c?.delta?.reasoning ?? '';
          if (c && (reasoning || c.delta?.content)) onDelta!({ ...(reasoning ? { reasoning } : {}), ...(c.delta?.content ? { text: c.delta.content } : {}) });
        } else {
          const parsed = CompletionWireSchema.safeParse(chunk);
          if (!parsed.success) throw this.malformedShape('completion chunk', chunk, parsed.error.issues[0]);
          acc.addCompletion(parsed.data);
          const c = onDelta && parsed.data.choices.find((x) => x.index === 0);
          if (c?.text) onDelta!({ text: c.text });
        }
      }
    } catch (e) {
      if (e instanceof EndpointError) throw e;
      // The cap ended the stream: what arrived is the answer, cut.
      if (cap.cut && acc.chunks > 0) return acc.result(CUT_FINISH);
      if (cap.cut) throw this.tooLarge();
      if (acc.chunks > 0 && !(e instanceof SyntaxError) && !(e instanceof OpenAI.APIError && e.status !== undefined)) {
        throw this.error('stream-cut', `the response stream broke off after ${acc.chunks} chunks (${redact(causeChain(e), this.secrets)})`, { advice: STREAM_ADVICE });
      }
      throw this.classify(e, cap, call.api);
    }
    if (cap.cut) {
      if (acc.chunks === 0) throw this.tooLarge();
      return acc.result(CUT_FINISH);
    }
    const n = typeof call.body.n === 'number' ? call.body.n : 1;
    const expected = Math.max(1, Math.min(n, acc.choiceCount || 1));
    const unfinished = acc.unfinished(expected);
    if (acc.chunks === 0 || unfinished.length > 0) {
      throw this.error('stream-cut', `the response stream ended before it was complete (${acc.chunks} chunks, no finish_reason for choice ${unfinished.join(', ') || 0})`, { advice: STREAM_ADVICE });
    }
    return acc.result();
  }

  private malformedShape(what: string, raw: unknown, issue?: { path: PropertyKey[]; message: string }): EndpointError {
    const where = issue ? ` at "${issue.path.map(String).join('.')}": ${issue.message}` : '';
    const sample = typeof raw === 'string' ? raw.slice(0, 120) : JSON.stringify(raw)?.slice(0, 120);
    return this.error('malformed', `the server's answer is not a valid ${what}${where} (got ${sample})`, { advice: MALFORMED_ADVICE });
  }

  /** Maps anything the SDK or fetch throws to an EndpointError (`cap`: the attempt's state, with its error body). */
  classify(e: unknown, cap?: ResponseCap, api?: WireApi): EndpointError {
    if (e instanceof EndpointError) return e;
    if (e instanceof Timeout) return this.timeoutError();
    if (isAbortLike(e)) return this.cancelled();
    const url = this.config.baseUrl;
    if (e instanceof OpenAI.APIConnectionTimeoutError) return this.timeoutError();
    if (e instanceof OpenAI.APIConnectionError) {
      const chain = causeChain(e);
      if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/.test(chain)) {
        const why = /ENOTFOUND|EAI_AGAIN/.test(chain) ? 'host not found' : /ECONNREFUSED/.test(chain) ? 'connection refused' : 'host unreachable';
        return this.error('unreachable', `cannot reach ${url} (${why})`, { advice: "Is the server running? Check the endpoint's base URL and port." });
      }
      return this.error('connection', `the connection to ${url} dropped before a response arrived (${redact(chain, this.secrets)})`, {
        advice: 'If this persists, the server may be crashing or a proxy is cutting connections; check the server logs.',
      });
    }
    if (e instanceof OpenAI.APIError) return this.statusError(e, cap?.error, api);
    if (e instanceof SyntaxError) {
      return this.error('malformed', `the server's answer is not valid JSON (${redact(e.message, this.secrets)})`, { advice: MALFORMED_ADVICE });
    }
    const chain = causeChain(e);
    if (/terminated|other side closed|ECONNRESET|socket hang up|premature close|UND_ERR_SOCKET/i.test(chain)) {
      return this.error('stream-cut', `the response broke off mid-way (${redact(chain, this.secrets)})`, { advice: STREAM_ADVICE });
    }
    return this.error('connection', `request to ${url} failed (${redact(chain, this.secrets)})`);
  }

  /**
   * An HTTP error status (or an error object inside a 200 stream), classified by what the server says, not only by
   * the status: the body kept by the fetch wrapper gives the server's words whatever its shape.
   */
  private statusError(e: InstanceType<typeof OpenAI.APIError>, body: ErrorBody | undefined, api?: WireApi): EndpointError {
    const status = e.status;
    const url = this.config.baseUrl;
    const info = body && body.status === status
      ? extractServerMessage(status, body.text, body.contentType, this.secrets)
      : extractServerMessage(status, e.error !== undefined ? JSON.stringify({ error: e.error }) : status === undefined ? e.message : '', 'application/json', this.secrets);
    const msg = info.message;
    const code = info.code ?? (typeof e.code === 'string' ? e.code : undefined);
    const retryAfterMs = retryAfterFrom(e.headers as { get(name: string): string | null } | undefined);
    const extra = { serverMessage: msg, ...(status !== undefined ? { status } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    const said = status === undefined ? msg : `${status}: ${msg}`;
    if (status === 401 || status === 403 || (status === 400 && BAD_KEY.test(msg))) {
      return this.error('auth', `the server rejected the API key (${said})`, { ...extra, advice: AUTH_ADVICE });
    }
    if (CHAT_ONLY.test(msg)) return this.error('bad-request', `the server refused the request (${said})`, { ...extra, advice: 'This model is served for chat only: use mode chat or chat-continue.' });
    const transient = status === 408 || status === 429 || (status !== undefined && status >= 500 && TRANSIENT.test(msg));
    if (!transient && (isUnknownModel(msg, code, this.config.model) || (status === 404 && /model/i.test(msg)))) {
      return this.error('model-not-found', `model "${this.config.model}" is not served at ${url} (${said})`, { ...extra, advice: "Set the endpoint's model to one the server lists." });
    }
    if (status === undefined) return this.error('server', `the server reported an error mid-response (${msg})`, { ...extra, advice: SERVER_ADVICE });
    if (status === 404) {
      const advice = api === 'completions'
        ? 'Check the base URL (OpenAI-compatible servers usually expect it to end in /v1), or the server does not serve /v1/completions: use mode chat or chat-continue.'
        : 'Check the base URL: OpenAI-compatible servers usually expect it to end in /v1.';
      return this.error('bad-url', `${url} answered 404 Not Found (${msg})`, { ...extra, advice });
    }
    const refusal = status === 400 || status === 413 || status === 422;
    if (refusal && (code === 'context_length_exceeded' || CONTEXT.test(msg))) {
      return this.error('context-length', `the prompt plus max_tokens exceed the model's context (${said})`, {
        ...extra,
        advice: 'Lower maxTokens, shorten the problem or the partial solution, or use a model with a longer context.',
      });
    }
    // A refused field is deterministic even behind a 5xx: repeating the request cannot help.
    const words = `${msg} ${code ?? ''}`;
    const refused = refusesField(words, info.field);
    if (info.field && (refusal || (status >= 500 && (refusesField(words) || /must be|\bonly\b/i.test(msg))))) {
      const setting = SAMPLING_SETTING[topField(info.field)];
      const advice = refused
        ? fieldAdvice(info.field)
        : `The server objects to the request field "${info.field}": check the endpoint's ${setting ? `sampling setting ${setting}` : 'continuation mode and settings'} for this server.`;
      return this.error('bad-request', `the server refused the request (${said})`, { ...extra, field: info.field, advice });
    }
    if (refusal) return this.error('bad-request', `the server refused the request (${said})`, { ...extra, advice: "Check the endpoint's sampling settings and continuation mode for this server." });
    if (status === 429) return this.error('rate-limited', `rate limited (${said})`, { ...extra, advice: RATE_ADVICE });
    if (status === 408 || status === 409 || status >= 500) return this.error('server', `server error ${status} (${msg})`, { ...extra, advice: SERVER_ADVICE });
    return this.error('bad-request', `unexpected status ${status} (${msg})`, extra);
  }

  /** The error a caller sees once retries are spent (or for a non-retryable failure): attempts counted, advice kept. */
  private async finalError(err: EndpointError, attempts: number): Promise<EndpointError> {
    const extra = { ...pick(err), attempts };
    if (err.kind === 'model-not-found') {
      const models = await this.servedModels();
      const list = models === undefined ? 'The server did not list its models.' : models.length === 0 ? 'The server lists no models.' : `The server serves: ${models.join(', ')}.`;
      return this.error('model-not-found', err.detail, { ...extra, ...(models ? { models } : {}), advice: `${list} Set the endpoint's model to one of them.` });
    }
    if (err.kind === 'rate-limited' && err.retryAfterMs !== undefined) {
      return this.error('rate-limited', `${err.detail}; the server last asked to wait ${Math.round(err.retryAfterMs)} ms`, extra);
    }
    return this.error(err.kind, err.detail, extra);
  }

  /**
   * The server's model ids, asked once per client (an unknown-model error and the bare-500 check both read them;
   * concurrent failures share the one request); undefined when the server does not list them.
   */
  private served: Promise<string[] | undefined> | undefined;
  private servedModels(): Promise<string[] | undefined> {
    this.served ??= this.listModels(AbortSignal.timeout(Math.min(5_000, this.config.timeoutMs))).catch(() => undefined);
    return this.served;
  }

  /**
   * Whether the server's model list is non-empty and lacks the configured model. False when the list cannot be had:
   * a failing server is then treated as failing, not as missing the model.
   */
  private async modelMissing(signal?: AbortSignal): Promise<boolean> {
    const models = await this.servedModels();
    if (signal?.aborted) return false;
    return models !== undefined && models.length > 0 && !models.includes(this.config.model);
  }

  /** Model ids the server lists (GET /models). */
  async listModels(signal?: AbortSignal): Promise<string[]> {
    const cap = newCap(this.maxResponseBytes);
    try {
      const page = await this.openai.models.list({ maxRetries: 0, fetchOptions: withCap(cap), ...(signal ? { signal } : {}) });
      return page.data.map((m) => m.id);
    } catch (e) {
      throw this.classify(e, cap);
    }
  }

  private estimateTokens(call: WireCall): number {
    const chars = JSON.stringify(call.body.messages ?? call.body.prompt ?? '').length;
    const max = typeof call.body.max_tokens === 'number' ? call.body.max_tokens : 256;
    const n = typeof call.body.n === 'number' ? call.body.n : 1;
    return Math.ceil(chars / 4) + max * n;
  }
}

type RequestOpts = { signal: AbortSignal; maxRetries: number; timeout: number; fetchOptions: ReturnType<typeof withCap> };

const STREAM_ADVICE = 'If this keeps happening, check proxies or server logs, or turn streaming off for this endpoint.';
const MALFORMED_ADVICE = 'Check that the base URL points at an OpenAI-compatible API (usually ending in /v1).';
const SERVER_ADVICE = 'The server is failing or overloaded: try again later, lower maxConcurrency, or add another endpoint.';
const AUTH_ADVICE = 'Set a valid key for this endpoint with the "Meta-CoT: Set API Key" command (keys are kept in secret storage, never in settings or traces).';
/** A 400 that is really about the key (some gateways answer a bad key with 400). */
const BAD_KEY = /\b(?:invalid|incorrect|missing|no) api[ _-]?key\b|\bapi[ _-]?key (?:is )?(?:not valid|invalid|missing|required)\b/i;
/** A 5xx that says it will pass (a model still loading): retried, never read as an unknown model. */
const TRANSIENT = /\bloading\b|try again|retry|later|overloaded|temporarily|warming up|unavailable/i;
/** OpenAI's answer to a chat model asked on /v1/completions (a 404 that names the model but is about the mode). */
const CHAT_ONLY = /chat model and not supported in the v1\/completions|did you mean to use v1\/chat\/completions/i;
const CONTEXT = /context length|context window|maximum context|too many tokens|prompt is too long|reduce the length/i;
const RATE_ADVICE = 'Lower maxConcurrency or requestsPerMinute for this endpoint, raise maxRetries, or wait and re-run.';

function pick(err: EndpointError): { status?: number; retryAfterMs?: number; serverMessage?: string; advice?: string; field?: string } {
  const out: { status?: number; retryAfterMs?: number; serverMessage?: string; advice?: string; field?: string } = {};
  if (err.field !== undefined) out.field = err.field;
  if (err.advice !== undefined) out.advice = err.advice;
  if (err.status !== undefined) out.status = err.status;
  if (err.retryAfterMs !== undefined) out.retryAfterMs = err.retryAfterMs;
  if (err.serverMessage !== undefined) out.serverMessage = err.serverMessage;
  return out;
}
