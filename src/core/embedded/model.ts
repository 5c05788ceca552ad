/**
 * The embedded Countdown model: an ONNX character-level GPT with an explicit key/value cache
 * (inputs `input_ids` [B, T] int64 and `past` [B, 2L, H, P, Dh]; outputs `logits` [B, T, V] and `present`).
 * `decode` prefills the shared prefix once, copies the cache to the n samples, and then advances all unfinished
 * samples in one batched step per token; finished samples are dropped from the batch.
 */
import type * as Ort from 'onnxruntime-web';

import { defaultModelDir, readModelFiles, type ModelFiles } from './modelFiles';
import { loadRuntime, openSession, runExclusive, type OrtModule, type OrtRuntime } from './runtime';
import { hash32, logSoftmax, Prng, sampleToken } from './sampler';
import { CharTokenizer, type VocabFile } from './tokenizer';

export interface LoadOptions {
  /** folder with countdown-policy.onnx, its .sha256 and vocab.json (default: the repository's model/) */
  dir?: string;
  /** the ONNX runtime (default: the WebAssembly runtime of runtime.ts; the benchmark passes a native one to compare) */
  runtime?: OrtRuntime;
}

export interface DecodeRequest {
  /** context token ids, starting with <bos> */
  prefix: number[];
  n: number;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  /** called after every token of sample `i` with all its tokens so far; true ends that sample ('stop') */
  shouldStop?: (i: number, tokens: readonly number[]) => boolean;
  signal?: AbortSignal;
  /** alternatives kept per position: the k most likely tokens of the model's own softmax (0 / absent: none) */
  topK?: number;
}

export interface DecodedSample {
  tokens: number[];
  /** log-probability of each chosen token under the model (temperature 1, before top-p) */
  logprobs: number[];
  /** with `topK`: per position, the k most likely tokens and their log-probabilities (same distribution), best first */
  top?: TokenAlternative[][];
  /** 'stop': shouldStop said so; 'length': maxTokens or the context window ran out */
  finish: 'stop' | 'length';
}

export interface TokenAlternative {
  id: number;
  logprob: number;
}

/**
 * The k most likely tokens of a log-softmax row, best first (ties to the lower id). Tokens the sampler never emits
 * (`banned`: pad, bos) are left out; their mass stays out too, so the listed probabilities sum to at most 1.
 */
export function topAlternatives(logp: Float64Array, k: number, banned?: ReadonlySet<number>): TokenAlternative[] {
  const ids: number[] = [];
  for (let i = 0; i < logp.length; i++) if (!banned?.has(i)) ids.push(i);
  ids.sort((a, b) => logp[b]! - logp[a]! || a - b);
  return ids.slice(0, Math.max(0, k)).map((id) => ({ id, logprob: logp[id]! }));
}

export interface DecodeStats {
  /** model forward calls (prefill included) */
  forwardCalls: number;
  /** milliseconds from the call to the first sampled token */
  firstTokenMs: number;
}

export class EmbeddedModel {
  readonly tokenizer: CharTokenizer;
  readonly vocab: VocabFile;
  readonly sha256: string;
  readonly dir: string;
  /** the runtime's name ('wasm' unless the caller chose another) */
  readonly runtimeName: string;
  /** milliseconds spent in `load` (read + checksum + runtime + session) */
  loadMs = 0;
  private readonly banned: Set<number>;
  private readonly ort: OrtModule;

  private constructor(
    private readonly session: Ort.InferenceSession,
    runtime: OrtRuntime,
    files: { dir: string; vocab: VocabFile; sha256: string },
  ) {
    this.ort = runtime.ort;
    this.runtimeName = runtime.name;
    this.vocab = files.vocab;
    this.sha256 = files.sha256;
    this.dir = files.dir;
    this.tokenizer = new CharTokenizer(files.vocab);
    this.banned = new Set([files.vocab.pad, files.vocab.bos]);
  }

  static async load(opts: LoadOptions = {}): Promise<EmbeddedModel> {
    const t0 = performance.now();
    const m = await EmbeddedModel.open(readModelFiles(opts.dir ?? defaultModelDir()), opts.runtime);
    m.loadMs = performance.now() - t0;
    return m;
  }

  /**
   * A model over already verified files: any ONNX graph of the policy's shape (the reasoners of reasoner.ts share
   * it; only sizes and vocabulary differ). `what` names it in runtime errors.
   */
  static async open(files: ModelFiles, runtime?: OrtRuntime, what = 'embedded model'): Promise<EmbeddedModel> {
    const t0 = performance.now();
    const rt = runtime ?? (await loadRuntime());
    const session = await openSession(rt, files.onnx, what, files.dir);
    const m = new EmbeddedModel(session, rt, files);
    m.loadMs = performance.now() - t0;
    return m;
  }

