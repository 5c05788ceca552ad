/**
 * How a trace's runs ended, in the few states every surface marks it with (the Traces view's icon and description,
 * the panel's title and message bar): solved, failed, running, out of budget, cancelled, ended without a verified
 * answer, or never run (imported). Also why a run failed (its endpoint error kind) and a cheap read of a trace file's
 * runs and result, so the Traces view can mark files it has not opened without parsing their nodes.
 */
import type { Result, Run, Trace } from '../trace/schema';

export type TraceState = 'running' | 'failed' | 'solved' | 'budget' | 'cancelled' | 'unsolved' | 'imported';

/** What a state needs of a trace. */
export type RunsAndResult = Pick<Trace, 'runs' | 'result'>;

/**
 * The trace's state. A running or failed last run wins over an earlier verified answer (the user should see that
 * the search they last started is going on, or broke); otherwise a verified answer is "solved", and the last run's
 * end says the rest. `running`: a search runs on it here (the file may not say so yet).
 */
export function traceState(trace: RunsAndResult, running = false): TraceState {
  const last = trace.runs[trace.runs.length - 1];
  if (running || last?.status === 'running') return 'running';
  if (last?.status === 'failed') return 'failed';
  if (trace.result?.verified) return 'solved';
  if (!last) return 'imported';
  if (last.status === 'budget' || last.status === 'cancelled') return last.status;
  return 'unsolved';
}

/** The short mark a label carries for each state (empty for a trace no search ran on). */
export const TRACE_STATE_MARK: Record<TraceState, string> = {
  running: 'running',
  failed: '✗ failed',
  solved: '✓ solved',
  budget: 'out of budget, unsolved',
  cancelled: 'cancelled, unsolved',
  unsolved: 'no verified answer',
  imported: '',
};

/** The mark with what an earlier run left standing: "✗ failed · ✓ 24 kept" when a re-run failed over a solved trace. */
export function traceMark(trace: RunsAndResult, running = false): string {
  const state = traceState(trace, running);
  // "kept": the verified answer an earlier run left standing; a running run's own verified answer is just shown.
  const own = trace.result?.runId !== undefined && trace.result.runId === trace.runs[trace.runs.length - 1]?.id;
  const kept = trace.result?.verified && (state === 'failed' || state === 'running') ? ` · ✓ ${trace.result.finalAnswer ?? 'solved'}${own ? '' : ' kept'}` : '';
  const answer = state === 'solved' && trace.result?.finalAnswer ? ` ${trace.result.finalAnswer}` : '';
  return `${TRACE_STATE_MARK[state]}${answer}${kept}`;
}

/** What fixes a failure: the endpoint's set-up, its key, its limits, or nothing named (see the failed nodes). */
export type CauseFix = 'endpoint' | 'key' | 'limits' | 'other';

/** Causes fixed in the endpoint's set-up: its URL, model, mode, or a server that is not there. */
const ENDPOINT_CAUSES = new Set(['config', 'unreachable', 'bad-url', 'model-not-found', 'malformed', 'bad-request', 'context-length', 'endpoint']);
/** Causes fixed by a key. */
const KEY_CAUSES = new Set(['auth', 'api-key']);
/** Causes fixed by a limit in the endpoint's settings (timeoutMs, maxRetries, maxConcurrency). */
const LIMIT_CAUSES = new Set(['timeout', 'rate-limited']);

/** What fixes a cause (an endpoint error kind or a run set-up error kind). */
export function causeFix(cause: string | undefined): CauseFix {
  if (cause && KEY_CAUSES.has(cause)) return 'key';
  if (cause && ENDPOINT_CAUSES.has(cause)) return 'endpoint';
  if (cause && LIMIT_CAUSES.has(cause)) return 'limits';
  return 'other';
}

/** What failureCause reads of a trace. */
export type RunsAndEvents = Pick<Trace, 'events'>;

/**
 * The endpoint error kind (or run set-up kind) behind a failed run: its first error event that names one, else the
 * prefix of its reason as the engine writes it ("unreachable: endpoint "x": …", "… first: timeout: endpoint …").
 */
export function failureCause(trace: RunsAndEvents, runId: string, reason: string | undefined): string | undefined {
  const event = trace.events.find((e) => e.run === runId && e.type === 'error' && typeof e.data?.kind === 'string');
  if (event) return String(event.data!.kind);
  return /(?:^|first: )([a-z-]+): endpoint "/.exec(reason ?? '')?.[1];
}

const NODES_KEY = '\n  "nodes": [';
const RESULT_KEY = '\n  "result": ';

/**
 * A trace file's runs and result without parsing its nodes. Files are written by serializeTrace (two-space
 * JSON.stringify, schema key order: …, runs, nodes, events, usage, result), so the text before `"nodes"` is the
 * header and the last key is the result; anything else (hand-written JSON, another order) is parsed whole.
 * `tail`: the file's end, when `text` is only its beginning (a big file read in two pieces). Not validated: it only
 * picks a mark and an icon; opening the trace validates it.
 */
export function readRunsAndResult(text: string, tail?: string): RunsAndResult | undefined {
  try {
    const cut = text.indexOf(NODES_KEY);
    const end = tail ?? text;
    const at = end.lastIndexOf(RESULT_KEY);
    if (cut > 0 && at >= 0 && (tail !== undefined || at > cut)) {
      const head = JSON.parse(`${text.slice(0, cut).replace(/,\s*$/, '')}\n}`) as { runs?: unknown };
      const result = JSON.parse(end.slice(at + RESULT_KEY.length).replace(/\s*}\s*$/, '')) as unknown;
      return shape(head.runs, result);
    }
    if (tail !== undefined) return undefined;
    const whole = JSON.parse(text) as { runs?: unknown; result?: unknown };
    return shape(whole.runs, whole.result);
  } catch {
    return undefined;
  }
}

function shape(runs: unknown, result: unknown): RunsAndResult | undefined {
  if (!Array.isArray(runs) || !runs.every((r) => typeof (r as Run | null)?.status === 'string')) return undefined;
  return { runs: runs as Run[], result: typeof result === 'object' ? (result as Result | null) : null };
}
