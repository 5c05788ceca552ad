/** What a reference server is started with, and the knobs that may change while it runs. */
import type { FaultPlan } from './faults';
import type { Policy } from './policy';
import type { ServerProfile } from './profiles/schema';

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
  /**
   * Behave like a real server (`openai`, `vllm`, `vllm-legacy`, `sglang`, `llamacpp`, `ollama`, `transformers`,
   * or a modified profile object): its error bodies, refused and ignored fields, stop handling, reasoning field and
   * usage layout. Its `n` treatment replaces `nSupport`. Absent: the reference behaviour.
   */
  profile?: string | ServerProfile;
  /** The served model reasons: every chat choice carries a one-line reasoning text where the profile puts it. */
  reasoning?: boolean;
  /**
   * Pooling models by model id, served at `POST /pooling` in vLLM's pooling API shape (reward / value models):
   * each takes the parsed request body and returns the response body; listed by `GET /v1/models` too.
   */
  poolers?: Record<string, Pooler>;
}

/** A pooling model: request body in, response body out; throws HttpError for a request it refuses. */
export type Pooler = (body: unknown) => Promise<unknown>;

export type ServerKnobs = Pick<ReferenceServerOptions, 'latencyMs' | 'perTokenMs' | 'maxConcurrent' | 'retryAfterMs' | 'nSupport' | 'unsupportedParams' | 'contextLength'>;

/** The knobs as the running server holds them: every one set (defaults filled in), changed in place by setKnobs. */
export type LiveKnobs = Required<ServerKnobs>;
