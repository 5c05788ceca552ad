/**
 * Countdown step text in both spellings: ours (`66 - 42 = 24 (left: 61, 24)`, docs/CONTRACTS.md) and
 * Stream-of-Search's (`66-42=24`, numbers as Python list reprs). Numbers stay strings so a model's own spelling
 * (`2.625`, even wrong arithmetic) survives an import → linearize round trip unchanged.
 */

export interface CountdownOp {
  a: string;
  op: string;
  b: string;
  result: string;
}

const NUM = String.raw`-?\d+(?:\.\d+)?`;
/** Operands may be parenthesised negatives, `26-(-14)=40`, as SoS models write them. */
const OPERAND = String.raw`\(${NUM}\)|${NUM}`;
const OP_RE = new RegExp(String.raw`^\s*(${OPERAND})\s*([-+*/×÷])\s*(${OPERAND})\s*=\s*(${NUM})`);
const LEFT_RE = /\(left:\s*([^)]*)\)\s*$/;

const ASCII_OP: Record<string, string> = { '×': '*', '÷': '/' };

/** A step of ours: the operation and, when written, the numbers left after it. */
export function parseOpStep(text: string): { op: CountdownOp; left?: string[] } | undefined {
  if (text.includes('\n')) return undefined;
  const m = OP_RE.exec(text);
  if (!m) return undefined;
  const op = { a: m[1]!, op: ASCII_OP[m[2]!] ?? m[2]!, b: m[3]!, result: m[4]! };
  const rest = text.slice(m[0].length);
  const left = LEFT_RE.exec(rest);
  if (left) return { op, left: splitNumbers(left[1]!) };
  return rest.trim() === '' ? { op } : undefined;
}

export function formatOpStep(op: CountdownOp, left: readonly string[]): string {
  return `${op.a} ${op.op} ${op.b} = ${op.result} (left: ${left.join(', ')})`;
}

/** Stream-of-Search spelling: `66-42=24`. */
export function compactOp(op: CountdownOp): string {
  return `${op.a}${op.op}${op.b}=${op.result}`;
}

export function parseCompactOp(text: string): CountdownOp | undefined {
  const m = OP_RE.exec(text);
  return m && m[0].length === text.trimEnd().length ? { a: m[1]!, op: ASCII_OP[m[2]!] ?? m[2]!, b: m[3]!, result: m[4]! } : undefined;
}

function splitNumbers(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** `[61, 24]` ↔ ['61', '24'] (Python list repr, as SoS prints). */
export function pyNumberList(nums: readonly string[]): string {
  return `[${nums.join(', ')}]`;
}

export function parsePyNumberList(s: string): string[] | undefined {
  const m = /^\s*\[([^\]]*)\]\s*$/.exec(s);
  return m ? splitNumbers(m[1]!) : undefined;
}

/** `['66-42=24', '61-42=19']` (Python repr of a list of str). */
export function pyStringList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s}'`).join(', ')}]`;
}

/** Numeric value of a number as written (`(-14)` included). */
export function numberValue(s: string): number {
  return Number(s.replace(/^\((.*)\)$/, '$1'));
}

/** Numbers left after `op` on `numbers`: both operands removed, the result appended (SoS and our convention). */
export function applyOp(numbers: readonly string[], op: CountdownOp): string[] {
  const pool = [...numbers];
  for (const x of [op.a, op.b]) {
    const i = pool.findIndex((p) => numberValue(p) === numberValue(x));
    if (i >= 0) pool.splice(i, 1);
  }
  pool.push(op.result);
  return pool;
}

/** Fully parenthesised expression of the operations, e.g. `66 - (61 - 42)`; undefined when an operand is unknown. */
export function expressionOf(numbers: readonly string[], ops: readonly CountdownOp[]): string | undefined {
  const pool = numbers.map((n) => ({ value: n, expr: n, atom: true }));
  for (const op of ops) {
    const take = (x: string) => {
      const i = pool.findIndex((p) => numberValue(p.value) === numberValue(x));
      return i < 0 ? undefined : pool.splice(i, 1)[0];
    };
    const a = take(op.a);
    const b = take(op.b);
    if (!a || !b) return undefined;
    const wrap = (t: { expr: string; atom: boolean }) => (t.atom ? t.expr : `(${t.expr})`);
    pool.push({ value: op.result, expr: `${wrap(a)} ${op.op} ${wrap(b)}`, atom: false });
  }
  return pool[pool.length - 1]?.expr;
}
