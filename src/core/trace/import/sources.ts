/**
 * What an import reads, decided once for the CLI (`metacot import`) and the extension's import command: a file's text
 * (plain text, a JSON document, or one line of a JSONL file) or a Thought Anchors folder becomes an `ImportSource`,
 * and `buildImport` turns that into a trace with the importer of its kind. Other search libraries' files (llm-reasoners,
 * OpenR, search-and-learn, PRM800K) are recognised by their shape (libraryFormats.ts). A JSON document is never
 * imported as its raw text: a shape we do not know is an error naming the shapes we do.
 */
import * as z from 'zod';
import type { Problem, ProblemSource } from '../schema';
import type { TraceTree } from '../tree';
import { ImportError } from './importError';
import { buildLibrary, isLibraryKind, LIBRARY_ACCEPTED_SHAPES, LIBRARY_KINDS, LIBRARY_SHAPE_LABELS, librarySize, readLibrary, type LibraryData } from './libraryFormats';
import type { LibraryImport } from './libraryImport';
import { pythonJsonToJson } from './libraryImport';
import { importLongCot, type LongCotResult } from './longCot';
import type { SegmentMode } from './stepSegmenter';
import { importSos, type SosImport } from './streamOfSearch';
import { importThoughtAnchors, ThoughtAnchorsChunkSchema, ThoughtAnchorsProblemSchema, ThoughtAnchorsSolutionSchema } from './thoughtAnchors';

/** Every kind an import can be, for the CLI's --kind and the extension's argument schema. */
export const SOURCE_KINDS = ['long-cot', 'sos', 'thought-anchors', ...LIBRARY_KINDS] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type KindChoice = 'auto' | SourceKind;
export type FileFormat = 'text' | 'json' | 'jsonl';

/** How the input was recognised (shown in summaries and the preview). */
export const SHAPE_LABELS = {
  text: 'text',
  'sos-text': 'Stream-of-Search text',
  'chat-completion': 'chat completion response',
  'chat-messages': 'chat messages',
  'reasoning-record': 'reasoning + content record',
  'text-record': 'text record',
  'sos-record': 'Stream-of-Search record',
  'thought-anchors': 'Thought Anchors folder',
  ...LIBRARY_SHAPE_LABELS,
} as const;
export type SourceShape = keyof typeof SHAPE_LABELS;

/** The JSON shapes accepted, as the error for any other shape lists them. */
export const ACCEPTED_JSON_SHAPES =
  'an OpenAI chat completion response {choices: [{message: {content, reasoning_content | reasoning}}]}, ' +
  'chat messages {messages: [..., {role: "user"}, {role: "assistant", content, reasoning_content?}]} (or the bare array), ' +
  'a record {reasoning_content | reasoning, content, problem?}, ' +
  'a record {solution | completion | response | output | content | text, problem | question | prompt?}, ' +
  LIBRARY_ACCEPTED_SHAPES;

export type LongCotInput = string | { reasoning?: string; content?: string };

interface SourceBase {
  shape: SourceShape;
  /** Where it came from, for messages: "a.jsonl line 3", "the text". */
  where: string;
  /** The problem, when the input carries it (a chat's user message, a record's problem field, problem.json). */
  problem?: string;
  /** A reference answer the input carries. */
  answer?: string;
}
export type ImportSource =
  | (SourceBase & { kind: 'long-cot'; input: LongCotInput })
  | (SourceBase & { kind: 'sos'; text: string })
  | (SourceBase & { kind: 'thought-anchors'; problem: string; answer: string; data: ThoughtAnchorsData })
  | (SourceBase & LibraryData);
export type LibrarySource = Extract<ImportSource, LibraryData>;
export const isLibrarySource = (src: ImportSource): src is LibrarySource => isLibraryKind(src.kind);

export interface ThoughtAnchorsData {
  problem: unknown;
  solution: z.infer<typeof ThoughtAnchorsSolutionSchema>;
  /** Absent: the folder has no chunks_labeled.json, and the segmenter cuts the solution's thinking. */
  chunks?: unknown;
}

export interface ReadOptions {
  /** File name (its extension decides the format); absent for text given directly. */
  name?: string;
  /** 1-based line of a JSONL file. */
  line?: number;
  kind?: KindChoice;
  /** Label for messages (default: the name, or "the text"). */
  where?: string;
}

type Obj = Record<string, unknown>;
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const SOS_LINE = /^Current State: /m;

