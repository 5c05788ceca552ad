/**
 * The shapes of the nodes the engine writes: the running placeholder an expansion adds, the fields a generation
 * and the checker's verdict fill into it, and the rollout children a value estimate may keep.
 */
import type { Generation } from '../llm/generator';
import { CUT_FINISH } from '../llm/responseCap';
import type { NewNode } from '../trace/tree';
import type { Params, TraceNode } from '../trace/schema';
import type { CheckResult } from '../verify/checker';
import type { RolloutRecord } from '../verify/valueEstimator';

/**
 * A new model node with every field the engine may set later present from the start (undefined until set;
 * JSON and the schema treat that as absent). All engine nodes then share one object shape, which keeps the
 * hot loops over them (selection, backup, fill) monomorphic: on 100k-node trees this is several times faster.
 */
export function placeholder(kind: TraceNode['kind'], runId: string, meta: Params | undefined): NewNode {
  return {
    kind,
    text: '',
    originalText: undefined,
    author: 'model',
    status: 'running',
    runId,
    value: undefined,
    valueSource: undefined,
    visits: undefined,
    q: undefined,
    answer: undefined,
    verified: undefined,
    label: undefined,
    tokensIn: undefined,
    tokensOut: undefined,
    latencyMs: undefined,
    finishReason: undefined,
    logprobs: undefined,
    reasoning: undefined,
    selection: undefined,
    prune: undefined,
    error: undefined,
    supersededBy: undefined,
    meta: meta ? { ...meta } : undefined,
    copies: undefined,
    // Set by TraceTree.addChild; present here (in addChild's key order) so the copy it makes keeps this shape.
    id: undefined,
    parentId: undefined,
    iteration: undefined,
  } as NewNode;
}

/** Longest step kept by default (characters); a model that never stops would otherwise fill the trace with one node. */
export const DEFAULT_MAX_STEP_CHARS = 4_000;

/**
 * A step longer than `maxChars` cut to its first `maxChars` characters, with finishReason 'cut' and a note of
 * what was cut where (kept on the node as `meta.cut`). Other generations pass through unchanged.
 */
export function capStep(g: Generation, maxChars: number): { g: Generation; cut?: string } {
  if (g.text.length <= maxChars) return { g };
  return { g: { ...g, text: g.text.slice(0, maxChars), finishReason: CUT_FINISH }, cut: `step over maxStepChars (${maxChars}): kept the first ${maxChars} of ${g.text.length} characters` };
}

/**
 * Writes the model's text and the checker's verdict into a placeholder. Direct field writes, no notification
 * (the caller sends one): this runs for every node of 100k-node trees.
 */
export function fillNode(node: TraceNode, g: Generation, check: CheckResult, final: boolean, cut?: string): void {
  node.text = g.text;
  node.kind = check.answer !== undefined || final ? 'answer' : 'step';
  node.status = check.terminal ? 'terminal' : 'open';
  node.finishReason = g.finishReason;
  node.tokensIn = g.tokensIn;
  node.tokensOut = g.tokensOut;
  node.latencyMs = g.latencyMs;
  if (g.reasoning !== undefined) node.reasoning = g.reasoning;
  if (g.logprobs) node.logprobs = g.logprobs;
  if (check.answer !== undefined) node.answer = check.answer;
  if (check.verified !== undefined) node.verified = check.verified;
  // A response cut by the endpoint's byte cap arrives with finishReason 'cut' and no note of its own.
  const cutNote = cut ?? (g.finishReason === CUT_FINISH ? `response over the endpoint's size cap (maxResponseBytes): kept the first ${g.text.length} characters` : undefined);
  if (g.cached || (check.terminal && check.reason) || cutNote || g.stepCut !== undefined) {
    const meta: Params = { ...(node.meta ?? {}) };
    if (g.cached) meta.cached = true;
    if (check.terminal && check.reason) meta.check = check.reason;
    if (cutNote) meta.cut = cutNote;
    // The client, not the server, ended this step (the server ignored `stop`): what was cut.
    if (g.stepCut !== undefined) meta.stepCut = g.stepCut;
    node.meta = meta;
  }
}

/** Step texts that are the same step: trimmed, runs of white space folded to one space. */
export function sameStepKey(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** One distinct sample of a request and how many of its samples it stands for. */
export interface SampleGroup {
  g: Generation;
  cut: string | undefined;
  copies: number;
}

/**
 * The samples of one step request with identical steps (see sameStepKey) folded into their first occurrence, in
 * first-occurrence order. A group's tokens are the sum of its samples' (they were all generated and billed);
 * its text, logprobs and finish reason are the first sample's. Steps are capped first, as every step is.
 */
export function groupSamples(gens: readonly Generation[], maxStepChars: number): SampleGroup[] {
  const groups: SampleGroup[] = [];
  const byKey = new Map<string, SampleGroup>();
  for (const raw of gens) {
    const capped = capStep(raw, maxStepChars);
    const key = sameStepKey(capped.g.text);
    const same = byKey.get(key);
    if (same) {
      same.copies++;
      same.g = { ...same.g, tokensIn: same.g.tokensIn + raw.tokensIn, tokensOut: same.g.tokensOut + raw.tokensOut };
      continue;
    }
    const group: SampleGroup = { g: capped.g, cut: capped.cut, copies: 1 };
    byKey.set(key, group);
    groups.push(group);
  }
  return groups;
}

/** A completion behind a rollout value, kept as a finished child of the valued node. */
export function rolloutNode(runId: string, r: RolloutRecord): NewNode {
  const g = r.generation;
  return {
    kind: 'rollout',
    text: g.text,
    author: 'model',
    status: 'terminal',
    runId,
    verified: r.verified,
    ...(r.answer !== undefined ? { answer: r.answer } : {}),
    finishReason: g.finishReason,
    tokensIn: g.tokensIn,
    tokensOut: g.tokensOut,
    latencyMs: g.latencyMs,
  };
}
