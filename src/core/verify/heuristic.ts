/**
 * A cheap value for Countdown states, without any model call: Stream-of-Search's distance-to-target heuristics
 * (Gandhi et al. 2024, `sum_heuristic` / `mult_heuristic`). The state is the numbers left after the last step (its
 * `(left: …)` list; a step without one is replayed on the numbers before it; the root's are the problem's numbers).
 * - `sum`: h = mean over the numbers left of |target − n|.
 * - `mult`: h = Σ over the numbers left of the distance to the nearest divisor d of the target with 2 ≤ d ≤ target
 *   (the target itself when it is below 2, where there is none).
 * Value = 1 / (1 + h / max(target, 1)) ∈ (0, 1]: 1 when h = 0, halved when h equals the target. A finished path
 * gets the checker's verdict instead (1 verified, 0 refuted).
 */
import { explainCountdownProblem, type CountdownSpec } from '../problems/countdown';
import { applyOp, numberValue, parseOpStep } from '../trace/linearize/countdownText';
import type { Problem } from '../trace/schema';
import type { Checker } from './checker';
import type { Estimate, ValueEstimator, ValueInput } from './valueEstimator';

export const HEURISTICS = ['sum', 'mult'] as const;
export type HeuristicName = (typeof HEURISTICS)[number];

/** SoS `sum_heuristic`: the mean distance of the numbers left to the target. */
export function sumHeuristic(numbers: readonly number[], target: number): number {
  if (numbers.length === 0) throw new RangeError('sum heuristic: no numbers left');
  let s = 0;
  for (const n of numbers) s += Math.abs(target - n);
  return s / numbers.length;
}

/** Divisors d of the target with 2 ≤ d ≤ target (SoS's factor list); the target itself below 2. */
export function targetFactors(t: number): number[] {
  if (t < 2) return [t];
  const small: number[] = [];
  const large: number[] = [];
  for (let d = 2; d * d <= t; d++) {
    if (t % d !== 0) continue;
    small.push(d);
    if (d * d !== t) large.unshift(t / d);
  }
  return [...small, ...large, t];
}

/** SoS `mult_heuristic`: the summed distance of each number left to the target's nearest factor. */
export function multHeuristic(numbers: readonly number[], target: number): number {
  const factors = targetFactors(target);
  let s = 0;
  for (const n of numbers) s += Math.min(...factors.map((f) => Math.abs(n - f)));
  return s;
}

export function heuristicDistance(name: HeuristicName, numbers: readonly number[], target: number): number {
  return name === 'mult' ? multHeuristic(numbers, target) : sumHeuristic(numbers, target);
}

/** h → (0, 1]; the target scales h so the value means the same on small and large targets. */
export function heuristicValue(h: number, target: number): number {
  return 1 / (1 + h / Math.max(Math.abs(target), 1));
}

const LEFT_RE = /\(left:\s*([^)]*)\)/i;
const NUMBER_RE = /^\(?(-?\d+(?:\.\d+)?)\)?(?:\s*\/\s*(\d+(?:\.\d+)?))?$/;

/** A number as a step writes it: `24`, `2.5`, `(-14)`, `7/2`; undefined otherwise. */
function readNumber(s: string): number | undefined {
  const m = NUMBER_RE.exec(s.trim());
  if (!m) return undefined;
  const v = m[2] === undefined ? numberValue(m[1]!) : Number(m[1]) / Number(m[2]);
  return Number.isFinite(v) ? v : undefined;
}

/** A `(left: …)` list when it is one of numbers only. */
function leftList(line: string): string[] | undefined {
  const m = LEFT_RE.exec(line);
  if (!m) return undefined;
  const items = m[1]!.split(',').map((x) => x.trim()).filter((x) => x !== '');
  return items.length > 0 && items.every((x) => readNumber(x) !== undefined) ? items : undefined;
}

/**
 * The numbers left after the steps: the last step line's `(left: …)` list (the model's own account of its state);
 * a step line without one is applied to the numbers before it. Lines that are not step lines are skipped.
 */
export function countdownState(spec: CountdownSpec, steps: readonly string[]): number[] {
  let pool = spec.numbers.map(String);
  for (const step of steps) {
    for (const line of step.split('\n')) {
      const left = leftList(line);
      if (left) {
        pool = left;
        continue;
      }
      const parsed = parseOpStep(line.trim());
      if (parsed) pool = applyOp(pool, parsed.op);
    }
  }
  return pool.map((x) => readNumber(x) ?? numberValue(x));
}

const notCountdown = (reason: string): string => `verifier heuristic values Countdown states only, and this is not a Countdown problem: ${reason}`;

/** Why a problem cannot be valued by the heuristic; undefined when it can (a Countdown problem). */
export function heuristicProblemError(problem: Pick<Problem, 'text' | 'meta'>): string | undefined {
  const r = explainCountdownProblem(problem);
  return r.ok ? undefined : notCountdown(r.reason);
}

/** Parsing the problem once per problem object (every node of a run asks); a string is the error. */
const specs = new WeakMap<Problem, CountdownSpec | string>();
function specOf(problem: Problem): CountdownSpec {
  let s = specs.get(problem);
  if (s === undefined) {
    const r = explainCountdownProblem(problem);
    s = r.ok ? r.spec : notCountdown(r.reason);
    specs.set(problem, s);
  }
  if (typeof s === 'string') throw new Error(s);
  return s;
}

export interface HeuristicOptions {
  heuristic: HeuristicName;
  /** Finished paths get its verdict (1 / 0) instead of a distance. */
  checker: Checker;
}

export function heuristicEstimator(opts: HeuristicOptions): ValueEstimator {
  // A fresh source object per node: nodes never share (and so never co-edit) one.
  const source = () => ({ kind: 'heuristic' as const, heuristic: opts.heuristic });
  return {
    kind: 'heuristic',
    async estimate(input: ValueInput): Promise<Estimate> {
      const spec = specOf(input.problem);
      const check = opts.checker.check(input.problem, input.steps);
      if (check.terminal && check.verified !== undefined) {
        return { value: check.verified ? 1 : 0, source: source(), detail: { verified: check.verified } };
      }
      const left = countdownState(spec, input.steps);
      const h = heuristicDistance(opts.heuristic, left, spec.target);
      return { value: heuristicValue(h, spec.target), source: source(), detail: { h, left: left.length } };
    },
  };
}
