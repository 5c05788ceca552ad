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
import { finalizeChoice } from './choices';
import type { FinalChoice } from './choices';
import { createFaultDecider, FaultPlanSchema } from './faults';
import type { FaultDecider, FaultPlan } from './faults';
import { checkAuth, HttpError, readBody, retryHeaders, sendError, sendJson, sleep } from './httpReply';
import { chatCompletionBody, completionBody, modelBody, modelListBody, REFERENCE_STYLE } from './openaiShapes';
import type { ReplyStyle, ResponseMeta, UsageCounts } from './openaiShapes';
import { fastapiValidationBody, inProfileShape, profileHttpError, PROXY_502_HTML } from './profileErrors';
import { placeReasoning, reasoningKeyOf, runPastStop } from './profileReply';
import { resolveServerProfile } from './profiles';
import type { Policy } from './policy';
import { PrefixCache } from './prefixCache';
import { policyFor, prepareRequest } from './prepareRequest';
import type { PrepareContext } from './prepareRequest';
import { RequestLog } from './requestLog';
import type { RequestLogEntry } from './requestLog';
import { createRng, seedFrom } from './rng';
import type { LiveKnobs, ReferenceServerOptions, ServerKnobs } from './serverOptions';
import { cut, streamChoices } from './streaming';
import { defaultPolicies } from './policies/defaultPolicies';

