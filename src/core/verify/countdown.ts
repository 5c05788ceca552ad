/**
 * Countdown checker (format in docs/CONTRACTS.md): an `Answer:` expression that uses the given numbers (each at
 * most once, or exactly once when configured) and reaches the target, or a sequence of step lines
 * `5 * 3 = 15 (left: 7, 2, 15)` whose arithmetic is right, whose operands are available, and whose last result is
 * the target. Exact rationals throughout.
 */
import type { Problem } from '../trace/schema';
import { readCountdownProblem, type CountdownSpec } from '../problems/countdown';
import { ExpressionError, parseExpression } from './expression';
import { eq, formatRational, parseDecimal, rational, type Rational } from './rational';
import type { CheckResult } from './checker';

export type { CountdownSpec } from '../problems/countdown';

export interface CountdownOptions {
  /** Every given number must be used exactly once (default: at most once). */
  exactlyOnce?: boolean;
}

/** Numbers and target from `problem.meta` or from the problem text (the one Countdown reader, src/core/problems). */
export function parseCountdownProblem(problem: Pick<Problem, 'text' | 'meta'>): CountdownSpec | undefined {
  return readCountdownProblem(problem) ?? undefined;
}

const STEP_RE = /^\s*(?:step\s*\d+\s*[:.)]\s*)?(-?\d+(?:\.\d+)?)\s*([-+*/×÷x−])\s*(-?\d+(?:\.\d+)?)\s*=\s*(-?\d+(?:\.\d+)?(?:\s*\/\s*\d+)?)/i;
const ANSWER_RE = /^\s*answer\s*:\s*(.+?)\s*$/i;

/** Removes one occurrence of `x` from `pool`; false when absent. */
function take(pool: Rational[], x: Rational): boolean {
  const i = pool.findIndex((p) => eq(p, x));
  if (i < 0) return false;
  pool.splice(i, 1);
  return true;
}

function checkAnswerExpression(spec: CountdownSpec, exprText: string, opts: CountdownOptions): CheckResult {
  const [lhs, ...rest] = exprText.split('=');
  const answer = lhs!.trim();
  let parsed;
  try {
    parsed = parseExpression(answer);
  } catch (err) {
    const why = err instanceof ExpressionError || err instanceof RangeError ? err.message : String(err);
    return { terminal: true, answer, verified: false, reason: `answer expression does not parse: ${why}` };
  }
  const pool = spec.numbers.map((x) => rational(BigInt(x)));
  for (const lit of parsed.literals) {
    if (!take(pool, lit)) {
      return { terminal: true, answer, verified: false, reason: `uses ${formatRational(lit)} more often than given` };
    }
  }
  if (opts.exactlyOnce && pool.length > 0) {
    return { terminal: true, answer, verified: false, reason: `does not use ${pool.map(formatRational).join(', ')}` };
  }
  const target = rational(BigInt(spec.target));
  if (!eq(parsed.value, target)) {
    return { terminal: true, answer, verified: false, reason: `evaluates to ${formatRational(parsed.value)}, not ${spec.target}` };
  }
  if (rest.length > 0) {
    const claimed = parseDecimal(rest[rest.length - 1]!.trim());
    if (claimed && !eq(claimed, target)) {
      return { terminal: true, answer, verified: false, reason: `states ${rest[rest.length - 1]!.trim()}, not ${spec.target}` };
    }
  }
  return { terminal: true, answer, verified: true, reason: `reaches ${spec.target}` };
}

/**
 * Checks the steps of a (partial or final) Countdown solution. A step path is terminal when it states an
 * `Answer:`, when a step is wrong (dead branch), when the target is reached, or when one number is left.
 * `final` marks a complete solution (full sample or rollout): then a path that ends without reaching the
 * target is terminal and unverified.
 */
export function checkCountdown(spec: CountdownSpec, steps: readonly string[], opts: CountdownOptions & { final?: boolean } = {}): CheckResult {
  const pool = spec.numbers.map((x) => rational(BigInt(x)));
  const target = rational(BigInt(spec.target));
  let last: Rational | undefined;
  let sawStep = false;
  for (const step of steps) {
    for (const line of step.split('\n')) {
      const ans = ANSWER_RE.exec(line);
      if (ans) return checkAnswerExpression(spec, ans[1]!, opts);
      const m = STEP_RE.exec(line);
      if (!m) continue;
      sawStep = true;
      const a = parseDecimal(m[1]!)!;
      const b = parseDecimal(m[3]!)!;
      let result: Rational;
      let computed: Rational;
      try {
        result = parseExpression(m[4]!).value;
        computed = parseExpression(`${m[1]} ${m[2]} ${m[3]}`).value;
      } catch (err) {
        return { terminal: true, verified: false, reason: `step "${line.trim()}": ${(err as Error).message}` };
      }
      if (!eq(result, computed)) {
        return { terminal: true, verified: false, reason: `step "${line.trim()}" is wrong: ${formatRational(computed)}` };
      }
      if (!take(pool, a) || !take(pool, b)) {
        return { terminal: true, verified: false, reason: `step "${line.trim()}" uses a number that is not available` };
      }
      pool.push(result);
      last = result;
    }
  }
  if (last && eq(last, target) && (!opts.exactlyOnce || pool.length === 1)) {
    return { terminal: true, answer: String(spec.target), verified: true, reason: `steps reach ${spec.target}` };
  }
  if (pool.length <= 1) {
    const left = pool[0] ? formatRational(pool[0]) : 'nothing';
    return { terminal: true, verified: false, reason: `only ${left} left, target ${spec.target}` };
  }
  if (opts.final) {
    return { terminal: true, verified: false, reason: sawStep ? `steps end without reaching ${spec.target}` : 'no answer and no steps' };
  }
  return { terminal: false };
}
