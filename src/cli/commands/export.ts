/**
 * `metacot export`: training data from trace files, one JSONL record per trace (chat layouts, linear) or per pair /
 * path (preference and PRM layouts). The chat layouts and linear keep only traces whose solution verifies
 * (Meta-STaR) unless `--no-filter`. The format list and its lines in the usage text come from the data core.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPORT_FORMAT_INFO, EXPORT_FORMATS, exportTraces, isExportFormat, toJsonl, type ExportOptions } from '../../core/export/exportTraces';
import { TRL_SFT_FORMS, type TrlSftForm } from '../../core/export/trlRecords';
import { atomicWrite, readTraceFile, TRACE_FILE_SUFFIX } from '../../core/trace/io';
import { LINEARIZE_FORMATS, isLinearizeFormat, type LinearizeOptions } from '../../core/trace/linearize/linearize';
import { OBJECTIVES, isObjective } from '../../core/trace/linearize/segment';
import type { Trace } from '../../core/trace/schema';
import { RESCORE_CHECKERS } from '../../core/analyse/rescore';
import { answerChecker, autoChecker, countdownChecker, type Checker } from '../../core/verify/checker';
import { startCommand, type CommandOutput } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { refuseOverwrite } from '../outputGuard';

export const EXPORT_USAGE = `metacot export --format FORMAT [options] TRACES... [--out FILE.jsonl]

Writes training data from trace files (or folders of *${TRACE_FILE_SUFFIX}) as JSONL (stdout without --out; the
bytes are the same either way). An existing --out file is replaced only with --force, and only when it is JSONL.

Formats (--format):
${EXPORT_FORMATS.map((f) => `  ${f.padEnd(16)} ${EXPORT_FORMAT_INFO[f].detail}`).join('\n')}

Linearization (sft, linear, trl-sft, openai-chat):
  --linearize L    ${LINEARIZE_FORMATS.join(' | ')} (default appendix-e)
  --objective O    ${OBJECTIVES.join(' | ')} (Eq. 22 / 23 / 24; default z-and-s)
  --order O        visit | depth-first (default visit)
  --no-values      hide the value lines (appendix-e)
  --values         show value lines (backtrack)
  --drop-pruned    leave pruned branches out
  --style S        phrases | token (backtrack; default phrases)
  --phrases P      backtrack phrases separated by "|" (default "Wait, |Alternatively, ")
  --no-solution    no Solution block
  --system TEXT    system prompt (sft, trl-sft, openai-chat, openai-dpo)
  --sft-form F     trl-sft: ${TRL_SFT_FORMS.join(' | ')} (default prompt-completion: SFTTrainer's
                   completion-only loss; messages: train with assistant_only_loss=True)
  --no-filter      keep traces whose solution does not verify (Meta-STaR filter off)
  --verifier V     re-check the winning path with answer | countdown | auto for the filter

Pairs and labels:
  --threshold X    dpo layouts: smallest value gap (default 0.2); math-shepherd "+" / trl-prm true
                   at or above (default 0.5)
  --pairs P        dpo layouts: extremes | all (default extremes)
                   Pairs whose chosen and rejected read the same are dropped and counted on stderr.
  --positive X     prm800k: rating +1 at or above (default 0.7)
  --negative X     prm800k: rating −1 at or below (default 0.3)
  --task NAME      math-shepherd task field (default metacot)

Output:
  --out FILE       write the JSONL here instead of stdout
  --force          replace FILE when it exists (only a JSONL file is replaced)

${EXIT_CODES_HELP}`;

/** Trace files named directly or found (one level deep) in named folders, sorted for stable output. */
export async function expandTracePaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p);
    if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => n.endsWith(TRACE_FILE_SUFFIX)).sort();
      out.push(...names.map((n) => join(p, n)));
    } else out.push(p);
  }
  return out;
}

function checkerNamed(name: string): Checker | undefined {
  switch (name) {
    case 'answer':
      return answerChecker;
    case 'countdown':
      return countdownChecker();
    case 'auto':
      return autoChecker();
    default:
      return undefined;
  }
}

