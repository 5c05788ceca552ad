/**
 * `Generator` over one OpenAI-compatible endpoint: builds prefix-sharing prompts for the configured mode, asks
 * for `n` siblings in one request where the server allows it (falling back to separate requests, detected once
 * per endpoint), serves identical requests from the replay cache, and turns each choice into a Generation
 * (step cut, reasoning kept apart, logprob summary, tokens). Keeps a usage meter for budgets and cost.
 */
import { cacheKey, ReplayCache } from './replayCache';
import type { CacheKeyParts } from './replayCache';
import { EndpointClient } from './endpointClient';
import type { CallResult, WireCall } from './endpointClient';
import { costOf, describeEndpoint, EndpointConfigSchema } from './endpointConfig';
import type { EndpointConfig, EndpointConfigInput } from './endpointConfig';
import { EndpointError } from './errors';
import type { GenerateRequest, Generation, Generator } from './generator';
import { summarizeLogprobs } from './logprobs';
import { buildPrompt, STEP_SEPARATOR } from './prompt';
import { cutFirstStep, splitThinking } from './segment';
import type { RawChoice, RawResult } from './wire';
import type { EndpointDescription, Usage } from '../trace/schema';

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
}

/** Default max_tokens for one step when neither the request nor the config says. */
const STEP_MAX_TOKENS = 512;

type Support = 'unknown' | 'yes' | 'no';

export class EndpointGenerator implements Generator {
  readonly config: EndpointConfig;
  readonly client: EndpointClient;
  private readonly cache: ReplayCache | undefined;
  private nSupport: Support;
  private nProbe: Promise<void> | undefined;
  private logprobSupport: Support;
  private readonly inflight = new Map<string, Promise<RawResult & { fromCache: boolean; latencyMs: number }>>();
  private readonly meter: Usage = { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 };

