/**
 * Reading an experiment folder for the Experiment view, with errors that name what is wrong (no summary.json, not
 * JSON, which field does not match the schema), and the problems a re-run needs, checked against the summary so a
 * re-run never writes one problem's trace into another's file. Pure Node: no vscode.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ExperimentSummarySchema, SUMMARY_FILE } from '../core/experiment/summary';
import type { ExperimentSummary } from '../core/experiment/summary';
import { isNamedSet, namedSetProblems, problemFileNames, traceRelPath } from '../core/experiment/spec';
import { parseProblemSetText } from '../core/problems/problemSet';
import type { Problem } from '../core/trace/schema';

export type FolderRead = { ok: true; summary: ExperimentSummary } | { ok: false; message: string };

/** The experiment folder of a path: the folder itself, or the folder of its summary.json. */
export function experimentFolderOf(path: string): { ok: true; folder: string } | { ok: false; message: string } {
  if (!existsSync(path)) return { ok: false, message: `${path} does not exist` };
  if (statSync(path).isDirectory()) return { ok: true, folder: path };
  if (basename(path) === SUMMARY_FILE) return { ok: true, folder: dirname(path) };
  return { ok: false, message: `${path} is neither an experiment folder nor its ${SUMMARY_FILE}` };
}

/** `label` names the folder in messages (workspace-relative where it can be). */
export async function readExperimentFolder(folder: string, label = folder): Promise<FolderRead> {
  const file = join(folder, SUMMARY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return { ok: false, message: `${label} has no ${SUMMARY_FILE}: an experiment folder is what \`metacot experiment --out DIR\` writes (${SUMMARY_FILE}, traces/, plots/).` };
    }
    return { ok: false, message: `${label}/${SUMMARY_FILE} cannot be read: ${(e as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${label}/${SUMMARY_FILE} is not JSON: ${(e as Error).message}` };
  }
  const parsed = ExperimentSummarySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? ` (+${parsed.error.issues.length - 3} more)` : '';
    return { ok: false, message: `${label}/${SUMMARY_FILE} is not an experiment summary: ${issues.join('; ')}${more}` };
  }
  return { ok: true, summary: parsed.data };
}

/** Whether `problems` are the ones the summary ran: the same count, ids and trace files, in order. */
function mismatch(summary: ExperimentSummary, problems: readonly Problem[]): string | undefined {
  if (problems.length !== summary.spec.problems.count) return `${problems.length} problems, the summary has ${summary.spec.problems.count}`;
  const names = problemFileNames(problems);
  for (const cell of summary.cells) {
    for (const r of cell.results) {
      const p = problems[r.index];
      if (!p) return `no problem ${r.index + 1}`;
      const id = p.id ?? names[r.index]!;
      const trace = traceRelPath(cell.id, names[r.index]!);
      if (id !== r.problemId || trace !== r.trace) return `problem ${r.index + 1} is "${id}" (${trace}), the summary has "${r.problemId}" (${r.trace})`;
    }
  }
  return undefined;
}

/**
 * The experiment's problems: a named held-out set, or its JSONL file. The spec records the file as the command line
 * gave it, so a relative path is tried against each of `bases` (the workspace folders, the experiment folder and
 * its parent); the first whose problems are the summary's wins. Throws, saying where it looked, when none is.
 */
export async function experimentProblems(folder: string, summary: ExperimentSummary, bases: readonly string[], modelDir?: string): Promise<Problem[]> {
  const { source, select } = summary.spec.problems;
  if (isNamedSet(source)) {
    const problems = modelDir ? namedSetProblems(source, select, modelDir) : namedSetProblems(source, select);
    const why = mismatch(summary, problems);
    if (why) throw new Error(`the held-out set ${source} is not the one this experiment ran: ${why}`);
    return problems;
  }
  const candidates = isAbsolute(source) ? [source] : [...new Set([...bases, folder, dirname(folder)].map((b) => resolve(b, source)))];
  const tried: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      tried.push(`${file} (absent)`);
      continue;
    }
    // Named as the CLI named it, so problem ids derived from the file name (`<file>-<line>`) come out the same.
    const problems = parseProblemSetText(await readFile(file, 'utf8'), source, select);
    const why = mismatch(summary, problems);
    if (!why) return problems;
    tried.push(`${file} (${why})`);
  }
  throw new Error(`the experiment's problem set ${source} was not found: tried ${tried.join('; ')}`);
}
