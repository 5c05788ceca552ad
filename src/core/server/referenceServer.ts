/**
 * A local OpenAI-compatible server (real Node http, loopback only) that answers from pluggable Policies:
 * the ground truth for endpoint-client tests, search fault tests and benchmarks. It speaks the real wire format
 * (SSE streaming, `n`, `stop`, `max_tokens`, logprobs, usage, vLLM `continue_final_message`), and has knobs for
 * latency, a concurrency cap (429 + Retry-After beyond it), fault injection and a request log.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { renderChatTemplate } from './chatTemplate';
import { finalizeChoice } from './choices';
import type { FinalChoice } from './choices';
import { createFaultDecider, FaultPlanSchema } from './faults';
import type { FaultDecider, FaultKind, FaultPlan } from './faults';
import { chatChunkBody, chatCompletionBody, completionBody, errorBody, modelBody, modelListBody } from './openaiShapes';
import type { ResponseMeta, UsageCounts } from './openaiShapes';
import type { Policy, PolicyMessage, PolicyRequest } from './policy';
import { PrefixCache } from './prefixCache';
import { RequestLog } from './requestLog';
import type { RequestLogEntry } from './requestLog';
import { ChatRequestSchema, CompletionRequestSchema } from './requests';
import type { ChatRequest, CompletionRequest } from './requests';
import { createRng, seedFrom } from './rng';
import { tokenize } from './tokenize';
import { defaultPolicies } from './policies/defaultPolicies';

export interface ReferenceServerOptions {
  /** Loopback only (127.0.0.1 default, or ::1 / localhost). */
  host?: string;
  /** 0 (default) = a random free port. */
  port?: number;
  /** One policy, served under its own name as the model id. */
  policy?: Policy;
  /** Several policies by model name (merged with `policy`). Neither given: the three simulated policies. */
  policies?: Record<string, Policy>;
  /** Delay before the first token (prefill), ms. */
  latencyMs?: number;
  /** Delay per generated token (per step of all `n` choices together), ms. */
  perTokenMs?: number;
  /** Generation requests processed at once; beyond it the server answers 429 with Retry-After. */
  maxConcurrent?: number;
  /** Retry-After sent with the over-capacity 429 (default 50 ms). */
  retryAfterMs?: number;
  faults?: FaultPlan;
  /** Seeds fault draws and requests that carry no `seed`. */
  seed?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; otherwise 401. */
  apiKey?: string;
  /** Prompt + max_tokens limit, tokens (default 32768): beyond it 400 context_length_exceeded. */
  contextLength?: number;
  /** Default max_tokens when a request gives none (default 512). */
  defaultMaxTokens?: number;
  /** How `n` > 1 is treated: 'native' (default), 'reject' (400 like some hosted APIs), 'ignore' (one choice). */
  nSupport?: 'native' | 'reject' | 'ignore';
  /** Parameters answered with 400 "Unsupported parameter" when present (e.g. ['logprobs'] like reasoning models). */
  unsupportedParams?: string[];
}

export type ServerKnobs = Pick<ReferenceServerOptions, 'latencyMs' | 'perTokenMs' | 'maxConcurrent' | 'retryAfterMs' | 'nSupport' | 'unsupportedParams' | 'contextLength'>;

