/** `metacot diff A B`: what changed between two traces of the same problem (nodes aligned by path text). */
import { parseArgs } from 'node:util';
import { diffTraces, formatDiff } from '../../core/analyse/diff';
import { readTraceFile, TraceParseError } from '../../core/trace/io';

export const DIFF_USAGE = `metacot diff A B [options]

Aligns the two trees by path text and lists added (+), removed (-) and changed (~) nodes and value changes.

Options:
  --all              also list unchanged nodes (=)
  --similarity X     content-word similarity for a changed node (default 0.5)
  --json             the diff as JSON
`;

export async function runDiffCommand(argv: string[], options: { out?: (t: string) => void; err?: (t: string) => void } = {}): Promise<number> {
  const out = options.out ?? ((t: string) => void process.stdout.write(t));
  const err = options.err ?? ((t: string) => void process.stderr.write(t));
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { all: { type: 'boolean' }, similarity: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  } catch (e) {
    err(`metacot diff: ${(e as Error).message}\n\n${DIFF_USAGE}`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    out(DIFF_USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    err(`metacot diff: give two trace files\n\n${DIFF_USAGE}`);
    return 2;
  }
  const similarity = v.similarity === undefined ? undefined : Number(v.similarity);
  if (similarity !== undefined && !(similarity >= 0 && similarity <= 1)) {
    err('metacot diff: --similarity takes a number in [0, 1]\n');
    return 2;
  }
  try {
    const [a, b] = await Promise.all(positionals.map((p) => readTraceFile(p)));
    const d = diffTraces(a!, b!, similarity !== undefined ? { similarity } : {});
    out(v.json ? `${JSON.stringify(d, null, 2)}\n` : formatDiff(d, { all: v.all === true }));
    return 0;
  } catch (e) {
    err(`metacot diff: ${e instanceof TraceParseError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}
