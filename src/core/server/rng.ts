/** Seeded randomness for the reference server and simulated policies: same seed → same numbers, on any machine. */
import { createHash } from 'node:crypto';
import { mulberry32 } from '../mulberry32';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** 32-bit seed from any mix of strings and numbers (sha256, so nearby inputs give unrelated seeds). */
export function seedFrom(...parts: (string | number | undefined)[]): number {
  const h = createHash('sha256').update(JSON.stringify(parts)).digest();
  return h.readUInt32LE(0);
}

/** mulberry32: tiny, fast, good enough for simulation. */
export function createRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    chance: (p) => next() < p,
  };
}
