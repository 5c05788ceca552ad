/**
 * One line of a problem set (JSONL) → a `Problem`. The one reader both the CLI and the extension use, so a line
 * gives the same problem wherever it is run from. Accepted shapes (docs/CONTRACTS.md "Problem lines"):
 * `{problem|question|prompt|text|input, answer|final_answer?, id?}`; MATH (`problem`, `answer`, `unique_id`);
 * GSM8K (`question`, `answer` ending `#### n`: the reference answer is `n`); Stream-of-Search (`nums`, `target`,
 * optional `prompt`; `solution` / `search_path` are worked searches, not the answer); Countdown with
 * `meta: {numbers, target}` or top-level `numbers`/`target`. Answers are stored in their final form.
 */
import * as z from 'zod';
import type { Problem } from '../trace/schema';
import { referenceAnswer } from '../verify/answerExtraction';
import { countdownSentence } from './countdown';

export class ProblemSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProblemSetError';
  }
}

const scalar = z.union([z.string(), z.number()]);
const numberList = z.array(z.number());

/** One line of a problem set (loose: extra fields such as `solution`, `level` or `search_path` are ignored). */
export const ProblemLineSchema = z.looseObject({
  problem: z.string().optional(),
  question: z.string().optional(),
  prompt: z.string().optional(),
  text: z.string().optional(),
  input: z.string().optional(),
  answer: scalar.optional(),
  final_answer: scalar.optional(),
  id: scalar.optional(),
  unique_id: scalar.optional(),
  nums: numberList.optional(),
  numbers: numberList.optional(),
  target: z.number().optional(),
  meta: z.looseObject({ numbers: numberList.optional(), target: z.number().optional() }).optional(),
});
export type ProblemLine = z.infer<typeof ProblemLineSchema>;

export interface ProblemLineWhere {
  file: string;
  /** 1-based line in the file */
  line: number;
}

const TEXT_FIELDS = ['problem', 'question', 'prompt', 'text', 'input'] as const;

/** `<file base name>-<line>`, the id of a line that has none. */
function defaultId(where: ProblemLineWhere): string {
  const base = where.file.split(/[\\/]/).pop() ?? where.file;
  return `${base.replace(/\.jsonl?$/i, '')}-${where.line}`;
}

function datasetOf(l: ProblemLine, countdown: boolean): string | undefined {
  if (typeof l.answer === 'string' && /####/.test(l.answer)) return 'gsm8k';
  if (l.unique_id !== undefined) return 'math';
  return countdown ? 'countdown' : undefined;
}

export function problemFromLine(raw: unknown, where: ProblemLineWhere): Problem {
  const at = `${where.file}:${where.line}`;
  const parsed = ProblemLineSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.path.length > 0 ? `field "${i.path.join('.')}": ${i.message}` : `line: ${i.message}`));
    throw new ProblemSetError(`${at}: ${issues.join('; ')}`);
  }
  const l = parsed.data;
  const numbers = l.numbers ?? l.nums ?? l.meta?.numbers;
  const target = l.target ?? l.meta?.target;
  const countdown = numbers !== undefined && target !== undefined;
  const field = TEXT_FIELDS.find((k) => l[k] !== undefined);
  const text = field !== undefined ? l[field]! : countdown ? countdownSentence(numbers, target) : undefined;
  if (text === undefined) {
    throw new ProblemSetError(`${at}: no "problem", "question", "prompt", "text" or "input" field (nor Countdown "numbers" and "target")`);
  }
  const dataset = datasetOf(l, countdown);
  const p: Problem = { text, source: { file: where.file, line: where.line, ...(dataset ? { dataset } : {}) } };
  const answer = l.answer ?? l.final_answer;
  if (answer !== undefined) p.answer = referenceAnswer(String(answer));
  const id = l.id ?? l.unique_id;
  p.id = id !== undefined ? String(id) : defaultId(where);
  if (countdown) p.meta = { numbers, target };
  return p;
}
