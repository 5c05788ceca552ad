/**
 * Step importance by counterfactual resampling (Thought Anchors, Bogdan et al. 2025): K continuations from every
 * prefix of the path root → node, their answers checked, and each step scored by how much keeping it versus
 * resampling it moves the answer distribution (formula in stepImportanceSchema.ts). One request per prefix with
 * n = K, so the K samples share their prompt (prefix-cache friendly); up to `parallel` prefixes at once; no request
 * starts once the budget is spent, and what finished is kept.
 */
import type { Generation, Generator } from '../llm/generator';
import type { Trace } from '../trace/schema';
import type { TraceTree } from '../trace/tree';
import { autoChecker, type Checker } from '../verify/checker';
import { createVerifier } from '../verify/verifier';
import { parseCountdownProblem, type CountdownSpec } from '../verify/countdown';
import { parseExpression } from '../verify/expression';
import { formatRational } from '../verify/rational';
import {
  TOP_MIN_TV,
  TOP_STEPS,
  pathNodes,
  pathSignature,
  type AnswerCount,
  type PrefixSample,
  type StepImportance,
  type StepScore,
} from './stepImportanceSchema';

export interface StepImportanceOptions {
  tree: TraceTree;
  /** The path is root → this node. */
  nodeId: string;
  generator: Generator;
  checker: Checker;
  /** Continuations per prefix (sent as n = K in one request). */
  k: number;
  /** Stop starting requests once this many tokens (in + out) or requests are spent. */
  maxTokens?: number;
  maxRequests?: number;
  /** Prefixes sampled at once (default 4). */
  parallel?: number;
  /** Token limit and temperature per continuation (absent: the generator's defaults). */
  continuationTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
  /** After each prefix finishes: prefixes done so far (any status but skipped) of `total`. */
  onProgress?: (done: number, total: number, prefix: PrefixSample) => void;
  now?: () => Date;
}

export class StepImportanceError extends Error {
  override readonly name = 'StepImportanceError';
}

const NO_ANSWER = '';

