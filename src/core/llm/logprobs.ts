/** Per-step summary of token logprobs: mean, min and count over the tokens of the kept text. */
import type { LogprobSummary } from '../trace/schema';

export interface TokenLogprob {
  token: string;
  logprob: number;
}

/** `keepChars` limits the summary to tokens that start inside the first keepChars characters (a client-side cut). */
export function summarizeLogprobs(tokens: readonly TokenLogprob[] | undefined, keepChars = Infinity): LogprobSummary | undefined {
  if (!tokens || tokens.length === 0) return undefined;
  let sum = 0;
  let min = Infinity;
  let count = 0;
  let pos = 0;
  for (const t of tokens) {
    if (pos >= keepChars) break;
    pos += t.token.length;
    if (!Number.isFinite(t.logprob)) continue;
    sum += t.logprob;
    min = Math.min(min, t.logprob);
    count++;
  }
  if (count === 0) return undefined;
  return { mean: sum / count, min, tokens: count };
}
