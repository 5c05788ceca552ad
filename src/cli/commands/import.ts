/**
 * `metacot import FILE [--kind auto|long-cot|sos|thought-anchors|llm-reasoners|openr|search-and-learn|prm800k] --out
 * TRACE`: a long chain of thought (R1-style `<think>` text, an OpenAI chat response or chat messages with
 * `reasoning_content`, plain text), a Stream-of-Search trace, a Thought Anchors folder, or another search library's
 * file (an llm-reasoners TreeLog, an OpenR tree, a search-and-learn result row, a PRM800K row) becomes a trace file
 * whose tree is the search the input describes. The file is read by the core's one reader
 * (src/core/trace/import/sources.ts), the same as the extension's import command.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportError } from '../../core/trace/import/importError';
import type { LongCotResult } from '../../core/trace/import/longCot';
import { isLibraryKind } from '../../core/trace/import/libraryFormats';
import {
  ACCEPTED_JSON_SHAPES,
  buildImport,
  fileFormat,
  jsonlLines,
  needsProblem,
  readSourceText,
  readThoughtAnchorsFolder,
  SOURCE_KINDS,
  type ImportSource,
  type KindChoice,
} from '../../core/trace/import/sources';
import { writeTraceFile } from '../../core/trace/io';
import { startCommand, type CommandOutput } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { refuseOverwrite } from '../outputGuard';

export const IMPORT_USAGE = `metacot import FILE --out TRACE [--kind KIND] [options]

Kinds (default auto: a folder is Thought Anchors, text with "Current State:" lines is Stream of Search, and the
search libraries' JSON below is known by its shape):
  long-cot          text with <think>…</think> (or none), or JSON (.json, or one line of a .jsonl with --line N):
                    ${ACCEPTED_JSON_SHAPES}
  sos               Stream-of-Search text, or a JSON record {prompt, completion} (JSONL with --line N)
  thought-anchors   a folder with problem.json, base_solution.json, chunks_labeled.json (optional: without it
                    the solution's thinking is cut into sentences)
  llm-reasoners     a TreeLog JSON {"logs": [{"nodes": …, "edges": …}]}: one log (--log I, default the last)
                    becomes the tree; Q → q, reward → value, selected edges → selections
  openr             an OpenR tree (Node.to_json()): visit_cnt → visits, value → q, prm_value / initial_value → value
  search-and-learn  a result row (a line of {approach}_completions.jsonl): completions → paths cut at blank
                    lines, scores → step values, pred → the selected path
  prm800k           a PRM800K row (a line of phase*_*.jsonl): alternatives → siblings, rating → label and value,
                    chosen_completion → the path that continues

Options:
  --problem TEXT    the problem (default: from the file when it says, else "(imported)")
  --answer A        reference answer (the final answer is verified against it)
  --line N          1-based line of a JSONL file (needed when it holds more than one record)
  --segment S       sentence | paragraph (long-cot; default sentence)
  --threshold X     restatement similarity for a backtrack's return point (long-cot; default 0.6)
  --log I           llm-reasoners: which log of the TreeLog, 0-based as tree_log[I] (default the last)
  --id ID           trace id (default: a new UUID)
  --force           replace TRACE when it exists (only a valid trace file is replaced)

${EXIT_CODES_HELP}`;

const KINDS = ['auto', ...SOURCE_KINDS] as const;

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
      log: { type: 'string' },
      id: { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad } = cmd;
  if (positionals.length !== 1) return bad('give one input file');
  const kind = (v.kind ?? 'auto') as KindChoice;
  if (!(KINDS as readonly string[]).includes(kind)) return bad('--kind must be long-cot, sos or thought-anchors, or a library: llm-reasoners, openr, search-and-learn or prm800k (or auto)');
  if (!v.out) return bad('--out TRACE is required');
  if (v.segment !== undefined && v.segment !== 'sentence' && v.segment !== 'paragraph') return bad('--segment must be sentence or paragraph');
  const line = v.line === undefined ? undefined : Number(v.line);
  if (line !== undefined && !(Number.isInteger(line) && line >= 1)) return bad('--line takes a 1-based line number');
  const threshold = v.threshold === undefined ? undefined : Number(v.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) return bad('--threshold takes a number in [0, 1]');
  const log = v.log === undefined ? undefined : Number(v.log);
  if (log !== undefined && !(Number.isInteger(log) && log >= 0)) return bad('--log takes a 0-based log index');
  const file = positionals[0]!;
  const refusal = await refuseOverwrite(v.out, 'trace', { force: v.force === true });
  if (refusal) {
    err(`metacot import: ${refusal}\n`);
    return EXIT.refused;
  }

  try {
    const isDir = (await stat(file)).isDirectory();
    if (kind === 'thought-anchors' && !isDir) return bad('thought-anchors: FILE must be the folder holding problem.json, base_solution.json, chunks_labeled.json');
    if (isDir && kind !== 'auto' && kind !== 'thought-anchors') return bad(`${kind}: FILE is a folder; only a Thought Anchors import reads a folder`);
    if (isDir && log !== undefined) return bad('--log is for an llm-reasoners TreeLog file');
    let src: ImportSource;
    if (isDir) {
      src = await readThoughtAnchorsFolder(async (f) => {
        try {
          return await readFile(join(file, f), 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw e;
        }
      }, file);
    } else {
      const raw = await readFile(file, 'utf8');
      if (line === undefined && fileFormat(file, raw) === 'jsonl') {
        const lines = jsonlLines(raw, file, kind);
        if (lines.length > 1) {
          err(`metacot import: ${file} holds ${lines.length} JSONL records: choose one with --line N\n`);
          for (const l of lines.slice(0, 10)) err(`  line ${l.line}: ${l.summary}\n`);
          return EXIT.usage;
        }
      }
      src = readSourceText(raw, { name: file, kind, ...(line !== undefined ? { line } : {}) });
    }
    if (log !== undefined && src.kind !== 'llm-reasoners') return bad(`--log is for an llm-reasoners TreeLog; ${file} is ${isLibraryKind(src.kind) ? `a ${src.kind} file` : `a ${src.kind} input`}`);
    // A file that does not say its problem (plain text, a chat response, a TreeLog) keeps a placeholder the trace shows.
    const problem = v.problem ?? (needsProblem(src) ? '(imported)' : undefined);
    const r = buildImport(src, {
      ...(problem !== undefined ? { problem } : {}),
      ...(v.answer !== undefined ? { answer: v.answer } : {}),
      id: v.id,
      createdAt: new Date().toISOString(),
      ...(v.segment ? { segment: v.segment as 'sentence' | 'paragraph' } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(log !== undefined ? { log } : {}),
    });
    await writeTraceFile(v.out, r.tree.toJSON());
    if (r.library) {
      out(`${v.out}: ${r.library.summary}\n`);
      for (const i of r.issues.slice(0, 20)) err(`  ${i}\n`);
      if (r.issues.length > 20) err(`  … and ${r.issues.length - 20} more issues\n`);
      return 0;
    }
    if (r.sos) {
      const s = r.sos;
      out(`${v.out}: ${s.tree.size} nodes, ${s.explored} operations explored, ${s.goalNodeId ? `goal reached at ${s.goalNodeId} (${s.tree.trace.result?.finalAnswer ?? ''})` : 'no goal reached'}\n`);
      for (const i of r.issues.slice(0, 20)) err(`  ${i}\n`);
      if (r.issues.length > 20) err(`  … and ${r.issues.length - 20} more issues\n`);
      return 0;
    }
    out(longCotSummary(r.longCot!, v.out));
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
