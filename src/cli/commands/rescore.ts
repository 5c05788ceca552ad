/** `metacot rescore TRACE`: re-check and re-rank the saved paths with another verifier or aggregation. */
import { RESCORE_AGGREGATIONS, RESCORE_CHECKERS, applyRescore, formatRescore, rescoreTrace, type RescoreOptions } from '../../core/analyse/rescore';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { journalPathFor } from '../../core/trace/journal';
import { readTraceFile, writeTraceFile } from '../../core/trace/io';
import { TraceTree } from '../../core/trace/tree';
import { startCommand, type CommandOutput } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { refuseOverwrite } from '../outputGuard';

export const RESCORE_USAGE = `metacot rescore TRACE [options]

Re-scores the finished paths of a saved trace without generating anything and shows which path wins now.

Options:
  --verifier V      ${RESCORE_CHECKERS.join(' | ')} (default stored: the verdicts in the trace)
  --aggregation A   ${RESCORE_AGGREGATIONS.join(' | ')} over the path's step values (default last)
  --select S        score | verified-first (default: verified-first when only --verifier is given)
  --top N           paths to list (default 5)
  --out FILE        write the trace with the new verdicts and winner (TRACE itself may be given; another
                    existing file is replaced only with --force, and only when it is a valid trace)
  --force           replace FILE when it exists
  --json            the result as JSON

${EXIT_CODES_HELP}`;

export async function runRescoreCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('rescore', RESCORE_USAGE, argv, options, {
    allowPositionals: true,
    strict: true,
    options: {
      verifier: { type: 'string' },
      aggregation: { type: 'string' },
      select: { type: 'string' },
      top: { type: 'string' },
      out: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad } = cmd;
  if (positionals.length !== 1) return bad('give one trace file');
  const opts: RescoreOptions = {};
  if (v.verifier !== undefined) {
    if (!(RESCORE_CHECKERS as readonly string[]).includes(v.verifier)) return bad(`--verifier must be one of ${RESCORE_CHECKERS.join(', ')}`);
    opts.verifier = v.verifier as RescoreOptions['verifier'];
  }
  if (v.aggregation !== undefined) {
    if (!(RESCORE_AGGREGATIONS as readonly string[]).includes(v.aggregation)) return bad(`--aggregation must be one of ${RESCORE_AGGREGATIONS.join(', ')}`);
    opts.aggregation = v.aggregation as RescoreOptions['aggregation'];
  }
  if (v.select !== undefined) {
    if (v.select !== 'score' && v.select !== 'verified-first') return bad('--select must be score or verified-first');
    opts.select = v.select;
  }
  const top = v.top === undefined ? 5 : Number(v.top);
  if (!(Number.isInteger(top) && top >= 0)) return bad('--top takes a non-negative integer');
  try {
    const tree = TraceTree.from(await readTraceFile(positionals[0]!));
    // The input was just read and validated as a trace: rescoring it in place needs no --force.
    const refusal = v.out ? await refuseOverwrite(v.out, 'trace', { force: v.force === true, validated: [positionals[0]!] }) : undefined;
    if (refusal) {
      err(`metacot rescore: ${refusal}\n`);
      return EXIT.refused;
    }
    const res = rescoreTrace(tree, opts);
    out(v.json ? `${JSON.stringify(res, null, 2)}\n` : formatRescore(res, top));
    if (v.out) {
      applyRescore(tree, res);
      await writeTraceFile(v.out, tree.toJSON());
      // Rescored in place: the journal it was read with is folded into what was just written.
      if (resolve(v.out) === resolve(positionals[0]!)) await rm(journalPathFor(v.out), { force: true });
    }
    return 0;
  } catch (e) {
    err(`metacot rescore: ${(e as Error).message}\n`);
    return 1;
  }
}
