/**
 * Stream-of-Search text (Gandhi et al. 2024) for Countdown trees, line for line as the SoS generator and the
 * models trained on it write it:
 *   Current State: 47:[42, 61, 66], Operations: []
 *   Exploring Operation: 66-42=24, Resulting Numbers: [61, 24]
 *   Generated Node #0,0: 47:[61, 24] Operation: 66-42=24
 *   Moving to Node #0,0
 *   …
 *   47,47 equal: Goal Reached
 * A step node is one explored operation. One number left: a leaf line. Otherwise a `Generated Node` line, unless
 * the node is pruned (the search did not keep it). The search moves (and restates the state) whenever the next
 * operation starts from another node, and after every leaf.
 */
import { parseCountdownProblem } from '../../verify/countdown';
import type { TraceNode } from '../schema';
import type { TraceTree } from '../tree';
import { finish, plan, pushAll, solutionBlock, type CommonOptions, type Linearization } from './blocks';
import { applyOp, compactOp, numberValue, parseOpStep, pyNumberList, pyStringList, type CountdownOp } from './countdownText';
import { seg, type Segment } from './segment';
import { isSwitch } from './visitOrder';

export interface SosOptions extends CommonOptions {
  /** End the text at the first `Goal Reached`, as the SoS generator does (default false: show the whole tree). */
  stopAtGoal?: boolean;
  /**
   * A step whose result is the target is a goal even with numbers left (our Countdown uses each number at most
   * once; SoS's uses all): written as a leaf, `31,31 equal: Goal Reached` (default false: SoS's rule).
   */
  goalAtTarget?: boolean;
}

export class LinearizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinearizeError';
  }
}

/** The operation a node explored: parsed from its text, or the raw SoS spelling an import kept (`meta.sosOp`). */
function explored(node: TraceNode): { compact: string; op?: CountdownOp; left?: string[] } | undefined {
  const p = parseOpStep(node.text);
  if (p) return { compact: compactOp(p.op), op: p.op, left: p.left };
  if (typeof node.meta?.sosOp !== 'string') return undefined;
  const left = /\(left:\s*([^)]*)\)\s*$/.exec(node.text);
  return { compact: node.meta.sosOp, left: left ? left[1]!.split(',').map((x) => x.trim()).filter(Boolean) : undefined };
}

/** Numbers after a node's operation; its operations are the chain of `op`s up to the root (shared, not copied). */
interface NodeState {
  numbers: string[];
  op?: string;
  up?: NodeState;
}

function opsOf(st: NodeState): string[] {
  const ops: string[] = [];
  for (let cur: NodeState | undefined = st; cur; cur = cur.up) if (cur.op !== undefined) ops.push(cur.op);
  return ops.reverse();
}

/** Target and starting numbers: the problem's meta (our generators, SoS import), else parsed from its text. */
export function countdownStart(tree: TraceTree): { target: string; numbers: string[] } {
  const meta = tree.trace.problem.meta;
  if (meta && Array.isArray(meta.numbers) && (typeof meta.target === 'number' || typeof meta.target === 'string')) {
    return { target: String(meta.target), numbers: meta.numbers.map((x) => String(x)) };
  }
  const spec = parseCountdownProblem(tree.trace.problem);
  if (!spec) throw new LinearizeError('not a Countdown problem: Stream-of-Search needs problem.meta {numbers, target} or a problem text naming them');
  return { target: String(spec.target), numbers: spec.numbers.map(String) };
}

/** A kept (generated) child: the search put it on its frontier, so it has a node id. */
function isKept(c: TraceNode): boolean {
  const p = explored(c);
  return p !== undefined && c.status !== 'pruned' && (p.left === undefined || p.left.length > 1);
}

/**
 * The SoS id of a node (`0,1,0`): `meta.sosId` when an import kept it, else its parent's id and its rank among the
 * parent's kept children in creation order. Climbs iteratively to the nearest ancestor with a known id.
 */
