/**
 * LLM-as-judge value: k judge samples (one request, n = k), each asked for a score; the value is the mean score
 * and the verdict the majority (score ≥ 0.5). Unparseable replies are left out; none parseable is an error.
 */
import type { Estimate, ValueEstimator, ValueInput } from './valueEstimator';

export const DEFAULT_JUDGE_PROMPT =
  'You are checking the solution above, which may be unfinished. Is every step correct, and does it lead to the ' +
  'right final answer? Think briefly, then end with a line "Score: p", where p is the probability (0 to 1) that ' +
  'the solution is correct.';

/** A score in [0, 1] from a judge reply, or undefined. */
export function parseJudgeScore(text: string): number | undefined {
  const score = /score\s*[:=]\s*\**\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+))?/gi;
  let last: RegExpExecArray | null = null;
  let m: RegExpExecArray | null;
  while ((m = score.exec(text))) last = m;
  if (last) {
    const v = Number(last[1]);
    const scale = last[2] ? Number(last[2]) : v > 1 ? (v <= 10 ? 10 : 100) : 1;
    const s = v / scale;
    return s >= 0 && s <= 1 ? s : undefined;
  }
  // Without a score, accept only a plain verdict on the last line ("Correct.", "The solution is incorrect").
  const tail = text.trim().split('\n').pop()!.toLowerCase().replace(/[*.!]/g, '').trim();
  if (/^(no|incorrect|wrong|false)$|\b(is|are) (incorrect|wrong|not correct)\b/.test(tail)) return 0;
  if (/^(yes|correct|right|true)$|\b(is|are) (correct|right)\b/.test(tail)) return 1;
  return undefined;
}

export interface JudgeOptions {
  k: number;
  prompt?: string;
  model?: string;
  maxTokens?: number;
  temperature?: number;
}

export function judgeEstimator(opts: JudgeOptions): ValueEstimator {
  if (!(opts.k >= 1)) throw new Error(`judge k must be at least 1, got ${opts.k}`);
  return {
    kind: 'judge',
    async estimate(input: ValueInput): Promise<Estimate> {
      const gens = await input.sample({
        problem: input.problem.text,
        steps: [...input.steps],
        purpose: 'judge',
        n: opts.k,
        context: [opts.prompt ?? DEFAULT_JUDGE_PROMPT],
        maxTokens: opts.maxTokens,
        temperature: opts.temperature,
      });
      const scores = gens.map((g) => parseJudgeScore(g.text)).filter((s): s is number => s !== undefined);
      if (scores.length === 0) throw new Error(`judge: none of ${gens.length} replies stated a score`);
      const value = scores.reduce((a, b) => a + b, 0) / scores.length;
      const yes = scores.filter((s) => s >= 0.5).length;
      return {
        value,
        verified: yes * 2 > scores.length,
        source: { kind: 'judge', samples: scores.length, ...(opts.model ? { model: opts.model } : {}) },
        detail: { yes, samples: scores.length },
      };
    },
  };
}
