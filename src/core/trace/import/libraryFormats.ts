/**
 * The other search libraries' files as import sources (sources.ts reads them through here): which shape a JSON
 * value has (by its signature keys, then checked against the format's schema), what it says about the problem,
 * and the importer of each. A value with a library's signature but a wrong field is an error naming the path
 * inside it and the shape expected, never a guess at another shape.
 */
import type { Problem } from '../schema';
import { ImportError } from './importError';
import type { LibraryImport, LibraryImportOptions } from './libraryImport';
import { importTreeLog, looksLikeTreeLog, parseTreeLog, TREELOG_SHAPE, type TreeLog } from './llmReasoners';
import { importOpenR, looksLikeOpenR, openRProblem, OPENR_SHAPE, parseOpenR, type OpenRNode } from './openR';
import { importPrm800k, looksLikePrm800k, parsePrm800k, PRM800K_SHAPE, prm800kProblem, type Prm800kRow } from './prm800k';
import { importSalRow, looksLikeSalRow, parseSalRow, SAL_SHAPE, salProblem, type SalRow } from './searchAndLearn';

export const LIBRARY_KINDS = ['llm-reasoners', 'openr', 'search-and-learn', 'prm800k'] as const;
export type LibraryKind = (typeof LIBRARY_KINDS)[number];

export const LIBRARY_SHAPE_LABELS = {
  'llm-reasoners-treelog': 'llm-reasoners TreeLog',
  'openr-tree': 'OpenR tree (Node.to_json)',
  'search-and-learn-row': 'search-and-learn result row',
  'prm800k-row': 'PRM800K row',
} as const;

/** The library shapes, as the error for an unknown JSON shape lists them. */
export const LIBRARY_ACCEPTED_SHAPES = [TREELOG_SHAPE, OPENR_SHAPE, SAL_SHAPE, PRM800K_SHAPE].join(', ');

/** What a library file holds; sources.ts adds `where` (and the problem it states) to make an ImportSource. */
export type LibraryData =
  | { kind: 'llm-reasoners'; shape: 'llm-reasoners-treelog'; data: TreeLog }
  | { kind: 'openr'; shape: 'openr-tree'; data: OpenRNode }
  | { kind: 'search-and-learn'; shape: 'search-and-learn-row'; data: SalRow }
  | { kind: 'prm800k'; shape: 'prm800k-row'; data: Prm800kRow };
export type LibraryRead = LibraryData & { problem?: string; answer?: string };

export const isLibraryKind = (k: string): k is LibraryKind => (LIBRARY_KINDS as readonly string[]).includes(k);

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

const SIGNATURES: readonly [LibraryKind, (o: Record<string, unknown>) => boolean][] = [
  ['llm-reasoners', looksLikeTreeLog],
  ['openr', looksLikeOpenR],
  ['prm800k', looksLikePrm800k],
  ['search-and-learn', looksLikeSalRow],
];

const EXPECTED: Record<LibraryKind, string> = { 'llm-reasoners': TREELOG_SHAPE, openr: OPENR_SHAPE, 'search-and-learn': SAL_SHAPE, prm800k: PRM800K_SHAPE };

/**
 * A library's file: with `kind` the value must be that format (an error says what is wrong); with 'auto' the first
 * format whose signature keys it has, or undefined (another reader's shape).
 */
export function readLibrary(value: unknown, where: string, kind: LibraryKind | 'auto'): LibraryRead | undefined {
  let k: LibraryKind | undefined = kind === 'auto' ? undefined : kind;
  if (k === undefined) {
    if (!isObj(value)) return undefined;
    k = SIGNATURES.find(([, looks]) => looks(value))?.[0];
    if (k === undefined) return undefined;
  } else if (!isObj(value)) {
    throw new ImportError(`${where}: not a valid ${k} file (${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}); expected ${EXPECTED[k]}`);
  }
  const opt = (p: string | undefined, a: string | undefined) => ({ ...(p !== undefined ? { problem: p } : {}), ...(a !== undefined ? { answer: a } : {}) });
  switch (k) {
    case 'llm-reasoners':
      return { kind: k, shape: 'llm-reasoners-treelog', data: parseTreeLog(value, where) };
    case 'openr': {
      const data = parseOpenR(value, where);
      return { kind: k, shape: 'openr-tree', data, ...opt(openRProblem(data), undefined) };
    }
    case 'search-and-learn': {
      const data = parseSalRow(value, where);
      const p = salProblem(data);
      return { kind: k, shape: 'search-and-learn-row', data, ...opt(p?.text, p?.answer) };
    }
    case 'prm800k': {
      const data = parsePrm800k(value, where);
      const p = prm800kProblem(data);
      return { kind: k, shape: 'prm800k-row', data, ...opt(p.text, p.answer) };
    }
  }
}

/** How much the file holds, for one-line summaries ("8 nodes", "4 completions"). */
export function librarySize(d: LibraryData): string {
  switch (d.kind) {
    case 'llm-reasoners': {
      const last = d.data.logs[d.data.logs.length - 1]!;
      return `${d.data.logs.length} log${d.data.logs.length === 1 ? '' : 's'}, ${Object.keys(last.nodes).length} nodes in the last`;
    }
    case 'openr': {
      let n = 0;
      const stack: OpenRNode[] = [d.data];
      while (stack.length) {
        n++;
        stack.push(...Object.values(stack.pop()!.children));
      }
      return `${n} nodes`;
    }
    case 'search-and-learn':
      return `${d.data.completions.length} completions`;
    case 'prm800k':
      return `${d.data.label.steps.length} labelled steps`;
  }
}

export function buildLibrary(d: LibraryData, where: string, problem: Problem, opts: LibraryImportOptions): LibraryImport {
  switch (d.kind) {
    case 'llm-reasoners':
      return importTreeLog(d.data, where, problem, opts);
    case 'openr':
      return importOpenR(d.data, problem, opts);
    case 'search-and-learn':
      return importSalRow(d.data, problem, opts);
    case 'prm800k':
      return importPrm800k(d.data, where, problem, opts);
  }
}
