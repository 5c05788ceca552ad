/**
 * The one error type the endpoint layer throws. `kind` says what went wrong in terms a caller can act on;
 * the message says what to do. Messages never contain an API key: every one passes through `redact`.
 */
import { redact } from './redact';

export type EndpointErrorKind =
  | 'config' // the endpoint configuration is invalid
  | 'unreachable' // connection refused / host not found
  | 'connection' // connection dropped before a response arrived
  | 'timeout' // no complete answer within timeoutMs
  | 'auth' // 401 / 403
  | 'model-not-found' // the server says the model is unknown (any status: 404, 400, 422, even 500)
  | 'bad-url' // 404 for the path itself: wrong base URL
  | 'context-length' // 400: prompt + max_tokens exceed the model's context
  | 'bad-request' // other 400 / 422, and an unsupported request field (then `field` names it)
  | 'rate-limited' // 429 after all retries
  | 'server' // 5xx after all retries
  | 'malformed' // the body was not JSON, or not the shape of the API
  | 'stream-cut' // the response stopped mid-way
  | 'cancelled'; // the caller's AbortSignal fired

const RETRYABLE = new Set<EndpointErrorKind>(['unreachable', 'connection', 'timeout', 'rate-limited', 'server', 'malformed', 'stream-cut']);

/**
 * HTTP statuses that answer the same to the same request: every 4xx but 408 (request timeout) and 429 (rate limit),
 * and 501 / 505 (not implemented, version not supported). Repeating such a request cannot help.
 */
export function isDeterministicStatus(status: number | undefined): boolean {
  if (status === undefined) return false;
  if (status >= 400 && status < 500) return status !== 408 && status !== 429;
  return status === 501 || status === 505;
}

/** Advice for a deterministic refusal: what to change, never "try again later". */
export function deterministicAdvice(status: number): string {
  return `The server refuses this request (status ${status}) and will again if it is repeated: check the endpoint's base URL, model, continuation mode and sampling settings.`;
}

const WAIT_ADVICE = /try again later|wait and re-run|raise maxRetries/i;

export interface EndpointErrorInit {
  kind: EndpointErrorKind;
  endpoint: string;
  /** What happened. */
  message: string;
  /** What to do about it. */
  advice?: string;
  status?: number;
  attempts?: number;
  retryAfterMs?: number;
  /** Models the server lists (for 'model-not-found'). */
  models?: string[];
  /** The server's own error message, redacted. */
  serverMessage?: string;
  /** The request field the server refused or named ("n", "continue_final_message"), when it named one. */
  field?: string;
  secrets?: readonly (string | undefined)[];
}

export class EndpointError extends Error {
  readonly kind: EndpointErrorKind;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly attempts: number;
  readonly retryAfterMs: number | undefined;
  readonly models: string[] | undefined;
  readonly serverMessage: string | undefined;
  readonly field: string | undefined;
  /** What happened, without the endpoint name, attempts or advice. */
  readonly detail: string;
  readonly advice: string | undefined;

  constructor(init: EndpointErrorInit) {
    const secrets = init.secrets ?? [];
    const attempts = init.attempts ?? 1;
    // A deterministic status is never a passing server trouble, whatever kind the caller guessed: no retry, no "later".
    const deterministic = isDeterministicStatus(init.status) && RETRYABLE.has(init.kind);
    if (deterministic || (isDeterministicStatus(init.status) && init.advice !== undefined && WAIT_ADVICE.test(init.advice))) {
      init = { ...init, ...(deterministic ? { kind: 'bad-request' as const } : {}), advice: deterministicAdvice(init.status!) };
    }
    const what = init.message.replace(/\.\s*$/, '');
    const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
    super(redact(`endpoint "${init.endpoint}": ${what}${tries}.${init.advice ? ` ${init.advice}` : ''}`, secrets));
    this.name = 'EndpointError';
    this.detail = redact(what, secrets);
    this.advice = init.advice === undefined ? undefined : redact(init.advice, secrets);
    this.kind = init.kind;
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.attempts = attempts;
    this.retryAfterMs = init.retryAfterMs;
    this.models = init.models;
    this.serverMessage = init.serverMessage === undefined ? undefined : redact(init.serverMessage, secrets);
    this.field = init.field;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export const isEndpointError = (e: unknown): e is EndpointError => e instanceof EndpointError;
