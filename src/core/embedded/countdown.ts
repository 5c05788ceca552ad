/**
 * Countdown rules and text as the embedded model sees them (docs/CONTRACTS.md "Countdown text format").
 * Mirrors model/train_countdown.py: operations are written larger operand first, `-` needs a > b, `/` needs an
 * exact quotient; `left:` is the remaining numbers in order (first occurrence of each operand removed) with the
 * result appended. The model's own prompt line is `<numbers joined by ", "> > <target>`.
 */
import { applyOp, type ArithOp } from '../arithmeticOp';
import { COUNTDOWN_EXAMPLE, countdownSentence, findCountdownStatement, type CountdownSpec } from '../problems/countdown';

/** Numbers and target, as the core Countdown reader gives them. */
export type CountdownProblem = CountdownSpec;

export interface StepOp {
  a: number;
  op: ArithOp;
  b: number;
  result: number;
}

/** The problem as the user-facing sentence (the core's one Countdown sentence). */
export function renderProblem(p: CountdownProblem): string {
  return countdownSentence(p.numbers, p.target);
}

/** The model-side prompt line (without the trailing newline). */
export function promptLine(p: CountdownProblem): string {
  return `${p.numbers.join(', ')} > ${p.target}`;
}

export interface ProblemMatch {
  problem: CountdownProblem;
  /** index just after the matched statement's line (steps are read after it) */
  end: number;
}

/** Finds the last Countdown problem statement in a text (any phrasing the core reader accepts). */
export function findProblem(text: string): ProblemMatch | undefined {
  const found = findCountdownStatement(text);
  return found && { problem: { numbers: found.numbers, target: found.target }, end: found.end };
}

/**
 * Why the embedded model refuses a problem, with the accepted phrasing: shown before any request is made (the
 * generator's `checkProblem`) and by the policy when a request holds no problem it can read.
 */
export function unreadableProblemMessage(reason: string): string {
  return (
    `The embedded Countdown model cannot read this problem: ${reason}. Write it like: "${COUNTDOWN_EXAMPLE}" ` +
    'or pick an OpenAI-compatible endpoint for other problems.'
  );
}

export function legalOps(nums: number[]): StepOp[] {
  const seen = new Set<string>();
  const out: StepOp[] = [];
  for (let i = 0; i < nums.length; i++) {
    for (let j = i + 1; j < nums.length; j++) {
      const hi = Math.max(nums[i]!, nums[j]!);
      const lo = Math.min(nums[i]!, nums[j]!);
      const cands: StepOp[] = [
        { a: hi, op: '+', b: lo, result: hi + lo },
        { a: hi, op: '*', b: lo, result: hi * lo },
      ];
      if (hi > lo) cands.push({ a: hi, op: '-', b: lo, result: hi - lo });
      if (lo > 0 && hi % lo === 0) cands.push({ a: hi, op: '/', b: lo, result: hi / lo });
      for (const c of cands) {
        const key = `${c.a}${c.op}${c.b}`;
        if (!seen.has(key)) {
          seen.add(key);
          out.push(c);
        }
      }
    }
  }
  return out;
}

function removeFirst(list: number[], v: number): number[] | undefined {
  const k = list.indexOf(v);
  return k < 0 ? undefined : [...list.slice(0, k), ...list.slice(k + 1)];
}

/** Numbers left after the step, or undefined when an operand is not available. */
export function applyStep(nums: number[], s: StepOp): number[] | undefined {
  const r1 = removeFirst(nums, s.a);
  const r2 = r1 && removeFirst(r1, s.b);
  return r2 && [...r2, s.result];
}

/** A legal step: operands available, correct arithmetic, non-negative integer result. */
export function isLegalStep(nums: number[], s: StepOp): boolean {
  const v = applyOp(s.a, s.op, s.b);
  return v === s.result && Number.isInteger(v) && v >= 0 && applyStep(nums, s) !== undefined;
}

export function stepLine(s: StepOp, left: number[]): string {
  return `${s.a} ${s.op} ${s.b} = ${s.result} (left: ${left.join(', ')})`;
}

const STEP_RE = /(\d+)\s*([+\-*/×÷xX])\s*(\d+)\s*=\s*(\d+)/;

/** Parses the operation of a step line (`5 * 3 = 15 (left: 7, 2, 15)`, also `5x3=15`). */
export function parseStep(line: string): StepOp | undefined {
  if (/^\s*answer\s*:/i.test(line)) return undefined;
  const m = STEP_RE.exec(line);
  if (!m) return undefined;
  const sym = m[2]!;
  const op: ArithOp = sym === '×' || sym === 'x' || sym === 'X' ? '*' : sym === '÷' ? '/' : (sym as ArithOp);
  return { a: Number(m[1]), op, b: Number(m[3]), result: Number(m[4]) };
}

export function isAnswerLine(line: string): boolean {
  return /^\s*answer\s*:/i.test(line);
}

/**
 * Checks an `Answer: <expression> [= N]` line: only + - * / ( ) and numbers, each original number used at most
 * once, and the expression evaluates to the target (an `= N` suffix must name the target).
 */
export function checkAnswer(line: string, p: CountdownProblem): boolean {
  const m = /^\s*answer\s*:\s*(.*)$/i.exec(line.trim());
  if (!m) return false;
  let expr = m[1]!;
  const eq = expr.lastIndexOf('=');
  if (eq >= 0) {
    if (Number(expr.slice(eq + 1).trim()) !== p.target) return false;
    expr = expr.slice(0, eq);
  }
  if (!/^[\d+\-*/() ]+$/.test(expr)) return false;
  const pool = [...p.numbers];
  for (const t of expr.match(/\d+/g) ?? []) {
    const k = pool.indexOf(Number(t));
    if (k < 0) return false;
    pool.splice(k, 1);
  }
  const v = evalExpr(expr);
  return v !== undefined && Math.abs(v - p.target) < 1e-9;
}

/** Evaluates + - * / ( ) over numbers with the usual precedence; undefined on a syntax error. */
export function evalExpr(expr: string): number | undefined {
  const toks = expr.match(/\d+|[+\-*/()]/g) ?? [];
  let i = 0;
  const primary = (): number | undefined => {
    const t = toks[i++];
    if (t === '(') {
      const v = sum();
      if (toks[i++] !== ')') return undefined;
      return v;
    }
    return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
  };
  const product = (): number | undefined => {
    let v = primary();
    while (v !== undefined && (toks[i] === '*' || toks[i] === '/')) {
      const o = toks[i++];
      const r = primary();
      if (r === undefined) return undefined;
      v = o === '*' ? v * r : v / r;
    }
    return v;
  };
  const sum = (): number | undefined => {
    let v = product();
    while (v !== undefined && (toks[i] === '+' || toks[i] === '-')) {
      const o = toks[i++];
      const r = product();
      if (r === undefined) return undefined;
      v = o === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return i === toks.length ? v : undefined;
}

/**
 * Verifies a whole solution text the way the engine's Countdown checker reads a path: lines in order; an
 * `Answer:` line decides by itself (a text that reached the target but states a wrong answer fails); otherwise every
 * step must be legal and the last result must be the target.
 */
export function verifySolution(text: string, p: CountdownProblem): boolean {
  let nums = [...p.numbers];
  let last: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    if (isAnswerLine(line)) return checkAnswer(line, p);
    const s = parseStep(line);
    if (!s) continue;
    if (!isLegalStep(nums, s)) return false;
    nums = applyStep(nums, s)!;
    last = s.result;
  }
  return last === p.target;
}
