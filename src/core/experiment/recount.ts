/**
 * Numbers of an experiment from its traces: one problem × cell entry from its trace (finished or not, solved,
 * tokens, cost, time, the tree's answers as samples), a cell's row from its entries, the totals. The runner builds
 * summary.json with these, and `recountExperiment` rebuilds every cell from the files alone, so a test (or a
 * reader in doubt) can check that the summary says what the traces say.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { wilson } from '../analyse/intervals';
import { bestOfK, majAtK, passAtK, type VoteSample } from '../analyse/passAtK';
import { answerSamples } from '../analyse/samples';
import { journalPathFor } from '../trace/journal';
import { parseTrace } from '../trace/io';
import type { Trace } from '../trace/schema';
import { TraceTree } from '../trace/tree';
import type { AtKRow, ExperimentCell, ExperimentSummary, ProblemResult } from './summary';
import type { ExperimentCellPlan } from './spec';

/** One problem × cell: its result row and the answers its tree holds (for pass@k / maj@k). */
export interface Entry {
  result: ProblemResult;
  samples: VoteSample[];
}

export type EntryRef = Pick<ProblemResult, 'index' | 'problemId' | 'trace'>;

/**
 * Whether a trace is a finished run: its last run ended on its own. `running` (the process died mid-run) and
 * `cancelled` (Ctrl-C, or a dead run marked so when read) are not: their entry runs again.
 */
export function isFinished(trace: Trace): boolean {
  const last = trace.runs[trace.runs.length - 1];
  return last !== undefined && last.status !== 'running' && last.status !== 'cancelled';
}

/** The entry a trace gives (undefined or unfinished: `missing`, nothing counted). */
export function entryFromTrace(ref: EntryRef, trace: Trace | undefined, why?: string): Entry {
  const last = trace?.runs[trace.runs.length - 1];
  if (!trace || !last || !isFinished(trace)) {
    const reason = why ?? (last ? `the run did not finish (${last.status})` : trace ? 'the trace holds no run' : 'no trace');
    return { result: { ...ref, status: 'missing', solved: false, tokens: 0, cost: 0, seconds: 0, reason }, samples: [] };
  }
  const u = last.usage;
  const start = Date.parse(last.startedAt);
  const end = last.endedAt !== undefined ? Date.parse(last.endedAt) : start;
  const answer = trace.result?.finalAnswer;
  const samples = answerSamples(TraceTree.from(trace)).map((s): VoteSample => ({ correct: s.correct, ...(s.key !== undefined ? { key: s.key } : {}), ...(s.score !== undefined ? { score: s.score } : {}) }));
  return {
    result: {
      ...ref,
      status: last.status as Exclude<typeof last.status, 'running' | 'cancelled'>,
      solved: trace.result?.verified === true,
      tokens: u.tokensIn + u.tokensOut,
      cost: u.cost,
      seconds: Number.isFinite(end - start) ? Math.max(0, end - start) / 1000 : 0,
      ...(answer !== undefined ? { answer } : {}),
      ...(last.reason !== undefined ? { reason: last.reason } : {}),
    },
    samples,
  };
}

/**
 * The entry of a trace file as it lies on disk: the file alone, never its crash journal folded in (a journal
 * beside it means the run was killed: the entry is missing and runs again). Unreadable or invalid: missing.
 */
export async function readEntry(dir: string, ref: EntryRef): Promise<{ entry: Entry; state: 'absent' | 'invalid' | 'unfinished' | 'finished' }> {
  const file = join(dir, ref.trace);
  if (!existsSync(file)) return { entry: entryFromTrace(ref, undefined), state: 'absent' };
  let trace: Trace;
  try {
    trace = parseTrace(await readFile(file, 'utf8'), file);
  } catch (e) {
    return { entry: entryFromTrace(ref, undefined, `not a valid trace: ${(e as Error).message.split('\n')[0]}`), state: 'invalid' };
  }
  if (existsSync(journalPathFor(file))) return { entry: entryFromTrace(ref, undefined, 'killed mid-run (its crash journal is still there)'), state: 'unfinished' };
  const entry = entryFromTrace(ref, trace);
  return { entry, state: entry.result.status === 'missing' ? 'unfinished' : 'finished' };
}

