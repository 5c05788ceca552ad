/**
 * Re-scoring a saved trace without generating anything: re-check every finished path with another checker and/or
 * rank paths by another aggregation of their step values (last / min / prod / mean, or a majority vote over
 * answers), and say which path would win now and whether that changes the trace's result. When the checker flips
 * a verdict whose value the old verdict set (1 verified, 0 refuted), the leaf's value follows the new verdict, so
 * the path's score does too.
 */
import { AGGREGATIONS, aggregateScores, type Aggregation } from '../verify/aggregate';
import { answerKey } from '../verify/answerEquivalence';
import { answerChecker, autoChecker, countdownChecker, noneChecker, type Checker } from '../verify/checker';
import { escapeControlChars } from '../trace/controlChars';
import type { Trace, TraceNode } from '../trace/schema';
import { TraceTree } from '../trace/tree';

export const RESCORE_CHECKERS = ['stored', 'answer', 'countdown', 'countdown-exact', 'auto', 'none'] as const;
export type RescoreChecker = (typeof RESCORE_CHECKERS)[number];
export type RescoreAggregation = Aggregation | 'majority';
export const RESCORE_AGGREGATIONS: readonly RescoreAggregation[] = [...AGGREGATIONS, 'majority'];

export interface RescoreOptions {
  /** How finished paths are checked: the stored verdicts (default) or a checker run again on the path's steps. */
  verifier?: RescoreChecker | Checker;
  /** How a path is scored from its step values (default `last`); `majority` picks the most common answer. */
  aggregation?: RescoreAggregation;
  /** `score` ranks by score only (a search's own choice); `verified-first` puts verified paths first (an oracle). */
  select?: 'score' | 'verified-first';
}

export interface RankedPath {
  nodeId: string;
  score?: number;
  answer?: string;
  verified?: boolean;
  /** The verdict stored in the trace before re-scoring. */
  storedVerified?: boolean;
  /** Majority aggregation: how many paths gave this answer. */
  votes?: number;
  /** The leaf's value as the new verdict sets it, when the checker flipped a verdict that had set it. */
  value?: { from: number; to: number };
}

export interface RescoreResult {
  verifier: string;
  aggregation: RescoreAggregation;
  select: 'score' | 'verified-first';
  /** Best first. */
  ranking: RankedPath[];
  before: { nodeId?: string; answer?: string; verified?: boolean };
  after: { nodeId?: string; answer?: string; verified?: boolean };
  /** The winning path is a different node than the trace's result. */
  changed: boolean;
  /** Paths whose verdict the new checker flips. */
  flipped: string[];
}

function checkerFor(v: RescoreChecker | Checker | undefined): Checker | undefined {
  if (v === undefined || v === 'stored') return undefined;
  if (typeof v !== 'string') return v;
  switch (v) {
    case 'answer':
      return answerChecker;
    case 'countdown':
      return countdownChecker();
    case 'countdown-exact':
      return countdownChecker({ exactlyOnce: true });
    case 'auto':
      return autoChecker();
    case 'none':
      return noneChecker;
  }
}

/**
 * Whether a leaf's value is what its stored verdict implies (1 verified, 0 refuted) rather than an estimate: set
 * by a verifier or an oracle, or, with no estimator named, exactly the verdict's number (hand-made, imported).
 */
function valueFromVerdict(n: TraceNode): boolean {
  if (n.value === undefined || n.verified === undefined) return false;
  const kind = n.valueSource?.kind;
  if (kind === 'verifier' || kind === 'oracle') return true;
  if (kind === 'prm' || kind === 'judge' || kind === 'rollouts' || kind === 'human') return false;
  return n.value === (n.verified ? 1 : 0);
}

/** Finished paths: leaves that are steps or answers (rollouts and verifications are not paths of the search). */
export function finishedPaths(tree: TraceTree): TraceNode[] {
  return tree.trace.nodes.filter(
    (n) => (n.kind === 'step' || n.kind === 'answer') && !tree.children(n.id).some((c) => c.kind === 'step' || c.kind === 'answer'),
  );
}