/** Samples every prefix, then scores the steps. Throws StepImportanceError only for a request it cannot make at all. */
export async function measureStepImportance(opts: StepImportanceOptions): Promise<StepImportance> {
  const { tree, nodeId, generator, checker, k } = opts;
  if (!(Number.isInteger(k) && k >= 1)) throw new StepImportanceError(`K must be a positive integer, got ${k}`);
  const parallel = opts.parallel ?? 4;
  if (!(Number.isInteger(parallel) && parallel >= 1)) throw new StepImportanceError(`parallel must be a positive integer, got ${parallel}`);
  if (!tree.get(nodeId)) throw new StepImportanceError(`no node "${nodeId}" in the trace`);
  const nodes = pathNodes((id) => tree.get(id), nodeId);
  if (!nodes) throw new StepImportanceError(`the path to "${nodeId}" is broken`);
  if (nodes.length === 0) throw new StepImportanceError('the root has no steps to measure: pick a node below it');
  const rollout = nodes.find((n) => n.kind === 'rollout');
  if (rollout) throw new StepImportanceError(`node ${rollout.id} is a rollout: pick a step or answer node`);
  const problem = tree.trace.problem;
  const steps = nodes.map((n) => n.text);

  // Prefixes 0 … N. The full path needs no samples when it already states its answer: that answer is p_N.
  // Checked as a partial path: a last step that merely holds a number (lenient extraction) is no stated answer.
  const own = checker.check(problem, steps);
  const lastSampled = own.terminal && own.answer !== undefined ? steps.length - 1 : steps.length;
  const prefixes: PrefixSample[] = [];
  for (let j = 0; j <= steps.length; j++) {
    prefixes.push(j > lastSampled ? fromPath(j, k, answerKey(own.answer, own.verified, parseCountdownProblem(problem)), own.verified) : { steps: j, status: 'skipped', asked: k, got: 0, answers: [], requests: 0, tokensIn: 0, tokensOut: 0 });
  }

  const spent = { requests: 0, tokens: 0 };
  let stopped: string | undefined;
  const over = (): string | undefined => {
    if (opts.maxTokens !== undefined && spent.tokens >= opts.maxTokens) return `token budget spent: ${spent.tokens} ≥ ${opts.maxTokens}`;
    if (opts.maxRequests !== undefined && spent.requests >= opts.maxRequests) return `request budget spent: ${spent.requests} ≥ ${opts.maxRequests}`;
    return undefined;
  };
  let next = 0;
  let done = 0;
  const total = lastSampled + 1;
  const worker = async (): Promise<void> => {
    while (next <= lastSampled) {
      if (opts.signal?.aborted) {
        stopped ??= 'cancelled';
        return;
      }
      const why = over();
      if (why) {
        stopped ??= why;
        return;
      }
      const j = next++;
      spent.requests += generator.requestsFor?.(k) ?? 1;
      const sample = await samplePrefix(opts, steps.slice(0, j), j);
      // The request estimate is replaced by what was actually sent.
      spent.requests += sample.requests - (generator.requestsFor?.(k) ?? 1);
      spent.tokens += sample.tokensIn + sample.tokensOut;
      prefixes[j] = sample;
      if (sample.status === 'cancelled') stopped ??= 'cancelled';
      opts.onProgress?.(++done, total, sample);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, total) }, worker));

  const scores = scoreSteps(nodes.map((n) => n.id), prefixes);
  const usage = prefixes.reduce((u, p) => ({ requests: u.requests + p.requests, tokensIn: u.tokensIn + p.tokensIn, tokensOut: u.tokensOut + p.tokensOut }), { requests: 0, tokensIn: 0, tokensOut: 0 });
  const endpoint = generator.describe();
  return {
    nodeId,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    path: pathSignature(nodes),
    k,
    budget: { ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}), ...(opts.maxRequests !== undefined ? { maxRequests: opts.maxRequests } : {}) },
    parallel,
    model: endpoint.model,
    endpoint: endpoint.name,
    checker: checker.name,
    ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
    ...(opts.continuationTokens !== undefined ? { maxTokens: opts.continuationTokens } : {}),
    prefixes,
    steps: scores,
    usage,
    ...(stopped !== undefined && prefixes.some((p) => p.status === 'skipped' || p.status === 'cancelled') ? { stopped } : {}),
  };
}

function fromPath(j: number, k: number, answer: string, verified: boolean | undefined): PrefixSample {
  return {
    steps: j,
    status: 'done',
    asked: k,
    got: k,
    answers: [{ answer, count: k, ...(verified !== undefined ? { verified } : {}) }],
    ...(verified !== undefined ? { correct: verified ? k : 0, accuracy: verified ? 1 : 0 } : {}),
    requests: 0,
    tokensIn: 0,
    tokensOut: 0,
    fromPath: true,
  };
}

