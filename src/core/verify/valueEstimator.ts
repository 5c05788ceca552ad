/**
 * Value estimators score a partial (or finished) solution v(q, S_t) ∈ [0, 1]: Monte-Carlo rollouts (paper Eq. 11),
 * a process reward model over HTTP, an LLM judge, or a Countdown distance heuristic (no model call). Model calls
 * go through `sample`, which the engine meters (concurrency cap, budgets, usage), so an estimator never talks to the
 * Generator directly.
 */
import type { GenerateRequest, Generation } from '../llm/generator';
import type { Params, Problem, ValueSource } from '../trace/schema';

export type SampleFn = (req: Omit<GenerateRequest, 'signal'>) => Promise<Generation[]>;

export interface ValueInput {
  problem: Problem;
  /** The path from the root (excluded) to the node being valued (included). */
  steps: readonly string[];
  sample: SampleFn;
  signal: AbortSignal;
}

export interface RolloutRecord {
  generation: Generation;
  answer?: string;
  verified: boolean;
}

export interface Estimate {
  value: number;
  source: ValueSource;
  /** The judge's majority verdict, when the estimator gives one. */
  verified?: boolean;
  /** The completions behind a rollout value, for callers that keep them as nodes. */
  rollouts?: RolloutRecord[];
  /** Small numbers for the event log. */
  detail?: Params;
}

export interface ValueEstimator {
  readonly kind: 'rollouts' | 'prm' | 'judge' | 'heuristic';
  estimate(input: ValueInput): Promise<Estimate>;
}
