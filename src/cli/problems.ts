/**
 * Problem sets for `metacot run --problems FILE.jsonl`: one JSON object per line. Accepted shapes:
 * `{problem, answer?, id?}`, MATH (`problem`, `answer`, `unique_id`), GSM8K (`question`, `answer` ending `#### n`),
 * Stream-of-Search Countdown (`prompt`, optional `nums`/`target`). Answers are stored in their final form.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { Problem } from '../core/trace/schema';
import { referenceAnswer } from '../core/verify/answerExtraction';

const scalar = z.union([z.string(), z.number()]);

/** One line of a problem set (loose: extra fields such as `solution` or `level` are ignored). */
export const ProblemLineSchema = z.looseObject({
  problem: z.string().optional(),
  question: z.string().optional(),
  prompt: z.string().optional(),
  answer: scalar.optional(),
  id: scalar.optional(),
  unique_id: scalar.optional(),
  nums: z.array(z.number()).optional(),
  numbers: z.array(z.number()).optional(),
  target: z.number().optional(),
});

export class ProblemSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProblemSetError';
  }
}

/** `1-20`, `3,5,7-9`: 1-based, inclusive; returns a predicate over 1-based indices. */
export function parseSelect(spec: string): (index: number) => boolean {
  const ranges: [number, number][] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new ProblemSetError(`--select "${spec}": "${part}" is not N or N-M`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < 1 || b < a) throw new ProblemSetError(`--select "${spec}": "${part}" is not a range of 1-based line numbers`);
    ranges.push([a, b]);
  }
  if (ranges.length === 0) throw new ProblemSetError(`--select "${spec}" selects nothing`);
  return (i) => ranges.some(([a, b]) => i >= a && i <= b);
}

export function problemFromLine(raw: unknown, where: { file: string; line: number }): Problem {
  const parsed = ProblemLineSchema.safeParse(raw);
  if (!parsed.success) throw new ProblemSetError(`${where.file}:${where.line}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; ')}`);
  const l = parsed.data;
  const text = l.problem ?? l.question ?? l.prompt;
  if (text === undefined) throw new ProblemSetError(`${where.file}:${where.line}: no "problem", "question" or "prompt" field`);
  const dataset = l.question !== undefined ? 'gsm8k' : l.unique_id !== undefined ? 'math' : l.prompt !== undefined ? 'countdown' : undefined;
  const p: Problem = { text, source: { file: where.file, line: where.line, ...(dataset ? { dataset } : {}) } };
  if (l.answer !== undefined) p.answer = referenceAnswer(String(l.answer));
  const id = l.id ?? l.unique_id;
  p.id = id !== undefined ? String(id) : `${basename(where.file).replace(/\.jsonl$/, '')}-${where.line}`;
  const numbers = l.nums ?? l.numbers;
  if (numbers && l.target !== undefined) p.meta = { numbers, target: l.target };
  return p;
}

/** Problems of a JSONL file; `select` picks by 1-based problem number (blank lines do not count). */
export async function readProblemSet(file: string, select?: string): Promise<Problem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ProblemSetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const pick = select ? parseSelect(select) : () => true;
  const out: Problem[] = [];
  let k = 0;
  text.split('\n').forEach((lineText, i) => {
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
  if (out.length === 0) throw new ProblemSetError(`${file}: no problems${select ? ` selected by --select ${select}` : ''}`);
  return out;
}
