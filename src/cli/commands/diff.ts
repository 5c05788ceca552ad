/** `metacot diff A B`: what changed between two traces of the same problem (nodes aligned by path text). */
import { diffTraces, formatDiff } from '../../core/analyse/diff';
import { escapeControlChars, escapeJsonControlChars } from '../../core/trace/controlChars';
import { readTraceFile } from '../../core/trace/io';
import { startCommand, type CommandOutput } from '../commandArgs';

export const DIFF_USAGE = `metacot diff A B [options]

Aligns the two trees by path text and lists added (+), removed (-) and changed (~) nodes and value changes.

Options:
  --all              also list unchanged nodes (=)
  --similarity X     content-word similarity for a changed node (default 0.5)
  --json             the diff as JSON
`;

export async function runDiffCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('diff', DIFF_USAGE, argv, options, { allowPositionals: true, strict: true, options: { all: { type: 'boolean' }, similarity: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad, badWithUsage } = cmd;
  if (positionals.length !== 2) return badWithUsage('give two trace files');
  const similarity = v.similarity === undefined ? undefined : Number(v.similarity);
  if (similarity !== undefined && !(similarity >= 0 && similarity <= 1)) return bad('--similarity takes a number in [0, 1]');
  try {
    const [a, b] = await Promise.all(positionals.map((p) => readTraceFile(p)));
    const d = diffTraces(a!, b!, similarity !== undefined ? { similarity } : {});
    // formatDiff escapes control characters; JSON.stringify escapes C0 but leaves DEL and C1 raw.
    out(v.json ? `${escapeJsonControlChars(JSON.stringify(d, null, 2))}\n` : formatDiff(d, { all: v.all === true }));
    return 0;
  } catch (e) {
    err(`${escapeControlChars(`metacot diff: ${(e as Error).message}`, { keepNewlines: true })}\n`);
    return 1;
  }
}
