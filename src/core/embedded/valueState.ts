/**
 * Countdown states as the embedded value model reads them, and the training problems its data comes from.
 * A state is what is left to work with: the remaining numbers (sorted, so the same multiset is one state whatever
 * the path) and the target, e.g. `2, 7, 15 > 24`. Shared by the data script (model/valueData.ts), the PRM server
 * and the tests, so the text the model was trained on is the text it is asked about.
 */
import { applyStep, isAnswerLine, isLegalStep, legalOps, parseStep, type CountdownProblem } from './countdown';
import type { Prng } from './sampler';

/** The value model's input for a state. */
export function valueStateText(numbers: readonly number[], target: number): string {
  return `${[...numbers].sort((a, b) => a - b).join(', ')} > ${target}`;
}

/** The numbers and target of a state text (`valueStateText`'s inverse); undefined for any other text. */
export function readValueState(text: string): { numbers: number[]; target: number } | undefined {
  const m = /^(\d+(?:, \d+)*) > (\d+)$/.exec(text);
  return m ? { numbers: m[1]!.split(', ').map(Number), target: Number(m[2]) } : undefined;
}

/**
 * Whether some sequence of legal steps from the numbers makes the target (or one of them already is it): what a
 * perfect value would know. The budget benchmark's upper bound (`--values oracle`) only, never a shipped verifier.
 */
export function solvableState(numbers: readonly number[], target: number): boolean {
  return numbers.includes(target) || reachableResults(numbers).has(target);
}

/**
 * The numbers left after every sequence of 1 … maxDepth legal steps (the rules' steps, all of them), by depth:
 * `[d - 1]` holds the states d steps in, one entry per path (duplicates kept). A state already holding the target
 * is left out and not gone on from. For the value probe and the learnability data.
 */
export function legalFrontiers(numbers: readonly number[], target: number, maxDepth: number): number[][][] {
  const out: number[][][] = [];
  let frontier: number[][] = [[...numbers]];
  for (let d = 1; d <= maxDepth; d++) {
    frontier = frontier.flatMap((ns) => legalOps([...ns]).map((op) => applyStep([...ns], op)!)).filter((ns) => !ns.includes(target));
    out.push(frontier);
  }
  return out;
}

/** The key a problem's numbers are held out by (train_countdown.py: `tuple(sorted(nums))`). */
export function multisetKey(numbers: readonly number[]): string {
  return [...numbers].sort((a, b) => a - b).join(',');
}

export interface PathStates {
  /** the state before the first step, then after each legal step, in order */
  states: string[];
  /** a legal step's result equals the target (the Countdown checker verifies the path there) */
  reached: boolean;
  /** index of the first step line that is not a legal step (wrong arithmetic, unavailable number, unreadable) */
  brokenAt?: number;
}

/**
 * Walks step lines from the problem's numbers: every legal step gives the next state, and the walk ends at the
 * first step that reaches the target, at an `Answer:` line, or at the first line that is not a legal step.
 */
export function pathStates(problem: CountdownProblem, lines: readonly string[]): PathStates {
  let nums = [...problem.numbers];
  const states = [valueStateText(nums, problem.target)];
  for (const [k, line] of lines.entries()) {
    if (line.trim() === '') continue;
    if (isAnswerLine(line)) break;
    const step = parseStep(line);
    if (!step || !isLegalStep(nums, step)) return { states, reached: false, brokenAt: k };
    nums = applyStep(nums, step)!;
    states.push(valueStateText(nums, problem.target));
    if (step.result === problem.target) return { states, reached: true };
  }
  return { states, reached: false };
}

/** Every result some sequence of legal steps from `nums` produces (train_countdown.py `reachable_results`). */
export function reachableResults(nums: readonly number[], acc = new Set<number>()): Set<number> {
  for (const op of legalOps([...nums])) {
    acc.add(op.result);
    const rest = applyStep([...nums], op)!;
    if (rest.length >= 2) reachableResults(rest, acc);
  }
  return acc;
}

export interface ProblemSampling {
  count: number;
  min: number;
  max: number;
  targetMin: number;
  targetMax: number;
}

/** The policy's training distribution (model/README.md "Data"): 4 numbers in 1..25, a reachable target in 10..100. */
export const TRAINING_PROBLEMS: ProblemSampling = { count: 4, min: 1, max: 25, targetMin: 10, targetMax: 100 };

/**
 * A problem from the training distribution whose multiset of numbers is not in `heldOut` (keys of `multisetKey`):
 * held-out problems are never drawn, not even with another target.
 */
export function sampleTrainingProblem(rng: Prng, heldOut: ReadonlySet<string>, dist: ProblemSampling = TRAINING_PROBLEMS): CountdownProblem {
  for (;;) {
    const numbers = Array.from({ length: dist.count }, () => dist.min + Math.floor(rng.next() * (dist.max - dist.min + 1)));
    if (heldOut.has(multisetKey(numbers))) continue;
    const targets = [...reachableResults(numbers)]
      .filter((t) => t >= dist.targetMin && t <= dist.targetMax && !numbers.includes(t))
      .sort((a, b) => a - b);
    if (targets.length === 0) continue;
    return { numbers, target: targets[Math.floor(rng.next() * targets.length)]! };
  }
}