  constructor(config: EndpointConfig, options: EndpointGeneratorOptions = {}) {
    this.config = config;
    this.client = new EndpointClient(config, {
      apiKey: options.apiKey,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.maxResponseBytes !== undefined ? { maxResponseBytes: options.maxResponseBytes } : {}),
    });
    this.cache = options.cacheDir && options.cache !== false ? new ReplayCache(options.cacheDir) : undefined;
    this.nSupport = config.nStrategy === 'native' ? 'yes' : config.nStrategy === 'separate' ? 'no' : 'unknown';
    this.logprobSupport = config.sampling.logprobs === false ? 'no' : config.sampling.logprobs === true ? 'yes' : 'unknown';
  }

  describe(): EndpointDescription {
    return describeEndpoint(this.config);
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
      throw new EndpointError({ kind: 'config', endpoint: this.config.name, message: `n must be a positive integer (got ${req.n}).` });
    }
    if (req.signal?.aborted) throw this.client.error('cancelled', 'request cancelled by the caller.');
    const body = this.body(req);
    const api = this.config.mode === 'completions' ? 'completions' : 'chat';
    const results: { raw: RawResult; fromCache: boolean; latencyMs: number; choices: RawChoice[] }[] = [];

    if (req.n > 1 && this.nSupport === 'unknown' && this.nProbe) await this.nProbe.catch(() => {});
    if (req.n === 1 || this.nSupport !== 'no') {
      let settle: () => void = () => {};
      const probing = req.n > 1 && this.nSupport === 'unknown';
      if (probing) this.nProbe = new Promise<void>((r) => (settle = r));
      try {
        const r = await this.send(api, req.n > 1 ? { ...body, n: req.n } : body, 0, req.signal, req.onDelta);
        results.push({ raw: r, fromCache: r.fromCache, latencyMs: r.latencyMs, choices: r.choices.slice(0, req.n) });
        if (req.n > 1 && r.choices.length < req.n) this.nSupport = 'no'; // the server ignored n
        else if (req.n > 1) this.nSupport = 'yes';
      } catch (e) {
        if (!(req.n > 1 && this.nSupport !== 'yes' && this.rejectsParam(e, 'n'))) throw e;
        this.nSupport = 'no';
      } finally {
        if (probing) settle();
      }
    }
    // Separate single-sample requests for what one request did not give (seed varied per sample so they differ).
    const have = results.reduce((s, r) => s + r.choices.length, 0);
    if (have < req.n) {
      const missing = Array.from({ length: req.n - have }, (_, k) => have + k);
      const extra = await Promise.all(
        missing.map((i) => {
          // n is left out (= 1): the most widely accepted form.
          const seeded = typeof body.seed === 'number' ? { ...body, seed: (body.seed as number) + i } : body;
          return this.send(api, seeded, i, req.signal);
        }),
      );
      for (const r of extra) results.push({ raw: r, fromCache: r.fromCache, latencyMs: r.latencyMs, choices: r.choices.slice(0, 1) });
    }
    return results.flatMap((r) => this.toGenerations(req, r.raw, r.choices, r.fromCache, r.latencyMs));
  }

  /** The request body for this request's prompt and sampling (n is added only when > 1). */
  private body(req: GenerateRequest): Record<string, unknown> {
    const s = this.config.sampling;
    const prompt = buildPrompt(this.config, req);
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
    signal?: AbortSignal,
    onDelta?: GenerateRequest['onDelta'],
  ): Promise<RawResult & { fromCache: boolean; latencyMs: number }> {
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
        // Reasoning models and some servers refuse logprobs: drop them for this endpoint and ask again, once.
        if (body.logprobs !== undefined && this.logprobSupport !== 'yes' && this.rejectsParam(e, 'logprobs')) {
          this.logprobSupport = 'no';
          const { logprobs: _l, top_logprobs: _t, ...rest } = body;
          return this.send(api, rest, sample, signal, onDelta);
        }
        throw e;
      }
      if (body.logprobs !== undefined && this.logprobSupport === 'unknown') this.logprobSupport = 'yes';
      this.meter.requests++;
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

  private rejectsParam(e: unknown, param: string): boolean {
    if (!(e instanceof EndpointError) || e.kind !== 'bad-request') return false;
    const msg = e.serverMessage ?? e.message;
    return new RegExp(`['"\`]?\\b${param}\\b['"\`]?`).test(msg) && /unsupported|not supported|must be|only|invalid|not allowed/i.test(msg);
  }

  private toGenerations(req: GenerateRequest, raw: RawResult, choices: RawChoice[], fromCache: boolean, latencyMs: number): Generation[] {
    // Completion tokens per choice: counted from logprobs when present, else shared out by text length (sums stay exact).
    const lengths = choices.map((c) => c.content.length + (c.reasoning?.length ?? 0));
    const totalLen = lengths.reduce((a, b) => a + b, 0) || 1;
    const haveCounts = choices.every((c) => c.logprobs !== undefined);
    let given = 0;
    const outs = choices.map((c, i) => {
      if (haveCounts && choices.length > 1) return (c.logprobs as unknown[]).length;
      if (i === choices.length - 1) return raw.completionTokens - given;
      const share = Math.round((raw.completionTokens * (lengths[i] as number)) / totalLen);
      given += share;
      return share;
    });
    return choices.map((c, i) => {
      const split = splitThinking(c.content);
      const reasoning = [c.reasoning, split.thinking].filter((x): x is string => !!x && x.length > 0).join('\n\n');
      let text = split.answer;
      let finishReason = c.finishReason;
      let keepChars = Infinity;
      if (req.purpose === 'step') {
        const cut = cutFirstStep(text, this.config.stepPattern);
        text = cut.step;
        if (cut.cut) {
          finishReason = 'stop';
          keepChars = cut.keptChars;
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
      };
      if (reasoning) g.reasoning = reasoning;
      const lp = summarizeLogprobs(c.logprobs, split.thinking === undefined ? keepChars : Infinity);
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