/** By extension first (.json / .jsonl / .ndjson); any other name is JSON only when it parses as a whole, JSONL when every line starts an object. */
export function fileFormat(name: string | undefined, text: string): FileFormat {
  const lower = (name ?? '').toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  const t = text.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return 'text';
  try {
    JSON.parse(t);
    return 'json';
  } catch {
    const lines = t.split('\n').filter((l) => l.trim() !== '');
    return lines.length > 1 && lines.every((l) => l.trimStart().startsWith('{')) ? 'jsonl' : 'text';
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // Python's json writes NaN / Infinity (search libraries' values); read as null, the rest must still parse.
    const fixed = pythonJsonToJson(text);
    if (fixed !== undefined) {
      try {
        return JSON.parse(fixed) as unknown;
      } catch {
        // the original message is the useful one
      }
    }
    throw new ImportError(`${where}: malformed JSON (${(e as Error).message})`);
  }
}

/** Text of a chat message's content: a string, or the text parts of a content array. */
function contentText(c: unknown): string | undefined {
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return undefined;
  const parts = c.flatMap((p) => (isObj(p) && typeof p.text === 'string' ? [p.text] : typeof p === 'string' ? [p] : []));
  return parts.length ? parts.join('') : undefined;
}

const reasoningOf = (o: Obj): string | undefined => str(o.reasoning_content) ?? str(o.reasoning);
const TEXT_FIELDS = ['solution', 'completion', 'search_path', 'response', 'output', 'content', 'text'] as const;
const PROBLEM_FIELDS = ['problem', 'question', 'prompt'] as const;

function longCot(shape: SourceShape, where: string, reasoning: string | undefined, content: string, problem?: string, answer?: string): ImportSource {
  const input: LongCotInput = reasoning !== undefined ? { reasoning, content } : content;
  return { kind: 'long-cot', shape, where, input, ...(problem !== undefined ? { problem } : {}), ...(answer !== undefined ? { answer } : {}) };
}

/** The problem a message list poses: the last user message before `before` (or at all). */
function userProblem(messages: unknown[], before = messages.length): string | undefined {
  for (let i = before - 1; i >= 0; i--) {
    const m = messages[i];
    if (isObj(m) && m.role === 'user') return contentText(m.content)?.trim();
  }
  return undefined;
}

/** An assistant message → a long CoT: its reasoning field, else `<think>` tags in its content (the splitter reads them). */
function fromAssistant(m: Obj, shape: SourceShape, where: string, problem?: string): ImportSource {
  return longCot(shape, where, reasoningOf(m), contentText(m.content) ?? '', problem);
}

function fromMessages(messages: unknown[], where: string, response?: Obj): ImportSource {
  if (!messages.every((m) => isObj(m) && typeof m.role === 'string')) throw new ImportError(`${where}: a messages list needs objects with a role`);
  let at = -1;
  for (let i = messages.length - 1; i >= 0 && at < 0; i--) if ((messages[i] as Obj).role === 'assistant') at = i;
  if (at < 0 && response) return fromAssistant(response, 'chat-messages', where, userProblem(messages));
  if (at < 0) throw new ImportError(`${where}: the chat messages hold no assistant message (nothing to import)`);
  return fromAssistant(messages[at] as Obj, 'chat-messages', where, userProblem(messages, at));
}

/** The message of a chat completion response (`choices[0].message`), or a text completion's `choices[0].text`. */
function choiceMessage(o: Obj): Obj | undefined {
  const c = Array.isArray(o.choices) ? (o.choices[0] as unknown) : undefined;
  if (!isObj(c)) return undefined;
  if (isObj(c.message)) return c.message;
  return typeof c.text === 'string' ? { content: c.text } : undefined;
}

/** A chat template's transcript keeps only the assistant turn (SoS model outputs carry the template). */
function afterAssistantTurn(text: string): string {
  const at = text.indexOf('\nassistant\n');
  return at < 0 ? text : text.slice(at + '\nassistant\n'.length);
}

function sosOf(src: ImportSource): ImportSource {
  if (src.kind !== 'long-cot') return src;
  const text = typeof src.input === 'string' ? src.input : `${src.input.reasoning ?? ''}\n${src.input.content ?? ''}`;
  return { kind: 'sos', shape: src.shape === 'text-record' ? 'sos-record' : src.shape === 'text' ? 'sos-text' : src.shape, where: src.where, text: afterAssistantTurn(text), ...(src.problem !== undefined ? { problem: src.problem } : {}) };
}

