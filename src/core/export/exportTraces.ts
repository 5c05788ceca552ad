/**
 * Training-data export over many traces, one JSONL line per record. The chat layouts (sft, trl-sft, openai-chat)
 * and `linear` give one record per trace and apply the Meta-STaR filter by default; preference and PRM layouts give
 * one record per pair / path and keep failed searches (learning what goes wrong is their point). Used by
 * `metacot export` and the extension's Export command, which both list the formats from here.
 */
import type { Checker } from '../verify/checker';
import type { LinearizeOptions } from '../trace/linearize/linearize';
import type { Objective } from '../trace/linearize/segment';
import type { Trace } from '../trace/schema';
import { TraceTree } from '../trace/tree';
import { dpoRecordOf, stepPairs, type DpoOptions } from './dpoRecord';
import { buildLinearRecord } from './linearRecord';
import { buildMathShepherdRecords } from './mathShepherdRecord';
import { solutionVerifies } from './metaStar';
import { buildOpenAiChatRecord, openAiDpoRecordOf } from './openaiRecords';
import { buildPrm800kRecords, type RatingThresholds } from './prm800kRecord';
import { buildSftRecord, DEFAULT_SYSTEM_PROMPT } from './sftRecord';
import { buildTrlPrmRecords, buildTrlSftRecord, trlDpoRecordOf, type TrlSftForm } from './trlRecords';

export const EXPORT_FORMATS = ['sft', 'dpo', 'prm800k', 'math-shepherd', 'linear', 'trl-sft', 'trl-dpo', 'trl-prm', 'openai-chat', 'openai-dpo'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** What each format is, for the CLI's usage text and the extension's picker (neither spells the list again). */
export const EXPORT_FORMAT_INFO: Record<ExportFormat, { label: string; detail: string }> = {
  sft: { label: 'SFT records', detail: 'chat messages: user = problem, assistant = Meta-CoT Z then solution S, our loss spans' },
  linear: { label: 'Linear records', detail: 'the linearized text with segments and loss flags' },
  dpo: { label: 'DPO pairs', detail: 'step preference pairs: shared prefix, chosen, rejected, values' },
  prm800k: { label: 'PRM800K-style step labels', detail: 'PRM800K-like step ratings, one record per root-to-leaf path' },
  'math-shepherd': { label: 'Math-Shepherd-style step labels', detail: 'Math-Shepherd-like "Step i: … ки" labels, one record per path' },
  'trl-sft': { label: 'TRL SFT', detail: 'TRL SFTTrainer: prompt / completion (completion-only loss) or messages' },
  'trl-dpo': { label: 'TRL DPO', detail: 'TRL DPOTrainer: prompt (ends with the step separator), chosen, rejected' },
  'trl-prm': { label: 'TRL PRM (stepwise supervision)', detail: 'TRL PRMTrainer stepwise supervision: prompt, completions (steps), labels' },
  'openai-chat': { label: 'OpenAI chat fine-tuning', detail: 'OpenAI chat fine-tuning: messages (system, user, assistant)' },
  'openai-dpo': { label: 'OpenAI preference fine-tuning', detail: 'OpenAI preference fine-tuning: input, preferred_output, non_preferred_output' },
};

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
  /** trl-sft: `prompt-completion` (default) or `messages`. */
  trlSft?: { form?: TrlSftForm };
  /** trl-prm: a step is labelled true at or above `threshold` (default 0.5). */
  trlPrm?: { threshold?: number; dropPruned?: boolean };
}

export interface ExportResult {
  records: unknown[];
  /** Per trace, why it gave no record. */
  skipped: { traceId: string; reason: string }[];
  /** Per trace, candidates left out of a trace that did give records, and why (e.g. identical pairs). */
  dropped: { traceId: string; reason: string; count: number }[];
}

/** Why a preference pair is dropped: its two steps read the same, so it would teach nothing. */
export const IDENTICAL_PAIR_REASON = 'pair(s) with identical chosen and rejected text';

const CHAT_FORMATS: readonly ExportFormat[] = ['sft', 'linear', 'trl-sft', 'openai-chat'];
const PAIR_FORMATS: readonly ExportFormat[] = ['dpo', 'trl-dpo', 'openai-dpo'];

export function exportTraces(traces: readonly (Trace | TraceTree)[], opts: ExportOptions): ExportResult {
  const records: unknown[] = [];
  const skipped: ExportResult['skipped'] = [];
  const dropped: ExportResult['dropped'] = [];
  const lin = opts.linearize ?? { format: 'appendix-e' };
  const system = opts.system ?? DEFAULT_SYSTEM_PROMPT;
  // The pair prompt ends with the separator the linearization puts between steps.
  const separator = opts.dpo?.separator ?? lin.separator;
  for (const t of traces) {
    const tree = t instanceof TraceTree ? t : TraceTree.from(t);
    const id = tree.trace.id;
    if (CHAT_FORMATS.includes(opts.format)) {
      const v = solutionVerifies(tree, opts.checker);
      if ((opts.filter ?? true) && !v.ok) {
        skipped.push({ traceId: id, reason: `Meta-STaR filter: ${v.reason}` });
        continue;
      }
      const chat = { linearize: lin, objective: opts.objective, system, verified: v.ok };
      const rec =
        opts.format === 'sft'
          ? buildSftRecord(tree, chat)
          : opts.format === 'linear'
            ? buildLinearRecord(tree, chat)
            : opts.format === 'trl-sft'
              ? buildTrlSftRecord(tree, { ...chat, form: opts.trlSft?.form })
              : buildOpenAiChatRecord(tree, chat);
      if ('reason' in rec) skipped.push({ traceId: id, reason: rec.reason });
      else records.push(rec);
      continue;
    }
    if (PAIR_FORMATS.includes(opts.format)) {
      const { pairs, identical } = stepPairs(tree, { ...opts.dpo, ...(separator !== undefined ? { separator } : {}) });
      if (identical > 0) dropped.push({ traceId: id, reason: IDENTICAL_PAIR_REASON, count: identical });
      if (pairs.length === 0)
        skipped.push({ traceId: id, reason: identical > 0 ? `every pair far enough apart had identical chosen and rejected text (${identical})` : 'no node with two valued children far enough apart' });
      for (const p of pairs)
        records.push(opts.format === 'dpo' ? dpoRecordOf(tree, p) : opts.format === 'trl-dpo' ? trlDpoRecordOf(tree, p) : openAiDpoRecordOf(tree, p, { system, ...(separator !== undefined ? { separator } : {}) }));
      continue;
    }
    switch (opts.format) {
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
      case 'trl-prm': {
        const { records: recs, unlabeledPaths } = buildTrlPrmRecords(tree, opts.trlPrm);
        if (recs.length === 0) skipped.push({ traceId: id, reason: unlabeledPaths ? `${unlabeledPaths} path(s) with unlabeled steps (no value, no verdict below)` : 'no steps' });
        for (const r of recs) records.push(r);
        break;
      }
    }
  }
  return { records, skipped, dropped };
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
