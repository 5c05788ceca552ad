/**
 * Token sampling for the embedded model: a seeded PRNG, temperature, top-p and per-token log-probabilities.
 * Everything is deterministic given the seed, so the same request with the same seed returns the same text.
 */

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. Returns floats in [0, 1). */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = hash32(seed) >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Mixes integers into one 32-bit seed (used to give every sample of a request its own stream). */
export function hash32(...xs: number[]): number {
  let h = 0x811c9dc5;
  for (const x of xs) {
    // fold doubles/negatives into 32 bits first
    const v = Number.isSafeInteger(x) ? x : Math.floor(x * 2654435761);
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    for (const w of [lo, hi]) {
      h ^= w;
      h = Math.imul(h, 0x01000193);
      h ^= h >>> 13;
      h = Math.imul(h, 0x5bd1e995);
      h ^= h >>> 15;
    }
  }
  return h >>> 0;
}

export interface SampleOptions {
  temperature: number;
  topP: number;
  /** token ids that may never be chosen (set to -inf before sampling) */
  banned?: ReadonlySet<number>;
}

/** log-softmax of a logits row (the model's own distribution, temperature 1). */
export function logSoftmax(logits: ArrayLike<number>, offset = 0, size = logits.length): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < size; i++) max = Math.max(max, logits[offset + i]!);
  let sum = 0;
  for (let i = 0; i < size; i++) sum += Math.exp(logits[offset + i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = logits[offset + i]! - lse;
  return out;
}

/**
 * Picks a token from log-probabilities. temperature <= 0 is greedy (argmax, ties to the lower id).
 * Otherwise: scale by 1/temperature, keep the smallest set of most likely tokens whose mass reaches topP, sample.
 */
export function sampleToken(logp: Float64Array, opts: SampleOptions, rng: Prng): number {
  const n = logp.length;
  const allowed = (i: number) => !opts.banned?.has(i);
  if (opts.temperature <= 0) {
    let best = -1;
    for (let i = 0; i < n; i++) if (allowed(i) && (best < 0 || logp[i]! > logp[best]!)) best = i;
    return best;
  }
  const scaled: { id: number; w: number }[] = [];
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (allowed(i)) max = Math.max(max, logp[i]! / opts.temperature);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (!allowed(i)) continue;
    const w = Math.exp(logp[i]! / opts.temperature - max);
    scaled.push({ id: i, w });
    total += w;
  }
  scaled.sort((x, y) => y.w - x.w || x.id - y.id);
  const topP = opts.topP > 0 && opts.topP < 1 ? opts.topP : 1;
  let kept = 0;
  let mass = 0;
  while (kept < scaled.length && (kept === 0 || mass < topP * total - 1e-12)) mass += scaled[kept++]!.w;
  let r = rng.next() * mass;
  for (let k = 0; k < kept; k++) {
    r -= scaled[k]!.w;
    if (r < 0) return scaled[k]!.id;
  }
  return scaled[kept - 1]!.id;
}
