/** Per-request seeds (FNV-1a over a key): deterministic, so a seeded run at concurrency 1 replays exactly. */
/** Stable for the same (seed, key); key = parent node, purpose and repeat count. */
export function deriveSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed | 0);
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & 0x7fffffff;
}
