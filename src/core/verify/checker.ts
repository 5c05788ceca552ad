/**
 * Checkers decide, synchronously and without a model, whether a path of steps is finished and whether its answer
 * verifies. The search engine asks one after every generated node; value estimators (rollouts) ask it about
 * every completion.
 */
import type { Problem } from '../trace/schema';
import { extractAnswer, referenceAnswer } from './answerExtraction';
import { answersEqual } from './answerEquivalence';
import { checkCountdown, parseCountdownProblem } from './countdown';

export interface CheckResult {
  /** The path is finished: an answer is stated, or (Countdown) it is a dead end. */
  terminal: boolean;
  answer?: string;
  /** true / false when known; undefined when there is nothing to check against (no reference answer). */
  verified?: boolean;
  /** Why, in words, for the detail pane. */
  reason?: string;
}

export interface CheckOptions {
  /** The last step is a complete solution (a full sample or a rollout), not one step of a partial one. */
  final?: boolean;
}

export interface Checker {
  readonly name: string;
  /** `steps`: the whole path from the root (excluded) to the node being checked (included). */
  check(problem: Problem, steps: readonly string[], opts?: CheckOptions): CheckResult;
}

/** The reference answer and the mismatch reason, worked out once per reference text (not once per rollout). */
let lastReference: { raw: string; answer: string; mismatch: string } | undefined;
function reference(raw: string): { answer: string; mismatch: string } {
  if (lastReference?.raw !== raw) {
    const answer = referenceAnswer(raw);
    lastReference = { raw, answer, mismatch: `reference answer is ${answer}` };
  }
  return lastReference;
}

/** Math answers: extraction from the last step, equivalence with `problem.answer` when there is one. */
export const answerChecker: Checker = {
  name: 'answer',
  check(problem, steps, opts = {}) {
    const last = steps[steps.length - 1] ?? '';
    const found = extractAnswer(last, { lenient: opts.final });
    if (!found) {
      return opts.final ? { terminal: true, verified: problem.answer === undefined ? undefined : false, reason: 'no final answer found' } : { terminal: false };
    }
    if (problem.answer === undefined) return { terminal: true, answer: found.answer, reason: `answer by ${found.method}; no reference answer` };
    const ref = reference(problem.answer);
    const ok = answersEqual(found.answer, ref.answer);
    return { terminal: true, answer: found.answer, verified: ok, reason: ok ? 'matches the reference answer' : ref.mismatch };
  },
};

/** Parsing the problem text once per problem object: checkers run on every node of big trees. */
const specCache = new WeakMap<Problem, ReturnType<typeof parseCountdownProblem> | null>();
function countdownSpec(problem: Problem) {
  let spec = specCache.get(problem);
  if (spec === undefined) {
    spec = parseCountdownProblem(problem) ?? null;
    specCache.set(problem, spec);
  }
  return spec ?? undefined;
}

export function countdownChecker(opts: { exactlyOnce?: boolean } = {}): Checker {
  return {
    name: opts.exactlyOnce ? 'countdown-exact' : 'countdown',
    check(problem, steps, checkOpts = {}) {
      const spec = countdownSpec(problem);
      if (!spec) return { terminal: checkOpts.final ?? false, reason: 'not a Countdown problem (no numbers and target found)' };
      return checkCountdown(spec, steps, { exactlyOnce: opts.exactlyOnce, final: checkOpts.final });
    },
  };
}

/** Answer detection only: never claims verification. */
export const noneChecker: Checker = {
  name: 'none',
  check(_problem, steps, opts = {}) {
    const found = extractAnswer(steps[steps.length - 1] ?? '', { lenient: opts.final });
    if (found) return { terminal: true, answer: found.answer };
    return { terminal: opts.final ?? false };
  },
};

/** Countdown when the problem is one (meta or text), the math answer checker otherwise. */
export function autoChecker(opts: { exactlyOnce?: boolean } = {}): Checker {
  const cd = countdownChecker(opts);
  return {
    name: 'auto',
    check(problem, steps, checkOpts) {
      return (countdownSpec(problem) ? cd : answerChecker).check(problem, steps, checkOpts);
    },
  };
}
