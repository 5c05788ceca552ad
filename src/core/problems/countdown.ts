/**
 * The one Countdown problem sentence and the one tolerant reader of Countdown problems (numbers + target), used by
 * the checker, the simulated proposer, the embedded model and the problem-line parser. The reader accepts a
 * statement only when the numbers form a compact list (commas, spaces, "and", optional brackets) bound to a target
 * by a Countdown wording, so word problems (GSM8K, MATH) with numbers scattered through sentences are not read as
 * Countdown.
 */
import type { Problem } from '../trace/schema';

export interface CountdownSpec {
  numbers: number[];
  target: number;
}

/** A statement found in a text: `start`/`end` are offsets of the statement; `end` runs to the end of its line. */
export interface CountdownStatement extends CountdownSpec {
  start: number;
  end: number;
}

export const MIN_COUNTDOWN_NUMBERS = 2;
export const MAX_COUNTDOWN_NUMBERS = 6;

export function countdownSentence(numbers: readonly number[], target: number): string {
  return `Use the numbers ${numbers.join(', ')} to reach ${target}. Use + - * / and each number at most once.`;
}

/** The phrasing error messages show as the accepted form. */
export const COUNTDOWN_EXAMPLE = countdownSentence([3, 5, 7, 2], 24);

// Building blocks. Whitespace inside a statement is [ \t] only, so a list never runs on into the next line
// (step lines follow the problem in model prompts).
const S = '[ \\t]';
const INT = '(?<![\\d.])\\d+(?![\\d]|\\.\\d)';
const SEP = `(?:${S}*,${S}*(?:and${S}+)?|${S}+and${S}+|${S}+)`;
const LIST = `\\[?${S}*(?<nums>${INT}(?:${SEP}${INT})+)${S}*\\]?`;
const TARGET = `(?<target>${INT})`;
const VERB = '(?:reach|make|get|obtain|hit|form|produce|equal|give)';
const TARGET_WORDS = `(?:(?:the${S}+)?target(?:${S}+number)?(?:${S}+of)?${S}+)?`;
const NUMBERS_WORD = `(?:(?:the${S}+)?numbers?${S}*(?:are${S}+|[:=]${S}*)?)?`;

const PATTERNS: RegExp[] = [
  // "Use the numbers 3, 5, 7, 2 to reach 24", "Using 4, 7, 8 and 2, get 24", "Combine 4, 7, 8, 2 to make 24"
  new RegExp(
    `(?:\\b(?:use|using|combine|combining|with|from|given)${S}+${NUMBERS_WORD}|\\bnumbers?${S}*:?${S}*)${LIST}${S}*,?${S}*(?:(?:to|and)${S}+)?${VERB}${S}+${TARGET_WORDS}${TARGET}`,
    'gi',
  ),
  // "Reach 24 with 4, 7, 8 and 2", "Make 24 from 4, 7, 8, 2", "Make 96 with the numbers [58, 84, 48, 62]"
  new RegExp(
    `\\b(?:reach|make|get|obtain|hit|form|produce)${S}+${TARGET_WORDS}${TARGET}${S}+(?:with|from|using|out${S}+of|by${S}+combining)${S}+${NUMBERS_WORD}${LIST}`,
    'gi',
  ),
  // "numbers [4, 7, 8, 2], target 24"
  new RegExp(
    `\\bnumbers?${S}*(?:are${S}+|[:=]${S}*)?${LIST}${S}*[,;.]?\\s*(?:and${S}+)?(?:the${S}+)?target(?:${S}+number)?${S}*(?:is${S}+|of${S}+|[:=]${S}*)?${TARGET}`,
    'gi',
  ),
  // "Target: 24. Numbers: 4 7 8 2", "Target: 10, numbers: [2, 5, 1]"
  new RegExp(
    `\\btarget(?:${S}+number)?${S}*(?:is${S}+|of${S}+|[:=]${S}*)?${TARGET}${S}*[,;.]?\\s*(?:and${S}+)?(?:(?:the|with|using)${S}+)?numbers?${S}*(?:are${S}+|[:=]${S}*)?${LIST}`,
    'gi',
  ),
  // a line of its own: "4 7 8 2 → 24", "4, 7, 8, 2 -> 24", "Countdown: 4 7 8 2 = 24", the model's "3, 5, 7, 2 > 24"
  new RegExp(
    `^${S}*(?:(?:countdown|problem|puzzle|numbers?)${S}*:?${S}*)?${LIST}${S}*(?:→|⟶|->|=>|=|>)${S}*${TARGET}${S}*[.!]?${S}*$`,
    'gim',
  ),
];

