/**
 * Safe arithmetic expression parser (recursive descent, never `eval`): numbers, + - * / (also × ÷ · x between
 * operands), parentheses and unary minus. Evaluates exactly with rationals and reports the literal numbers used,
 * which is what the Countdown checker needs.
 */
import { add, div, mul, parseDecimal, sub, type Rational } from './rational';

export interface ParsedExpression {
  value: Rational;
  /** Literal numbers in the order written, as text-free rationals. */
  literals: Rational[];
}

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Token = { kind: 'num'; value: Rational; text: string } | { kind: 'op'; op: string } | { kind: 'paren'; open: boolean };

const OPS: Record<string, string> = { '+': '+', '-': '-', '−': '-', '–': '-', '*': '*', '×': '*', '·': '*', '⋅': '*', x: '*', X: '*', '/': '/', '÷': '/' };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^\d+(?:\.\d+)?/.exec(text.slice(i, i + 64));
    if (num) {
      out.push({ kind: 'num', value: parseDecimal(num[0])!, text: num[0] });
      i += num[0].length;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') out.push({ kind: 'paren', open: true });
    else if (ch === ')' || ch === ']' || ch === '}') out.push({ kind: 'paren', open: false });
    else if (text.startsWith('\\times', i)) {
      out.push({ kind: 'op', op: '*' });
      i += 6;
      continue;
    } else if (text.startsWith('\\div', i)) {
      out.push({ kind: 'op', op: '/' });
      i += 4;
      continue;
    } else if (text.startsWith('\\cdot', i)) {
      out.push({ kind: 'op', op: '*' });
      i += 5;
      continue;
    } else if (OPS[ch]) out.push({ kind: 'op', op: OPS[ch]! });
    else throw new ExpressionError(`unexpected character "${ch}" at ${i}`);
    i++;
  }
  return out;
}

/** Parses and evaluates; throws ExpressionError on bad syntax and RangeError on division by zero. */
export function parseExpression(text: string): ParsedExpression {
  const tokens = tokenize(text);
  const literals: Rational[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];

  function primary(): Rational {
    const t = tokens[pos++];
    if (!t) throw new ExpressionError('expression ends early');
    if (t.kind === 'num') {
      literals.push(t.value);
      return t.value;
    }
    if (t.kind === 'op' && t.op === '-') {
      const v = primary();
      return mul({ n: -1n, d: 1n }, v);
    }
    if (t.kind === 'op' && t.op === '+') return primary();
    if (t.kind === 'paren' && t.open) {
      const v = sum();
      const close = tokens[pos++];
      if (!close || close.kind !== 'paren' || close.open) throw new ExpressionError('missing closing parenthesis');
      return v;
    }
    throw new ExpressionError(`unexpected ${t.kind === 'op' ? `operator "${t.op}"` : 'parenthesis'}`);
  }

  function product(): Rational {
    let v = primary();
    for (;;) {
      const t = peek();
      if (!t || t.kind !== 'op' || (t.op !== '*' && t.op !== '/')) return v;
      pos++;
      const r = primary();
      v = t.op === '*' ? mul(v, r) : div(v, r);
    }
  }

  function sum(): Rational {
    let v = product();
    for (;;) {
      const t = peek();
      if (!t || t.kind !== 'op' || (t.op !== '+' && t.op !== '-')) return v;
      pos++;
      const r = product();
      v = t.op === '+' ? add(v, r) : sub(v, r);
    }
  }

  if (tokens.length === 0) throw new ExpressionError('empty expression');
  const value = sum();
  if (pos !== tokens.length) throw new ExpressionError('unexpected text after the expression');
  return { value, literals };
}
