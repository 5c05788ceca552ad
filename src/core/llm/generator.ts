/**
 * The one seam between the search engine and a model. Strategies ask a Generator for text; the endpoint layer
 * (OpenAI-compatible client), the embedded model and in-process test policies implement it.
 */
import type { Adaptation, EndpointDescription, Problem } from '../trace/schema';

export type GeneratePurpose = 'step' | 'full' | 'rollout' | 'judge' | 'revision';

export interface GenerateRequest {
  /** Problem text, already rendered. */
  problem: string;
  /** The partial solution so far, one entry per step (the root is not a step). */
  steps: string[];
  purpose: GeneratePurpose;
  /** Sibling samples wanted (sent as `n` where the server supports it). */
  n: number;
  /** Default: one step (blank line) for 'step'; none for full solutions and rollouts. */
  stop?: string[];
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  /** Earlier attempts for 'revision' (sliding window), or judge prompt parts. */
  context?: string[];
  signal?: AbortSignal;
  /** Stream the first sample: called with each piece of text as it arrives (a generator that cannot stream ignores it). */
  onDelta?: (delta: GenerationDelta) => void;
}

/** New text of a streamed sample, in arrival order: `reasoning_content` and content (which may hold `<think>` tags). */
export interface GenerationDelta {
  reasoning?: string;
  text?: string;
}

export interface Generation {
  /** The answer text (for 'step': one step, trimmed), without reasoning. */
  text: string;
  /** `reasoning_content` and/or `<think>…</think>` text, kept apart from `text`. */
  reasoning?: string;
  finishReason: string;
  /** Prompt tokens billed: a request's prompt is billed once, so it is recorded on its first sibling (others 0). */
  tokensIn: number;
  tokensOut: number;
  /** From sending the request to the complete answer, retries included. */
  latencyMs: number;
  /** Over the tokens of `text` (and reasoning, when inline). */
  logprobs?: { mean: number; min: number; tokens: number };
  /** Served by the replay cache: costs no tokens (tokensIn and tokensOut are 0). */
  cached: boolean;
  /**
   * HTTP requests that reached the server for this generation: 1 on the first choice of each request sent, 0 on its
   * siblings and on replays. Absent on every generation of a call: the engine counts the call as one request.
   */
  requests?: number;
  /** Prompt tokens of this generation's request that the server served from its prefix cache; absent = not reported. */
  cachedTokensIn?: number;
  /** Set when the client, not the server, ended the step (the server ran past the step delimiter): what was cut. */
  stepCut?: string;
}

/** A generator's answer on whether it can work on a problem at all. */
export type ProblemCheck = { ok: true } | { ok: false; message: string };

export interface Generator {
  generate(req: GenerateRequest): Promise<Generation[]>;
  /** What the trace records about this endpoint (never a secret). */
  describe(): EndpointDescription;
  /**
   * Asked before a run makes any request: a generator that only understands some problems (the embedded Countdown
   * model) refuses the others up front, with a message saying what it accepts. Absent: every problem is fine.
   */
  checkProblem?(problem: Problem): ProblemCheck;
  /** HTTP requests a call for `n` samples will send now (n when the server is known to ignore `n`). Absent: 1. */
  requestsFor?(n: number): number;
  /** How this generator adapted to its server so far (recorded on the run when it ends). */
  adaptations?(): Adaptation[];
  /**
   * What the model behind it is known not to do (the embedded Countdown model ignores earlier attempts): a strategy
   * that relies on one is told once, as a `model-limitation` adaptation. Absent: nothing declared.
   */
  limitations?(): GeneratorLimitation[];
}

/** Request features a model may ignore and a strategy may rely on (the catalog's `relies` lists use these names). */
export const MODEL_FEATURES = ['previous-attempts', 'top-logprobs', 'seed', 'temperature', 'stop'] as const;
export type ModelFeature = (typeof MODEL_FEATURES)[number];

/** A request feature a model ignores, and what that means for a strategy relying on it. */
export interface GeneratorLimitation {
  feature: ModelFeature;
  /** In words, e.g. "the embedded model ignores previous attempts: revision is plain resampling". */
  note: string;
}
