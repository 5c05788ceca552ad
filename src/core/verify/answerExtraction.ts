/**
 * Pulling the final answer out of a solution: the last `\boxed{…}` (nested braces), GSM8K's `#### n`,
 * "The answer is …", an `Answer: …` line, and (lenient mode, for complete solutions only) the last number.
 */

export type ExtractionMethod = 'boxed' | 'gsm8k' | 'phrase' | 'label' | 'number';

export interface ExtractedAnswer {
  answer: string;
  method: ExtractionMethod;
}

/** Content of the last `\boxed{…}` / `\fbox{…}`, braces balanced; also `\boxed 5`. */
export function extractBoxed(text: string): string | undefined {
  if (!text.includes('\\boxed') && !text.includes('\\fbox')) return undefined;
  const re = /\\(?:boxed|fbox)\s*/g;
  let start = -1;
  let m: RegExpExecArray | null;
  let after = -1;
  while ((m = re.exec(text))) {
    start = m.index;
    after = m.index + m[0].length;
  }
  if (start < 0) return undefined;
  if (text[after] !== '{') {
    const bare = /^[^\s$]+/.exec(text.slice(after));
    return bare ? bare[0] : undefined;
  }
  let depth = 0;
  for (let i = after; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++; // skip escaped char such as \{ or \}
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return text.slice(after + 1, i).trim();
    }
  }
  return undefined; // unbalanced: the model stopped mid-answer
}

function cleanTail(s: string): string {
  let out = s.trim();
  // A sentence-final period, not a decimal point.
  out = out.replace(/\.\s*$/, '').trim();
  out = out.replace(/^\*+|\*+$/g, '').trim();
  if (/^\$[^$]*\$$/.test(out)) out = out.slice(1, -1).trim();
  return out;
}

/** Last match of a global regex (built once by the caller: extraction runs for every node and rollout). */
function lastMatch(re: RegExp, text: string): RegExpExecArray | undefined {
  let last: RegExpExecArray | undefined;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    last = m;
    if (m[0].length === 0) re.lastIndex++;
  }
  return last;
}

const GSM8K_RE = /^\s*####\s*(.+?)\s*$/gm;
const PHRASE_RE = /(?:final\s+)?answer\s+is\s*:?\s*([^\n]+)/gi;
const LABEL_RE = /^\s*\**\s*(?:final\s+)?answer\s*\**\s*[:：]\s*\**\s*([^\n]+)$/gim;
const NUMBER_RE = /-?\d[\d,]*(?:\.\d+)?(?:\s*\/\s*\d+)?/g;

/**
 * The final answer stated in `text`, or undefined. `lenient` adds the last-number fallback; use it for complete
 * solutions only, never for single steps (every step with a number would look final). The result may be shared
 * between calls: do not modify it.
 */
export function extractAnswer(text: string, opts: { lenient?: boolean } = {}): ExtractedAnswer | undefined {
  // Short texts repeat (rollouts of a small policy end the same few ways): memoized, results shared (read-only).
  if (text.length > MEMO_MAX_TEXT) return extractUncached(text, opts.lenient === true);
  const memo = opts.lenient ? lenientMemo : strictMemo;
  const hit = memo.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const found = extractUncached(text, opts.lenient === true);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, found ?? null);
  return found;
}

const MEMO_MAX_TEXT = 200;
const MEMO_LIMIT = 4096;
const strictMemo = new Map<string, ExtractedAnswer | null>();
const lenientMemo = new Map<string, ExtractedAnswer | null>();

function extractUncached(text: string, lenient: boolean): ExtractedAnswer | undefined {
  const boxed = extractBoxed(text);
  if (boxed !== undefined && boxed !== '') return { answer: boxed, method: 'boxed' };
  const gsm = text.includes('####') ? lastMatch(GSM8K_RE, text) : undefined;
  if (gsm) return { answer: cleanTail(gsm[1]!), method: 'gsm8k' };
  const phrase = lastMatch(PHRASE_RE, text);
  if (phrase) {
    const a = cleanTail(phrase[1]!);
    if (a) return { answer: a, method: 'phrase' };
  }
  const label = lastMatch(LABEL_RE, text);
  if (label) {
    const a = cleanTail(label[1]!);
    if (a) return { answer: a, method: 'label' };
  }
  if (lenient) {
    const num = lastMatch(NUMBER_RE, text);
    if (num) return { answer: num[0].replace(/,(?=\d{3}\b)/g, '').replace(/\s+/g, ''), method: 'number' };
  }
  return undefined;
}

/** GSM8K reference answers end with `#### n`; MATH answers are plain. */
export function referenceAnswer(raw: string): string {
  const gsm = /####\s*(.+?)\s*$/.exec(raw);
  return gsm ? gsm[1]!.replace(/,(?=\d{3}\b)/g, '') : raw.trim();
}
