/**
 * Replay cache: identical request → stored response, so re-running an unchanged branch costs zero tokens and
 * tests replay exactly. Content-addressed: sha256 of the canonical JSON of (model, API path, request body,
 * sample index) — not the base URL, so a restarted local server on another port still hits. Files live in a
 * folder the caller gives (the extension uses `<workspace>/.metacot/cache`), written atomically. A corrupt
 * entry reads as a miss and is overwritten.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RawResultSchema } from './wire';
import type { RawResult } from './wire';

/** JSON with object keys sorted at every level, so equal requests hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface CacheKeyParts {
  model: string;
  path: string;
  /** The wire body without transport-only fields (stream, stream_options). */
  body: Record<string, unknown>;
  /** Distinguishes separate single-sample requests standing in for `n` when the body alone would be equal. */
  sample?: number;
}

export function cacheKey(parts: CacheKeyParts): string {
  const { stream: _s, stream_options: _o, ...body } = parts.body;
  return createHash('sha256').update(canonicalJson({ v: 1, model: parts.model, path: parts.path, body, sample: parts.sample ?? 0 })).digest('hex');
}

const StoredSchema = RawResultSchema;

export class ReplayCache {
  hits = 0;
  misses = 0;

  constructor(readonly dir: string) {}

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<RawResult | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch {
      this.misses++;
      return undefined;
    }
    try {
      const parsed = StoredSchema.safeParse(JSON.parse(text).response);
      if (parsed.success) {
        this.hits++;
        return parsed.data;
      }
    } catch {
      // fall through: a corrupt entry is a miss
    }
    this.misses++;
    return undefined;
  }

  async put(key: string, request: CacheKeyParts, response: RawResult): Promise<void> {
    const file = this.file(key);
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const { stream: _s, stream_options: _o, ...body } = request.body;
    // The request is stored beside the response for inspection; it never holds a key (keys travel in headers).
    await writeFile(tmp, JSON.stringify({ request: { model: request.model, path: request.path, body, sample: request.sample ?? 0 }, response }), 'utf8');
    try {
      await rename(tmp, file);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }
}
