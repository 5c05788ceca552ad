/**
 * Training texts for the embedded reasoning models (issue 19, contract in model/README.md): a Countdown search tree
 * from the tool as Stream-of-Search text, either the search as it ran (`sos`, the Meta-CoT Z ending at the first
 * goal) or its solution path alone in the same layout (`path`). Both use `goalAtTarget`: our Countdown reaches the
 * target with numbers left over, which SoS's all-numbers rule would never call a goal.
 */
import { checkCountdown, parseCountdownProblem } from '../verify/countdown';
import { linearizeSos, countdownStart } from '../trace/linearize/streamOfSearch';
import { applyOp, numberValue, parseOpStep, type CountdownOp } from '../trace/linearize/countdownText';
import type { TraceNode } from '../trace/schema';
import { winningPath } from '../trace/linearize/visitOrder';
import { TraceTree } from '../trace/tree';

export type ReasonerLayout = 'sos' | 'path';

/** The multi-character tokens of the reasoner vocabulary, in the contract's order. */
export const REASONER_PHRASES = [
  'Current State: ',
  ', Operations: ',
  'Exploring Operation: ',
  ', Resulting Numbers: ',
  'Generated Node #',
  'Moving to Node #',
  ' Operation: ',
  ' equal: Goal Reached',
  ' unequal: No Solution',
] as const;

/** The single characters of the contract's vocabulary (a shipped .json may append more: it is the truth). */
export const REASONER_CHARS = ['\n', ' ', ...'0123456789', '+', '-', '*', '/', '=', '[', ']', '(', ')', ',', ':', "'", '#', '.'] as const;

/**
 * Greedy longest-match token count of `text` over `phrases` and single characters; undefined when a character is
 * in no token (such a text cannot be trained on). Counts the text only, not `<bos>` / `<eos>`.
 */
export function reasonerTokenCount(text: string, phrases: readonly string[] = REASONER_PHRASES, chars: readonly string[] = REASONER_CHARS): number | undefined {
  const single = new Set(chars);
  const byLength = [...phrases].sort((a, b) => b.length - a.length);
  let n = 0;
  for (let i = 0; i < text.length; n++) {
    const phrase = byLength.find((p) => text.startsWith(p, i));
    if (phrase) i += phrase.length;
    else if (single.has(text[i]!)) i += 1;
    else return undefined;
  }
  return n;
}

/**
 * The root and the winning path only, as a tree of its own (nodes shared, not copied): what an optimal-path data set
 * shows of a solved search. Undefined when the trace has no winning path.
 */
export function pathOnlyTree(tree: TraceTree): TraceTree | undefined {
  const path = winningPath(tree);
  if (path.length === 0) return undefined;
  // No events: the linearizer then orders by iteration, parents first, which on one path is root to goal.
  return TraceTree.from({ ...tree.trace, nodes: [tree.root(), ...path], events: [] });
}

/** a op b is the stated result, and both operands are among `numbers` (as a multiset) */
export function legalOp(numbers: readonly string[], op: CountdownOp): boolean {
  const pool = numbers.map(numberValue);
  for (const x of [op.a, op.b].map(numberValue)) {
    const i = pool.indexOf(x);
    if (i < 0) return false;
    pool.splice(i, 1);
  }
  const [a, b, r] = [numberValue(op.a), numberValue(op.b), numberValue(op.result)];
  if (op.op === '+') return a + b === r;
  if (op.op === '-') return a - b === r;
  if (op.op === '*') return a * b === r;
  if (op.op === '/') return b !== 0 && a === b * r;
  return false;
}

/**
 * The tree without the steps the policy got wrong (arithmetic that does not hold, an operand not available, a
 * `left:` list that is not what the step leaves) and everything under them: the search's checks refuted them, and
 * a model trained on the text should not learn wrong arithmetic. Dead ends that are legal stay.
 */
export function legalOnly(tree: TraceTree): TraceTree {
  const root = tree.root();
  const numbersOf = new Map<string, string[]>([[root.id, countdownStart(tree).numbers]]);
  const dropped = new Set<string>();
  const keep: TraceNode[] = [root];
  for (const n of tree.trace.nodes.slice(1)) {
    if (n.parentId === null || dropped.has(n.parentId)) {
      dropped.add(n.id);
      continue;
    }
    const parent = numbersOf.get(n.parentId);
    const p = parseOpStep(n.text);
    if (parent && p) {
      const left = applyOp(parent, p.op);
      const sameLeft = p.left === undefined || [...p.left].map(numberValue).sort((x, y) => x - y).join() === left.map(numberValue).sort((x, y) => x - y).join();
      if (!legalOp(parent, p.op) || !sameLeft) {
        dropped.add(n.id);
        continue;
      }
      numbersOf.set(n.id, p.left ?? left);
    }
    keep.push(n);
  }
  return dropped.size === 0 ? tree : TraceTree.from({ ...tree.trace, nodes: keep });
}

export interface ReasonerText {
  text: string;
  /** Operations explored in the text (`Exploring Operation` lines). */
  explored: number;
}

/**
 * The training text of a search tree in `layout`, ending at the first `Goal Reached`; undefined when the text has
 * no goal (an unsolved search, or a solved one whose winning path is not what the checker verifies).
 */
export function reasonerText(tree: TraceTree, layout: ReasonerLayout): ReasonerText | undefined {
  const spec = parseCountdownProblem(tree.trace.problem);
  const path = winningPath(tree);
  if (!spec || path.length === 0) return undefined;
  // The goal the text ends at must be one the Countdown checker accepts, not only one the search believed.
  if (checkCountdown(spec, path.map((n) => n.text), { final: true }).verified !== true) return undefined;
  const source = layout === 'sos' ? legalOnly(tree) : pathOnlyTree(tree);
  if (!source) return undefined;
  const lin = linearizeSos(source, { stopAtGoal: true, goalAtTarget: true });
  if (!/ equal: Goal Reached$/.test(lin.text)) return undefined;
  return { text: lin.text, explored: lin.visited.length };
}

/** The first line of a text (the prompt at inference, without its newline). */
export function firstLine(text: string): string {
  const i = text.indexOf('\n');
  return i < 0 ? text : text.slice(0, i);
}

export interface LengthStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
}

export function lengthStats(xs: readonly number[]): LengthStats {
  if (xs.length === 0) return { count: 0, min: 0, max: 0, mean: 0, p50: 0, p90: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { count: s.length, min: s[0]!, max: s[s.length - 1]!, mean: Math.round((10 * s.reduce((a, b) => a + b, 0)) / s.length) / 10, p50: q(0.5), p90: q(0.9) };
}