export async function runExportCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('export', EXPORT_USAGE, argv, options, {
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      linearize: { type: 'string' },
      objective: { type: 'string' },
      order: { type: 'string' },
      'no-values': { type: 'boolean' },
      values: { type: 'boolean' },
      'drop-pruned': { type: 'boolean' },
      style: { type: 'string' },
      phrases: { type: 'string' },
      'no-solution': { type: 'boolean' },
      system: { type: 'string' },
      'sft-form': { type: 'string' },
      'no-filter': { type: 'boolean' },
      verifier: { type: 'string' },
      threshold: { type: 'string' },
      pairs: { type: 'string' },
      positive: { type: 'string' },
      negative: { type: 'string' },
      task: { type: 'string' },
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad } = cmd;
  if (!isExportFormat(v.format)) return bad(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  if (positionals.length === 0) return bad('give at least one trace file or folder');
  const lf = v.linearize ?? 'appendix-e';
  if (!isLinearizeFormat(lf)) return bad(`--linearize must be one of ${LINEARIZE_FORMATS.join(', ')}`);
  if (v.objective !== undefined && !isObjective(v.objective)) return bad(`--objective must be one of ${OBJECTIVES.join(', ')}`);
  if (v.order !== undefined && v.order !== 'visit' && v.order !== 'depth-first') return bad('--order must be visit or depth-first');
  if (v.style !== undefined && v.style !== 'phrases' && v.style !== 'token') return bad('--style must be phrases or token');
  if (v.pairs !== undefined && v.pairs !== 'extremes' && v.pairs !== 'all') return bad('--pairs must be extremes or all');
  if (v['sft-form'] !== undefined && !(TRL_SFT_FORMS as readonly string[]).includes(v['sft-form'])) return bad(`--sft-form must be one of ${TRL_SFT_FORMS.join(', ')}`);
  const checker = v.verifier === undefined ? undefined : checkerNamed(v.verifier);
  if (v.verifier !== undefined && !checker) return bad(`--verifier must be answer, countdown or auto (rescore knows ${RESCORE_CHECKERS.join(', ')})`);
  const number = (name: string, x: string | undefined): number | undefined | Error => {
    if (x === undefined) return undefined;
    const n = Number(x);
    return Number.isFinite(n) ? n : new Error(`--${name} takes a number, got "${x}"`);
  };
  const nums = { threshold: number('threshold', v.threshold), positive: number('positive', v.positive), negative: number('negative', v.negative) };
  for (const x of Object.values(nums)) if (x instanceof Error) return bad(x.message);
  const [threshold, positive, negative] = [nums.threshold, nums.positive, nums.negative] as (number | undefined)[];

  const common = {
    ...(v.order ? { order: v.order as 'visit' | 'depth-first' } : {}),
    ...(v['drop-pruned'] ? { filter: { dropPruned: true } } : {}),
    ...(v['no-solution'] ? { solution: false } : {}),
  };
  let linearize: LinearizeOptions;
  if (lf === 'appendix-e') linearize = { format: 'appendix-e', ...common, ...(v['no-values'] ? { values: false } : {}) };
  else if (lf === 'sos') linearize = { format: 'sos', ...common };
  else
    linearize = {
      format: 'backtrack',
      ...common,
      ...(v.style ? { style: v.style as 'phrases' | 'token' } : {}),
      ...(v.phrases ? { phrases: v.phrases.split('|') } : {}),
      ...(v.values ? { values: true } : {}),
    };
  const opts: ExportOptions = { format: v.format, linearize, filter: !v['no-filter'] };
  if (v.objective !== undefined) opts.objective = v.objective as ExportOptions['objective'];
  if (checker) opts.checker = checker;
  if (v.system !== undefined) opts.system = v.system;
  if (v.format === 'dpo' || v.format === 'trl-dpo' || v.format === 'openai-dpo') opts.dpo = { ...(threshold !== undefined ? { threshold } : {}), ...(v.pairs ? { pairs: v.pairs as 'extremes' | 'all' } : {}) };
  if (v.format === 'prm800k') opts.prm = { ...(positive !== undefined ? { positive } : {}), ...(negative !== undefined ? { negative } : {}), ...(v['drop-pruned'] ? { dropPruned: true } : {}) };
  if (v.format === 'trl-sft' && v['sft-form'] !== undefined) opts.trlSft = { form: v['sft-form'] as TrlSftForm };
  if (v.format === 'trl-prm') opts.trlPrm = { ...(threshold !== undefined ? { threshold } : {}), ...(v['drop-pruned'] ? { dropPruned: true } : {}) };
  if (v.format === 'math-shepherd') opts.mathShepherd = { ...(threshold !== undefined ? { threshold } : {}), ...(v.task ? { task: v.task } : {}), ...(v['drop-pruned'] ? { dropPruned: true } : {}) };

  // Before any work: a file that would be replaced is checked first.
  if (v.out) {
    const refusal = await refuseOverwrite(v.out, 'jsonl', { force: v.force === true });
    if (refusal) {
      err(`metacot export: ${refusal}\n`);
      return EXIT.refused;
    }
  }
  let traces: Trace[];
  try {
    const files = await expandTracePaths(positionals);
    traces = await Promise.all(files.map((f) => readTraceFile(f)));
  } catch (e) {
    err(`metacot export: ${(e as Error).message}\n`);
    return 1;
  }
  let result;
  try {
    result = exportTraces(traces, opts);
  } catch (e) {
    err(`metacot export: ${(e as Error).message}\n`);
    return 1;
  }
  const jsonl = toJsonl(result.records);
  if (v.out) await atomicWrite(v.out, jsonl);
  else out(jsonl);
  for (const s of result.skipped) err(`skipped ${s.traceId}: ${s.reason}\n`);
  for (const d of result.dropped) err(`dropped ${d.count} ${d.reason} in ${d.traceId}\n`);
  const droppedTotal = result.dropped.reduce((a, d) => a + d.count, 0);
  err(`${result.records.length} ${v.format} record(s) from ${traces.length} trace(s)${v.out ? ` written to ${v.out}` : ''}${result.skipped.length ? `, ${result.skipped.length} skipped` : ''}${droppedTotal ? `, ${droppedTotal} identical pair(s) dropped` : ''}\n`);
  return 0;
}