/** One JSON value (a document or a JSONL line) → its source; an unknown shape is an error listing the accepted ones. */
export function sourceFromJson(value: unknown, where: string, kind: KindChoice = 'auto'): ImportSource {
  if (kind === 'thought-anchors') throw new ImportError(`${where}: a Thought Anchors import reads a folder (problem.json, base_solution.json, chunks_labeled.json), not a file`);
  if (kind === 'auto' || isLibraryKind(kind)) {
    const lib = readLibrary(value, where, kind);
    if (lib) return { ...lib, where };
  }
  const src = recognise(value, where);
  const text = src.kind === 'long-cot' ? (typeof src.input === 'string' ? src.input : (src.input.reasoning ?? '') + (src.input.content ?? '')) : '';
  if (text.trim() === '') throw new ImportError(`${where}: the ${SHAPE_LABELS[src.shape]} holds no text to import`);
  if (kind === 'sos' || (kind === 'auto' && src.shape === 'text-record' && SOS_LINE.test(text))) return sosOf(src);
  return src;
}

function recognise(value: unknown, where: string): ImportSource {
  if (Array.isArray(value)) {
    if (value.length && value.every((m) => isObj(m) && typeof m.role === 'string')) return fromMessages(value, where);
    throw new ImportError(`${where}: unrecognised JSON (an array that is not a list of chat messages); accepted: ${ACCEPTED_JSON_SHAPES}`);
  }
  if (!isObj(value)) throw new ImportError(`${where}: unrecognised JSON (${value === null ? 'null' : typeof value}); accepted: ${ACCEPTED_JSON_SHAPES}`);
  const o = value;
  const choice = choiceMessage(o);
  if (Array.isArray(o.messages)) return fromMessages(o.messages, where, choice);
  if (choice) return fromAssistant(choice, 'chat-completion', where);
  const problem = problemField(o);
  const answer = str(o.answer) ?? str(o.gt_answer) ?? (typeof o.answer === 'number' ? String(o.answer) : undefined);
  const reasoning = reasoningOf(o);
  if (reasoning !== undefined) return longCot('reasoning-record', where, reasoning, str(o.content) ?? '', problem, answer);
  for (const f of TEXT_FIELDS) {
    const t = str(o[f]);
    if (t !== undefined) return longCot('text-record', where, undefined, t, problem, answer);
  }
  const keys = Object.keys(o).slice(0, 8).join(', ');
  throw new ImportError(`${where}: unrecognised JSON (an object with ${keys ? `keys ${keys}` : 'no keys'}); accepted: ${ACCEPTED_JSON_SHAPES}`);
}

function problemField(o: Obj): string | undefined {
  for (const f of PROBLEM_FIELDS) {
    const v = o[f];
    if (typeof v === 'string') return v;
    // Data sets store the prompt as messages too.
    if (Array.isArray(v)) return userProblem(v);
  }
  return undefined;
}

/** Plain text: Stream of Search when it has "Current State:" lines (kind auto), a long CoT otherwise. */
export function sourceFromText(text: string, where: string, kind: KindChoice = 'auto'): ImportSource {
  if (kind === 'thought-anchors') throw new ImportError(`${where}: a Thought Anchors import reads a folder, not text`);
  if (isLibraryKind(kind)) throw new ImportError(`${where}: a ${kind} import reads JSON (a .json file, or a line of a .jsonl file), not plain text`);
  if (kind === 'sos' || (kind === 'auto' && SOS_LINE.test(text))) return { kind: 'sos', shape: 'sos-text', where, text };
  return { kind: 'long-cot', shape: 'text', where, input: text };
}

export interface JsonlLine {
  /** 1-based line of the file (blank lines count, as editors number them). */
  line: number;
  /** One line for a picker: shape, problem or opening text, size. */
  summary: string;
  shape?: SourceShape;
  /** Why the line cannot be imported. */
  error?: string;
}

const clip = (s: string, n: number): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** Characters of text an import would read (for summaries). */
export function sourceLength(src: ImportSource): number {
  if (src.kind === 'sos') return src.text.length;
  if (src.kind === 'thought-anchors') return src.data.solution.solution.length;
  if (isLibrarySource(src)) return JSON.stringify(src.data).length;
  return typeof src.input === 'string' ? src.input.length : (src.input.reasoning ?? '').length + (src.input.content ?? '').length;
}

