/**
 * The one seam between the search engine and a model. Strategies ask a Generator for text; the endpoint layer
 * (OpenAI-compatible client), the embedded model and in-process test policies implement it.
 */
import type { EndpointDescription } from '../trace/schema';

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
}

export interface Generation {
  text: string;
  reasoning?: string;
  finishReason: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  logprobs?: { mean: number; min: number; tokens: number };
  /** Served by the replay cache: costs no tokens. */
  cached: boolean;
}

export interface Generator {
  generate(req: GenerateRequest): Promise<Generation[]>;
  /** What the trace records about this endpoint (never a secret). */
  describe(): EndpointDescription;
}
