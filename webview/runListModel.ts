/**
 * The pure half of the run list: one row per run, counted from the trace itself (nodes by `runId`, the run's own
 * usage and timestamps), and the no-value-signal warning from core's valueSignal. runList.ts draws the rows.
 */
import { valueSignal } from '../src/protocol/fromCore';
import type { Run, StrategyCatalog, Trace, TraceNode } from '../src/protocol/fromCore';
import { fmtInt, fmtMs } from './format';

export type RunStatus = Run['status'];

/** Codicon and word per status; `running` spins. */
export const RUN_STATUS: Record<RunStatus, { icon: string; word: string }> = {
  solved: { icon: 'pass', word: 'solved' },
  failed: { icon: 'error', word: 'failed' },
  running: { icon: 'loading', word: 'running' },
  budget: { icon: 'dashboard', word: 'budget' },
  cancelled: { icon: 'circle-slash', word: 'cancelled' },
  completed: { icon: 'circle-large-outline', word: 'completed' },
};

export interface RunRow {
  id: string;
  startNodeId: string;
  /** Catalog label when the host's catalog knows the strategy, else its name. */
  strategy: string;
  /** "name · model". */
  endpoint: string;
  status: RunStatus;
  /** Why the run ended (shown on the row for a failed run, in the row's title otherwise). */
  reason: string | undefined;
  answer: string | undefined;
  /** The answer verified (true), did not (false), or there is none (undefined). */
  verified: boolean | undefined;
  nodes: number;
  tokens: number;
  cost: number;
  /** Wall time: end − start, or now − start while running; undefined when the timestamps do not parse. */
  timeMs: number | undefined;
  /** valueSignal's message when the run ranked by values it did not have. */
  warning: string | undefined;
}

export interface RunListSource {
  runs: readonly Run[];
  nodes: readonly TraceNode[];
  /** The rest of the trace, for valueSignal (it reads runs and nodes). */
  header: Omit<Trace, 'runs' | 'nodes'>;
}

function answerOf(run: Run, nodes: readonly TraceNode[], index: ReadonlyMap<string, number>): { answer: string | undefined; verified: boolean | undefined } {
  const r = run.result;
  if (!r) return { answer: undefined, verified: undefined };
  const best = r.bestNodeId === undefined ? undefined : index.get(r.bestNodeId);
  const answer = r.finalAnswer ?? (best === undefined ? undefined : nodes[best]!.answer);
  return answer === undefined ? { answer: undefined, verified: undefined } : { answer, verified: r.verified };
}

/**
 * A run's no-value-signal message, or a cached one: valueSignal reads every node, so the run list asks again only
 * when the run's status or node count changed (`key`).
 */
export type SignalCache = Map<string, { key: string; message: string | undefined }>;

/** Rows in the trace's run order. `now` (ms) times running runs. */
export function runRows(src: RunListSource, catalog: StrategyCatalog | null, now: number, index?: ReadonlyMap<string, number>, cache?: SignalCache): RunRow[] {
  const counts = new Map<string, number>();
  for (const n of src.nodes) if (n.runId !== undefined) counts.set(n.runId, (counts.get(n.runId) ?? 0) + 1);
  const ids = index ?? new Map(src.nodes.map((n, i) => [n.id, i]));
  let trace: Trace | undefined;
  const warning = (run: Run): string | undefined => {
    const key = `${run.status}|${counts.get(run.id) ?? 0}`;
    const hit = cache?.get(run.id);
    if (hit?.key === key) return hit.message;
    trace ??= { ...src.header, runs: src.runs as Run[], nodes: src.nodes as TraceNode[] };
    const message = valueSignal(trace, run.id).message;
    cache?.set(run.id, { key, message });
    return message;
  };
  return src.runs.map((run): RunRow => {
    const start = Date.parse(run.startedAt);
    const end = run.endedAt !== undefined ? Date.parse(run.endedAt) : run.status === 'running' ? now : NaN;
    const timeMs = Number.isFinite(start) && Number.isFinite(end) ? Math.max(0, end - start) : undefined;
    const e = run.config.endpoint;
    return {
      id: run.id,
      startNodeId: run.startNodeId,
      strategy: catalog?.strategies.find((s) => s.name === run.config.strategy)?.label ?? run.config.strategy,
      endpoint: e.model && e.model !== e.name ? `${e.name} · ${e.model}` : e.name,
      status: run.status,
      reason: run.reason,
      ...answerOf(run, src.nodes, ids),
      nodes: counts.get(run.id) ?? 0,
      tokens: run.usage.tokensIn + run.usage.tokensOut,
      cost: run.usage.cost,
      timeMs,
      warning: warning(run),
    };
  });
}

/** Cost as the row shows it: "$0.000358", "$1.25", "—" for free runs. */
export function fmtCost(cost: number): string {
  if (!(cost > 0)) return '—';
  return `$${cost >= 0.01 ? cost.toFixed(2) : String(Number(cost.toPrecision(3)))}`;
}

/** The row's numbers in words (the row's accessible description and what tests read). */
export function rowSummary(r: RunRow): string {
  const status = RUN_STATUS[r.status].word;
  const answer = r.answer === undefined ? 'no answer' : `answer ${r.answer}${r.verified === true ? ' (verified)' : r.verified === false ? ' (not verified)' : ''}`;
  return `${r.id}: ${r.strategy} on ${r.endpoint}, ${status}, ${answer}, ${fmtInt(r.nodes)} nodes, ${fmtInt(r.tokens)} tokens, cost ${fmtCost(r.cost)}, ${fmtMs(r.timeMs)}`;
}
