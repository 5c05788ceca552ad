/**
 * `Generator` over one OpenAI-compatible endpoint: builds prefix-sharing prompts for the configured mode, asks
 * for `n` siblings in one request where the server allows it (falling back to separate requests, detected once
 * per endpoint), serves identical requests from the replay cache, and turns each choice into a Generation
 * (step cut, reasoning kept apart, logprob summary, tokens). Keeps a usage meter for budgets and cost.
 * Adapts to servers that differ from the reference (adaptations.ts): `chat-continue` refused → completions or chat,
 * no logprobs in a 200 → stop asking, `stop` ignored or kept → the client cuts the step; each is recorded once.
 */
import { cacheKey, ReplayCache } from './replayCache';
import type { CacheKeyParts } from './replayCache';
import { EndpointClient } from './endpointClient';
import type { CallResult, WireCall } from './endpointClient';
import { costOf, describeEndpoint, EndpointConfigSchema } from './endpointConfig';
import type { EndpointConfig, EndpointConfigInput } from './endpointConfig';
import { EndpointError } from './errors';
import { CONTINUATION_FIELDS } from './errorCause';
import { AdaptationLog } from './adaptations';
import { markRequestsSent, requestsSentBy } from './requestsSent';
import type { GenerateRequest, Generation, Generator } from './generator';
import { summarizeLogprobs } from './logprobs';
import { buildPrompt, STEP_SEPARATOR } from './prompt';
import { cutFirstStep, enforceStop, splitThinkingAt } from './segment';
import type { RawChoice, RawResult } from './wire';
import type { Adaptation, Capabilities, ContinuationMode, EndpointDescription, Support, Usage } from '../trace/schema';

export interface EndpointGeneratorOptions {
  /** From secret storage; used only in the Authorization header and scrubbed from every error. */
  apiKey?: string;
  /** Replay cache folder (the extension uses `<workspace>/.metacot/cache`); absent = no cache. */
  cacheDir?: string;
  /** Set false to bypass the cache even when a folder is given. */
  cache?: boolean;
  fetch?: typeof fetch;
  /** Most bytes read of one response (default 2 MiB); longer ones are cut and their choices end 'cut'. */
  maxResponseBytes?: number;
  /** What a probe found (capabilityProbe.ts): the starting point for `n`, logprobs and continuation; in describe(). */
  capabilities?: Capabilities;
  /** Called the first time each kind of adaptation happens (to say it once). */
  onAdaptation?: (a: Adaptation) => void;
}

/** Requests of one generate call that the server refused before the client adapted (each counts as a request). */
interface Tally {
  refused: number;
  /** Requests answered so far (refused ones included): what a failed call reports having sent. */
  sent: number;
}

type Sent = RawResult & { fromCache: boolean; latencyMs: number };

/** Default max_tokens for one step when neither the request nor the config says. */
const STEP_MAX_TOKENS = 512;

export class EndpointGenerator implements Generator {
  readonly config: EndpointConfig;
  readonly client: EndpointClient;
  private readonly cache: ReplayCache | undefined;
  private nSupport: Support;
  private nProbe: Promise<void> | undefined;
  private logprobSupport: Support;
  /** Why logprobs are no longer asked for, when the server showed it has none (not when the config says so). */
  private noLogprobs: string | undefined;
  /** The mode requests go out in: the configured one until `chat-continue` is refused. */
  private mode: ContinuationMode;
  private continuation: Support;
  private contProbe: Promise<void> | undefined;
  private fallbackNote: string | undefined;
  private readonly capabilities: Capabilities | undefined;
  private readonly log: AdaptationLog;
  private readonly inflight = new Map<string, Promise<Sent>>();
  private readonly meter: Usage = { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 };

  constructor(config: EndpointConfig, options: EndpointGeneratorOptions = {}) {
    this.config = config;
    const caps = options.capabilities;
    this.capabilities = caps;
    this.log = new AdaptationLog(options.onAdaptation);
    this.client = new EndpointClient(config, {
      apiKey: options.apiKey,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
    });
    this.cache = options.cacheDir && options.cache !== false ? new ReplayCache(options.cacheDir) : undefined;
    this.nSupport = config.nStrategy === 'native' ? 'yes' : config.nStrategy === 'separate' ? 'no' : (caps?.n ?? 'unknown');
    this.logprobSupport = config.sampling.logprobs === false ? 'no' : config.sampling.logprobs === true ? 'yes' : (caps?.logprobs ?? 'unknown');
    if (config.sampling.logprobs === undefined && caps?.logprobs === 'no') this.noLogprobs = 'the probe found that the server returns no logprobs: node confidence is unknown';
    this.mode = config.mode;
    this.continuation = config.mode === 'chat-continue' ? (caps?.continuation ?? 'unknown') : 'unknown';
    if (config.mode === 'chat-continue' && caps?.continuation === 'no') this.fallBack('the probe found that the server does not continue an assistant message');
  }

