/**
 * The embedded Countdown value model (model/train_value.py): a small network that reads a state (`2, 7, 15 > 24`,
 * valueState.ts) and gives the chance that the shipped step policy solves from it, learnt from the policy's own
 * rollouts. The shipped one is a pair network over the numbers as values (`arch: 'pairs'`); a transformer over the
 * state's text (characters or number tokens, the first shipped model) reads too. Loaded like the policy: checksum-verified bytes, the same WebAssembly
 * runtime, one session call at a time per process.
 */
import type * as Ort from 'onnxruntime-web';
import { join } from 'node:path';

import { defaultModelDir, EmbeddedModelError, readModelJson, readVerifiedOnnx } from './modelFiles';
import { loadRuntime, openSession, runExclusive, type OrtModule, type OrtRuntime } from './runtime';
import shipped from './shipped.json';
import { readValueState } from './valueState';

export const VALUE_MODEL_FILE = shipped.valueFiles.onnx;
export const VALUE_CHECKSUM_FILE = shipped.valueFiles.checksum;
export const VALUE_META_FILE = shipped.valueFiles.meta;

/** A transformer over the state's text (train_value.py `--arch transformer`, the first shipped model). */
export interface TokenValueMeta {
  format: 'metacot-countdown-value/1';
  arch?: 'transformer';
  tokens: string[];
  pad: number;
  cls: number;
  /** `chars`: a token per character (the first model); `numbers`: a token per number, `big` for any beyond the list */
  tokenize?: 'chars' | 'numbers';
  big?: number;
  ctx: number;
  d: number;
  layers: number;
  heads: number;
}

/** The pair network over the numbers as values (train_value.py `--arch pairs`): inputs `numbers`, `mask`, `target`. */
export interface PairValueMeta {
  format: 'metacot-countdown-value/1';
  arch: 'pairs';
  /** numbers a state may hold */
  slots: number;
  hidden: number;
}

export type ValueMetaFile = TokenValueMeta | PairValueMeta;

export interface ValueLoadOptions {
  dir?: string;
  runtime?: OrtRuntime;
}

/**
 * `<cls>` and the state's tokens (characters, or numbers and `>`, as the model's `tokenize` says); a state longer
 * than the context keeps its head (its target is then cut). `ids`: the meta's tokens by text.
 */
export function encodeValueState(meta: TokenValueMeta, ids: ReadonlyMap<string, number>, state: string): number[] {
  const out = [meta.cls];
  const words = meta.tokenize === 'numbers' ? numberWords(state) : [...state];
  for (const word of words) {
    const id = ids.get(word) ?? (meta.tokenize === 'numbers' && /^\d+$/.test(word) ? meta.big : undefined);
    if (id === undefined) throw new EmbeddedModelError(`the value model cannot read ${JSON.stringify(word)} in state ${JSON.stringify(state)}`);
    out.push(id);
  }
  return out.slice(0, meta.ctx);
}

/** `2, 7, 15 > 24` → `2`, `7`, `15`, `>`, `24` (train_value.py `encode` with `--tokens numbers`). */
function numberWords(state: string): string[] {
  const [left, target, ...rest] = state.split(' > ');
  if (left === undefined || target === undefined || rest.length > 0) throw new EmbeddedModelError(`the value model cannot read state ${JSON.stringify(state)}`);
  return [...left.split(', ').filter((w) => w !== ''), '>', target];
}

/**
 * The pair network's inputs (train_value.py `numeric_inputs`): each state's numbers in its first slots, 0 after them,
 * `mask` 1 where a number is; the network clamps large numbers itself.
 */
export function pairInputs(slots: number, states: readonly string[]): { numbers: Float32Array; mask: Float32Array; target: Float32Array } {
  const numbers = new Float32Array(states.length * slots);
  const mask = new Float32Array(states.length * slots);
  const target = new Float32Array(states.length);
  states.forEach((state, b) => {
    const s = readValueState(state);
    if (!s) throw new EmbeddedModelError(`the value model cannot read state ${JSON.stringify(state)}`);
    if (s.numbers.length > slots) throw new EmbeddedModelError(`the value model reads at most ${slots} numbers: ${JSON.stringify(state)}`);
    s.numbers.forEach((n, j) => {
      numbers[b * slots + j] = n;
      mask[b * slots + j] = 1;
    });
    target[b] = s.target;
  });
  return { numbers, mask, target };
}