  get contextLength(): number {
    return this.vocab.ctx;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  private async forward(ids: number[][], past: Ort.Tensor): Promise<{ logits: Float32Array; present: Ort.Tensor }> {
    const B = ids.length;
    const T = ids[0]!.length;
    const flat = new BigInt64Array(B * T);
    ids.forEach((row, b) => row.forEach((t, j) => (flat[b * T + j] = BigInt(t))));
    const feeds = { input_ids: new this.ort.Tensor('int64', flat, [B, T]), past };
    const out = await runExclusive(this.session, feeds);
    return { logits: out['logits']!.data as Float32Array, present: out['present']! };
  }

  /** The model's own next-token distribution after `prefix` (log-softmax, temperature 1): what sampling starts from. */
  async nextLogprobs(prefix: number[]): Promise<Float64Array> {
    const V = this.tokenizer.size;
    const { logits } = await this.forward([prefix], this.emptyPast());
    return logSoftmax(logits, (prefix.length - 1) * V, V);
  }

  private emptyPast(): Ort.Tensor {
    const v = this.vocab;
    return new this.ort.Tensor('float32', new Float32Array(0), [1, 2 * v.layers, v.heads, 0, v.headDim]);
  }

  /** Copies rows of a [B, ...] cache (row `rows[k]` of the old cache becomes row k). */
  private selectRows(t: Ort.Tensor, rows: number[]): Ort.Tensor {
    const dims = t.dims;
    const src = t.data as Float32Array;
    const stride = src.length / dims[0]!;
    const dst = new Float32Array(stride * rows.length);
    rows.forEach((r, k) => dst.set(src.subarray(r * stride, (r + 1) * stride), k * stride));
    return new this.ort.Tensor('float32', dst, [rows.length, ...dims.slice(1)]);
  }

  async decode(req: DecodeRequest, stats?: DecodeStats): Promise<DecodedSample[]> {
    const t0 = performance.now();
    const V = this.tokenizer.size;
    const ctx = this.vocab.ctx;
    const greedy = req.temperature <= 0;
    const topK = Math.max(0, Math.floor(req.topK ?? 0));
    // greedy samples are identical: decode one and copy it
    const n = greedy ? 1 : Math.max(1, req.n);
    const samples: DecodedSample[] = Array.from({ length: n }, () => ({ tokens: [], logprobs: [], finish: 'length' }));
    const rngs = Array.from({ length: n }, (_, i) => new Prng(hash32(req.seed, i)));
    if (req.prefix.length >= ctx || req.maxTokens <= 0) return expand(samples, req.n);
    checkAbort(req.signal);

    let { logits, present } = await this.forward([req.prefix], this.emptyPast());
    if (stats) stats.forwardCalls = 1;
    // logits of the last prefix position, the same for every sample
    let rowLogits: Float32Array[] = Array.from({ length: n }, () =>
      logits.subarray((req.prefix.length - 1) * V, req.prefix.length * V),
    );
    let active = Array.from({ length: n }, (_, i) => i);
    let past = n > 1 ? this.selectRows(present, new Array<number>(n).fill(0)) : present;
    let length = req.prefix.length;

    for (;;) {
      const next: number[] = [];
      const keep: number[] = [];
      active.forEach((i, row) => {
        const s = samples[i]!;
        const logp = logSoftmax(rowLogits[row]!, 0, V);
        const id = sampleToken(logp, { temperature: req.temperature, topP: req.topP, banned: this.banned }, rngs[i]!);
        s.tokens.push(id);
        s.logprobs.push(logp[id]!);
        if (topK > 0) (s.top ??= []).push(topAlternatives(logp, topK, this.banned));
        if (req.shouldStop?.(i, s.tokens)) s.finish = 'stop';
        else if (s.tokens.length >= req.maxTokens || length + 1 >= ctx) s.finish = 'length';
        else {
          keep.push(row);
          next.push(id);
        }
      });
      if (stats && stats.firstTokenMs === 0) stats.firstTokenMs = performance.now() - t0;
      if (keep.length === 0) break;
      checkAbort(req.signal);
      if (keep.length < active.length) past = this.selectRows(past, keep);
      active = keep.map((row) => active[row]!);
      ({ logits, present } = await this.forward(
        next.map((t) => [t]),
        past,
      ));
      if (stats) stats.forwardCalls++;
      past = present;
      length++;
      rowLogits = active.map((_, row) => logits.subarray(row * V, (row + 1) * V));
    }
    return expand(samples, req.n);
  }
}

function expand(samples: DecodedSample[], n: number): DecodedSample[] {
  if (samples.length >= n) return samples;
  const one = samples[0]!;
  return Array.from({ length: n }, () => ({
    tokens: [...one.tokens],
    logprobs: [...one.logprobs],
    ...(one.top ? { top: one.top.map((row) => [...row]) } : {}),
    finish: one.finish,
  }));
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) {
    const e = new Error('embedded model request aborted');
    e.name = 'AbortError';
    throw e;
  }
}
