/**
 * Monte-Carlo rollout value (paper Eq. 11): from the node, sample K full completions and take the fraction whose
 * final answer verifies. K completions go out as ceil(K / perRequest) requests of `n` siblings each, all at once
 * (the engine's concurrency cap decides how many fly together).
 */
import type { Generation } from '../llm/generator';
import type { Checker } from './checker';
import type { Estimate, RolloutRecord, ValueEstimator, ValueInput } from './valueEstimator';

export interface RolloutOptions {
  K: number;
  checker: Checker;
  /** Siblings per request (`n`); default K (one request shares the prefill). */
  perRequest?: number;
  maxTokens?: number;
  temperature?: number;
}

export function rolloutEstimator(opts: RolloutOptions): ValueEstimator {
  if (!(opts.K >= 1)) throw new Error(`rollout K must be at least 1, got ${opts.K}`);
  const per = Math.max(1, Math.min(opts.perRequest ?? opts.K, opts.K));
  return {
    kind: 'rollouts',
    async estimate(input: ValueInput): Promise<Estimate> {
      const request = (n: number) =>
        input.sample({
          problem: input.problem.text,
          steps: input.steps as string[],
          purpose: 'rollout',
          n,
          maxTokens: opts.maxTokens,
          temperature: opts.temperature,
        });
      let batches: Generation[][];
      if (per >= opts.K) batches = [await request(opts.K)]; // the usual case: one request, no Promise.all
      else {
        const sizes: number[] = [];
        for (let left = opts.K; left > 0; left -= per) sizes.push(Math.min(per, left));
        batches = await Promise.all(sizes.map(request));
      }
      const rollouts: RolloutRecord[] = [];
      let k = 0;
      // One path array for all completions: the checker reads it synchronously and keeps nothing of it.
      const path = [...input.steps, ''];
      for (const gens of batches) {
        for (const g of gens) {
          path[path.length - 1] = g.text;
          const r = opts.checker.check(input.problem, path, { final: true });
          const verified = r.verified === true;
          if (verified) k++;
          rollouts.push({ generation: g, answer: r.answer, verified });
        }
      }
      // A server that returns fewer choices than asked must not inflate the fraction: divide by what came back.
      const K = rollouts.length;
      if (K === 0) throw new Error('rollouts: the endpoint returned no completions');
      return { value: k / K, source: { kind: 'rollouts', k, K }, rollouts, detail: { k, K } };
    },
  };
}