  describe(): EndpointDescription {
    const d = describeEndpoint(this.config);
    return this.capabilities ? { ...d, capabilities: this.capabilities } : d;
  }

  /** HTTP requests a call for `n` samples sends now: n when the server is known to ignore or refuse `n`. */
  requestsFor(n: number): number {
    return n > 1 && this.nSupport === 'no' ? n : 1;
  }

  /** How this endpoint adapted to its server so far, with counts. */
  adaptations(): Adaptation[] {
    return this.log.list();
  }

  /** The mode requests go out in now (differs from the config's after a continuation fallback). */
  get currentMode(): ContinuationMode {
    return this.mode;
  }

  /** Requests, cache hits, tokens and cost so far (cache hits cost nothing). */
  usage(): Usage {
    return { ...this.meter };
  }

  /** In flight + queued relative to the concurrency cap. */
  get load(): number {
    return this.client.load;
  }

  /** Whether `n` > 1 goes in one request: 'unknown' until the first such request answers. */
  get nMode(): Support {
    return this.nSupport;
  }

  async generate(req: GenerateRequest): Promise<Generation[]> {
    if (!Number.isInteger(req.n) || req.n < 1) {
      const err = new EndpointError({ kind: 'config', endpoint: this.config.name, message: `n must be a positive integer (got ${req.n}).` });
      markRequestsSent(err, 0);
      throw err;
    }
    if (req.signal?.aborted) {
      const err = this.client.error('cancelled', 'request cancelled by the caller.');
      markRequestsSent(err, 0);
      throw err;
    }
    const continues = this.config.mode === 'chat-continue' && req.steps.length > 0 && req.purpose !== 'judge';
    // The first continuation finds out whether the server takes one; the others wait for it (as for the n probe).
    if (continues && this.continuation === 'unknown' && this.contProbe) await this.contProbe;
    const probing = continues && this.continuation === 'unknown';
    let settle: () => void = () => {};
    if (probing) this.contProbe = new Promise<void>((r) => (settle = r));
    const tally: Tally = { refused: 0, sent: 0 };
    let out: Generation[];
    try {
      const mode = this.mode;
      try {
        out = await this.generateIn(mode, req, tally);
        if (probing && mode === 'chat-continue') this.continuation = 'yes';
      } catch (e) {
        if (!(continues && mode === 'chat-continue' && this.refusesContinuation(e))) throw e;
        this.continuation = 'no';
        if (this.mode === 'chat-continue') this.fallBack(`the server refused the continuation (${this.serverWords(e)})`);
        out = await this.generateIn(this.mode, req, tally);
      }
    } catch (e) {
      markRequestsSent(e, tally.sent);
      throw e;
    } finally {
      if (probing) settle();
    }
    if (this.mode !== this.config.mode && this.fallbackNote) this.log.note('mode-fallback', this.fallbackNote);
    if (this.noLogprobs) this.log.note('no-logprobs', this.noLogprobs);
    // The refused requests reached the server: they count (with 0 tokens) on the call's first generation.
    if (tally.refused > 0 && out[0]) out[0].requests = (out[0].requests ?? 0) + tally.refused;
    return out;
  }

  /** Switches this endpoint away from `chat-continue`: to completions where served, else chat with the steps in the prompt. */
  private fallBack(why: string): void {
    this.mode = this.capabilities?.completions === 'yes' ? 'completions' : 'chat';
    this.continuation = 'no';
    const how = this.mode === 'completions' ? 'completions mode (/v1/completions)' : 'chat mode (the partial steps go in the user message)';
    this.fallbackNote = `${why}: requests go out in ${how} instead of chat-continue`;
  }

  private refusesContinuation(e: unknown): boolean {
    if (!(e instanceof EndpointError) || e.kind !== 'bad-request') return false;
    const names = (text: string) => [...CONTINUATION_FIELDS].some((f) => text.includes(f));
    return (e.field !== undefined && names(e.field)) || names(e.serverMessage ?? e.message);
  }

  private serverWords(e: unknown): string {
    const msg = e instanceof EndpointError ? (e.serverMessage ?? e.message) : String(e);
    return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
  }