export type { ReferenceServerOptions, ServerKnobs } from './serverOptions';

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

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`reference server: host "${host}" is not a loopback address; use 127.0.0.1 or ::1`);
  const policies: Record<string, Policy> = { ...(options.policies ?? {}) };
  if (options.policy) policies[options.policy.name] = options.policy;
  if (Object.keys(policies).length === 0) Object.assign(policies, defaultPolicies());
  const poolers = options.poolers ?? {};
  const models = [...Object.keys(policies), ...Object.keys(poolers)];
  const profile = options.profile === undefined ? undefined : resolveServerProfile(options.profile);
  const style: ReplyStyle = profile ? { reasoningKey: reasoningKeyOf(profile.reasoning), cachedTokens: profile.cachedTokens } : REFERENCE_STYLE;

  const knobs: LiveKnobs = {
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
  const prepareCtx: PrepareContext = { policies, knobs, defaultMaxTokens, nextSeed: () => seedFrom('request', serverSeed, requestCounter++), profile };

  async function handleGeneration(req: IncomingMessage, res: ServerResponse, path: string, entry: RequestLogEntry, closed: AbortSignal): Promise<void> {
    const raw = await readBody(req);
    checkAuth(req, options.apiKey);
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
      if (profile && path === '/v1/completions' && profile.completions === 'not-served') {
        throw profileHttpError(profile, profile.errors.completionsNotServed, { path });
      }
      const p = prepareRequest(path, json, prepareCtx);
      entry.promptText = p.promptText;
      entry.promptTokens = p.promptTokens.length;
      const fault = faults.next();
      if (fault) entry.fault = fault;
      if (fault === '429') throw new HttpError(429, 'Rate limit reached for requests (injected fault). Please try again later.', 'requests', null, 'rate_limit_exceeded', retryHeaders(faultPlan.retryAfterMs ?? 50));
      if (fault === '500') throw new HttpError(500, 'The server had an error while processing your request. Sorry about that! (injected fault)', 'server_error');
      if (fault === '503') throw new HttpError(503, 'The engine is currently overloaded, please try again later. (injected fault)', 'server_error', null, null, retryHeaders(faultPlan.retryAfterMs ?? 50));
      if (fault === 'proxy-502') {
        const e = new HttpError(502, 'Bad Gateway', 'server_error');
        e.rendered = { contentType: 'text/html', body: PROXY_502_HTML };
        throw e;
      }
      if (fault === 'validation-422') {
        const e = new HttpError(422, 'Field required', 'invalid_request_error');
        e.rendered = fastapiValidationBody(['body', 'messages'], 'Field required', json);
        throw e;
      }
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
      let raw = result.choices;
      if (profile?.stop === 'ignored' && p.policyReq.stop.length > 0) raw = await runPastStop(p.policy, p.policyReq, raw, closed);
      if (closed.aborted) return;
      if (profile || options.reasoning) raw = raw.map((c) => placeReasoning(c, { placement: profile?.reasoning ?? 'reasoning_content', reasoning: options.reasoning === true, kind: p.kind }));
      const choices: FinalChoice[] = raw.map((c, index) =>
        finalizeChoice(c, { stop: p.policyReq.stop, maxTokens: p.policyReq.maxTokens, seed, index, topK: Math.max(1, p.topK), stopMode: profile?.stop ?? 'cuts' }),
      );
      const completionTokens = choices.reduce((s, c) => s + c.tokens.length + c.reasoningTokens, 0);
      const usage: UsageCounts = {
        promptTokens: p.promptTokens.length,
        completionTokens,
        cachedTokens,
        reasoningTokens: choices.reduce((s, c) => s + c.reasoningTokens, 0),
      };
      if (style.cachedTokens) entry.cachedTokens = cachedTokens;
      entry.completionTokens = completionTokens;
      entry.choices = choices.length;
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
          ? chatCompletionBody(meta, choices, usage, p.logprobs, style)
          : completionBody(meta, choices.map((c, index) => ({ index, text: p.echo ? p.promptText + c.text : c.text, tokens: c.tokens, offset: p.promptText.length, finishReason: c.finishReason })), p.logprobs, usage, style);
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
      await streamChoices(res, p, meta, choices, usage, fault, closed, { knobs, cutAfterChunks: faultPlan.cutAfterChunks, style });
    } finally {
      active--;
    }
  }

  /** vLLM's pooling route: the request's `model` picks the pooler (absent: the only one there is). */
  async function pool(raw: string): Promise<unknown> {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new HttpError(400, 'request body is not valid JSON', 'invalid_request_error');
    }
    const ids = Object.keys(poolers);
    const asked = body !== null && typeof body === 'object' ? (body as { model?: unknown }).model : undefined;
    const id = typeof asked === 'string' ? asked : ids.length === 1 ? ids[0]! : undefined;
    const pooler = id !== undefined ? poolers[id] : undefined;
    if (!pooler) {
      throw new HttpError(404, `The model \`${String(asked)}\` does not exist or is not a pooling model; pooling models: ${ids.join(', ')}`, 'invalid_request_error', 'model', 'model_not_found');
    }
    return pooler(body);
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
      if (req.method === 'POST' && (path === '/pooling' || path === '/v1/pooling') && Object.keys(poolers).length > 0) {
        checkAuth(req, options.apiKey);
        sendJson(res, 200, await pool(await readBody(req)));
        return;
      }
      if (req.method === 'GET' && path === '/v1/models') {
        checkAuth(req, options.apiKey);
        sendJson(res, 200, modelListBody(models, created));
        return;
      }
      const m = /^\/v1\/models\/(.+)$/.exec(path);
      if (req.method === 'GET' && m) {
        checkAuth(req, options.apiKey);
        const id = decodeURIComponent(m[1] as string);
        policyFor(policies, id);
        sendJson(res, 200, modelBody(id, created));
        return;
      }
      if (profile) throw profileHttpError(profile, profile.errors.notFound, { path });
      throw new HttpError(404, `Invalid URL (${req.method} ${path})`, 'invalid_request_error');
    };
    handle().catch((err: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      // An error answer bills nothing: the log says so, like the usage a client must count.
      entry.promptTokens = 0;
      entry.completionTokens = 0;
      entry.choices = 0;
      if (style.cachedTokens) entry.cachedTokens = 0;
      const e = err instanceof HttpError ? err : new HttpError(500, `Policy or server failure: ${err instanceof Error ? err.message : String(err)}`, 'server_error');
      sendError(res, profile ? inProfileShape(profile, e) : e);
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
