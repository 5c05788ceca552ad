/**
 * Confidence intervals for solve rates: Wilson's score interval for one rate (sound at 0 % and 100 %, unlike the
 * normal approximation), and a seeded paired bootstrap for the difference of two rates on the same problems.
 */
import { mulberry32 } from '../mulberry32';

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval for k successes in n trials (z = 1.96: 95 %). */
export function wilson(k: number, n: number, z = 1.96): Interval {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // exact ends at 0 and n (the formula gives them up to rounding)
  return { low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

/**
 * Percentile bootstrap of mean(a) − mean(b) over paired outcomes (a[i], b[i] of the same problem), 95 % by default.
 * Problems are resampled with replacement, so the interval keeps the pairing.
 */
export function pairedDifference(a: readonly number[], b: readonly number[], opts: { draws?: number; seed?: number; level?: number } = {}): Interval & { diff: number } {
  if (a.length !== b.length || a.length === 0) throw new RangeError(`paired samples need equal, non-zero lengths (${a.length}, ${b.length})`);
  const n = a.length;
  const d = a.map((x, i) => x - b[i]!);
  const diff = d.reduce((s, x) => s + x, 0) / n;
  const draws = opts.draws ?? 4000;
  const rand = mulberry32(opts.seed ?? 1);
  const means = new Float64Array(draws);
  for (let r = 0; r < draws; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rand() * n)]!;
    means[r] = s / n;
  }
  means.sort();
  const alpha = (1 - (opts.level ?? 0.95)) / 2;
  return { diff, low: means[Math.floor(alpha * (draws - 1))]!, high: means[Math.ceil((1 - alpha) * (draws - 1))]! };
}