export function summarise(src: ImportSource): string {
  const opening = src.problem ?? (src.kind === 'long-cot' ? (typeof src.input === 'string' ? src.input : (src.input.reasoning ?? src.input.content ?? '')) : src.kind === 'sos' ? src.text : '');
  if (isLibrarySource(src)) return `${SHAPE_LABELS[src.shape]} · ${src.problem !== undefined ? `problem “${clip(opening, 60)}”` : 'no problem stated'} · ${librarySize(src)}`;
  return `${SHAPE_LABELS[src.shape]} · ${src.problem !== undefined ? `problem “${clip(opening, 60)}”` : `“${clip(opening, 60)}”`} · ${sourceLength(src).toLocaleString('en-US')} chars`;
}

/** Every non-blank line of a JSONL text with its summary, or the reason it cannot be imported. */
export function jsonlLines(text: string, where: string, kind: KindChoice = 'auto'): JsonlLine[] {
  const out: JsonlLine[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = i + 1;
    try {
      const src = sourceFromJson(parseJson(raw, `${where} line ${line}`), `${where} line ${line}`, kind);
      out.push({ line, summary: summarise(src), shape: src.shape });
    } catch (e) {
      const message = (e as Error).message;
      // The picker names the line already: its summary is the reason alone.
      out.push({ line, summary: message.replace(`${where} line ${line}: `, ''), error: message });
    }
  });
  return out;
}

/**
 * A file's (or given) text → its source. A JSONL text needs `line` unless it holds one record; a bad line is named.
 * Throws ImportError for empty input, malformed JSON and unknown shapes.
 */
export function readSourceText(text: string, opts: ReadOptions = {}): ImportSource {
  const where = opts.where ?? opts.name ?? 'the text';
  const kind = opts.kind ?? 'auto';
  if (text.trim() === '') throw new ImportError(`${where} is empty: nothing to import`);
  const format = opts.line !== undefined && opts.name === undefined ? 'jsonl' : fileFormat(opts.name, text);
  if (format === 'text') {
    if (opts.line !== undefined) throw new ImportError(`${where}: a line number is only for a JSONL file`);
    return sourceFromText(text, where, kind);
  }
  if (format === 'json') return sourceFromJson(parseJson(text, where), where, kind);
  const lines = text.split('\n');
  let line = opts.line;
  if (line === undefined) {
    const filled = lines.flatMap((l, i) => (l.trim() === '' ? [] : [i + 1]));
    if (filled.length !== 1) throw new ImportError(`${where} holds ${filled.length} JSONL records: choose one with a line number`);
    line = filled[0]!;
  }
  const raw = lines[line - 1];
  if (raw === undefined) throw new ImportError(`${where} has no line ${line} (it has ${lines.length} lines)`);
  if (raw.trim() === '') throw new ImportError(`${where} line ${line} is blank`);
  return sourceFromJson(parseJson(raw, `${where} line ${line}`), `${where} line ${line}`, kind);
}

/** The files of a Thought Anchors problem folder (the layout of thought-anchors.com's data). */
export const THOUGHT_ANCHORS_FILES = { problem: 'problem.json', solution: 'base_solution.json', chunks: 'chunks_labeled.json' } as const;

/**
 * A Thought Anchors folder: `read(name)` returns a file's text, or undefined when the folder has no such file.
 * problem.json and base_solution.json are required; chunks_labeled.json is optional (without it the segmenter cuts
 * the solution's thinking, and the steps carry no resampled accuracy).
 */
export async function readThoughtAnchorsFolder(read: (file: string) => Promise<string | undefined>, where: string): Promise<ImportSource> {
  const F = THOUGHT_ANCHORS_FILES;
  const json = async (file: string, required: boolean): Promise<unknown> => {
    const text = await read(file);
    if (text === undefined) {
      if (!required) return undefined;
      throw new ImportError(`${where} has no ${file}: not a Thought Anchors folder (it holds ${F.problem}, ${F.solution} and ${F.chunks})`);
    }
    if (text.trim() === '') throw new ImportError(`${where}/${file} is empty`);
    return parseJson(text, `${where}/${file}`);
  };
  const problem = await json(F.problem, true);
  const p = ThoughtAnchorsProblemSchema.safeParse(problem);
  if (!p.success) throw new ImportError(`${where}/${F.problem}: ${issues(p.error)} (it needs "problem" and "gt_answer" strings)`);
  const s = ThoughtAnchorsSolutionSchema.safeParse(await json(F.solution, true));
  if (!s.success) throw new ImportError(`${where}/${F.solution}: ${issues(s.error)} (it needs "prompt" and "solution" strings)`);
  const chunks = await json(F.chunks, false);
  if (chunks !== undefined) {
    const c = z.array(ThoughtAnchorsChunkSchema).safeParse(chunks);
    if (!c.success) throw new ImportError(`${where}/${F.chunks}: ${issues(c.error)} (it needs a list of {chunk, chunk_idx})`);
    if (c.data.length === 0) throw new ImportError(`${where}/${F.chunks} holds no chunks`);
  }
  return { kind: 'thought-anchors', shape: 'thought-anchors', where, problem: p.data.problem, answer: p.data.gt_answer, data: { problem, solution: s.data, ...(chunks !== undefined ? { chunks } : {}) } };
}