export function rescoreTrace(trace: Trace | TraceTree, opts: RescoreOptions = {}): RescoreResult {
  const tree = trace instanceof TraceTree ? trace : TraceTree.from(trace);
  const checker = checkerFor(opts.verifier);
  const aggregation = opts.aggregation ?? 'last';
  const select = opts.select ?? (opts.verifier !== undefined && opts.aggregation === undefined ? 'verified-first' : 'score');
  const problem = tree.trace.problem;
  const creation = new Map(tree.trace.nodes.map((n, i) => [n.id, i]));

  const paths: RankedPath[] = finishedPaths(tree).map((leaf) => {
    const steps = tree.pathToRoot(leaf.id).filter((n) => n.kind !== 'root');
    const r: RankedPath = { nodeId: leaf.id };
    if (leaf.verified !== undefined) r.storedVerified = leaf.verified;
    if (checker) {
      const res = checker.check(problem, steps.map((n) => n.text), { final: true });
      if (res.verified !== undefined) r.verified = res.verified;
      const ans = res.answer ?? leaf.answer;
      if (ans !== undefined) r.answer = ans;
    } else {
      if (leaf.verified !== undefined) r.verified = leaf.verified;
      if (leaf.answer !== undefined) r.answer = leaf.answer;
    }
    const flippedValue = checker && r.verified !== undefined && r.verified !== leaf.verified && valueFromVerdict(leaf);
    if (flippedValue) r.value = { from: leaf.value!, to: r.verified ? 1 : 0 };
    if (aggregation !== 'majority') {
      const values = steps.map((n) => (n === leaf && r.value ? r.value.to : n.value)).filter((v): v is number => v !== undefined);
      const s = values.length ? aggregateScores(values, aggregation) : undefined;
      if (s !== undefined) r.score = s;
    }
    return r;
  });

  if (aggregation === 'majority') {
    const votes = new Map<string, number>();
    for (const p of paths) if (p.answer !== undefined) votes.set(answerKey(p.answer), (votes.get(answerKey(p.answer)) ?? 0) + 1);
    for (const p of paths) {
      if (p.answer === undefined) continue;
      p.votes = votes.get(answerKey(p.answer))!;
      p.score = p.votes / paths.length;
    }
  }
  const rank = (p: RankedPath) => [select === 'verified-first' ? (p.verified === true ? 1 : 0) : 0, p.score ?? -1] as const;
  paths.sort((p, q) => {
    const [pv, ps] = rank(p);
    const [qv, qs] = rank(q);
    return qv - pv || qs - ps || creation.get(p.nodeId)! - creation.get(q.nodeId)!;
  });

  const r = tree.trace.result;
  const before: RescoreResult['before'] = {};
  if (r?.bestNodeId !== undefined) before.nodeId = r.bestNodeId;
  if (r?.finalAnswer !== undefined) before.answer = r.finalAnswer;
  if (r) before.verified = r.verified;
  const win = paths[0];
  const after: RescoreResult['after'] = {};
  if (win) {
    after.nodeId = win.nodeId;
    if (win.answer !== undefined) after.answer = win.answer;
    if (win.verified !== undefined) after.verified = win.verified;
  }
  const name = checker ? checker.name : 'stored';
  return {
    verifier: name,
    aggregation,
    select,
    ranking: paths,
    before,
    after,
    changed: after.nodeId !== before.nodeId,
    flipped: paths.filter((p) => checker && p.verified !== undefined && p.storedVerified !== undefined && p.verified !== p.storedVerified).map((p) => p.nodeId),
  };
}

/** Writes the re-scored verdicts and winner into the tree (for `metacot rescore --out`). */
export function applyRescore(tree: TraceTree, res: RescoreResult): void {
  for (const p of res.ranking) {
    const patch: Partial<TraceNode> = {};
    if (p.verified !== undefined) patch.verified = p.verified;
    if (p.answer !== undefined) patch.answer = p.answer;
    if (p.value) {
      patch.value = p.value.to;
      patch.valueSource = { kind: 'verifier', verifier: res.verifier };
    }
    if (Object.keys(patch).length) tree.update(p.nodeId, patch);
  }
  if (res.after.nodeId !== undefined) {
    tree.trace.result = { bestNodeId: res.after.nodeId, verified: res.after.verified ?? false };
    if (res.after.answer !== undefined) tree.trace.result.finalAnswer = res.after.answer;
  }
}

export function formatRescore(res: RescoreResult, top = 5): string {
  const fmt = (x: { nodeId?: string; answer?: string; verified?: boolean }) =>
    `${x.nodeId ?? '(none)'}${x.answer === undefined ? '' : ` answer ${x.answer}`}${x.verified === undefined ? '' : x.verified ? ' (verified)' : ' (not verified)'}`;
  const lines = [
    `verifier ${res.verifier}, aggregation ${res.aggregation}, select ${res.select}`,
    `before: ${fmt(res.before)}`,
    `after:  ${fmt(res.after)}${res.changed ? '   ← a different path wins' : '   (same path)'}`,
  ];
  if (res.flipped.length) lines.push(`verdicts flipped on ${res.flipped.length} path(s): ${res.flipped.join(', ')}`);
  const revalued = res.ranking.filter((p) => p.value);
  if (revalued.length) lines.push(`values set by the new verdicts: ${revalued.map((p) => `${p.nodeId} ${p.value!.from} → ${p.value!.to}`).join(', ')}`);
  lines.push(`top ${Math.min(top, res.ranking.length)} of ${res.ranking.length} paths:`);
  for (const p of res.ranking.slice(0, top)) {
    lines.push(`  ${p.nodeId.padEnd(6)} score ${p.score === undefined ? '–' : p.score.toFixed(4)}  ${p.answer ?? ''}${p.verified === undefined ? '' : p.verified ? ' ✓' : ' ✗'}`);
  }
  // Answers and ids come from the file: control characters are shown, never sent to the terminal.
  return `${lines.map((l) => escapeControlChars(l)).join('\n')}\n`;
}
