/** `metacot analyse TRACE`: pass@k, maj@k, accuracy vs N, backtracks, repetitions, depth and token split. */
import { parseArgs } from 'node:util';
import { analyseTrace, formatAnalysis } from '../../core/analyse/analyseTrace';
import { readTraceFile, TraceParseError } from '../../core/trace/io';
import { TraceTree } from '../../core/trace/tree';

export const ANALYSE_USAGE = `metacot analyse TRACE... [options]

Options:
  --rollouts     count rollout completions as answer samples too
  --seed N       seed for subsampling when there are too many subsets to enumerate (default 1)
  --json         the analysis as JSON
`;

export async function runAnalyseCommand(argv: string[], options: { out?: (t: string) => void; err?: (t: string) => void } = {}): Promise<number> {
  const out = options.out ?? ((t: string) => void process.stdout.write(t));
  const err = options.err ?? ((t: string) => void process.stderr.write(t));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { rollouts: { type: 'boolean' }, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  } catch (e) {
    err(`metacot analyse: ${(e as Error).message}\n\n${ANALYSE_USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    out(ANALYSE_USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    err(`metacot analyse: give a trace file\n\n${ANALYSE_USAGE}`);
    return 2;
  }
  const seed = v.seed === undefined ? 1 : Number(v.seed);
  if (!Number.isInteger(seed)) {
    err('metacot analyse: --seed takes an integer\n');
    return 2;
  }
  try {
    const analyses = [];
    for (const p of positionals) analyses.push(analyseTrace(TraceTree.from(await readTraceFile(p)), { includeRollouts: v.rollouts === true, seed }));
    out(v.json ? `${JSON.stringify(analyses.length === 1 ? analyses[0] : analyses, null, 2)}\n` : analyses.map(formatAnalysis).join('\n'));
    return 0;
  } catch (e) {
    err(`metacot analyse: ${e instanceof TraceParseError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
