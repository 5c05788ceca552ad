/**
 * A Generator backed by a plain function: instant (or fixed-latency) text from an in-process policy. For unit
 * tests, the 100k-node benchmark and demos without an endpoint. Every request is logged so tests can check
 * what a strategy asked for (purposes, steps, revision context, n).
 */
import type { GenerateRequest, Generation, Generator } from '../llm/generator';
import type { EndpointDescription } from '../trace/schema';

export interface PolicyReply {
  text: string;
  finishReason?: string;
  reasoning?: string;
}

/** `index` is the sibling index within the request (0 … n−1); `call` counts requests from 0. */
export type InProcessPolicy = (req: GenerateRequest, index: number, call: number) => string | PolicyReply;

export interface InProcessOptions {
  model?: string;
  /** Simulated latency per request; 0 = answer on the next microtask. */
  latencyMs?: number;
  /** Throw this (or what the function returns) for a request instead of answering. */
  fail?: (req: GenerateRequest, call: number) => Error | undefined;
  /** Keep `requests` (default true; the 100k benchmark turns it off). */
  log?: boolean;
}

export class InProcessGenerator implements Generator {
  readonly requests: GenerateRequest[] = [];
  private calls = 0;
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly policy: InProcessPolicy,
    private readonly opts: InProcessOptions = {},
  ) {}

  generate(req: GenerateRequest): Promise<Generation[]> {
    const call = this.calls++;
    if (this.opts.log !== false) this.requests.push({ ...req, steps: [...req.steps], ...(req.context ? { context: [...req.context] } : {}) });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    // Instant answers come back as an already settled promise: no async frame per request (100k-node benchmark).
    if (!this.opts.latencyMs) {
      try {
        return Promise.resolve(this.answer(req, call));
      } catch (err) {
        return Promise.reject(err);
      } finally {
        this.inFlight--;
      }
    }
    return sleep(this.opts.latencyMs, req.signal)
      .then(() => this.answer(req, call))
      .finally(() => this.inFlight--);
  }

  private answer(req: GenerateRequest, call: number): Generation[] {
    if (req.signal?.aborted) throw abortError();
    const failure = this.opts.fail?.(req, call);
    if (failure) throw failure;
    let chars = req.problem.length;
    for (const s of req.steps) chars += s.length;
    const promptTokens = Math.ceil(chars / 4);
    const out: Generation[] = [];
    for (let i = 0; i < req.n; i++) {
      const r = this.policy(req, i, call);
      const reply = typeof r === 'string' ? { text: r } : r;
      out.push({
        text: reply.text,
        ...(reply.reasoning !== undefined ? { reasoning: reply.reasoning } : {}),
        finishReason: reply.finishReason ?? 'stop',
        tokensIn: promptTokens,
        tokensOut: Math.max(1, Math.ceil(reply.text.length / 4)),
        latencyMs: this.opts.latencyMs ?? 0,
        cached: false,
      });
    }
    return out;
  }

  describe(): EndpointDescription {
    return { name: 'in-process', baseUrl: 'inprocess://', model: this.opts.model ?? 'in-process-policy', mode: 'chat', sampling: {} };
  }
}

function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
