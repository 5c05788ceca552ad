/**
 * Simulated long-CoT responder (not a language model), R1-style: a thinking part with in-context search —
 * mistakes caught with "Wait, but…", "Alternatively, perhaps…" re-derivations and "Let me double-check…"
 * verification — then a final answer. The thinking goes in `<think>…</think>` inside the content
 * (style 'think-tags') or separately as `reasoning_content` (style 'reasoning-field'). With `mismatchRate` the
 * final answer differs from the one reached in the thinking (the paper's 448 vs 1792 case). Seeded.
 */
import type { Policy, PolicyChoice, PolicyRequest } from '../policy';
import { createRng, seedFrom } from '../rng';
import type { Rng } from '../rng';
import { tokenize } from '../tokenize';
import { shortNumber as fmt } from '../../shortNumber';
import { evaluate, findExpression, reduceTerms, renderTerms } from './arithmetic';
import type { Term } from './arithmetic';
import type { TableProblem } from './arithmeticSolver';
import { promptParts, promptTokenCount } from './promptParts';

export interface LongCotPolicyOptions {
  name?: string;
  style?: 'think-tags' | 'reasoning-field';
  /** Probability per step of a slip that the thinking then catches with "Wait, but…" (default 0.4). */
  backtrackRate?: number;
  /** Probability that the final answer differs from the thinking's conclusion (default 0). */
  mismatchRate?: number;
  table?: TableProblem[];
}

function thinkExpression(terms0: Term[], rng: Rng, backtrackRate: number): { paragraphs: string[]; answer: string } {
  const paragraphs = [`Okay, so I need to compute ${renderTerms(terms0)}. Let me remember the order of operations: multiplication and division come before addition and subtraction.`];
  let first = true;
  const result = reduceTerms(terms0, (a, op, b, r) => {
    const lead = first ? 'First' : rng.pick(['Next', 'Then', 'Now']);
    if (rng.chance(backtrackRate)) {
      const wrong = r + (rng.chance(0.5) ? 1 : -1) * (1 + rng.int(9));
      paragraphs.push(`${lead}, ${fmt(a)} ${op} ${fmt(b)} = ${fmt(wrong)}.`);
      paragraphs.push(
        rng.pick([
          `Wait, but that doesn't seem right. ${fmt(a)} ${op} ${fmt(b)} is ${fmt(r)}, not ${fmt(wrong)}. I made a mistake there. Let me redo it: ${fmt(a)} ${op} ${fmt(b)} = ${fmt(r)}.`,
          `Wait, but let me re-check that step. Oops, ${fmt(a)} ${op} ${fmt(b)} = ${fmt(r)}. Let me reconsider from here with ${fmt(r)}.`,
        ]),
      );
    } else {
      paragraphs.push(`${lead}, ${fmt(a)} ${op} ${fmt(b)} = ${fmt(r)}.`);
    }
    first = false;
    return r;
  });
  const answer = fmt(result);
  if (terms0.length > 3 && rng.chance(0.5)) {
    paragraphs.push(`Alternatively, perhaps I should evaluate it differently to be sure. Going left to right but respecting precedence again, ${renderTerms(terms0)} = ${fmt(evaluate(terms0))}. That matches.`);
  }
  paragraphs.push(`Let me double-check the whole thing: ${renderTerms(terms0)} = ${answer}. Yes, that seems right.`);
  paragraphs.push(`So the answer is ${answer}.`);
  return { paragraphs, answer };
}

function thinkTable(entry: TableProblem, rng: Rng, backtrackRate: number): { paragraphs: string[]; answer: string } {
  const paragraphs = ["Okay, let's re-read the problem carefully and work out what is being asked."];
  for (const step of entry.steps) {
    if (rng.chance(backtrackRate)) {
      paragraphs.push(`${rng.pick(['Hmm, maybe', 'Perhaps'])} I should start differently. Let me try to think differently about this part.`);
    }
    paragraphs.push(step);
  }
  paragraphs.push(`Let me double-check: the steps lead to ${entry.answer}. Yes.`);
  paragraphs.push(`So the answer is ${entry.answer}.`);
  return { paragraphs, answer: entry.answer };
}

export function longCotPolicy(options: LongCotPolicyOptions = {}): Policy {
  const name = options.name ?? 'sim-long-cot';
  const style = options.style ?? 'think-tags';
  const backtrackRate = options.backtrackRate ?? 0.4;
  const mismatchRate = options.mismatchRate ?? 0;
  const table = options.table ?? [];
  return {
    name,
    async generate(req: PolicyRequest) {
      const { context } = promptParts(req);
      const entry = table.find((t) => context.includes(t.match));
      const expression = entry ? null : findExpression(context);
      const choices: PolicyChoice[] = [];
      for (let c = 0; c < req.n; c++) {
        const rng = createRng(seedFrom(name, req.seed, req.temperature > 0 ? c : 0, context));
        const { paragraphs, answer } = entry
          ? thinkTable(entry, rng, backtrackRate)
          : expression
            ? thinkExpression(expression, rng, backtrackRate)
            : { paragraphs: ['I cannot find an expression or a known problem here. Let me reconsider… no, I do not know.'], answer: '?' };
        let finalAnswer = answer;
        if (rng.chance(mismatchRate) && /^-?\d+(\.\d+)?$/.test(answer)) finalAnswer = fmt(Number(answer) * 4);
        const thinking = paragraphs.join('\n\n');
        const final = `The answer is \\boxed{${finalAnswer}}.`;
        choices.push(
          style === 'think-tags'
            ? { text: `<think>\n${thinking}\n</think>\n\n${final}`, finishReason: 'stop' }
            : { text: final, reasoning: thinking, finishReason: 'stop' },
        );
      }
      return {
        choices,
        promptTokens: promptTokenCount(req),
        completionTokens: choices.map((ch) => tokenize(ch.text).length + (ch.reasoning ? tokenize(ch.reasoning).length : 0)),
      };
    },
  };
}