  /** One call in `mode`: `n` in one request where the server allows it, else separate single-sample requests. */
  private async generateIn(mode: ContinuationMode, req: GenerateRequest, tally: Tally): Promise<Generation[]> {
    const body = this.body(mode, req);
    const api = mode === 'completions' ? 'completions' : 'chat';
    const stops = Array.isArray(body.stop) ? (body.stop as string[]) : [];
    const results: { raw: RawResult; fromCache: boolean; latencyMs: number; choices: RawChoice[] }[] = [];

    if (req.n > 1 && this.nSupport === 'unknown' && this.nProbe) await this.nProbe.catch(() => {});
    if (req.n === 1 || this.nSupport !== 'no') {
      let settle: () => void = () => {};
      const probing = req.n > 1 && this.nSupport === 'unknown';
      if (probing) this.nProbe = new Promise<void>((r) => (settle = r));
      try {
        const r = await this.send(api, req.n > 1 ? { ...body, n: req.n } : body, 0, tally, req.signal, req.onDelta);
        results.push({ raw: r, fromCache: r.fromCache, latencyMs: r.latencyMs, choices: r.choices.slice(0, req.n) });
        if (req.n > 1 && r.choices.length < req.n) this.nSupport = 'no'; // the server ignored n
        else if (req.n > 1) this.nSupport = 'yes';
      } catch (e) {
        if (!(req.n > 1 && this.nSupport !== 'yes' && !this.refusesContinuation(e) && this.rejectsParam(e, 'n'))) {
          if (this.refusesContinuation(e)) this.refused(tally);
          throw e;
        }
        this.nSupport = 'no';
        this.refused(tally);
      } finally {
        if (probing) settle();
      }
    }
    // Separate single-sample requests for what one request did not give (seed varied per sample so they differ).
    const have = results.reduce((s, r) => s + r.choices.length, 0);
    if (have < req.n) {
      if (this.config.nStrategy !== 'separate') this.log.note('separate-requests', 'the server does not answer n choices in one request: each sample is sent as its own request');
      const missing = Array.from({ length: req.n - have }, (_, k) => have + k);
      const settled = await Promise.allSettled(
        missing.map((i) => {
          // n is left out (= 1): the most widely accepted form.
          const seeded = typeof body.seed === 'number' ? { ...body, seed: (body.seed as number) + i } : body;
          return this.send(api, seeded, i, tally, req.signal);
        }),
      );
      const failed = settled.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      for (const f of failed) if (this.refusesContinuation(f.reason)) this.refused(tally);
      if (failed[0]) throw failed[0].reason;
      for (const x of settled) {
        if (x.status === 'fulfilled') results.push({ raw: x.value, fromCache: x.value.fromCache, latencyMs: x.value.latencyMs, choices: x.value.choices.slice(0, 1) });
      }
    }
    return results.flatMap((r) => this.toGenerations(req, stops, r.raw, r.choices, r.fromCache, r.latencyMs));
  }

  /** A refused request that reached the server: a request with no tokens. */
  private refused(tally: Tally): void {
    tally.refused++;
    this.meter.requests++;
  }

  /** The request body for this request's prompt and sampling (n is added only when > 1). */
  private body(mode: ContinuationMode, req: GenerateRequest): Record<string, unknown> {
    const s = this.config.sampling;
    const prompt = buildPrompt({ mode, systemPrompt: this.config.systemPrompt, promptTemplate: this.config.promptTemplate }, req);
    // A step ends at a blank line (the stop sequence) unless a stepPattern says where steps start: then blank lines
    // may sit inside a step, and the client cuts at the pattern instead (max_tokens still bounds the cost).
    const stepStop = this.config.stepPattern ? undefined : [STEP_SEPARATOR];
    const stop = req.stop ?? (req.purpose === 'step' ? (s.stop ?? stepStop) : s.stop);
    const maxTokens = req.maxTokens ?? s.maxTokens ?? (req.purpose === 'step' ? STEP_MAX_TOKENS : undefined);
    const temperature = req.temperature ?? s.temperature;
    const seed = req.seed ?? s.seed;
    const body: Record<string, unknown> = { model: this.config.model };
    if (prompt.kind === 'chat') {
      body.messages = prompt.messages;
      if (prompt.continueFinalMessage) {
        body.continue_final_message = true;
        body.add_generation_prompt = false;
      }
    } else body.prompt = prompt.prompt;
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    if (temperature !== undefined) body.temperature = temperature;
    if (s.topP !== undefined) body.top_p = s.topP;
    if (seed !== undefined) body.seed = seed;
    if (stop && stop.length > 0) body.stop = stop;
    if (this.logprobSupport !== 'no') {
      if (prompt.kind === 'chat') body.logprobs = true;
      else body.logprobs = 1;
    }
    return body;
  }

