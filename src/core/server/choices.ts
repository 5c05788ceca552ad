/**
 * Turns a policy's raw choices into what the server sends: cut at `max_tokens` and `stop` exactly as an
 * inference server would (stop string excluded, stop checked on the tokens produced so far), and with
 * per-token logprobs plus top-k alternatives: the policy's own where it has a distribution (the embedded model),
 * else seeded synthetic ones (the simulated policies).
 */
import type { PolicyChoice } from './policy';
import { createRng, seedFrom } from './rng';
import { countTokens, tokenize } from './tokenize';

export interface TokenLogprob {
  token: string;
  logprob: number;
  top: { token: string; logprob: number }[];
}

export interface FinalChoice {
  text: string;
  reasoning?: string;
  /** streamed one per chunk (PolicyChoice.reasoningPieces) */
  reasoningPieces?: string[];
  finishReason: 'stop' | 'length';
  tokens: TokenLogprob[];
  reasoningTokens: number;
}

const ALTERNATIVES = [' the', ' a', ',', '.', ' and', ' 1', ' 2', ' =', '\n', ' is', ' so', ' +', ' *', ' then'];

function withLogprobs(choice: PolicyChoice, seed: number, index: number, topK: number): TokenLogprob[] {
  const given = choice.logprobs;
  const usable = given && given.map((t) => t.token).join('') === choice.text;
  // A policy with a real distribution (the embedded model) gives its own alternatives: served as they are, never
  // padded with invented ones (they are the k most likely tokens, so the chosen one need not be among them).
  if (usable && given.length > 0 && given.every((t) => t.top !== undefined)) {
    return given.map(({ token, logprob, top }) => ({ token, logprob, top: top!.slice(0, topK).map((a) => ({ ...a })) }));
  }
  const rng = createRng(seedFrom('logprobs', seed, index, choice.text));
  const base = usable ? given : tokenize(choice.text).map((token) => ({ token, logprob: -Math.pow(rng.next(), 2) * 2.5 - 0.001 }));
  return base.map(({ token, logprob }) => {
    const top = [{ token, logprob }];
    let lp = logprob;
    for (const alt of ALTERNATIVES) {
      if (top.length >= topK) break;
      if (alt === token) continue;
      lp -= 0.3 + rng.next();
      top.push({ token: alt, logprob: lp });
    }
    return { token, logprob, top: top.slice(0, topK) };
  });
}

/** A token cut short by a stop string: its text and the alternatives naming the same text, cut alike. */
function cutToken(t: TokenLogprob, room: number): TokenLogprob {
  const token = t.token.slice(0, room);
  return { ...t, token, top: t.top.map((a) => (a.token === t.token ? { ...a, token } : a)) };
}

/**
 * `stopMode` (server profiles): 'cuts' (default) ends the text before the stop string, 'keeps' after it,
 * 'ignored' does not look for it at all (only `max_tokens` ends the text).
 */
export function finalizeChoice(choice: PolicyChoice, opts: { stop: string[]; maxTokens: number; seed: number; index: number; topK: number; stopMode?: 'cuts' | 'keeps' | 'ignored' }): FinalChoice {
  let tokens = withLogprobs(choice, opts.seed, opts.index, opts.topK);
  let finishReason: 'stop' | 'length' = choice.finishReason;
  let truncated = false;
  if (tokens.length > opts.maxTokens) {
    tokens = tokens.slice(0, opts.maxTokens);
    truncated = true;
  }
  let text = tokens.map((t) => t.token).join('');
  let cut = -1;
  let cutLength = 0;
  for (const s of opts.stopMode === 'ignored' ? [] : opts.stop) {
    if (s === '') continue;
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) {
      cut = i;
      cutLength = s.length;
    }
  }
  if (cut >= 0 && opts.stopMode === 'keeps') cut += cutLength;
  if (cut >= 0) {
    const kept: TokenLogprob[] = [];
    let pos = 0;
    for (const t of tokens) {
      if (pos >= cut) break;
      const room = cut - pos;
      kept.push(t.token.length <= room ? t : cutToken(t, room));
      pos += t.token.length;
    }
    tokens = kept;
    text = text.slice(0, cut);
    finishReason = 'stop';
  } else if (truncated) {
    finishReason = 'length';
  }
  const out: FinalChoice = { text, finishReason, tokens, reasoningTokens: choice.reasoning ? (choice.reasoningTokens ?? countTokens(choice.reasoning)) : 0 };
  if (choice.reasoning !== undefined) out.reasoning = choice.reasoning;
  if (choice.reasoning !== undefined && choice.reasoningPieces?.join('') === choice.reasoning) out.reasoningPieces = choice.reasoningPieces;
  return out;
}
