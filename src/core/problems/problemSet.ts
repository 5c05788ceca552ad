/**
 * A problem set's text (JSONL: one JSON object per line) → problems. Blank lines are skipped and do not count in
 * the 1-based problem numbering that a select spec (`1-20`, `3,5,7-9`) picks from; a UTF-8 BOM is accepted.
 */
import type { Problem } from '../trace/schema';
import { ProblemSetError, problemFromLine } from './problemLine';

/** `1-20`, `3,5,7-9`: 1-based, inclusive; returns a predicate over 1-based problem numbers. */
export function parseSelect(spec: string): (index: number) => boolean {
  const ranges: [number, number][] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new ProblemSetError(`select "${spec}": "${part}" is not N or N-M`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b < a) throw new ProblemSetError(`select "${spec}": "${part}" is not a range of 1-based problem numbers`);
    ranges.push([a, b]);
  }
  if (ranges.length === 0) throw new ProblemSetError(`select "${spec}" selects nothing`);
  return (i) => ranges.some(([a, b]) => i >= a && i <= b);
}

/** The problems of a JSONL text; `file` names the source in problems and errors (`file:line`). */
export function parseProblemSetText(text: string, file: string, select?: string): Problem[] {
  const pick = select !== undefined ? parseSelect(select) : () => true;
  const out: Problem[] = [];
  let k = 0;
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((lineText, i) => {
      if (lineText.trim() === '') return;
      k++;
      if (!pick(k)) return;
      let raw: unknown;
      try {
        raw = JSON.parse(lineText);
      } catch (e) {
        throw new ProblemSetError(`${file}:${i + 1}: not JSON (${(e as Error).message})`);
      }
      out.push(problemFromLine(raw, { file, line: i + 1 }));
    });
  if (out.length === 0) throw new ProblemSetError(`${file}: no problems${select !== undefined ? ` selected by "${select}"` : ''}`);
  return out;
}
