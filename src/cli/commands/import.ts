/**
 * `metacot import FILE --kind long-cot|sos|thought-anchors --out TRACE`: a long chain of thought (R1-style
 * `<think>` text, a chat response with `reasoning_content`, plain text) or a Stream-of-Search trace becomes a trace
 * file whose tree is the search the text describes.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportError } from '../../core/trace/import/importError';
import { importLongCot, type LongCotResult } from '../../core/trace/import/longCot';
import { importSos } from '../../core/trace/import/streamOfSearch';
import { importThoughtAnchors } from '../../core/trace/import/thoughtAnchors';
import { writeTraceFile } from '../../core/trace/io';
import type { Problem } from '../../core/trace/schema';
import { startCommand, type CommandOutput } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { refuseOverwrite } from '../outputGuard';

export const IMPORT_USAGE = `metacot import FILE --kind KIND --out TRACE [options]

Kinds:
  long-cot          text with <think>…</think> (or none), or JSON: an OpenAI chat response
                    (choices[0].message.reasoning_content / content), {reasoning_content|reasoning, content},
                    or {solution}; JSONL with --line N
  sos               Stream-of-Search text, or a JSONL line {prompt, completion} with --line N
  thought-anchors   a folder with problem.json, base_solution.json, chunks_labeled.json

Options:
  --problem TEXT    the problem (default: from the file when it says, else "(imported)")
  --answer A        reference answer (the final answer is verified against it)
  --line N          1-based line of a JSONL file
  --segment S       sentence | paragraph (long-cot; default sentence)
  --threshold X     restatement similarity for a backtrack's return point (long-cot; default 0.6)
  --id ID           trace id (default: a new UUID)
  --force           replace TRACE when it exists (only a valid trace file is replaced)

${EXIT_CODES_HELP}`;

type Obj = Record<string, unknown>;
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** The long-CoT text parts a JSON object holds, in the shapes servers and data sets use. */
export function longCotInput(o: Obj): { input: string | { reasoning?: string; content?: string }; problem?: string } | undefined {
  const choices = o.choices;
  if (Array.isArray(choices) && choices[0] && typeof choices[0] === 'object') {
    const m = (choices[0] as Obj).message as Obj | undefined;
    if (m) {
      const reasoning = str(m.reasoning_content) ?? str(m.reasoning);
      const content = str(m.content) ?? '';
      return { input: reasoning !== undefined ? { reasoning, content } : content };
    }
  }
  const reasoning = str(o.reasoning_content) ?? str(o.reasoning);
  const problem = str(o.problem) ?? str(o.question) ?? str(o.prompt);
  if (reasoning !== undefined) return { input: { reasoning, content: str(o.content) ?? '' }, problem };
  const text = str(o.solution) ?? str(o.completion) ?? str(o.content) ?? str(o.text);
  return text === undefined ? undefined : { input: text, problem };
}

