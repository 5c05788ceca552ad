/**
 * Are two final answers the same? Normalizes simple LaTeX (`\frac`, `\dfrac`, `\sqrt`, `\left`, `\text{…}`),
 * strips units, dollar signs, degree signs and percent signs, then compares numerically (integers, decimals,
 * fractions, roots; relative tolerance 1e-6) or, failing that, as normalized text (tuples element by element).
 */

const UNIT_WORDS =
  /\s*(?:dollars?|cents?|units?|square\s+\w+|sq\.?\s*\w+|cubic\s+\w+|cm|mm|km|m|meters?|metres?|inches|inch|in|feet|foot|ft|yards?|miles?|mph|hours?|hrs?|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|degrees?|grams?|kg|g|pounds?|lbs?|ounces?|oz|liters?|litres?|ml|l|gallons?|people|students?|apples?|items?|points?|percent)\.?$/i;

/** Normalizing runs for every rollout's answer and the same reference answer again and again: memoized. */
const memo = new Map<string, string>();
const MEMO_LIMIT = 4096;

/** Text form used for comparison; exported for majority voting (answers are grouped by it). */
export function normalizeAnswer(raw: string): string {
  const hit = memo.get(raw);
  if (hit !== undefined) return hit;
  const out = normalizeUncached(raw);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(raw, out);
  return out;
}

function normalizeUncached(raw: string): string {
  let s = raw.trim();
  s = s.replace(/^\$+|\$+$/g, '').replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '').trim();
  s = s.replace(/\\(?:text|textbf|mbox|mathrm|textrm|operatorname)\s*\{([^{}]*)\}/g, ' $1 ');
  s = s.replace(/\\left|\\right|\\!|\\,|\\;|\\:|\\ |~/g, ' ');
  s = s.replace(/\\[dt]frac/g, '\\frac');
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\sqrt\s*(\d+)/g, '\\sqrt{$1}');
  s = s.replace(/\^\s*\{?\\circ\}?|°/g, '');
  s = s.replace(/\\?%/g, '');
  s = s.replace(/\\\$|\$/g, '');
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/\.$/, '').trim();
  // "x = 5" or "k=5": keep the value (a single variable on the left).
  const assign = /^[a-zA-Z](?:_\{?\w+\}?)?\s*=\s*(.+)$/.exec(s);
  if (assign) s = assign[1]!.trim();
  for (let i = 0; i < 2; i++) s = s.replace(UNIT_WORDS, '').trim();
  // (A) -> A for multiple choice.
  const choice = /^\(([A-Ea-e])\)$/.exec(s);
  if (choice) s = choice[1]!;
  // Thousands separators.
  if (/^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  return s.replace(/\s+/g, '');
}

/** Values of normalized answers: the same few answers are compared again and again (every rollout). */
const numericMemo = new Map<string, number | null>();

/** A tiny float evaluator for normalized LaTeX numbers: + - * / ^, parentheses, \frac, \sqrt, \pi, implicit ×. */
export function numericValue(normalized: string): number | undefined {
  const hit = numericMemo.get(normalized);
  if (hit !== undefined) return hit ?? undefined;
  const v = numericValueUncached(normalized);
  if (numericMemo.size >= MEMO_LIMIT) numericMemo.clear();
  numericMemo.set(normalized, v ?? null);
  return v;
}

function numericValueUncached(normalized: string): number | undefined {
  let s = normalized;
  // \frac{a}{b} -> ((a)/(b)) and \sqrt{x} -> r(x), innermost first, until none is left.
  for (let guard = 0; guard < 40 && /\\(?:frac|sqrt)/.test(s); guard++) {
    const next = s.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, '(($1)/($2))').replace(/\\sqrt\{([^{}]*)\}/g, 'r($1)');
    if (next === s) return undefined;
    s = next;
  }
  s = s.replace(/\\pi/g, 'p').replace(/\\cdot|\\times/g, '*').replace(/\\div/g, '/').replace(/[{}]/g, (c) => (c === '{' ? '(' : ')'));
  if (!/^[\d.+\-*/^()rp]+$/.test(s)) return undefined;
  let pos = 0;
  const peek = () => s[pos];
  const fail = (): never => {
    throw new Error('bad');
  };
  function atom(): number {
    const ch = peek();
    if (ch === '-') {
      pos++;
      return -atom();
    }
    if (ch === '+') {
      pos++;
      return atom();
    }
    if (ch === '(') {
      pos++;
      const v = sum();
      if (s[pos++] !== ')') fail();
      return v;
    }
    if (ch === 'r') {
      pos++;
      if (s[pos++] !== '(') fail();
      const v = sum();
      if (s[pos++] !== ')') fail();
      return Math.sqrt(v);
    }
    if (ch === 'p') {
      pos++;
      return Math.PI;
    }
    const m = /^\d+(?:\.\d*)?|^\.\d+/.exec(s.slice(pos));
    if (!m) return fail();
    pos += m[0].length;
    return Number(m[0]);
  }
  function power(): number {
    const base = atom();
    if (peek() === '^') {
      pos++;
      return base ** power();
    }
    return base;
  }
  function product(): number {
    let v = power();
    for (;;) {
      const ch = peek();
      if (ch === '*' || ch === '/') {
        pos++;
        const r = power();
        v = ch === '*' ? v * r : v / r;
      } else if (ch === '(' || ch === 'r' || ch === 'p' || (ch !== undefined && /\d/.test(ch) && /[)rp]/.test(s[pos - 1] ?? ''))) {
        v *= power(); // implicit multiplication: 2\sqrt{3}, 3\pi, (1)(2)
      } else return v;
    }
  }
  function sum(): number {
    let v = product();
    for (;;) {
      const ch = peek();
      if (ch !== '+' && ch !== '-') return v;
      pos++;
      const r = product();
      v = ch === '+' ? v + r : v - r;
    }
  }
  try {
    const v = sum();
    if (pos !== s.length || !Number.isFinite(v)) return undefined;
    return v;
  } catch {
    return undefined;
  }
}

function closeEnough(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}

/** Splits "(a,b)" / "[a,b]" / "a,b" at top-level commas; undefined for a single item. */
function splitTuple(s: string): { open: string; items: string[] } | undefined {
  let open = '';
  let body = s;
  if (/^[([{].*[)\]}]$/.test(s)) {
    open = s[0]!;
    body = s.slice(1, -1);
  }
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      items.push(cur);
      cur = '';
    } else cur += ch;
  }
  items.push(cur);
  return items.length > 1 ? { open, items } : undefined;
}

function equalNormalized(a: string, b: string, percentA: boolean, percentB: boolean): boolean {
  if (a === b) return true;
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== undefined && y !== undefined) {
    if (closeEnough(x, y)) return true;
    // "50%" may be meant as 0.5.
    if (percentA && closeEnough(x / 100, y)) return true;
    if (percentB && closeEnough(x, y / 100)) return true;
    return false;
  }
  const ta = splitTuple(a);
  const tb = splitTuple(b);
  if (ta && tb && ta.items.length === tb.items.length && ta.open === tb.open) {
    return ta.items.every((item, i) => equalNormalized(item, tb.items[i]!, false, false));
  }
  return false;
}

export function answersEqual(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  return equalNormalized(normalizeAnswer(a), normalizeAnswer(b), a.includes('%'), b.includes('%'));
}

/** Key for grouping equivalent answers in a vote: numeric answers by value, others by normalized text. */
export function answerKey(a: string): string {
  const n = normalizeAnswer(a);
  const v = numericValue(n);
  return v === undefined ? n : `#${Number(v.toPrecision(12))}`;
}