interface Candidate extends CountdownStatement {
  pattern: number;
}

function scan(text: string): Candidate[] {
  const out: Candidate[] = [];
  PATTERNS.forEach((re, pattern) => {
    for (const m of text.matchAll(re)) {
      const g = m.groups!;
      const numbers = g.nums!.match(/\d+/g)!.map(Number);
      const start = m.index;
      const nl = text.indexOf('\n', start + m[0].length);
      out.push({ numbers, target: Number(g.target), start, end: nl < 0 ? text.length : nl, pattern });
    }
  });
  // the last statement counts (a prompt may show an example before the problem); on a tie the earlier pattern
  return out.sort((a, b) => b.start - a.start || a.pattern - b.pattern);
}

const countOk = (n: number): boolean => n >= MIN_COUNTDOWN_NUMBERS && n <= MAX_COUNTDOWN_NUMBERS;

/** The last Countdown statement in a text (2 to 6 numbers), with where it is. */
export function findCountdownStatement(text: string): CountdownStatement | undefined {
  const found = scan(text).find((c) => countOk(c.numbers.length));
  return found && { numbers: found.numbers, target: found.target, start: found.start, end: found.end };
}

/** Numbers and target from structured `meta` (our generators, Stream-of-Search `nums`/`target`). */
export function countdownFromMeta(meta: Problem['meta']): CountdownSpec | null {
  if (!meta || !Array.isArray(meta.numbers) || typeof meta.target !== 'number' || !Number.isInteger(meta.target)) return null;
  const numbers = meta.numbers.filter((x): x is number => typeof x === 'number' && Number.isInteger(x));
  return numbers.length === meta.numbers.length && countOk(numbers.length) ? { numbers, target: meta.target } : null;
}

export type CountdownReading = { ok: true; spec: CountdownSpec } | { ok: false; reason: string };

/** The text as read, on one line; a long one cut at a word boundary. */
const quote = (text: string): string => {
  const one = text.replace(/\s+/g, ' ').trim();
  if (one.length <= 80) return `"${one}"`;
  const head = one.slice(0, 80);
  const space = head.lastIndexOf(' ');
  return `"${space > 40 ? head.slice(0, space) : head}…"`;
};

/** Like `readCountdownProblem`, with what was read when it is not a Countdown problem (for error messages). */
export function explainCountdownProblem(problem: Pick<Problem, 'text' | 'meta'> | string): CountdownReading {
  const p = typeof problem === 'string' ? { text: problem } : problem;
  const fromMeta = countdownFromMeta(p.meta);
  if (fromMeta) return { ok: true, spec: fromMeta };
  const all = scan(p.text);
  const good = all.find((c) => countOk(c.numbers.length));
  if (good) return { ok: true, spec: { numbers: good.numbers, target: good.target } };
  const bad = all[0];
  if (bad) {
    return {
      ok: false,
      reason: `read ${bad.numbers.length} numbers (${bad.numbers.join(', ')}) and target ${bad.target}, but Countdown takes ${MIN_COUNTDOWN_NUMBERS} to ${MAX_COUNTDOWN_NUMBERS} numbers`,
    };
  }
  return { ok: false, reason: `no numbers and target found in ${quote(p.text)}` };
}

/** Numbers and target of a Countdown problem: `meta` when it has them, else the (last) statement in the text. */
export function readCountdownProblem(problem: Pick<Problem, 'text' | 'meta'> | string): CountdownSpec | null {
  const r = explainCountdownProblem(problem);
  return r.ok ? r.spec : null;
}