/** 1, 2, 4, … and the largest answer count of any problem. */
function ksUpTo(n: number): number[] {
  const ks: number[] = [];
  for (let k = 1; k < n; k *= 2) ks.push(k);
  if (n > 0) ks.push(n);
  return ks;
}

/**
 * pass@k, maj@k, best-of-k over the problems' trees. A tree with fewer than k answers counts with all it has
 * (a search that stopped on its first verified answer is not dropped for stopping early); none: 0.
 */
export function atKRows(entries: readonly Entry[]): AtKRow[] {
  const max = Math.max(0, ...entries.map((e) => e.samples.length));
  const n = entries.length;
  return ksUpTo(max).map((k) => {
    let pass = 0;
    let maj = 0;
    let best = 0;
    let have = 0;
    for (const e of entries) {
      const m = e.samples.length;
      if (m === 0) continue;
      if (m >= k) have++;
      const kk = Math.min(k, m);
      const c = e.samples.filter((s) => s.correct).length;
      pass += passAtK(m, c, kk);
      maj += majAtK(e.samples, kk);
      best += bestOfK(e.samples, kk);
    }
    return { k, problems: have, passAtK: n ? pass / n : 0, majAtK: n ? maj / n : 0, bestOfK: n ? best / n : 0 };
  });
}

/** A cell's row: rates over every problem of the cell (missing = unsolved), means over the problems. */
export function summarizeCell(plan: ExperimentCellPlan, entries: readonly Entry[]): ExperimentCell {
  const results = entries.map((e) => e.result);
  const n = results.length;
  const solved = results.filter((r) => r.solved).length;
  const tokens = results.reduce((s, r) => s + r.tokens, 0);
  const cost = results.reduce((s, r) => s + r.cost, 0);
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  const ci = wilson(solved, n);
  return {
    id: plan.id,
    strategy: plan.strategy,
    params: plan.params,
    budget: plan.budget,
    problems: n,
    finished: results.filter((r) => r.status !== 'missing').length,
    solved,
    failed: results.filter((r) => r.status === 'failed').length,
    solveRate: n ? solved / n : 0,
    ci: { low: ci.low, high: ci.high },
    atK: atKRows(entries),
    tokens: { total: tokens, mean: n ? tokens / n : 0 },
    tokensPerSolved: solved ? tokens / solved : null,
    cost: { total: cost, mean: n ? cost / n : 0, perSolved: solved ? cost / solved : null },
    seconds: { total: seconds, mean: n ? seconds / n : 0 },
    results,
  };
}

export function summarizeTotals(cells: readonly ExperimentCell[]): ExperimentSummary['totals'] {
  const all = cells.flatMap((c) => c.results);
  return {
    entries: all.length,
    finished: all.filter((r) => r.status !== 'missing').length,
    solved: all.filter((r) => r.solved).length,
    failed: all.filter((r) => r.status === 'failed').length,
    missing: all.filter((r) => r.status === 'missing').length,
    tokens: all.reduce((s, r) => s + r.tokens, 0),
    cost: all.reduce((s, r) => s + r.cost, 0),
    seconds: all.reduce((s, r) => s + r.seconds, 0),
  };
}

/**
 * Every cell and the totals of an experiment, recounted from the trace files its summary names (the summary gives
 * only which files belong to which cell, and why an entry without a file has none; every number comes from the files).
 */
export async function recountExperiment(dir: string, summary: Pick<ExperimentSummary, 'cells'>): Promise<{ cells: ExperimentCell[]; totals: ExperimentSummary['totals'] }> {
  const cells: ExperimentCell[] = [];
  for (const c of summary.cells) {
    const entries: Entry[] = [];
    for (const r of c.results) {
      const { entry, state } = await readEntry(dir, { index: r.index, problemId: r.problemId, trace: r.trace });
      // No file to tell why (a problem the model refused before any request): the summary's words stand.
      if (state === 'absent' && r.reason !== undefined) entry.result.reason = r.reason;
      entries.push(entry);
    }
    cells.push(summarizeCell({ id: c.id, strategy: c.strategy, params: c.params, budget: c.budget }, entries));
  }
  return { cells, totals: summarizeTotals(cells) };
}