export async function runImportCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('import', IMPORT_USAGE, argv, options, {
    allowPositionals: true,
    strict: true,
    options: {
      kind: { type: 'string' },
      out: { type: 'string', short: 'o' },
      problem: { type: 'string' },
      answer: { type: 'string' },
      line: { type: 'string' },
      segment: { type: 'string' },
      threshold: { type: 'string' },
      id: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad } = cmd;
  if (positionals.length !== 1) return bad('give one input file');
  if (v.kind !== 'long-cot' && v.kind !== 'sos' && v.kind !== 'thought-anchors') return bad('--kind must be long-cot, sos or thought-anchors');
  if (!v.out) return bad('--out TRACE is required');
  if (v.segment !== undefined && v.segment !== 'sentence' && v.segment !== 'paragraph') return bad('--segment must be sentence or paragraph');
  const line = v.line === undefined ? undefined : Number(v.line);
  if (line !== undefined && !(Number.isInteger(line) && line >= 1)) return bad('--line takes a 1-based line number');
  const threshold = v.threshold === undefined ? undefined : Number(v.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) return bad('--threshold takes a number in [0, 1]');
  const file = positionals[0]!;
  const refusal = await refuseOverwrite(v.out, 'trace', { force: v.force === true });
  if (refusal) {
    err(`metacot import: ${refusal}\n`);
    return EXIT.refused;
  }
  const problemOf = (fromFile?: string): Problem => {
    const p: Problem = { text: v.problem ?? fromFile ?? '(imported)' };
    if (v.answer !== undefined) p.answer = v.answer;
    return p;
  };
  const createdAt = new Date().toISOString();

  try {
    if (v.kind === 'thought-anchors') {
      if (!(await stat(file)).isDirectory()) return bad('thought-anchors: FILE must be the folder holding problem.json, base_solution.json, chunks_labeled.json');
      const rd = async (f: string) => JSON.parse(await readFile(join(file, f), 'utf8')) as unknown;
      const r = importThoughtAnchors({ problem: await rd('problem.json'), solution: await rd('base_solution.json'), chunks: await rd('chunks_labeled.json') }, { id: v.id, createdAt });
      await writeTraceFile(v.out, r.tree.toJSON());
      out(longCotSummary(r, v.out));
      return 0;
    }
    const raw = await readFile(file, 'utf8');
    let record: Obj | undefined;
    if (line !== undefined) {
      const l = raw.split('\n')[line - 1];
      if (l === undefined || l.trim() === '') return bad(`${file} has no line ${line}`);
      record = JSON.parse(l) as Obj;
    } else if (file.endsWith('.json')) record = JSON.parse(raw) as Obj;

    if (v.kind === 'sos') {
      let text = raw;
      let fromFile: string | undefined;
      if (record) {
        const c = str(record.completion) ?? str(record.search_path) ?? str(record.text);
        if (c === undefined) return bad('sos: the record has no completion / search_path / text field');
        // Model outputs carry the chat template; the trace starts after the assistant turn.
        const at = c.indexOf('\nassistant\n');
        text = at < 0 ? c : c.slice(at + '\nassistant\n'.length);
        fromFile = str(record.prompt);
      }
      const r = importSos(text, { problem: v.problem !== undefined || fromFile !== undefined ? problemOf(fromFile) : undefined, id: v.id, createdAt });
      if (v.answer !== undefined) r.tree.trace.problem.answer = v.answer;
      await writeTraceFile(v.out, r.tree.toJSON());
      out(`${v.out}: ${r.tree.size} nodes, ${r.explored} operations explored, ${r.goalNodeId ? `goal reached at ${r.goalNodeId} (${r.tree.trace.result?.finalAnswer ?? ''})` : 'no goal reached'}\n`);
      for (const i of r.issues.slice(0, 20)) err(`  ${i.line !== undefined ? `line ${i.line}: ` : ''}${i.message}\n`);
      if (r.issues.length > 20) err(`  … and ${r.issues.length - 20} more issues\n`);
      return 0;
    }
    const found = record ? longCotInput(record) : { input: raw };
    if (!found) return bad('long-cot: no reasoning_content / content / solution / completion / text field found');
    const r = importLongCot(problemOf(found.problem), found.input, {
      id: v.id,
      createdAt,
      ...(v.segment ? { segment: v.segment as 'sentence' | 'paragraph' } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
    });
    await writeTraceFile(v.out, r.tree.toJSON());
    out(longCotSummary(r, v.out));
    return 0;
  } catch (e) {
    err(`metacot import: ${e instanceof ImportError || e instanceof SyntaxError ? e.message : (e as Error).message}\n`);
    return 1;
  }
}

function longCotSummary(r: LongCotResult, path: string): string {
  const c = r.counts;
  const lines = [
    `${path}: ${r.stepIds.length} steps (${c.progress} progress, ${c.backtrack} backtrack, ${c.verification} verification, ${c.regret} regret), ${r.tree.size} nodes`,
    `final answer: ${r.finalAnswer ?? '(none)'}${r.verified === undefined ? '' : r.verified ? ' (verified)' : ' (not verified)'}`,
  ];
  for (const i of r.inconsistencies) lines.push(`answer inside the thinking differs: ${i.nodeId} says ${i.answer}, the final answer is ${i.finalAnswer}`);
  return `${lines.join('\n')}\n`;
}
