/**
 * Problem sets for `metacot run --problems FILE.jsonl`: reads the file and hands its text to the core's one
 * problem-set parser (src/core/problems), which the extension uses too.
 */
import { readFile } from 'node:fs/promises';
import type { Problem } from '../core/trace/schema';
import { ProblemSetError, parseProblemSetText } from '../core/problems';

export { ProblemLineSchema, ProblemSetError, parseSelect, problemFromLine } from '../core/problems';

/** Problems of a JSONL file; `select` picks by 1-based problem number (blank lines do not count). */
export async function readProblemSet(file: string, select?: string): Promise<Problem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ProblemSetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return parseProblemSetText(text, file, select);
}
