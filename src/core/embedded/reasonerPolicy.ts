/**
 * An embedded reasoner as a reference-server `Policy`: the search text is the reasoning (`reasoning_content`, the
 * vLLM / DeepSeek field), the content is the final `Answer:` line read from the goal path, or a line saying none was
 * found. A request whose last assistant message is continued (`continue_final_message`), or a completions prompt
 * holding Stream-of-Search text, is a fork: the model continues that thinking and the reasoning is the continuation.
 */
import { randomInt } from 'node:crypto';
import type { Policy, PolicyChoice, PolicyRequest, PolicyResult } from '../server/policy';
import { explainCountdownProblem } from '../problems/countdown';
import { parsePyNumberList } from '../trace/linearize/countdownText';
import { findProblem, unreadableProblemMessage, type CountdownProblem } from './countdown';
import { UnreadableProblemError } from './policy';
import type { EmbeddedReasoner, Reasoning } from './reasoner';
import { hash32 } from './sampler';

export interface ReasonerInput {
  problem: CountdownProblem;
  /** the thinking to continue (a fork), undefined for a fresh search */
  thinking?: string;
}

const STATE_LINE = /Current State: (\d+):(\[[^\]\n]*\]), Operations: \[\]/;

/** The problem a Stream-of-Search text starts from (its first state line). */
function problemOfState(text: string): CountdownProblem | undefined {
  const m = STATE_LINE.exec(text);
  const nums = m ? parsePyNumberList(m[2]!)?.map(Number) : undefined;
  return m && nums && nums.every(Number.isInteger) ? { numbers: nums, target: Number(m[1]) } : undefined;
}

export function parseReasonerRequest(req: Pick<PolicyRequest, 'messages' | 'prompt' | 'continueFinalMessage'>): ReasonerInput {
  let problemText: string;
  let thinking: string | undefined;
  if (req.prompt !== undefined && (!req.messages || req.messages.length === 0)) {
    const at = req.prompt.indexOf('Current State:');
    problemText = at >= 0 ? req.prompt.slice(0, at) : req.prompt;
    if (at >= 0) thinking = req.prompt.slice(at);
  } else {
    const msgs = req.messages ?? [];
    const last = msgs.at(-1);
    const partial = req.continueFinalMessage && last?.role === 'assistant' ? last : undefined;
    problemText = (partial ? msgs.slice(0, -1) : msgs).map((m) => m.content).join('\n\n');
    if (partial && partial.content.trim() !== '') thinking = partial.content;
  }
  const problem = findProblem(problemText)?.problem ?? (thinking !== undefined ? problemOfState(thinking) : undefined);
  if (!problem) {
    const userText = [...(req.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? problemText;
    const read = explainCountdownProblem(userText);
    throw new UnreadableProblemError(unreadableProblemMessage(read.ok ? 'no Countdown problem in the request' : read.reason));
  }
  return { problem, ...(thinking !== undefined ? { thinking } : {}) };
}

/**
 * A served choice with its reasoning piece by piece (a fresh search's first line, then each model token) and the
 * model tokens it took: a server that streams reasoning per piece and bills model tokens reads them (server/policy.ts).
 */
export type ReasonerChoice = PolicyChoice & { reasoningPieces?: string[]; reasoningTokens?: number };

/** The served choice of one reasoning: content is the answer line, the reasoning what the model wrote. */
export function reasoningChoice(r: Reasoning, completions: boolean): ReasonerChoice {
  // Completions have no reasoning field: the text is the continued thinking, then the answer line.
  if (completions) return { text: `${r.reasoning}${r.reasoning === '' || r.reasoning.endsWith('\n') ? '' : '\n'}${r.answer}`, finishReason: r.finish };
  const lead = r.reasoning.slice(0, r.reasoning.length - r.generated.length);
  const reasoningPieces = [...(lead !== '' ? [lead] : []), ...r.pieces.map((p) => p.token)].filter((p) => p !== '');
  return { text: r.answer, reasoning: r.reasoning, reasoningPieces, reasoningTokens: r.tokens, finishReason: r.finish };
}

export class EmbeddedReasonerPolicy implements Policy {
  readonly name: string;

  constructor(readonly reasoner: EmbeddedReasoner) {
    this.name = reasoner.modelId;
  }

  async generate(req: PolicyRequest, signal: AbortSignal): Promise<PolicyResult> {
    const input = parseReasonerRequest(req);
    const seed = req.seed ?? randomInt(0, 2 ** 31);
    const n = Math.max(1, req.n);
    const runs: Reasoning[] = [];
    // Samples one after another: a whole search each, and the runtime runs one call at a time anyway.
    for (let i = 0; i < (req.temperature <= 0 ? 1 : n); i++) {
      runs.push(
        await this.reasoner.reason({
          problem: input.problem,
          ...(input.thinking !== undefined ? { thinking: input.thinking } : {}),
          temperature: req.temperature,
          topP: req.topP,
          seed: n === 1 ? seed : hash32(seed, i),
          maxTokens: req.maxTokens,
          signal,
        }),
      );
    }
    const completions = req.prompt !== undefined && (!req.messages || req.messages.length === 0);
    const choices = Array.from({ length: n }, (_, i) => reasoningChoice(runs[i % runs.length]!, completions));
    return {
      choices,
      promptTokens: runs[0]!.promptTokens,
      completionTokens: Array.from({ length: n }, (_, i) => runs[i % runs.length]!.tokens),
    };
  }
}
