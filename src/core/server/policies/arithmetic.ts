/**
 * Arithmetic shared by the simulated arithmetic solver and long-CoT responder: find "a + b * c" in a problem,
 * reduce it one operation per step (precedence, left to right), replay steps already written.
 */
import { applyOp, type ArithOp } from '../../arithmeticOp';
import { shortNumber as fmt } from '../../shortNumber';

export type Term = number | ArithOp;

const EXPR = /-?\d+(?:\.\d+)?(?:\s*[-+*/×÷]\s*-?\d+(?:\.\d+)?)+/;
export const STEP_EQ = /(-?\d+(?:\.\d+)?)\s*([-+*/×÷])\s*(-?\d+(?:\.\d+)?)\s*=\s*(-?\d+(?:\.\d+)?)/;

export function findExpression(text: string): Term[] | null {
  const m = EXPR.exec(text);
  if (!m) return null;
  const terms: Term[] = [];
  const re = /(-?\d+(?:\.\d+)?)|([-+*/×÷])/g;
  let prevNumber = false;
  for (const t of m[0].matchAll(re)) {
    if (t[1] !== undefined && !(prevNumber && t[1].startsWith('-'))) {
      terms.push(Number(t[1]));
      prevNumber = true;
    } else if (t[1] !== undefined) {
      // "5 -3" read as minus then 3
      terms.push('-', Number(t[1].slice(1)));
    } else {
      const op = t[2] === '×' ? '*' : t[2] === '÷' ? '/' : (t[2] as ArithOp);
      terms.push(op);
      prevNumber = false;
    }
  }
  return terms;
}

/** Index of the operator to reduce next: first * or /, else first + or -. */
export function nextOpIndex(terms: Term[]): number {
  const md = terms.findIndex((t) => t === '*' || t === '/');
  if (md >= 0) return md;
  return terms.findIndex((t) => t === '+' || t === '-');
}

export function renderTerms(terms: Term[]): string {
  return terms.map((t) => (typeof t === 'number' ? fmt(t) : t)).join(' ');
}

/**
 * Reduces `terms` one operation at a time (precedence, left to right) and returns what is left. `step` sees each
 * operation with its true result `r` and returns the value that takes its place, so a policy can narrate the step
 * or slip in a mistake that later steps carry on from.
 */
export function reduceTerms(terms: readonly Term[], step: (a: number, op: ArithOp, b: number, r: number) => number): number {
  let t = [...terms];
  while (t.length > 1) {
    const i = nextOpIndex(t);
    if (i < 1) break;
    const a = t[i - 1] as number;
    const op = t[i] as ArithOp;
    const b = t[i + 1] as number;
    t = [...t.slice(0, i - 1), step(a, op, b, applyOp(a, op, b)), ...t.slice(i + 2)];
  }
  return t[0] as number;
}

export function evaluate(terms: Term[]): number {
  return reduceTerms(terms, (_a, _op, _b, r) => r);
}

/** Applies a written step "a op b = r" at the first place it matches (its stated result is trusted). */
export function replayStep(terms: Term[], a: number, op: ArithOp, b: number, r: number): Term[] {
  for (let i = 1; i + 1 < terms.length; i += 2) {
    if (terms[i] === op && terms[i - 1] === a && terms[i + 1] === b) return [...terms.slice(0, i - 1), r, ...terms.slice(i + 2)];
  }
  return terms;
}

export function normOp(s: string): ArithOp {
  return s === '×' ? '*' : s === '÷' ? '/' : (s as ArithOp);
}