export interface ReferenceServer {
  /** Base URL for an OpenAI client, e.g. http://127.0.0.1:41234/v1 */
  url: string;
  /** Scheme, host and port without /v1. */
  origin: string;
  port: number;
  log: RequestLog;
  /** Model ids served. */
  models: string[];
  /** Replace the fault plan (sequence counting starts again). */
  setFaults(plan: FaultPlan | undefined): void;
  /** Change latency / concurrency / compatibility knobs while running. */
  setKnobs(knobs: ServerKnobs): void;
  /** Forget simulated prefix-cache contents. */
  resetPrefixCache(): void;
  /** Stops listening and drops open connections (hung requests included). */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const stopList = (stop: string | string[] | null | undefined): string[] => (stop == null ? [] : Array.isArray(stop) ? stop : [stop]);

const textOf = (content: ChatRequest['messages'][number]['content']): string =>
  content == null ? '' : typeof content === 'string' ? content : content.map((p) => p.text).join('');

function toPolicyMessages(messages: ChatRequest['messages']): PolicyMessage[] {
  return messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role === 'tool' ? 'user' : m.role,
    content: textOf(m.content),
  }));
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`reference server: host "${host}" is not a loopback address; use 127.0.0.1 or ::1`);
  const policies: Record<string, Policy> = { ...(options.policies ?? {}) };
  if (options.policy) policies[options.policy.name] = options.policy;
  if (Object.keys(policies).length === 0) Object.assign(policies, defaultPolicies());
  const models = Object.keys(policies);

  const knobs: Required<ServerKnobs> = {
    latencyMs: options.latencyMs ?? 0,
    perTokenMs: options.perTokenMs ?? 0,
    maxConcurrent: options.maxConcurrent ?? Infinity,
    retryAfterMs: options.retryAfterMs ?? 50,
    nSupport: options.nSupport ?? 'native',
    unsupportedParams: options.unsupportedParams ?? [],
    contextLength: options.contextLength ?? 32768,
  };
  const serverSeed = options.seed ?? 0;
  const defaultMaxTokens = options.defaultMaxTokens ?? 512;
  const log = new RequestLog();
  const prefixCache = new PrefixCache();
  const t0 = performance.now();
  const created = Math.floor(Date.now() / 1000);
  let faultPlan: FaultPlan = FaultPlanSchema.parse(options.faults ?? {});
  let faults: FaultDecider = createFaultDecider(faultPlan, createRng(seedFrom('faults', serverSeed)));
  let active = 0; // admitted generation requests (the cap applies to these)
  let requestCounter = 0;
  const sockets = new Set<Socket>();

  const now = () => performance.now() - t0;

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function sendError(res: ServerResponse, e: HttpError): void {
    sendJson(res, e.status, errorBody(e.message, e.type, e.param, e.code), e.headers);
  }

  const retryHeaders = (ms: number): Record<string, string> => ({ 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) });

  function checkAuth(req: IncomingMessage): void {
    if (options.apiKey === undefined) return;
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (presented === options.apiKey) return;
    // Real providers echo (part of) the presented key back; echoing all of it makes client redaction testable.
    throw new HttpError(
      401,
      presented ? `Incorrect API key provided: ${presented}. You can find your API key in your account settings.` : 'You didn\'t provide an API key. Provide it in an Authorization header (Bearer auth).',
      'invalid_request_error',
      null,
      'invalid_api_key',
    );
  }

  function policyFor(model: string): Policy {
    const p = policies[model];
    if (!p) throw new HttpError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model', 'model_not_found');
    return p;
  }

  function checkUnsupported(body: Record<string, unknown>, n: number): void {
    if (n > 1 && knobs.nSupport === 'reject') {
      throw new HttpError(400, `Unsupported value: 'n' must be 1 for this model (got ${n}).`, 'invalid_request_error', 'n', 'unsupported_value');
    }
    for (const p of knobs.unsupportedParams) {
      const v = body[p];
      if (v !== undefined && v !== null && v !== false) {
        throw new HttpError(400, `Unsupported parameter: '${p}' is not supported with this model.`, 'invalid_request_error', p, 'unsupported_parameter');
      }
    }
  }

  interface Prepared {
    model: string;
    policy: Policy;
    policyReq: PolicyRequest;
    promptText: string;
    promptTokens: string[];
    stream: boolean;
    includeUsage: boolean;
    logprobs: boolean;
    topK: number;
    kind: 'chat' | 'completion';
  }

  function prepare(path: string, json: unknown): Prepared {
    const isChat = path === '/v1/chat/completions';
    const parsed = (isChat ? ChatRequestSchema : CompletionRequestSchema).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue ? issue.path.join('.') : null;
      throw new HttpError(400, `Invalid request: ${param ? `'${param}': ` : ''}${issue?.message ?? 'bad body'}`, 'invalid_request_error', param || null, 'invalid_value');
    }
    const body = parsed.data;
    const policy = policyFor(body.model);
    const requestedN = body.n ?? 1;
    checkUnsupported(body as Record<string, unknown>, requestedN);
    const n = knobs.nSupport === 'ignore' ? 1 : requestedN;
    let maxTokens = body.max_tokens ?? defaultMaxTokens;
    let promptText: string;
    let policyReq: PolicyRequest;
    let logprobs: boolean;
    let topK: number;
    const common = {
      n,
      temperature: body.temperature ?? 1,
      topP: body.top_p ?? 1,
      stop: stopList(body.stop),
    };
    if (isChat) {
      const chat = body as ChatRequest;
      maxTokens = chat.max_completion_tokens ?? chat.max_tokens ?? defaultMaxTokens;
      const messages = toPolicyMessages(chat.messages);
      const continueFinalMessage = chat.continue_final_message === true;
      if (continueFinalMessage && messages[messages.length - 1]?.role !== 'assistant') {
        throw new HttpError(400, 'continue_final_message is set but the last message is not an assistant message.', 'invalid_request_error', 'messages', 'invalid_value');
      }
      if (continueFinalMessage && chat.add_generation_prompt === true) {
        throw new HttpError(400, 'Cannot set both `continue_final_message` and `add_generation_prompt` to True.', 'invalid_request_error', 'continue_final_message', 'invalid_value');
      }
      promptText = renderChatTemplate(messages, { addGenerationPrompt: chat.add_generation_prompt ?? true, continueFinalMessage });
      logprobs = chat.logprobs === true;
      topK = logprobs ? Math.max(1, chat.top_logprobs ?? 1) : 0;
      policyReq = { ...common, messages, continueFinalMessage, maxTokens, logprobs };
    } else {
      const comp = body as CompletionRequest;
      promptText = Array.isArray(comp.prompt) ? (comp.prompt[0] ?? '') : comp.prompt;
      logprobs = comp.logprobs != null;
      topK = logprobs ? Math.max(1, comp.logprobs ?? 1) : 0;
      policyReq = { ...common, prompt: promptText, continueFinalMessage: false, maxTokens, logprobs };
    }
    // Same request + seed → same output; no seed → a fresh draw per request, still reproducible per server seed.
    policyReq.seed = body.seed ?? seedFrom('request', serverSeed, requestCounter++);
    const promptTokens = tokenize(promptText);
    if (promptTokens.length + maxTokens > knobs.contextLength) {
      throw new HttpError(
        400,
        `This model's maximum context length is ${knobs.contextLength} tokens. However, you requested ${promptTokens.length + maxTokens} tokens (${promptTokens.length} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
        'invalid_request_error',
        isChat ? 'messages' : 'prompt',
        'context_length_exceeded',
      );
    }
    return {
      model: body.model,
      policy,
      policyReq,
      promptText,
      promptTokens,
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
      logprobs,
      topK,
      kind: isChat ? 'chat' : 'completion',
    };
  }

  /**
   * Cuts a response mid-way the way a dying proxy or server does: what was written is flushed first, then the
   * connection ends without the rest (no closing chunk), so the client sees a body that stops.
   */
  async function cut(res: ServerResponse): Promise<void> {
    if (!res.destroyed) await new Promise<void>((r) => res.write('', () => r()));
    res.socket?.end();
    setTimeout(() => res.destroy(), 50).unref();
  }

  /** Writes an SSE event; resolves false when the client has gone. */
  function sse(res: ServerResponse, data: string): boolean {
    if (res.destroyed || res.writableEnded) return false;
    res.write(`data: ${data}\n\n`);
    return true;
  }

  async function handleGeneration(req: IncomingMessage, res: ServerResponse, path: string, entry: RequestLogEntry, closed: AbortSignal): Promise<void> {
    const raw = await readBody(req);
    checkAuth(req);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)', 'invalid_request_error');
    }
    entry.body = json;
    if (json && typeof json === 'object') {
      const j = json as { model?: unknown; n?: unknown; stream?: unknown };
      if (typeof j.model === 'string') entry.model = j.model;
      if (typeof j.n === 'number') entry.n = j.n;
      entry.stream = j.stream === true;
    }
    if (active >= knobs.maxConcurrent) {
      throw new HttpError(429, `Too many concurrent requests (limit ${knobs.maxConcurrent}). Please retry after ${knobs.retryAfterMs} ms.`, 'requests', null, 'rate_limit_exceeded', retryHeaders(knobs.retryAfterMs));
    }
    active++;
    try {
      const p = prepare(path, json);
      entry.promptText = p.promptText;
      entry.promptTokens = p.promptTokens.length;
      const fault = faults.next();
      if (fault) entry.fault = fault;
      if (fault === '429') throw new HttpError(429, 'Rate limit reached for requests (injected fault). Please try again later.', 'requests', null, 'rate_limit_exceeded', retryHeaders(faultPlan.retryAfterMs ?? 50));
      if (fault === '500') throw new HttpError(500, 'The server had an error while processing your request. Sorry about that! (injected fault)', 'server_error');
      if (fault === '503') throw new HttpError(503, 'The engine is currently overloaded, please try again later. (injected fault)', 'server_error', null, null, retryHeaders(faultPlan.retryAfterMs ?? 50));
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault === 'hang') {
        await sleep(faultPlan.hangMs ?? 2 ** 31 - 1, closed);
        if (closed.aborted) return;
      }
      const cachedTokens = prefixCache.lookupAndInsert(p.promptTokens);
      const seed = p.policyReq.seed ?? 0;
      const result = await p.policy.generate(p.policyReq, closed);
      if (closed.aborted) return;
      const choices: FinalChoice[] = result.choices.map((c, index) =>
        finalizeChoice(c, { stop: p.policyReq.stop, maxTokens: p.policyReq.maxTokens, seed, index, topK: Math.max(1, p.topK) }),
      );
      const completionTokens = choices.reduce((s, c) => s + c.tokens.length + c.reasoningTokens, 0);
      const usage: UsageCounts = {
        promptTokens: p.promptTokens.length,
        completionTokens,
        cachedTokens,
        reasoningTokens: choices.reduce((s, c) => s + c.reasoningTokens, 0),
      };
      entry.cachedTokens = cachedTokens;
      entry.completionTokens = completionTokens;
      const meta: ResponseMeta = {
        id: `${p.kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${seedFrom('id', serverSeed, entry.index).toString(16).padStart(8, '0')}${entry.index.toString(16)}`,
        created: Math.floor(Date.now() / 1000),
        model: p.model,
      };
      await sleep(knobs.latencyMs, closed);
      if (closed.aborted) return;
      if (!p.stream) {
        const steps = Math.max(0, ...choices.map((c) => c.tokens.length));
        await sleep(knobs.perTokenMs * steps, closed);
        if (closed.aborted) return;
        const body = p.kind === 'chat'
          ? chatCompletionBody(meta, choices, usage, p.logprobs)
          : completionBody(meta, choices.map((c, index) => ({ index, text: c.text, tokens: c.tokens, offset: p.promptText.length, finishReason: c.finishReason })), p.logprobs, usage);
        if (fault === 'malformed') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body).slice(0, 40) + '<<not json');
        } else if (fault === 'bad-shape') {
          sendJson(res, 200, { id: meta.id, object: body.object, created: meta.created, model: meta.model });
        } else if (fault === 'stream-cut') {
          const text = JSON.stringify(body);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.write(text.slice(0, Math.floor(text.length / 2)));
          await cut(res);
        } else {
          sendJson(res, 200, body);
        }
        return;
      }
      await streamChoices(res, p, meta, choices, usage, fault, closed);
    } finally {
      active--;
    }
  }

  async function streamChoices(res: ServerResponse, p: Prepared, meta: ResponseMeta, choices: FinalChoice[], usage: UsageCounts, fault: FaultKind | null, closed: AbortSignal): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const cutAfter = fault === 'stream-cut' ? (faultPlan.cutAfterChunks ?? 2) : Infinity;
    let sent = 0;
    const emit = async (obj: unknown): Promise<boolean> => {
      if (sent >= cutAfter) {
        await cut(res); // mid-stream: no [DONE], no finish_reason
        return false;
      }
      if (fault === 'malformed' && sent === 1) {
        sse(res, '{"id": "broken", "choices": [ {not json');
        sent++;
        return true;
      }
      sent++;
      return sse(res, JSON.stringify(obj));
    };
    const usageField = p.includeUsage ? null : undefined;
    if (p.kind === 'chat') {
      // First chunk carries the role (and reasoning, when the policy gave any), like OpenAI and vLLM.
      for (let i = 0; i < choices.length; i++) {
        const c = choices[i] as FinalChoice;
        const delta: { role: 'assistant'; content: string; reasoning_content?: string } = { role: 'assistant', content: '' };
        if (c.reasoning !== undefined) delta.reasoning_content = c.reasoning;
        if (!(await emit(chatChunkBody(meta, [{ index: i, delta, finishReason: null }], p.logprobs, usageField)))) return;
      }
    }
    const steps = Math.max(0, ...choices.map((c) => c.tokens.length));
    const offsets = choices.map(() => p.promptText.length);
    for (let t = 0; t < steps; t++) {
      if (t > 0) await sleep(knobs.perTokenMs, closed);
      if (closed.aborted) return;
      for (let i = 0; i < choices.length; i++) {
        const c = choices[i] as FinalChoice;
        const tok = c.tokens[t];
        if (!tok) continue;
        const ok = p.kind === 'chat'
          ? await emit(chatChunkBody(meta, [{ index: i, delta: { content: tok.token }, tokens: [tok], finishReason: null }], p.logprobs, usageField))
          : await emit(completionBody(meta, [{ index: i, text: tok.token, tokens: [tok], offset: offsets[i] as number, finishReason: null }], p.logprobs));
        offsets[i] = (offsets[i] as number) + tok.token.length;
        if (!ok) return;
      }
    }
    for (let i = 0; i < choices.length; i++) {
      const c = choices[i] as FinalChoice;
      const ok = p.kind === 'chat'
        ? await emit(chatChunkBody(meta, [{ index: i, delta: {}, finishReason: c.finishReason }], p.logprobs, usageField))
        : await emit(completionBody(meta, [{ index: i, text: '', tokens: [], offset: offsets[i] as number, finishReason: c.finishReason }], p.logprobs));
      if (!ok) return;
    }
    if (p.includeUsage) {
      const ok = p.kind === 'chat'
        ? await emit(chatChunkBody(meta, [], p.logprobs, usage))
        : await emit({ ...completionBody(meta, [], p.logprobs, usage) });
      if (!ok) return;
    }
    if (sent >= cutAfter) {
      await cut(res);
      return;
    }
    sse(res, '[DONE]');
    res.end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    const isGeneration = req.method === 'POST' && (path === '/v1/chat/completions' || path === '/v1/completions');
    const entry: RequestLogEntry = {
      index: log.entries.length,
      method: req.method ?? 'GET',
      path,
      stream: false,
      n: 1,
      tIn: now(),
      inFlightAtArrival: 0,
      clientClosed: false,
    };
    log.entries.push(entry);
    const closedCtl = new AbortController();
    if (isGeneration) {
      log.inFlight++;
      log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
      entry.inFlightAtArrival = log.inFlight;
    }
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      entry.tOut = now();
      if (isGeneration) log.inFlight--;
    };
    res.on('close', () => {
      if (!res.writableFinished) {
        entry.clientClosed = !entry.fault || (entry.fault !== 'reset' && entry.fault !== 'stream-cut');
        closedCtl.abort(); // only a premature close needs to stop waits and the policy (aborting costs a DOMException)
      }
      finish();
    });
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    const handle = async (): Promise<void> => {
      if (isGeneration) return handleGeneration(req, res, path, entry, closedCtl.signal);
      if (req.method === 'GET' && path === '/v1/models') {
        checkAuth(req);
        sendJson(res, 200, modelListBody(models, created));
        return;
      }
      const m = /^\/v1\/models\/(.+)$/.exec(path);
      if (req.method === 'GET' && m) {
        checkAuth(req);
        const id = decodeURIComponent(m[1] as string);
        if (!policies[id]) throw new HttpError(404, `The model \`${id}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model', 'model_not_found');
        sendJson(res, 200, modelBody(id, created));
        return;
      }
      throw new HttpError(404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error');
    };
    handle().catch((err: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) sendError(res, err);
      else sendError(res, new HttpError(500, `Policy or server failure: ${err instanceof Error ? err.message : String(err)}`, 'server_error'));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('reference server: no TCP address after listen');
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${hostPart}:${address.port}`;

  return {
    url: `${origin}/v1`,
    origin,
    port: address.port,
    log,
    models,
    setFaults(plan) {
      faultPlan = FaultPlanSchema.parse(plan ?? {});
      faults = createFaultDecider(faultPlan, createRng(seedFrom('faults', serverSeed, log.entries.length)));
    },
    setKnobs(k) {
      for (const [key, v] of Object.entries(k)) if (v !== undefined) (knobs as Record<string, unknown>)[key] = v;
    },
    resetPrefixCache: () => prefixCache.clear(),
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      });
    },
  };
}