  /** One wire request through the cache (and de-duplicated with an identical one already in flight). */
  private async send(
    api: WireCall['api'],
    body: Record<string, unknown>,
    sample: number,
    tally: Tally,
    signal?: AbortSignal,
    onDelta?: GenerateRequest['onDelta'],
  ): Promise<Sent> {
    const parts: CacheKeyParts = { model: this.config.model, path: api, body, sample };
    const key = this.cache ? cacheKey(parts) : undefined;
    if (this.cache && key) {
      const t0 = performance.now();
      const hit = await this.cache.get(key);
      if (hit) {
        this.meter.cachedRequests++;
        return { ...hit, fromCache: true, latencyMs: performance.now() - t0 };
      }
      const pending = this.inflight.get(key);
      if (pending) {
        try {
          const r = await pending;
          this.meter.cachedRequests++;
          return { ...r, fromCache: true };
        } catch (e) {
          // The first caller cancelled its request: that is no reason to fail this one, which goes out itself.
          if (!(e instanceof EndpointError && e.kind === 'cancelled') || signal?.aborted) throw e;
        }
      }
    }
    const run = (async () => {
      let result: CallResult;
      try {
        result = await this.client.call({ api, body }, signal, onDelta);
      } catch (e) {
        // It reached the server unless the server could not be reached at all, or it was cancelled before it went out.
        if (e instanceof EndpointError && e.kind === 'cancelled') tally.sent += requestsSentBy(e) ?? 0;
        else if (!(e instanceof EndpointError && (e.kind === 'unreachable' || e.kind === 'config'))) tally.sent++;
        // A server that refuses `stream_options` (transformers serve) streams without it: usage then comes from its
        // own final chunk, or is estimated.
        if ((onDelta || this.config.stream) && this.client.streamUsage && e instanceof EndpointError && (e.field === 'stream_options' || this.rejectsParam(e, 'stream_options'))) {
          this.client.streamUsage = false;
          this.log.note('no-stream-usage', `the server refuses stream_options (${this.serverWords(e)}): streamed requests go without it`);
          this.refused(tally);
          return this.send(api, body, sample, tally, signal, onDelta);
        }
        // Reasoning models and some servers refuse logprobs: drop them for this endpoint and ask again, once.
        if (body.logprobs !== undefined && this.logprobSupport !== 'yes' && this.rejectsParam(e, 'logprobs')) {
          this.logprobSupport = 'no';
          this.noLogprobs = `the server refuses logprobs (${this.serverWords(e)}): node confidence is unknown`;
          this.refused(tally);
          const { logprobs: _l, top_logprobs: _t, ...rest } = body;
          return this.send(api, rest, sample, tally, signal, onDelta);
        }
        throw e;
      }
      if (body.logprobs !== undefined && this.logprobSupport === 'unknown') this.learnLogprobs(result.choices);
      tally.sent++;
      this.meter.requests++;
      if (result.cachedPromptTokens !== undefined) this.meter.cachedTokensIn = (this.meter.cachedTokensIn ?? 0) + result.cachedPromptTokens;
      this.meter.tokensIn += result.promptTokens;
      this.meter.tokensOut += result.completionTokens;
      this.meter.cost += costOf(this.config, result.promptTokens, result.completionTokens);
      const raw: RawResult = { choices: result.choices, promptTokens: result.promptTokens, completionTokens: result.completionTokens };
      if (result.cachedPromptTokens !== undefined) raw.cachedPromptTokens = result.cachedPromptTokens;
      // A response cut by a length limit is still a valid replay; only errors are not stored.
      if (this.cache && key) await this.cache.put(key, parts, raw).catch(() => {});
      return { ...raw, fromCache: false, latencyMs: result.latencyMs };
    })();
    if (key) {
      this.inflight.set(key, run);
      run.then(
        () => this.inflight.delete(key),
        () => this.inflight.delete(key),
      );
    }
    return run;
  }

  /** Logprobs are supported only when they came back: a 200 without them (the field ignored) means they never will. */
  private learnLogprobs(choices: readonly RawChoice[]): void {
    if (choices.some((c) => c.logprobs !== undefined && c.logprobs.length > 0)) this.logprobSupport = 'yes';
    else if (choices.some((c) => c.content.length > 0 && c.logprobs === undefined)) {
      this.logprobSupport = 'no';
      this.noLogprobs = 'the server returns no logprobs: node confidence is unknown';
    }
  }