export function sosId(tree: TraceTree, node: TraceNode, ids: Map<string, string>, ranks = new Map<string, Map<string, number>>()): string {
  const pending: TraceNode[] = [];
  let cur: TraceNode | undefined = node;
  while (cur && !ids.has(cur.id)) {
    if (typeof cur.meta?.sosId === 'string') ids.set(cur.id, cur.meta.sosId);
    else if (cur.parentId === null) ids.set(cur.id, '0');
    else {
      pending.push(cur);
      cur = tree.node(cur.parentId);
    }
  }
  for (let i = pending.length - 1; i >= 0; i--) {
    const n = pending[i]!;
    const parentId = n.parentId!;
    let rank = ranks.get(parentId);
    if (!rank) {
      rank = new Map();
      for (const c of tree.children(parentId)) if (isKept(c)) rank.set(c.id, rank.size);
      ranks.set(parentId, rank);
    }
    ids.set(n.id, `${ids.get(parentId)!},${rank.get(n.id) ?? rank.size}`);
  }
  return ids.get(node.id)!;
}

export function linearizeSos(tree: TraceTree, opts: SosOptions = {}): Linearization {
  const { target, numbers } = countdownStart(tree);
  const { nodes: ordered, path } = plan(tree, opts);
  const root = tree.root();
  const states = new Map<string, NodeState>([[root.id, { numbers }]]);
  const ids = new Map<string, string>();
  const ranks = new Map<string, Map<string, number>>();
  const segments: Segment[] = [];
  const line = (text: string, role: Segment['role'], node: string) =>
    segments.push(seg(segments.length === 0 ? text : `\n${text}`, 'Z', role, node));
  const stateLine = (n: TraceNode) => {
    const st = states.get(n.id)!;
    return `Current State: ${target}:${pyNumberList(st.numbers)}, Operations: ${pyStringList(opsOf(st))}`;
  };

  line(stateLine(root), 'marker', root.id);
  let loc = root.id;
  let afterLeaf = false;
  let switches = 0;
  const shown: TraceNode[] = [];
  for (const node of ordered) {
    const parsed = explored(node);
    const parentState = states.get(node.parentId!);
    // Not an operation (e.g. an `Answer:` line) or under one: nothing SoS can say about it.
    if (!parsed || !parentState) continue;
    const numbers = parsed.left ?? (parsed.op ? applyOp(parentState.numbers, parsed.op) : undefined);
    if (!numbers) continue;
    const st: NodeState = { numbers, op: parsed.compact, up: parentState };
    states.set(node.id, st);
    if (isSwitch(shown[shown.length - 1], node, root.id)) switches++;
    if (afterLeaf || node.parentId !== loc) {
      const parent = tree.node(node.parentId!);
      line(`Moving to Node #${sosId(tree, parent, ids, ranks)}`, 'marker', parent.id);
      line(stateLine(parent), 'marker', parent.id);
      loc = parent.id;
    }
    shown.push(node);
    line(`Exploring Operation: ${parsed.compact}, Resulting Numbers: ${pyNumberList(st.numbers)}`, 'step', node.id);
    const early = opts.goalAtTarget === true && st.numbers.length > 1 && parsed.op !== undefined && numberValue(parsed.op.result) === numberValue(target);
    afterLeaf = st.numbers.length === 1 || early;
    if (early) {
      line(`${parsed.op!.result},${target} equal: Goal Reached`, 'step', node.id);
      if (opts.stopAtGoal) break;
    } else if (afterLeaf) {
      const value = st.numbers[0]!;
      const goal = numberValue(value) === numberValue(target);
      const leaf = typeof node.meta?.sosLeaf === 'string' ? node.meta.sosLeaf : `${value},${target} ${goal ? 'equal: Goal Reached' : 'unequal: No Solution'}`;
      line(leaf, 'step', node.id);
      if (goal && opts.stopAtGoal) break;
    } else if (node.status !== 'pruned') {
      line(`Generated Node #${sosId(tree, node, ids, ranks)}: ${target}:${pyNumberList(st.numbers)} Operation: ${parsed.compact}`, 'step', node.id);
    }
  }
  if (opts.solution ?? false) pushAll(segments, solutionBlock(path, opts.separator ?? '\n\n', true));
  return finish('sos', segments, shown, path, switches);
}
