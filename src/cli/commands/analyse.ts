/**
 * `metacot analyse TRACE|DIR`: pass@k, maj@k, accuracy vs N, backtracks, repetitions, depth and token split of a
 * trace; for a folder, every trace under it and a summary across them (an experiment folder: its cells too).
 */
import { stat } from 'node:fs/promises';
import { analyseTrace, formatAnalysis, type TraceAnalysis } from '../../core/analyse/analyseTrace';
import { analyseFolder, formatFolderAnalysis, type FolderAnalysis } from '../../core/experiment/folder';
import { readTraceFile } from '../../core/trace/io';
import { TraceTree } from '../../core/trace/tree';
import { startCommand, type CommandOutput } from '../commandArgs';

export const ANALYSE_USAGE = `metacot analyse TRACE|DIR... [options]

A folder (e.g. a \`metacot run\` --out or a \`metacot experiment\` folder): every trace under it, with the solve
rate across them (95 % Wilson interval), tokens and cost; an experiment folder's cells are recounted from its traces.

Options:
  --rollouts     count rollout completions as answer samples too
  --seed N       seed for subsampling when there are too many subsets to enumerate (default 1)
  --json         the analysis as JSON
`;

export async function runAnalyseCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('analyse', ANALYSE_USAGE, argv, options, { allowPositionals: true, strict: true, options: { rollouts: { type: 'boolean' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad, badWithUsage } = cmd;
  if (positionals.length === 0) return badWithUsage('give a trace file or a folder');
  const seed = v.seed === undefined ? 1 : Number(v.seed);
  if (!Number.isInteger(seed)) return bad('--seed takes an integer');
  try {
    const analyses: (TraceAnalysis | FolderAnalysis)[] = [];
    for (const p of positionals) {
      const isDir = (await stat(p).catch(() => undefined))?.isDirectory() === true;
      analyses.push(isDir ? await analyseFolder(p) : analyseTrace(TraceTree.from(await readTraceFile(p)), { includeRollouts: v.rollouts === true, seed }));
    }
    const text = (a: TraceAnalysis | FolderAnalysis) => ('kind' in a ? formatFolderAnalysis(a) : formatAnalysis(a));
    out(v.json ? `${JSON.stringify(analyses.length === 1 ? analyses[0] : analyses, null, 2)}\n` : analyses.map(text).join('\n'));
    return 0;
  } catch (e) {
    err(`metacot analyse: ${(e as Error).message}\n`);
    return 1;
  }
}
