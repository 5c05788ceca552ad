/**
 * Runs an experiment: every problem × cell through the one run path (prepareRun / execute), one trace each under
 * `<dir>/traces/<cell>/`, then summary.json and the plots. Resumable: an entry whose trace is finished (valid, its
 * run ended on its own, no crash journal beside it) is never run again, so a killed or interrupted experiment
 * re-invoked does only what is missing; `rerunFailures` also runs the entries whose run failed (not the unsolved).
 * Problems go in order, every cell of a problem before the next problem, so a partial experiment is paired.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { prepareRun, RunSetupError, type EndpointChoice, type RunRequest } from '../run';
import type { Problem } from '../trace/schema';
import { experimentCells, problemFileNames, traceRelPath, type ExperimentCellPlan } from './spec';
import { entryFromTrace, readEntry, summarizeCell, summarizeTotals, type Entry, type EntryRef } from './recount';
import { ACCURACY_VS_N_METHOD, experimentPlots } from './plots';
import { atomicWrite } from '../trace/io';
import { writerAlive } from '../trace/journal';
import { ExperimentSummarySchema, PLOTS_DIR, SUMMARY_FILE, type ExperimentPlot, type ExperimentSpec, type ExperimentSummary } from './summary';

export class ExperimentError extends Error {
  constructor(
    readonly kind: 'spec-mismatch' | 'summary' | 'setup' | 'busy',
    message: string,
  ) {
    super(message);
    this.name = 'ExperimentError';
  }
}

export interface EntryEvent {
  cell: string;
  ref: EntryRef;
  /** What was done: run now, or skipped (finished before; failed and not asked to re-run; not a trace). */
  action: 'ran' | 'skipped';
  entry: Entry;
  done: number;
  total: number;
}

export interface ExperimentOptions {
  dir: string;
  spec: ExperimentSpec;
  /** The spec's problems, in order (the spec records only where they came from). */
  problems: readonly Problem[];
  /** With its key, when it needs one (the spec records no key). */
  endpoint: EndpointChoice;
  /** Passed to every run: replay cache, capability probe, price table, adaptation notes. */
  run?: Pick<RunRequest, 'cacheDir' | 'capabilities' | 'priceTable' | 'onAdaptation'>;
  /** Also run again the entries whose run failed. */
  rerunFailures?: boolean;
  /**
   * With `rerunFailures`: run only those and the ones cut off mid-run (a cancelled re-run leaves its entry so),
   * leaving entries never run missing ("re-run failures only").
   */
  failuresOnly?: boolean;
  /** Entries run at once (default 1: each run already keeps `concurrency` requests in flight). */
  jobs?: number;
  signal?: AbortSignal;
  onEntry?: (e: EntryEvent) => void;
  /** Draws a PNG of an SVG (the CLI's browser); absent: SVG only. A failure leaves the PNG out. */
  renderPng?: (svg: string, file: string) => Promise<void>;
  now?: () => Date;
}

export interface ExperimentOutcome {
  summary: ExperimentSummary;
  ran: (EntryRef & { cell: string })[];
  skipped: (EntryRef & { cell: string })[];
  /** Entries whose trace could not be made (set-up refused the problem, or the run threw): said per entry. */
  errors: { cell: string; ref: EntryRef; message: string }[];
  interrupted: boolean;
  /** Plots not drawn as PNG, with why. */
  pngErrors: string[];
}

/** Spec equality for resuming: the same problems, grid, endpoint, verifier and seed (key order ignored). */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

async function previousSummary(dir: string): Promise<ExperimentSummary | undefined> {
  const file = join(dir, SUMMARY_FILE);
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new ExperimentError('summary', `${file} is not JSON (${(e as Error).message}); move it away to start over in this folder`);
  }
  const parsed = ExperimentSummarySchema.safeParse(raw);
  if (!parsed.success) throw new ExperimentError('summary', `${file} is not an experiment summary (${parsed.error.issues[0]?.message ?? 'invalid'}); choose another --out`);
  return parsed.data;
}

