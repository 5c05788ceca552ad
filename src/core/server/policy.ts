/**
 * What the reference server asks for text. Simulated policies (Countdown proposer, arithmetic solver, long-CoT
 * responder) and the embedded ONNX model implement `Policy`; the server turns their choices into OpenAI-shaped
 * responses (streamed or not). Shapes agreed in docs/CONTRACTS.md: change them only together with every user.
 */

export interface PolicyMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface PolicyRequest {
  /** Chat endpoints. */
  messages?: PolicyMessage[];
  /** `/v1/completions`. */
  prompt?: string;
  /** vLLM/SGLang extra body: the last assistant message is a partial answer to continue. */
  continueFinalMessage: boolean;
  n: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed?: number;
  stop: string[];
  logprobs: boolean;
  /**
   * Alternatives wanted per token (`top_logprobs`, or the completions `logprobs` number). A policy with a real
   * distribution (the embedded model) answers with `top` on each token; the others get seeded synthetic ones.
   */
  topLogprobs?: number;
}

/** One alternative at a token position: its text and log-probability under the policy's distribution. */
export interface PolicyAlternative {
  token: string;
  logprob: number;
}

export interface PolicyChoice {
  text: string;
  reasoning?: string;
  /**
   * The reasoning as the model wrote it, piece by piece (concatenating to `reasoning`): streamed one piece per chunk,
   * as a reasoning model's server does. Absent: the reasoning goes in the first chunk.
   */
  reasoningPieces?: string[];
  /** Model tokens of the reasoning, for usage (absent: the server's tokenizer counts them). */
  reasoningTokens?: number;
  finishReason: 'stop' | 'length';
  /** One entry per generated token, concatenating to `text` (the server uses them as token boundaries). */
  logprobs?: { token: string; logprob: number; top?: PolicyAlternative[] }[];
}

export interface PolicyResult {
  choices: PolicyChoice[];
  promptTokens: number;
  completionTokens: number[];
}

export interface Policy {
  readonly name: string;
  generate(req: PolicyRequest, signal: AbortSignal): Promise<PolicyResult>;
}
