/**
 * `metacot analyse DIR`: every trace under a folder, and a summary across them (solve rate with its 95 % Wilson
 * interval, tokens, cost); an experiment folder (with summary.json) also gets its cells recounted from the traces.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { wilson } from '../analyse/intervals';
import { traceState, type TraceState } from '../analyse/runOutcome';
import { readTraceFile, TRACE_FILE_SUFFIX } from '../trace/io';
import { escapeControlChars } from '../trace/controlChars';
import { recountExperiment } from './recount';
import { ExperimentSummarySchema, SUMMARY_FILE, type ExperimentCell } from './summary';

export interface FolderTrace {
  /** Relative to the folder, forward slashes. */
  file: string;
  problemId?: string;
  state: TraceState;
  solved: boolean;
  tokens: number;
  cost: number;
  answer?: string;
}

export interface FolderAnalysis {
  kind: 'folder';
  dir: string;
  traces: FolderTrace[];
  /** Files named like traces that could not be read, with why. */
  unreadable: { file: string; error: string }[];
  solved: number;
  /** Over the readable traces. */
  solveRate: number;
  ci: { low: number; high: number };
  tokens: { total: number; mean: number };
  cost: { total: number; mean: number };
  /** An experiment folder's cells, recounted from its traces (absent: no summary.json). */
  cells?: Omit<ExperimentCell, 'results'>[];
}

async function traceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) out.push(...(await traceFiles(p)));
    else if (d.isFile() && d.name.endsWith(TRACE_FILE_SUFFIX)) out.push(p);
  }
  return out.sort();
}

export async function analyseFolder(dir: string): Promise<FolderAnalysis> {
  const traces: FolderTrace[] = [];
  const unreadable: FolderAnalysis['unreadable'] = [];
  for (const file of await traceFiles(dir)) {
    const rel = relative(dir, file).split(sep).join('/');
    try {
      const t = await readTraceFile(file);
      const answer = t.result?.finalAnswer;
      traces.push({
        file: rel,
        ...(t.problem.id !== undefined ? { problemId: t.problem.id } : {}),
        state: traceState(t),
        solved: t.result?.verified === true,
        tokens: t.usage.tokensIn + t.usage.tokensOut,
        cost: t.usage.cost,
        ...(answer !== undefined ? { answer } : {}),
      });
    } catch (e) {
      unreadable.push({ file: rel, error: (e as Error).message.split('\n')[0]! });
    }
  }
  const n = traces.length;
  const solved = traces.filter((t) => t.solved).length;
  const tokens = traces.reduce((s, t) => s + t.tokens, 0);
  const cost = traces.reduce((s, t) => s + t.cost, 0);
  const ci = wilson(solved, n);
  const analysis: FolderAnalysis = {
    kind: 'folder',
    dir,
    traces,
    unreadable,
    solved,
    solveRate: n ? solved / n : 0,
    ci: { low: ci.low, high: ci.high },
    tokens: { total: tokens, mean: n ? tokens / n : 0 },
    cost: { total: cost, mean: n ? cost / n : 0 },
  };
  const summaryFile = join(dir, SUMMARY_FILE);
  if (existsSync(summaryFile)) {
    const parsed = ExperimentSummarySchema.safeParse(JSON.parse(await readFile(summaryFile, 'utf8')));
    if (parsed.success) analysis.cells = (await recountExperiment(dir, parsed.data)).cells.map(({ results: _, ...row }) => row);
  }
  return analysis;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatFolderAnalysis(a: FolderAnalysis): string {
  const n = a.traces.length;
  const lines = [
    `folder ${a.dir}: ${n} trace${n === 1 ? '' : 's'}${a.unreadable.length ? `, ${a.unreadable.length} unreadable` : ''}`,
    `  solved ${a.solved}/${n} (${pct(a.solveRate)}, 95% CI ${pct(a.ci.low)}–${pct(a.ci.high)})`,
    `  tokens ${a.tokens.total} (mean ${a.tokens.mean.toFixed(0)} per trace)${a.cost.total > 0 ? `, cost ${a.cost.total.toFixed(4)} (mean ${a.cost.mean.toFixed(4)})` : ''}`,
  ];
  const states = new Map<string, number>();
  for (const t of a.traces) states.set(t.state, (states.get(t.state) ?? 0) + 1);
  if (states.size) lines.push(`  states: ${[...states].map(([s, k]) => `${s} ${k}`).join(', ')}`);
  if (a.cells) {
    lines.push('  cell                      solved     rate    95% CI          tokens/problem  failed  missing');
    for (const c of a.cells) {
      lines.push(`  ${c.id.padEnd(25)} ${`${c.solved}/${c.problems}`.padEnd(10)} ${pct(c.solveRate).padEnd(7)} ${`${pct(c.ci.low)}–${pct(c.ci.high)}`.padEnd(15)} ${c.tokens.mean.toFixed(0).padStart(14)}  ${String(c.failed).padStart(6)}  ${String(c.problems - c.finished).padStart(7)}`);
    }
  }
  for (const u of a.unreadable) lines.push(`  unreadable ${u.file}: ${u.error}`);
  return `${lines.map((l) => escapeControlChars(l)).join('\n')}\n`;
}
