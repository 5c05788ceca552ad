/**
 * Simulated step-wise arithmetic / word-problem solver (not a language model). For "What is 3 + 4 * 5?" it
 * reduces one operation per step ("First, 4 * 5 = 20.") and ends with "The answer is \boxed{23}."; for problems
 * in its table it writes the table's steps. With `mistakeRate` a step's result is off, and the error propagates.
 * Continues from steps already written (trusting their results). Seeded: same request → same text.
 */
import type { Policy, PolicyChoice, PolicyRequest } from '../policy';
import { createRng, seedFrom } from '../rng';
import type { Rng } from '../rng';
import { tokenize } from '../tokenize';
import { shortNumber as fmt } from '../../shortNumber';
import { findExpression, normOp, reduceTerms, replayStep, STEP_EQ } from './arithmetic';
import type { Term } from './arithmetic';
import { continuationLead, promptParts, promptTokenCount } from './promptParts';

export interface TableProblem {
  /** Matched as a substring of the problem text. */
  match: string;
  steps: string[];
  answer: string;
}

export interface ArithmeticPolicyOptions {
  name?: string;
  /** Probability that a step's result is wrong (default 0.1). */
  mistakeRate?: number;
  /** Word problems the solver knows. */
  table?: TableProblem[];
}

const LEADS = ['First, ', 'Next, ', 'Then, ', 'Now, '];

function solveExpression(start: Term[], stepsDone: number, rng: Rng, mistakeRate: number): string[] {
  const out: string[] = [];
  let k = stepsDone;
  const answer = reduceTerms(start, (a, op, b, r) => {
    if (rng.chance(mistakeRate)) r += rng.chance(0.5) ? 1 + rng.int(3) : -(1 + rng.int(3));
    out.push(`${k === 0 ? LEADS[0] : LEADS[1 + (k % 3)]}${fmt(a)} ${op} ${fmt(b)} = ${fmt(r)}.`);
    k++;
    return r;
  });
  out.push(`The answer is \\boxed{${fmt(answer)}}.`);
  return out;
}

function solveTable(entry: TableProblem, stepsDone: number, rng: Rng, mistakeRate: number): string[] {
  const out: string[] = [];
  let wrong = 0;
  for (const step of entry.steps.slice(stepsDone)) {
    if (rng.chance(mistakeRate)) {
      const delta = 1 + rng.int(3);
      wrong += delta;
      // Perturb the last number of the step: that is its result.
      out.push(step.replace(/(-?\d+(?:\.\d+)?)(?!.*\d)/, (n) => fmt(Number(n) + delta)));
    } else out.push(step);
  }
  const answer = wrong !== 0 && /^-?\d+(\.\d+)?$/.test(entry.answer) ? fmt(Number(entry.answer) + wrong) : entry.answer;
  out.push(`The answer is \\boxed{${answer}}.`);
  return out;
}

export function arithmeticPolicy(options: ArithmeticPolicyOptions = {}): Policy {
  const name = options.name ?? 'sim-arithmetic';
  const mistakeRate = options.mistakeRate ?? 0.1;
  const table = options.table ?? [];
  return {
    name,
    async generate(req: PolicyRequest) {
      const { context, partial } = promptParts(req);
      const entry = table.find((t) => context.includes(t.match));
      const expression = entry ? null : findExpression(context);
      const paragraphs = partial.split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean);
      const choices: PolicyChoice[] = [];
      for (let c = 0; c < req.n; c++) {
        const rng = createRng(seedFrom(name, req.seed, req.temperature > 0 ? c : 0, context, partial));
        let lines: string[];
        if (/\\boxed\{/.test(partial)) lines = [];
        else if (entry) lines = solveTable(entry, paragraphs.length, rng, mistakeRate);
        else if (expression) {
          let terms = expression;
          for (const p of paragraphs) {
            const m = STEP_EQ.exec(p);
            if (m) terms = replayStep(terms, Number(m[1]), normOp(m[2] as string), Number(m[3]), Number(m[4]));
          }
          lines = solveExpression(terms, paragraphs.length, rng, mistakeRate);
        } else lines = ['I do not know how to solve this problem.', 'The answer is \\boxed{?}.'];
        const text = lines.length ? continuationLead(req, partial) + lines.join('\n\n') : '';
        choices.push({ text, finishReason: 'stop' });
      }
      return { choices, promptTokens: promptTokenCount(req), completionTokens: choices.map((ch) => tokenize(ch.text).length) };
    },
  };
}
