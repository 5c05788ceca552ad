/** How the Experiment view words an entry's outcome and writes its numbers (pure: no DOM). */
import type { ExperimentCell, ProblemResult } from '../../src/protocol/experimentMessages';

/**
 * The four outcomes the grid tells apart. `failed` is a run that broke (endpoint, model) and is what "Re-run
 * failures" runs again; `unsolved` ran to its end (budget, no verified answer) and is a result, not a failure.
 */
export type EntryOutcome = 'solved' | 'failed' | 'unsolved' | 'missing';

export function entryOutcome(r: ProblemResult): EntryOutcome {
  if (r.solved) return 'solved';
  if (r.status === 'failed') return 'failed';
  if (r.status === 'missing') return 'missing';
  return 'unsolved';
}

/** Codicon and word per outcome: icon + text + colour, so the grid reads in every theme and without colour. */
export const OUTCOME_LOOK: Record<EntryOutcome, { icon: string; word: string; description: string }> = {
  solved: { icon: 'pass-filled', word: 'solved', description: 'a verified answer' },
  unsolved: { icon: 'circle-slash', word: 'unsolved', description: 'ran to its end without a verified answer' },
  failed: { icon: 'error', word: 'failed', description: 'the run broke (endpoint, model): Re-run failures runs it again' },
  missing: { icon: 'circle-large-outline', word: 'not run', description: 'no finished trace yet' },
};

/** 812, 1.2k, 34k, 1.5M. */
export function fmtTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 10_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

export function fmtPercent(r: number): string {
  return `${pctNumber(r)}%`;
}

const pctNumber = (r: number) => (r * 100).toFixed(r === 0 || r === 1 ? 0 : 1);

/** Solve rate with its 95 % Wilson interval: `45.0% (30.2–60.8%)`. */
export function fmtSolveRate(c: Pick<ExperimentCell, 'solveRate' | 'ci'>): string {
  return `${fmtPercent(c.solveRate)} (${pctNumber(c.ci.low)}–${fmtPercent(c.ci.high)})`;
}

export function fmtCost(dollars: number): string {
  if (dollars === 0) return '$0';
  return dollars < 0.01 ? `$${dollars.toPrecision(2)}` : `$${dollars.toFixed(2)}`;
}

export function fmtSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

/** `c=1.4, n=8`; empty params: `defaults`. */
export function fmtParams(params: Record<string, unknown>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return 'defaults';
  return entries.map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(', ');
}

/** What a screen reader hears on a grid cell (and its tooltip). */
export function entryLabel(r: ProblemResult, cellId: string): string {
  const o = entryOutcome(r);
  const parts = [`problem ${r.index + 1} (${r.problemId}) in ${cellId}: ${OUTCOME_LOOK[o].word}`];
  if (o !== 'missing') parts.push(`${r.tokens.toLocaleString('en-US')} tokens`);
  if (r.answer !== undefined) parts.push(`answer ${r.answer}`);
  if (r.reason && o !== 'solved') parts.push(r.reason);
  return parts.join(', ');
}
