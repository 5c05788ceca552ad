/**
 * A simulated automatic prefix cache (vLLM-style): prompts are cut into 16-token blocks, each block keyed by a
 * hash chained over all blocks before it, so a block only hits when the whole prefix up to it is byte-identical.
 * Reports `cached_tokens` per request, which is how a client's prompt layout shows up in usage.
 */
import { createHash } from 'node:crypto';

const BLOCK = 16;
const MAX_BLOCKS = 200_000;

export class PrefixCache {
  private blocks = new Set<string>();

  /** Number of leading prompt tokens already cached; then caches the whole prompt. */
  lookupAndInsert(tokens: readonly string[]): number {
    let prev = '';
    let hits = 0;
    let missed = false;
    for (let start = 0; start + BLOCK <= tokens.length; start += BLOCK) {
      prev = createHash('sha1').update(prev).update('\u0000').update(tokens.slice(start, start + BLOCK).join('')).digest('hex');
      if (!missed && this.blocks.has(prev)) hits += BLOCK;
      else missed = true;
      if (this.blocks.size >= MAX_BLOCKS) this.blocks.clear(); // crude eviction keeps memory bounded in long runs
      this.blocks.add(prev);
    }
    return hits;
  }

  clear(): void {
    this.blocks.clear();
  }
}
