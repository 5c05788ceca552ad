/**
 * Training-data export over many traces, one JSONL line per record. SFT and `linear` give one record per trace and
 * apply the Meta-STaR filter by default; DPO and PRM layouts give one record per pair / path and keep failed
 * searches (learning what goes wrong is their point). Used by `metacot export` and the extension's Export command.
 */
import type { Checker } from '../verify/checker';
import type { LinearizeOptions } from '../trace/linearize/linearize';
import type { Objective } from '../trace/linearize/segment';
import type { Trace } from '../trace/schema';
import { TraceTree } from '../trace/tree';
import { buildDpoRecords, type DpoOptions } from './dpoRecord';
import { buildLinearRecord } from './linearRecord';
import { buildMathShepherdRecords } from './mathShepherdRecord';
import { solutionVerifies } from './metaStar';
import { buildPrm800kRecords, type RatingThresholds } from './prm800kRecord';
import { buildSftRecord } from './sftRecord';

export const EXPORT_FORMATS = ['sft', 'dpo', 'prm800k', 'math-shepherd', 'linear'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(x: unknown): x is ExportFormat {
  return typeof x === 'string' && (EXPORT_FORMATS as readonly string[]).includes(x);
}

export interface ExportOptions {
  format: ExportFormat;
  /** How Z is written for `sft` and `linear` (default App. E). */
  linearize?: LinearizeOptions;
  objective?: Objective;
  /** Meta-STaR: drop traces whose final solution does not verify (default true; `sft` and `linear` only). */
  filter?: boolean;
  /** Re-check the winning path with this checker for the filter, instead of trusting the stored verdict. */
  checker?: Checker;
  system?: string;
  dpo?: DpoOptions;
  prm?: RatingThresholds & { siblings?: boolean; dropPruned?: boolean };
  mathShepherd?: { threshold?: number; task?: string; dropPruned?: boolean };
}

export interface ExportResult {
  records: unknown[];
  /** Per trace, why it gave no record. */
  skipped: { traceId: string; reason: string }[];
}

export function exportTraces(traces: readonly (Trace | TraceTree)[], opts: ExportOptions): ExportResult {
  const records: unknown[] = [];
  const skipped: ExportResult['skipped'] = [];
  const lin = opts.linearize ?? { format: 'appendix-e' };
  for (const t of traces) {
    const tree = t instanceof TraceTree ? t : TraceTree.from(t);
    const id = tree.trace.id;
    switch (opts.format) {
      case 'sft':
      case 'linear': {
        const v = solutionVerifies(tree, opts.checker);
        if ((opts.filter ?? true) && !v.ok) {
          skipped.push({ traceId: id, reason: `Meta-STaR filter: ${v.reason}` });
          continue;
        }
        records.push(
          opts.format === 'sft'
            ? buildSftRecord(tree, { linearize: lin, objective: opts.objective, system: opts.system, verified: v.ok })
            : buildLinearRecord(tree, { linearize: lin, objective: opts.objective, verified: v.ok }),
        );
        break;
      }
      case 'dpo': {
        const recs = buildDpoRecords(tree, opts.dpo);
        if (recs.length === 0) skipped.push({ traceId: id, reason: 'no node with two valued children far enough apart' });
        for (const r of recs) records.push(r);
        break;
      }
      case 'prm800k': {
        const recs = buildPrm800kRecords(tree, opts.prm);
        if (recs.length === 0) skipped.push({ traceId: id, reason: 'no steps' });
        for (const r of recs) records.push(r);
        break;
      }
      case 'math-shepherd': {
        const { records: recs, unlabeledPaths } = buildMathShepherdRecords(tree, opts.mathShepherd);
        if (recs.length === 0) skipped.push({ traceId: id, reason: unlabeledPaths ? `${unlabeledPaths} path(s) with unlabeled steps (no value, no verdict below)` : 'no steps' });
        for (const r of recs) records.push(r);
        break;
      }
    }
  }
  return { records, skipped };
}

export function toJsonl(records: readonly unknown[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** JSONL text → parsed lines, with the 1-based line number in errors. */
export function parseJsonl(text: string): unknown[] {
  const out: unknown[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch (err) {
      throw new Error(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return out;
}
