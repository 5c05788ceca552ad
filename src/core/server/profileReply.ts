/**
 * The reply side of a server profile: where reasoning text goes, and text that runs past a stop string the
 * server ignores (the policy is asked again, its steps appended, so the text looks like a model that kept going).
 */
import type { Policy, PolicyChoice, PolicyRequest } from './policy';
import type { ReasoningPlacement } from './profiles/schema';
import { countTokens } from './tokenize';

/** The reasoning every choice carries with `reasoning: true` when the policy gives none: one line, no blank lines. */
export const DEFAULT_REASONING = 'Let me check the numbers so far before I write the next step.';

/** Reasoning text on one line, so a blank-line step stop can never cut inside it. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n+\s*/g, ' ').trim();
}

/** Field name of reasoning in message / delta objects, when the placement is a field. */
export type ReasoningKey = 'reasoning_content' | 'reasoning';

export function reasoningKeyOf(placement: ReasoningPlacement): ReasoningKey {
  return placement === 'reasoning' ? 'reasoning' : 'reasoning_content';
}

/**
 * Puts a choice's reasoning where the server would: a separate field (kept on `reasoning`), inline `<think>` tags
 * or only the closing tag at the start of the text, or nowhere. Completions never carry reasoning.
 */
export function placeReasoning(choice: PolicyChoice, opts: { placement: ReasoningPlacement; reasoning: boolean; kind: 'chat' | 'completion' }): PolicyChoice {
  const given = opts.reasoning ? oneLine(choice.reasoning ?? DEFAULT_REASONING) : choice.reasoning;
  // the pieces and their count describe the policy's own reasoning only, in its own field
  const { reasoning: _drop, reasoningPieces, reasoningTokens, ...rest } = choice;
  if (given === undefined || opts.kind === 'completion' || opts.placement === 'none') return rest;
  if (opts.placement === 'reasoning' || opts.placement === 'reasoning_content') {
    return given === choice.reasoning ? { ...rest, reasoning: given, ...(reasoningPieces ? { reasoningPieces } : {}), ...(reasoningTokens !== undefined ? { reasoningTokens } : {}) } : { ...rest, reasoning: given };
  }
  const prefix = opts.placement === 'think-tags' ? `<think>${given}</think>\n` : `${given}</think>\n`;
  // The policy's per-token logprobs no longer line up with the text: the server synthesizes them.
  const { logprobs: _lp, ...plain } = rest;
  return { ...plain, text: prefix + rest.text };
}

const MAX_ROUNDS = 8;

/**
 * For a server that ignores `stop`: each choice keeps going past the step (the policy is asked to continue from
 * what it wrote, its next steps appended after a blank line) until `max_tokens` or the policy has nothing more.
 */
export async function runPastStop(policy: Policy, req: PolicyRequest, first: PolicyChoice[], signal: AbortSignal): Promise<PolicyChoice[]> {
  const out: PolicyChoice[] = [];
  for (let i = 0; i < first.length; i++) {
    const start = first[i] as PolicyChoice;
    let text = start.text;
    let finishReason = start.finishReason;
    let last = text;
    for (let round = 0; round < MAX_ROUNDS && finishReason === 'stop' && countTokens(text) < req.maxTokens; round++) {
      if (signal.aborted) break;
      const sofar = `${text.replace(/\s+$/, '')}\n\n`;
      const next: PolicyRequest = { ...req, n: 1, seed: (req.seed ?? 0) + 1009 * (round + 1) + 31 * i };
      if (req.messages) {
        const msgs = [...req.messages];
        const tail = msgs[msgs.length - 1];
        if (req.continueFinalMessage && tail?.role === 'assistant') msgs[msgs.length - 1] = { role: 'assistant', content: tail.content + sofar };
        else msgs.push({ role: 'assistant', content: sofar });
        next.messages = msgs;
        next.continueFinalMessage = true;
      } else {
        next.prompt = (req.prompt ?? '') + sofar;
      }
      const more = (await policy.generate(next, signal)).choices[0];
      const piece = more?.text.trim() ?? '';
      if (!more || piece === '' || piece === last.trim()) break;
      text = sofar + piece;
      last = piece;
      finishReason = more.finishReason;
    }
    const { logprobs: _lp, ...rest } = start;
    out.push(text === start.text ? start : { ...rest, text, finishReason });
  }
  return out;
}