/** Scores are remembered per state: a search values the same few hundred states again and again. */
const CACHE_LIMIT = 50_000;

export class EmbeddedValueModel {
  readonly sha256: string;
  readonly dir: string;
  readonly meta: ValueMetaFile;
  private readonly ort: OrtModule;
  private readonly ids: Map<string, number>;
  private readonly cache = new Map<string, number>();
  /** forward calls so far (a cached score costs none) */
  calls = 0;

  private constructor(
    private readonly session: Ort.InferenceSession,
    runtime: OrtRuntime,
    files: { dir: string; meta: ValueMetaFile; sha256: string },
  ) {
    this.ort = runtime.ort;
    this.meta = files.meta;
    this.sha256 = files.sha256;
    this.dir = files.dir;
    this.ids = new Map(files.meta.arch === 'pairs' ? [] : files.meta.tokens.map((t, i) => [t, i]));
  }

  static async load(opts: ValueLoadOptions = {}): Promise<EmbeddedValueModel> {
    const dir = opts.dir ?? defaultModelDir();
    const { onnx, sha256 } = readVerifiedOnnx(dir, VALUE_MODEL_FILE, VALUE_CHECKSUM_FILE, 'embedded value model', 'train_value.py');
    const meta = readModelJson<ValueMetaFile>(join(dir, VALUE_META_FILE), 'metacot-countdown-value/1');
    if (meta.arch === 'pairs' ? !(meta.slots >= 2) : !Array.isArray(meta.tokens) || !(meta.ctx > 1)) {
      throw new EmbeddedModelError(`${join(dir, VALUE_META_FILE)}: ${meta.arch === 'pairs' ? 'no slot count' : 'no token list or context length'}`);
    }
    const runtime = opts.runtime ?? (await loadRuntime());
    const session = await openSession(runtime, onnx, 'embedded value model', dir);
    return new EmbeddedValueModel(session, runtime, { dir, meta, sha256 });
  }

  /** The model's inputs for a batch of states. */
  private feeds(states: readonly string[]): Record<string, Ort.Tensor> {
    const meta = this.meta;
    if (meta.arch === 'pairs') {
      const { numbers, mask, target } = pairInputs(meta.slots, states);
      return {
        numbers: new this.ort.Tensor('float32', numbers, [states.length, meta.slots]),
        mask: new this.ort.Tensor('float32', mask, [states.length, meta.slots]),
        target: new this.ort.Tensor('float32', target, [states.length]),
      };
    }
    const rows = states.map((s) => encodeValueState(meta, this.ids, s));
    const T = Math.max(...rows.map((r) => r.length));
    const flat = new BigInt64Array(rows.length * T).fill(BigInt(meta.pad));
    rows.forEach((r, b) => r.forEach((t, j) => (flat[b * T + j] = BigInt(t))));
    return { input_ids: new this.ort.Tensor('int64', flat, [rows.length, T]) };
  }

  /** V(state) in [0, 1] for each state, in one batched call for the ones not scored before. */
  async score(states: readonly string[]): Promise<number[]> {
    const todo = [...new Set(states.filter((s) => !this.cache.has(s)))];
    if (todo.length > 0) {
      const feeds = this.feeds(todo);
      this.calls++;
      const out = await runExclusive(this.session, feeds);
      const values = out['value']!.data as Float32Array;
      if (this.cache.size + todo.length > CACHE_LIMIT) this.cache.clear();
      todo.forEach((s, i) => this.cache.set(s, values[i]!));
    }
    return states.map((s) => this.cache.get(s)!);
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

const shared = new Map<string, Promise<EmbeddedValueModel>>();

/** The value model of a folder (default: the shipped one), loaded once per process; a failed load is not kept. */
export function sharedValueModel(dir = defaultModelDir()): Promise<EmbeddedValueModel> {
  let m = shared.get(dir);
  if (!m) {
    m = EmbeddedValueModel.load({ dir });
    shared.set(dir, m);
    m.catch(() => shared.delete(dir));
  }
  return m;
}
