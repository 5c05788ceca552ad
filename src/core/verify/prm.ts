/**
 * Process reward model adapter over HTTP. Two request/response shapes:
 * - `vllm-pooling`: vLLM's pooling API (`POST /pooling`, reward models served with `--runner pooling`, e.g.
 *   Qwen2.5-Math-PRM or Math-Shepherd). Steps are joined with the model's step tag; the response holds one vector
 *   per step tag (`data[0].data`), and the step score is the probability at `positiveIndex` (softmax applied when
 *   the vector looks like logits). A single vector or scalar is read as the score of the last step.
 * - `json`: any service taking `{ model, problem, steps }` and returning per-step scores at a dotted `scoresPath`
 *   (an array, or one number for the last step).
 * The node's value is its own (last) step score; all step scores are kept for aggregation.
 */
import { redact } from '../llm/redact';
import type { Estimate, ValueEstimator, ValueInput } from './valueEstimator';

export interface PrmOptions {
  url: string;
  format: 'vllm-pooling' | 'json';
  model?: string;
  /** vllm-pooling: text placed after every step (Qwen2.5-Math-PRM: `<extra_0>`; Math-Shepherd: `ки`). */
  stepTag?: string;
  /** vllm-pooling: the input text; `{problem}` and `{steps}` are replaced. */
  template?: string;
  /** vllm-pooling: which class of each step vector is "good" (default 1). */
  positiveIndex?: number;
  /** json: where the scores are in the response (default `step_scores`). */
  scoresPath?: string;
  /** Name of an environment variable holding a bearer token; the token itself is never stored. */
  apiKeyEnv?: string;
  timeoutMs?: number;
}

export const DEFAULT_PRM_TEMPLATE = '{problem}\n\n{steps}';

/** Every PRM message is redacted as it is made: it ends up in a trace's node error, the log and the CLI's stderr. */
export class PrmError extends Error {
  constructor(message: string, secrets: readonly (string | undefined)[] = []) {
    super(redact(message, secrets));
    this.name = 'PrmError';
  }
}

function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** One score in [0, 1] from a step's output: a probability vector, logits, or a scalar. */
function stepScore(v: unknown, positiveIndex: number): number {
  if (typeof v === 'number') return v >= 0 && v <= 1 ? v : 1 / (1 + Math.exp(-v));
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) {
    const xs = v as number[];
    if (xs.length === 1) return stepScore(xs[0], 0);
    const isProb = xs.every((x) => x >= 0 && x <= 1) && Math.abs(xs.reduce((a, b) => a + b, 0) - 1) < 1e-3;
    const p = isProb ? xs : softmax(xs);
    const s = p[positiveIndex];
    if (s === undefined) throw new PrmError(`step vector has ${xs.length} entries; positiveIndex ${positiveIndex} is out of range`);
    return s;
  }
  throw new PrmError(`cannot read a score from ${JSON.stringify(v)?.slice(0, 80)}`);
}

function atPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const key of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? cur[Number(key)] : (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Scores per step from a response body; exported for tests of the mapping. */
export function readPrmScores(body: unknown, opts: Pick<PrmOptions, 'format' | 'positiveIndex' | 'scoresPath'>): number[] {
  const idx = opts.positiveIndex ?? 1;
  let raw: unknown;
  if (opts.format === 'vllm-pooling') {
    raw = atPath(body, 'data.0.data');
    if (raw === undefined) throw new PrmError('vllm pooling response has no data[0].data');
    // One vector per step tag, one vector, or one scalar.
    if (Array.isArray(raw) && raw.length > 0 && Array.isArray(raw[0])) return (raw as unknown[]).map((v) => stepScore(v, idx));
    return [stepScore(raw, idx)];
  }
  raw = atPath(body, opts.scoresPath ?? 'step_scores');
  if (raw === undefined) throw new PrmError(`PRM response has nothing at "${opts.scoresPath ?? 'step_scores'}"`);
  if (Array.isArray(raw)) return raw.map((v) => stepScore(v, idx));
  return [stepScore(raw, idx)];
}

export function prmEstimator(opts: PrmOptions, fetchImpl: typeof fetch = fetch): ValueEstimator {
  if (!opts.url) throw new PrmError('PRM verifier needs a url (verifier param "url")');
  return {
    kind: 'prm',
    async estimate(input: ValueInput): Promise<Estimate> {
      const tag = opts.stepTag ?? '<extra_0>';
      const body =
        opts.format === 'vllm-pooling'
          ? {
              ...(opts.model ? { model: opts.model } : {}),
              input: (opts.template ?? DEFAULT_PRM_TEMPLATE)
                .replace('{problem}', () => input.problem.text)
                .replace('{steps}', () => input.steps.map((s) => s + tag).join('')),
            }
          : { ...(opts.model ? { model: opts.model } : {}), problem: input.problem.text, steps: input.steps };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const key = opts.apiKeyEnv ? process.env[opts.apiKeyEnv] : undefined;
      if (key) headers.authorization = `Bearer ${key}`;
      const secrets = [key];
      // Redacted before it is cut: a cut must not leave the head of a key that redaction would no longer recognise.
      const excerpt = (text: string) => redact(text, secrets).slice(0, 200);
      const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
      let res: Response;
      try {
        res = await fetchImpl(opts.url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([input.signal, timeout]) });
      } catch (err) {
        if (input.signal.aborted) throw err;
        throw new PrmError(`PRM request to ${opts.url} failed: ${(err as Error).message}`, secrets);
      }
      const text = await res.text();
      if (!res.ok) throw new PrmError(`PRM at ${opts.url} answered ${res.status}: ${excerpt(text)}`, secrets);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new PrmError(`PRM at ${opts.url} answered non-JSON: ${excerpt(text)}`, secrets);
      }
      const scores = readPrmScores(json, opts);
      const value = scores[scores.length - 1]!;
      if (!(value >= 0 && value <= 1)) throw new PrmError(`PRM score ${value} is outside [0, 1]`);
      return {
        value,
        source: { kind: 'prm', ...(opts.model ? { model: opts.model } : {}), stepScores: scores },
        detail: { steps: scores.length },
      };
    },
  };
}
