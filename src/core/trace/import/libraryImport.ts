/**
 * What the importers of other search libraries' files share (llmReasoners.ts, openR.ts, searchAndLearn.ts,
 * prm800k.ts): their options and result, a schema check whose error names the file, the path inside it and the shape
 * expected, Python-written JSON (NaN / Infinity), and unknown fields turned into `meta` values.
 */
import type { z } from 'zod';
import type { Params, Problem, ValueSource } from '../schema';
import type { TraceTree } from '../tree';
import { answersEqual } from '../../verify/answerEquivalence';
import { referenceAnswer } from '../../verify/answerExtraction';
import { ImportError } from './importError';

export interface LibraryImportOptions {
  /** The problem (text, reference answer, source); absent: the importer takes the one the file states. */
  problem?: Problem;
  id?: string;
  createdAt?: string;
  /** llm-reasoners: which log (snapshot) of the TreeLog becomes the tree, 0-based as `tree_log[i]`; default the last. */
  log?: number;
}

export interface LibraryImport {
  tree: TraceTree;
  /** Readable warnings (steps whose scores are missing, a log chosen out of several). */
  issues: string[];
  /** One line on what was read: "3 logs, log 2 imported: 8 nodes, selected path of 3". */
  summary: string;
}

type ParamValue = Params[string];
const isScalar = (x: unknown): x is string | number | boolean | null =>
  x === null || typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));

/** A field kept in `meta`: scalars and lists of scalars as they are, anything else as its JSON text. */
export function metaValue(x: unknown): ParamValue {
  if (isScalar(x)) return x;
  if (Array.isArray(x) && x.every(isScalar)) return x;
  if (typeof x === 'number') return String(x);
  return JSON.stringify(x) ?? null;
}

/** `fields` that are present and not in `mapped`, under `prefix` + their own name, for `meta`. */
export function keepUnknown(fields: Record<string, unknown>, mapped: readonly string[], prefix = ''): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && !mapped.includes(k)) out[prefix + k] = metaValue(v);
  return out;
}

/** A number our `value` field can hold (values are in [0, 1]); others stay in `q` or `meta`. */
export const unitValue = (x: unknown): number | undefined => (typeof x === 'number' && x >= 0 && x <= 1 ? x : undefined);
export const finiteNumber = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

export const importedValue = (library: string): ValueSource => ({ kind: 'imported', source: library });

/** Whether an answer matches the problem's reference; undefined without a reference or an answer. */
export function verifyAnswer(answer: string | undefined, problem: Problem): boolean | undefined {
  if (answer === undefined || problem.answer === undefined) return undefined;
  return answersEqual(answer, referenceAnswer(problem.answer));
}

/** A key inside a path as a reader finds it: plain when it is a name or index, else quoted (OpenR keys are step texts). */
function pathSegment(k: PropertyKey): string {
  const s = String(k);
  if (/^[\w@-]+$/.test(s)) return s;
  const q = JSON.stringify(s);
  return q.length > 42 ? `${q.slice(0, 40)}…"` : q;
}

/** A path inside a file, as the errors print it: `logs.1.edges.3.target`. */
export const formatPath = (path: readonly PropertyKey[]): string => (path.length ? path.map(pathSegment).join('.') : '(top level)');

/** Parses with `schema`, or throws an ImportError naming where, the first wrong paths inside it and the shape expected. */
export function parseShape<S extends z.ZodType>(schema: S, value: unknown, where: string, what: string, expected: string, at: readonly PropertyKey[] = []): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const paths = r.error.issues
    .slice(0, 3)
    .map((i) => `${formatPath([...at, ...i.path])}: ${i.message}`)
    .join('; ');
  throw new ImportError(`${where}: not a valid ${what} (${paths}); expected ${expected}`);
}

/**
 * Python's json module writes NaN, Infinity and -Infinity (llm-reasoners' Q of a node with no rewards is NaN), which
 * JSON.parse refuses. Those tokens outside strings become null, so the field reads as absent.
 */
export function pythonJsonToJson(text: string): string | undefined {
  let out = '';
  let changed = false;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = text.startsWith('NaN', i) ? 'NaN' : text.startsWith('Infinity', i) ? 'Infinity' : text.startsWith('-Infinity', i) ? '-Infinity' : undefined;
    if (token) {
      out += 'null';
      i += token.length - 1;
      changed = true;
      continue;
    }
    out += c;
  }
  return changed ? out : undefined;
}