async function samplePrefix(opts: StepImportanceOptions, prefix: string[], j: number): Promise<PrefixSample> {
  const { generator, checker, k } = opts;
  const problem = opts.tree.trace.problem;
  const base = { steps: j, asked: k };
  let gens: Generation[];
  try {
    gens = await generator.generate({
      problem: problem.text,
      steps: prefix,
      purpose: 'rollout',
      n: k,
      ...(opts.continuationTokens !== undefined ? { maxTokens: opts.continuationTokens } : {}),
      ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    const cancelled = opts.signal?.aborted === true;
    return { ...base, status: cancelled ? 'cancelled' : 'failed', got: 0, answers: [], requests: cancelled ? 0 : 1, tokensIn: 0, tokensOut: 0, ...(cancelled ? {} : { error: (err as Error).message }) };
  }
  const countdown = parseCountdownProblem(problem);
  const counts = new Map<string, AnswerCount>();
  let checked = 0;
  let correct = 0;
  const path = [...prefix, ''];
  for (const g of gens) {
    path[path.length - 1] = g.text;
    const r = checker.check(problem, path, { final: true });
    const answer = answerKey(r.answer, r.verified, countdown);
    const entry = counts.get(answer) ?? { answer, count: 0 };
    entry.count++;
    if (r.verified !== undefined) {
      checked++;
      if (r.verified) correct++;
      // An answer's verdict is the same every time it is seen; one that failed to parse stays false.
      entry.verified = entry.verified === undefined ? r.verified : entry.verified && r.verified;
    }
    counts.set(answer, entry);
  }
  const got = gens.length;
  const answers = [...counts.values()].sort((a, b) => b.count - a.count || a.answer.localeCompare(b.answer));
  return {
    ...base,
    status: got >= k ? 'done' : 'partial',
    got,
    answers,
    ...(checked > 0 && got > 0 ? { correct, accuracy: correct / got } : {}),
    requests: requestsSent(gens),
    tokensIn: gens.reduce((s, g) => s + g.tokensIn, 0),
    tokensOut: gens.reduce((s, g) => s + g.tokensOut, 0),
  };
}

/**
 * What counts as the same answer. A Countdown answer is an expression, and two spellings of one result are one
 * answer: keyed by the value it reaches (a rule-breaking expression that still reaches the target apart from a valid
 * one). Other answers as extracted; '' for none.
 */
export function answerKey(answer: string | undefined, verified: boolean | undefined, countdown: CountdownSpec | undefined): string {
  if (answer === undefined) return NO_ANSWER;
  if (!countdown) return answer;
  let value: string;
  try {
    value = formatRational(parseExpression(answer).value);
  } catch {
    return answer;
  }
  return verified === false && value === String(countdown.target) ? `${value} (breaks the rules)` : value;
}

/** Per Generation.requests: counted on first choices when the generator says; else one request, none for replays. */
function requestsSent(gens: readonly Generation[]): number {
  if (gens.some((g) => g.requests !== undefined)) return gens.reduce((s, g) => s + (g.requests ?? 0), 0);
  return gens.length > 0 && gens.every((g) => g.cached) ? 0 : 1;
}

/** The checker a trace's answers were judged by: its last run's verifier's, else auto (Countdown or answer match). */
export function checkerForTrace(trace: Trace): Checker {
  const run = trace.runs[trace.runs.length - 1];
  if (run) {
    try {
      return createVerifier(run.config.verifier).checker;
    } catch {
      // A verifier this version cannot build (unknown kind, missing url): fall through to the default checks.
    }
  }
  return autoChecker();
}

/** The answer distribution of a prefix's samples (fractions of what came back). */
export function answerDistribution(p: PrefixSample): Map<string, number> {
  const out = new Map<string, number>();
  if (p.got === 0) return out;
  for (const a of p.answers) out.set(a.answer, a.count / p.got);
  return out;
}

/** ½ Σ_a |p(a) − q(a)| over the answers of both. */
export function totalVariation(p: Map<string, number>, q: Map<string, number>): number {
  let sum = 0;
  for (const [a, x] of p) sum += Math.abs(x - (q.get(a) ?? 0));
  for (const [a, y] of q) if (!p.has(a)) sum += y;
  // Rounding must not push a full change past 1 (the schema bounds TV to [0, 1]).
  return Math.min(1, sum / 2);
}

const usable = (p: PrefixSample | undefined): p is PrefixSample => p !== undefined && p.got > 0;

/** Step i (1-based) compares prefix i with prefix i − 1; the top steps are the largest TVs of at least TOP_MIN_TV. */
export function scoreSteps(nodeIds: readonly string[], prefixes: readonly PrefixSample[]): StepScore[] {
  const scores: StepScore[] = nodeIds.map((nodeId, idx) => {
    const before = prefixes[idx];
    const after = prefixes[idx + 1];
    const score: StepScore = { index: idx + 1, nodeId };
    if (!usable(before) || !usable(after)) return score;
    score.tv = round(totalVariation(answerDistribution(after), answerDistribution(before)));
    if (before.accuracy !== undefined && after.accuracy !== undefined) score.accuracyDelta = round(after.accuracy - before.accuracy);
    return score;
  });
  const ranked = scores.filter((s) => s.tv !== undefined && s.tv >= TOP_MIN_TV).sort((a, b) => b.tv! - a.tv! || a.index - b.index);
  for (const s of ranked.slice(0, TOP_STEPS)) s.top = true;
  return scores;
}

/** Six decimals: stored numbers stay readable and round-trip exactly. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