const LOCK_FILE = '.experiment.lock';

/**
 * One process at a time per folder (two would run the same entries into the same files): a lock file naming the
 * process; one left by a process that is gone (killed) is taken over.
 */
async function lock(dir: string): Promise<() => Promise<void>> {
  const file = join(dir, LOCK_FILE);
  try {
    const held = JSON.parse(await readFile(file, 'utf8')) as { pid: number; host: string };
    if (held.pid !== process.pid && writerAlive(held)) throw new ExperimentError('busy', `another process (pid ${held.pid} on ${held.host}) is running this experiment in ${dir}; wait for it, or stop it first`);
  } catch (e) {
    if (e instanceof ExperimentError) throw e;
    // no lock, or an unreadable one: take it
  }
  await writeFile(file, JSON.stringify({ pid: process.pid, host: hostname() }));
  return () => unlink(file).catch(() => undefined);
}

export async function runExperiment(opts: ExperimentOptions): Promise<ExperimentOutcome> {
  await mkdir(opts.dir, { recursive: true });
  const unlock = await lock(opts.dir);
  try {
    return await runLocked(opts);
  } finally {
    await unlock();
  }
}

async function runLocked(opts: ExperimentOptions): Promise<ExperimentOutcome> {
  const { dir, spec, problems } = opts;
  const now = opts.now ?? (() => new Date());
  const prev = await previousSummary(dir);
  if (prev && JSON.stringify(canonical(prev.spec)) !== JSON.stringify(canonical(spec))) {
    throw new ExperimentError('spec-mismatch', `${join(dir, SUMMARY_FILE)} is of another experiment (${specDiff(prev.spec, spec)}); resume it with the same options, or choose another --out`);
  }
  const cells = experimentCells(spec);
  const names = problemFileNames(problems);
  const createdAt = prev?.createdAt ?? now().toISOString();

  // What is on disk already, entry by entry (the only record of what is done: a killed run's summary may lag).
  const entries = new Map<string, Entry>();
  const key = (cell: string, index: number) => `${cell}\u0000${index}`;
  const todo: { plan: ExperimentCellPlan; index: number; ref: EntryRef }[] = [];
  const outcome: Omit<ExperimentOutcome, 'summary' | 'interrupted'> = { ran: [], skipped: [], errors: [], pngErrors: [] };
  const total = cells.length * problems.length;
  let done = 0;
  for (let index = 0; index < problems.length; index++) {
    for (const plan of cells) {
      const ref: EntryRef = { index, problemId: problems[index]!.id ?? names[index]!, trace: traceRelPath(plan.id, names[index]!) };
      const { entry, state } = await readEntry(dir, ref);
      entries.set(key(plan.id, index), entry);
      const failedBefore = state === 'finished' && entry.result.status === 'failed' && opts.rerunFailures === true;
      const again = failedBefore || state === 'unfinished' || (state === 'absent' && !(opts.rerunFailures && opts.failuresOnly));
      if (again) todo.push({ plan, index, ref });
      else {
        // An invalid file is never written over (it may be something else kept there): it stays missing, said.
        if (state === 'invalid') outcome.errors.push({ cell: plan.id, ref, message: `${ref.trace}: ${entry.result.reason}; not replaced: move it away and run again` });
        outcome.skipped.push({ ...ref, cell: plan.id });
        done++;
        opts.onEntry?.({ cell: plan.id, ref, action: 'skipped', entry, done, total });
      }
    }
  }

  const build = (plots: ExperimentPlot[]): ExperimentSummary => {
    const rows = cells.map((plan) => summarizeCell(plan, problems.map((_, i) => entries.get(key(plan.id, i))!)));
    const totals = summarizeTotals(rows);
    return { experiment: 1, spec, createdAt, updatedAt: now().toISOString(), complete: totals.missing === 0, totals, cells: rows, accuracyVsNMethod: ACCURACY_VS_N_METHOD, plots };
  };
  let lastWrite = 0;
  const writeSummary = async (s: ExperimentSummary) => {
    // Atomic: a kill mid-write must leave the last summary whole (the next invocation reads its spec).
    await atomicWrite(join(dir, SUMMARY_FILE), `${JSON.stringify(ExperimentSummarySchema.parse(s), null, 1)}\n`);
    lastWrite = Date.now();
  };
  // Written before the first run, so the folder says what it is (and a resume can check its spec) from the start.
  await writeSummary(build(prev?.plots ?? []));

  let next = 0;
  let fatal: ExperimentError | undefined;
  const worker = async () => {
    while (next < todo.length && !opts.signal?.aborted && !fatal) {
      const job = todo[next++]!;
      const { plan, index, ref } = job;
      const problem = problems[index]!;
      const file = join(dir, ref.trace);
      await mkdir(dirname(file), { recursive: true });
      let entry: Entry;
      try {
        const prepared = await prepareRun({
          problem,
          strategy: plan.strategy,
          // Problem i has seed + i in every cell: the cells are paired, and a resumed entry runs as it would have.
          params: { ...plan.params, seed: spec.seed + index },
          budgets: { maxTokens: plan.budget },
          ...(spec.verifier ? { verifier: spec.verifier } : {}),
          endpoint: opts.endpoint,
          ...(opts.run ?? {}),
        });
        await prepared.execute({ ...(opts.signal ? { signal: opts.signal } : {}), traceFile: file });
        entry = entryFromTrace(ref, prepared.tree.trace);
      } catch (e) {
        if (!(e instanceof RunSetupError)) {
          outcome.errors.push({ cell: plan.id, ref, message: (e as Error).message });
          entry = entryFromTrace(ref, undefined, (e as Error).message);
        } else if (e.kind === 'problem') {
          outcome.errors.push({ cell: plan.id, ref, message: `${e.message} (${e.advice})` });
          entry = entryFromTrace(ref, undefined, e.message);
        } else {
          // Endpoint, model, strategy or parameters: every entry would be refused alike, so the experiment stops.
          fatal = new ExperimentError('setup', `${e.message}\n  what to do: ${e.advice}`);
          return;
        }
      }
      if (opts.signal?.aborted && entry.result.status === 'missing') return;
      entries.set(key(plan.id, index), entry);
      outcome.ran.push({ ...ref, cell: plan.id });
      done++;
      opts.onEntry?.({ cell: plan.id, ref, action: 'ran', entry, done, total });
      if (Date.now() - lastWrite > 5000) await writeSummary(build(prev?.plots ?? []));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, todo.length)) }, worker));
  if (fatal) {
    await writeSummary(build(prev?.plots ?? []));
    throw fatal;
  }

  // The plots from the numbers as they stand now (a partial experiment draws what it has).
  const draft = build([]);
  const plots: ExperimentPlot[] = [];
  await mkdir(join(dir, PLOTS_DIR), { recursive: true });
  for (const p of experimentPlots(draft)) {
    const svg = `${PLOTS_DIR}/${p.name}.svg`;
    await writeFile(join(dir, svg), p.svg);
    const plot: ExperimentPlot = { kind: p.kind, title: p.title, svg };
    if (opts.renderPng) {
      const png = `${PLOTS_DIR}/${p.name}.png`;
      try {
        await opts.renderPng(p.svg, join(dir, png));
        plot.png = png;
      } catch (e) {
        outcome.pngErrors.push(`${png}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    plots.push(plot);
  }
  const summary: ExperimentSummary = { ...draft, plots };
  await writeSummary(summary);
  return { ...outcome, summary, interrupted: opts.signal?.aborted === true };
}

/** The first field where two specs differ, in words. */
function specDiff(a: ExperimentSpec, b: ExperimentSpec): string {
  for (const k of Object.keys(b) as (keyof ExperimentSpec)[]) {
    const x = JSON.stringify(canonical(a[k]));
    const y = JSON.stringify(canonical(b[k]));
    if (x !== y) return `${k}: ${x ?? 'none'} there, ${y ?? 'none'} now`;
  }
  return 'the verifier differs';
}
