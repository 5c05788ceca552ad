/** `metacot analyse TRACE`: pass@k, maj@k, accuracy vs N, backtracks, repetitions, depth and token split. */
import { analyseTrace, formatAnalysis } from '../../core/analyse/analyseTrace';
import { readTraceFile } from '../../core/trace/io';
import { TraceTree } from '../../core/trace/tree';
import { startCommand, type CommandOutput } from '../commandArgs';

export const ANALYSE_USAGE = `metacot analyse TRACE... [options]

Options:
  --rollouts     count rollout completions as answer samples too
  --seed N       seed for subsampling when there are too many subsets to enumerate (default 1)
  --json         the analysis as JSON
`;

export async function runAnalyseCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('analyse', ANALYSE_USAGE, argv, options, { allowPositionals: true, strict: true, options: { rollouts: { type: 'boolean' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad, badWithUsage } = cmd;
  if (positionals.length === 0) return badWithUsage('give a trace file');
  const seed = v.seed === undefined ? 1 : Number(v.seed);
  if (!Number.isInteger(seed)) return bad('--seed takes an integer');
  try {
    const analyses = [];
    for (const p of positionals) analyses.push(analyseTrace(TraceTree.from(await readTraceFile(p)), { includeRollouts: v.rollouts === true, seed }));
    out(v.json ? `${JSON.stringify(analyses.length === 1 ? analyses[0] : analyses, null, 2)}\n` : analyses.map(formatAnalysis).join('\n'));
    return 0;
  } catch (e) {
    err(`metacot analyse: ${(e as Error).message}\n`);
    return 1;
  }
}
