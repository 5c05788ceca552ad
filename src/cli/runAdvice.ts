/**
 * What `metacot run` tells the user when a run failed or some of its requests did: the cause (the run's reason,
 * the first error the trace recorded) and what to do, in terms of the CLI's own flags. The core's advice speaks of
 * endpoint settings; here each kind of endpoint error maps to the flag that fixes it.
 */
import { fieldInMessage } from '../core/llm/errorBody';
import { CONTINUATION_FIELDS, SAMPLING_SETTING, topField } from '../core/llm/errorCause';
import type { EndpointErrorKind } from '../core/llm/errors';
import type { Trace } from '../core/trace/schema';
import { STEP_VERIFIERS, type ValueSignal } from '../core/analyse/valueSignal';

const ADVICE: Record<EndpointErrorKind, string> = {
  config: 'Fix the endpoint flags (--endpoint URL, --model M, --mode).',
  unreachable: 'Start the server, or check the --endpoint URL and port (`metacot serve` starts a local reference server and prints its URL).',
  connection: 'The connection broke before an answer came: check the --endpoint URL and the server logs; --retries N retries more.',
  timeout: 'No complete answer within the request timeout: raise --timeout MS (default 120000), lower --param maxTokens, or check the server load.',
  auth: 'The server refused the key: pass --api-key-env NAME naming the environment variable that holds a valid key for this endpoint.',
  'model-not-found': 'Pass --model with a model the server serves (listed above).',
  'bad-url': 'Check --endpoint: OpenAI-compatible servers usually expect the base URL to end in /v1.',
  'context-length': 'Lower --param maxTokens, shorten the problem, or use a model with a longer context.',
  'bad-request': 'The server refuses these requests and will again if repeated: check --mode and the sampling params (--param temperature, maxTokens) for this server.',
  'rate-limited': 'Lower --max-concurrency, raise --retries, or wait and re-run.',
  server: 'The server is failing: check its logs; re-run when it is healthy, or lower --max-concurrency.',
  malformed: 'Check that --endpoint points at an OpenAI-compatible API (usually ending in /v1).',
  'stream-cut': 'The response broke off: check proxies and the server logs; --retries N retries more.',
  cancelled: 'The request was cancelled.',
};

export interface RunErrorSummary {
  /** Error events of the run (a failed request logs one for its parent, and one per node it left failed). */
  count: number;
  /** The first one's message and endpoint error kind, when it had one, and the request field it names. */
  first?: { message: string; kind?: EndpointErrorKind; field?: string };
}

const isKind = (k: unknown): k is EndpointErrorKind => typeof k === 'string' && Object.hasOwn(ADVICE, k);

/** The run's failed requests as its trace recorded them (one `error` event with a `kind` per endpoint failure). */
export function runErrors(trace: Trace, runId: string): RunErrorSummary {
  let count = 0;
  let first: RunErrorSummary['first'];
  let previous: { message: string; node: string } | undefined;
  let parents: Map<string, string | null> | undefined;
  for (const e of trace.events) {
    if (e.run !== runId || e.type !== 'error' || typeof e.data?.message !== 'string') continue;
    const message = e.data.message;
    // A failed expansion logs once on the parent (with its kind), then a copy on each child it left failed.
    parents ??= new Map(trace.nodes.map((n) => [n.id, n.parentId]));
    const copy = e.data.kind === undefined && previous?.message === message && parents.get(e.node) === previous.node;
    if (!copy) previous = { message, node: e.node };
    if (copy) continue;
    count++;
    if (!first) {
      const field = typeof e.data.field === 'string' ? e.data.field : isKind(e.data.kind) && e.data.kind === 'bad-request' ? fieldNamed(message) : undefined;
      first = { message, ...(isKind(e.data.kind) ? { kind: e.data.kind } : {}), ...(field ? { field } : {}) };
    }
  }
  return first ? { count, first } : { count };
}

/** The endpoint error kind a run's reason starts with (`unreachable: endpoint "cli": …`), as the engine writes it. */
export function kindInReason(reason: string | undefined): EndpointErrorKind | undefined {
  const m = /^([a-z-]+): endpoint "/.exec(reason ?? '');
  return m && isKind(m[1]) ? m[1] : undefined;
}

/**
 * The request field an error message names: the client's own advice quotes it (`the request field "n"`), else the
 * server's words do ("Unrecognized request argument supplied: n", "body.n: Extra inputs are not permitted").
 */
export function fieldNamed(message: string): string | undefined {
  const ours = /request field "([^"]+)"/.exec(message);
  return ours?.[1] ?? fieldInMessage(message);
}

/** The CLI's advice for a refused request field. */
export function fieldCliAdvice(field: string): string {
  const f = topField(field);
  if (CONTINUATION_FIELDS.has(f)) return `This server cannot continue an assistant message (it refuses "${f}"): pass --mode completions (when it serves /v1/completions) or --mode chat.`;
  if (f === 'n') return 'The server refuses "n" (several choices in one request): use a server that takes n, or an endpoint with nStrategy "separate" (extension settings).';
  if (f === 'logprobs' || f === 'top_logprobs') return `The server refuses "${f}": use a server that returns token logprobs, or a --strategy and --verifier that do not need them.`;
  const setting = SAMPLING_SETTING[f];
  if (setting) return `The server refuses "${f}": drop --param ${setting} for this server.`;
  return `The server refuses the request field "${f}": try another --mode (chat, chat-continue, completions) for this server.`;
}

/** The model ids an unknown-model error lists ("The server serves: a, b."). */
const servedIn = (message: string): string | undefined => /The server serves: ([^\n]+?)\.(?: |$)/.exec(message)?.[1];

/**
 * What to do about a failed request of this kind, in CLI flags; a generic pointer when the kind is unknown.
 * `message` (the error's text, as recorded) makes it precise: the refused field, the models the server serves.
 */
export function cliAdvice(kind: EndpointErrorKind | undefined, traceFile: string, message?: string): string {
  if (!kind) return `See the failed nodes and their errors with \`metacot show ${traceFile}\`.`;
  if (kind === 'bad-request' && message) {
    const field = fieldNamed(message);
    if (field) return fieldCliAdvice(field);
  }
  if (kind === 'model-not-found' && message) {
    const served = servedIn(message);
    if (served) return `Pass --model with a model the server serves: ${served}.`;
  }
  return ADVICE[kind];
}

/**
 * The summary's warning for a value-guided run without a value signal (see core/analyse/valueSignal.ts), with the
 * flag that gives it one; undefined when the run had a signal or does not rank by value.
 */
export function valueSignalWarning(label: string, signal: ValueSignal): string | undefined {
  if (!signal.none || signal.message === undefined) return undefined;
  return `warning: ${label}: ${signal.message}\n  what to do: pass --verifier ${STEP_VERIFIERS.join(' | ')} (countdown and heuristic: Countdown problems only)`;
}