  private rejectsParam(e: unknown, param: string): boolean {
    if (!(e instanceof EndpointError) || e.kind !== 'bad-request') return false;
    // The client's cause classification names the field even where the words do not (llama.cpp: "Only one completion
    // choice is allowed" for n).
    if (e.field === param) return true;
    const msg = e.serverMessage ?? e.message;
    return new RegExp(`['"\`]?\\b${param}\\b['"\`]?`).test(msg) && /unsupported|not supported|must be|only|invalid|not allowed/i.test(msg);
  }

  private toGenerations(req: GenerateRequest, stops: readonly string[], raw: RawResult, choices: RawChoice[], fromCache: boolean, latencyMs: number): Generation[] {
    // Completion tokens per choice: counted from logprobs when present, else shared out by text length (sums stay exact).
    const lengths = choices.map((c) => c.content.length + (c.reasoning?.length ?? 0));
    const totalLen = lengths.reduce((a, b) => a + b, 0) || 1;
    // Logprobs count only the answer's tokens: with reasoning tokens billed beside them they undercount, and the
    // request's usage (what the server bills) wins.
    const haveCounts = choices.every((c) => c.logprobs !== undefined) && choices.reduce((s, c) => s + (c.logprobs as unknown[]).length, 0) === raw.completionTokens;
    let given = 0;
    const outs = choices.map((c, i) => {
      if (haveCounts && choices.length > 1) return (c.logprobs as unknown[]).length;
      if (i === choices.length - 1) return raw.completionTokens - given;
      const share = Math.round((raw.completionTokens * (lengths[i] as number)) / totalLen);
      given += share;
      return share;
    });
    return choices.map((c, i) => {
      const split = splitThinkingAt(c.content);
      const reasoning = [c.reasoning, split.thinking].filter((x): x is string => !!x && x.length > 0).join('\n\n');
      let text = split.answer;
      let finishReason = c.finishReason;
      let keepChars = Infinity;
      let stepCut: string | undefined;
      if (req.purpose === 'step') {
        // A server that ignored `stop` ran past the step; one that kept the stop text left it at the end.
        const enforced = enforceStop(text, stops);
        if (enforced.action === 'cut') {
          stepCut = `the server ran past the step delimiter ${JSON.stringify(stops)}: kept ${enforced.text.trim().length} of ${text.trim().length} characters`;
          this.log.note('client-step-cut', "the server does not stop at the step delimiter (it ignores 'stop'): the client cuts each step where the stop string first occurs");
          finishReason = 'stop';
        } else if (enforced.action === 'removed') {
          this.log.note('stop-text-removed', "the server keeps the stop text at the end of a step: the client removes it");
        }
        text = enforced.text;
        keepChars = enforced.keptChars;
        const cut = cutFirstStep(text, this.config.stepPattern);
        text = cut.step;
        if (cut.cut) {
          finishReason = 'stop';
          keepChars = Math.min(keepChars, cut.keptChars);
        }
      }
      const g: Generation = {
        text,
        finishReason,
        // The prompt is billed once per request: it is recorded on the request's first choice. Replays cost nothing.
        tokensIn: fromCache || i > 0 ? 0 : raw.promptTokens,
        tokensOut: fromCache ? 0 : Math.max(0, outs[i] as number),
        latencyMs,
        cached: fromCache,
        requests: fromCache || i > 0 ? 0 : 1,
      };
      if (!fromCache && i === 0 && raw.cachedPromptTokens !== undefined) g.cachedTokensIn = raw.cachedPromptTokens;
      if (reasoning) g.reasoning = reasoning;
      if (stepCut) g.stepCut = stepCut;
      // Inline thinking: the tokens cover the thinking too, so a cut answer's limit is counted from where it starts.
      const limit = split.thinking === undefined ? keepChars : keepChars === Infinity ? Infinity : split.answerStart !== undefined ? split.answerStart + keepChars : Infinity;
      const lp = summarizeLogprobs(c.logprobs, limit);
      if (lp) g.logprobs = lp;
      return g;
    });
  }
}

/** Validates the config (zod) and returns a Generator over it. Throws EndpointError 'config' with every problem listed. */
export function createEndpointGenerator(config: EndpointConfigInput, options: EndpointGeneratorOptions = {}): EndpointGenerator {
  const parsed = EndpointConfigSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    const name = typeof (config as { name?: unknown }).name === 'string' ? (config as { name: string }).name : '(unnamed)';
    throw new EndpointError({ kind: 'config', endpoint: name, message: `invalid endpoint configuration: ${problems}`, secrets: [options.apiKey] });
  }
  return new EndpointGenerator(parsed.data, options);
}
