/**
 * Sampling metrics from n answers of which c are correct: pass@k with the unbiased estimator
 * 1 − C(n−c, k) / C(n, k) (Chen et al. 2021), computed as a product so it never overflows; maj@k and best-of-k
 * as expectations over k-subsets — exact by enumeration when there are few subsets, else by seeded sampling.
 */
import { mulberry32 } from '../mulberry32';

export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 0 || c < 0 || c > n || k < 1 || k > n) {
    throw new RangeError(`pass@k needs integers 0 ≤ c ≤ n and 1 ≤ k ≤ n (n=${n}, c=${c}, k=${k})`);
  }
  if (n - c < k) return 1;
  // C(n−c, k) / C(n, k) = ∏_{i=n−c+1}^{n} (1 − k / i)
  let fail = 1;
  for (let i = n - c + 1; i <= n; i++) fail *= 1 - k / i;
  return 1 - fail;
}

/** Binomial coefficient as a float (exact while below 2^53). */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - Math.min(k, n - k) + i)) / i;
  return Math.round(r);
}

export interface SubsetOptions {
  /** Enumerate every k-subset when there are at most this many (default 20000), else sample `draws` of them. */
  exactLimit?: number;
  draws?: number;
  seed?: number;
}

/** Mean of `f` over the k-subsets of 0..n−1: exact when few, else over seeded random subsets. */
export function meanOverSubsets(n: number, k: number, f: (idx: readonly number[]) => number, opts: SubsetOptions = {}): number {
  if (k < 1 || k > n) throw new RangeError(`subset size ${k} not in 1..${n}`);
  const total = choose(n, k);
  if (total <= (opts.exactLimit ?? 20000)) {
    let sum = 0;
    const idx = Array.from({ length: k }, (_, i) => i);
    for (;;) {
      sum += f(idx);
      let i = k - 1;
      while (i >= 0 && idx[i] === n - k + i) i--;
      if (i < 0) break;
      idx[i]!++;
      for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
    }
    return sum / total;
  }
  const draws = opts.draws ?? 2000;
  const rand = mulberry32(opts.seed ?? 1);
  const pool = Array.from({ length: n }, (_, i) => i);
  let sum = 0;
  for (let d = 0; d < draws; d++) {
    // Partial Fisher–Yates: the first k of a shuffled pool.
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rand() * (n - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    sum += f(pool.slice(0, k).sort((x, y) => x - y));
  }
  return sum / draws;
}

export interface VoteSample {
  /** Answers grouped by this key vote together; undefined = no answer (abstains). */
  key?: string;
  correct: boolean;
  /** For best-of-k: the score the selector sees. */
  score?: number;
}

/** Majority vote of the chosen samples; a tie counts as the share of tied answers that are correct. */
export function majorityCorrect(samples: readonly VoteSample[], idx: readonly number[]): number {
  const votes = new Map<string, { n: number; correct: boolean }>();
  for (const i of idx) {
    const s = samples[i]!;
    if (s.key === undefined) continue;
    const v = votes.get(s.key);
    if (v) v.n++;
    else votes.set(s.key, { n: 1, correct: s.correct });
  }
  let top = 0;
  for (const v of votes.values()) top = Math.max(top, v.n);
  if (top === 0) return 0;
  const tied = [...votes.values()].filter((v) => v.n === top);
  return tied.filter((v) => v.correct).length / tied.length;
}

/** Best-of-k by score; a tie counts as the share of tied samples that are correct; unscored samples never win. */
export function bestCorrect(samples: readonly VoteSample[], idx: readonly number[]): number {
  let best = -Infinity;
  for (const i of idx) best = Math.max(best, samples[i]!.score ?? -Infinity);
  if (best === -Infinity) return 0;
  const tied = idx.filter((i) => (samples[i]!.score ?? -Infinity) === best);
  return tied.filter((i) => samples[i]!.correct).length / tied.length;
}

export function majAtK(samples: readonly VoteSample[], k: number, opts?: SubsetOptions): number {
  return meanOverSubsets(samples.length, k, (idx) => majorityCorrect(samples, idx), opts);
}

export function bestOfK(samples: readonly VoteSample[], k: number, opts?: SubsetOptions): number {
  return meanOverSubsets(samples.length, k, (idx) => bestCorrect(samples, idx), opts);
}

export interface AccuracyRow {
  n: number;
  passAtN: number;
  majAtN: number;
  bestOfN: number;
}

/** Accuracy against the number of samples N (1, 2, 4, … and n), by subsampling the n samples of one tree. */
export function accuracyVsN(samples: readonly VoteSample[], opts: SubsetOptions & { ns?: readonly number[] } = {}): AccuracyRow[] {
  const n = samples.length;
  if (n === 0) return [];
  const c = samples.filter((s) => s.correct).length;
  let ns = opts.ns ? [...opts.ns] : [];
  if (!opts.ns) {
    for (let k = 1; k < n; k *= 2) ns.push(k);
    ns.push(n);
  }
  ns = ns.filter((k) => k >= 1 && k <= n);
  return ns.map((k) => ({ n: k, passAtN: passAtK(n, c, k), majAtN: majAtK(samples, k, opts), bestOfN: bestOfK(samples, k, opts) }));
}