function issues(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`)
    .join('; ');
}

export interface BuildOptions {
  /** Overrides the input's own problem (a long CoT without one needs it); a Thought Anchors folder keeps problem.json's. */
  problem?: string;
  answer?: string;
  /** Where the problem came from, recorded in the trace. */
  problemSource?: ProblemSource;
  id?: string;
  createdAt?: string;
  segment?: SegmentMode;
  threshold?: number;
  /** llm-reasoners TreeLog: which log (0-based, as `tree_log[i]`) becomes the tree; default the last. */
  log?: number;
}

export interface ImportBuild {
  kind: SourceKind;
  tree: TraceTree;
  /** Readable warnings: SoS line issues, answers inside the thinking that differ from the final one. */
  issues: string[];
  longCot?: LongCotResult;
  sos?: SosImport;
  /** A search library's file: what was read, in one line. */
  library?: LibraryImport;
}

/** Whether building needs a problem the caller has to supply (a long CoT whose input does not carry one). */
export function needsProblem(src: ImportSource): boolean {
  return (src.kind === 'long-cot' || isLibrarySource(src)) && src.problem === undefined;
}

/** The source → a trace, with the importer of its kind. */
export function buildImport(src: ImportSource, opts: BuildOptions = {}): ImportBuild {
  const text = opts.problem ?? src.problem;
  const answer = opts.answer ?? src.answer;
  const problemOf = (t: string): Problem => ({ text: t, ...(answer !== undefined ? { answer } : {}), ...(opts.problemSource ? { source: opts.problemSource } : {}) });
  const base = { id: opts.id, createdAt: opts.createdAt };
  if (src.kind === 'sos') {
    const r = importSos(src.text, { ...base, ...(text !== undefined ? { problem: problemOf(text) } : {}) });
    if (text === undefined && answer !== undefined) r.tree.trace.problem.answer = answer;
    if (text === undefined && opts.problemSource) r.tree.trace.problem.source = opts.problemSource;
    const issues = r.issues.map((i) => `${i.line !== undefined ? `line ${i.line}: ` : ''}${i.message}`);
    return { kind: 'sos', tree: r.tree, issues, sos: r };
  }
  if (isLibrarySource(src)) {
    if (text === undefined) throw new ImportError(`${src.where}: importing this ${SHAPE_LABELS[src.shape]} needs the problem it searched (the file does not say it)`);
    const r = buildLibrary(src, src.where, problemOf(text), { ...base, ...(opts.log !== undefined ? { log: opts.log } : {}) });
    return { kind: src.kind, tree: r.tree, issues: r.issues, library: r };
  }
  if (text === undefined) throw new ImportError(`${src.where}: importing a long chain of thought needs the problem it answers`);
  const longCotOpts = { ...base, ...(opts.segment ? { segment: opts.segment } : {}), ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}) };
  let r: LongCotResult;
  if (src.kind === 'thought-anchors') {
    // problem.json is the problem and its gt_answer the reference (the final answer is verified against it).
    if (src.data.chunks !== undefined) r = importThoughtAnchors({ problem: src.data.problem, solution: src.data.solution, chunks: src.data.chunks }, longCotOpts);
    else r = importLongCot({ text: src.problem, answer: src.answer }, src.data.solution.solution, longCotOpts);
    if (opts.problemSource) r.tree.trace.problem.source = opts.problemSource;
  } else r = importLongCot(problemOf(text), src.input, longCotOpts);
  const issues = r.inconsistencies.map((i) => `node ${i.nodeId} states ${i.answer} but the final answer is ${i.finalAnswer}`);
  return { kind: src.kind, tree: r.tree, issues, longCot: r };
}
