/**
 * Step labels for process-reward data: a step's value when it has one, else what its subtree shows (it reaches
 * a verified answer → 1, only refuted ones → 0), as Math-Shepherd labels a step by whether completions from it
 * succeed. Paths are root-to-leaf over the search steps.
 */
import type { TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';

/** Samples a node stands for: identical sibling samples merged into it (mergeDuplicates), else 1. */
export const copiesOf = (n: TraceNode): number => n.copies ?? 1;

/** Samples merged into another node across the whole trace (Σ copies − 1): what a linearized trace shows once. */
export function mergedSamples(tree: TraceTree): number {
  let merged = 0;
  for (const n of tree.trace.nodes) merged += copiesOf(n) - 1;
  return merged;
}

const isStep = (n: TraceNode) => n.kind === 'step' || n.kind === 'answer';

/**
 * Every root-to-leaf path of step nodes, root excluded, in preorder of the leaves. One path array is kept and copied
 * at each leaf (explicit stack), so the cost is the size of the output, whatever the depth.
 */
export function rootToLeafPaths(tree: TraceTree, opts: { dropPruned?: boolean } = {}): TraceNode[][] {
  const keep = (n: TraceNode) => isStep(n) && !(opts.dropPruned && n.status === 'pruned');
  const out: TraceNode[][] = [];
  const path: TraceNode[] = [];
  // Entries: a node to enter at a depth (its path length before it is pushed).
  const stack: { node: TraceNode; depth: number }[] = [];
  const pushKids = (id: string, depth: number): boolean => {
    const kids = tree.children(id).filter(keep);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, depth });
    return kids.length > 0;
  };
  if (!pushKids(tree.root().id, 0)) return out;
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    path.length = depth;
    path.push(node);
    if (!pushKids(node.id, depth + 1)) out.push(path.slice());
  }
  return out;
}

/** Value used to label a step; undefined when neither the node nor its subtree says anything. */
export function stepScorer(tree: TraceTree): (n: TraceNode) => number | undefined {
  const memo = new Map<string, number | undefined>();
  // A node's own verdict, else 1 if a step below reaches a verified answer, else 0 if one is refuted.
  const combine = (n: TraceNode): number | undefined => {
    let v: number | undefined = n.verified === true ? 1 : n.verified === false ? 0 : undefined;
    if (v === 1) return v;
    for (const c of tree.children(n.id)) {
      if (!isStep(c)) continue;
      const cv = memo.get(c.id);
      if (cv === 1) return 1;
      if (cv === 0) v = 0;
    }
    return v;
  };
  // Post-order with an explicit stack: children's verdicts are memoized before their parent's.
  const subtreeVerdict = (start: TraceNode): number | undefined => {
    if (memo.has(start.id)) return memo.get(start.id);
    const stack: { node: TraceNode; expanded: boolean }[] = [{ node: start, expanded: false }];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.expanded || top.node.verified === true) {
        stack.pop();
        memo.set(top.node.id, combine(top.node));
        continue;
      }
      top.expanded = true;
      for (const c of tree.children(top.node.id)) if (isStep(c) && !memo.has(c.id)) stack.push({ node: c, expanded: false });
    }
    return memo.get(start.id);
  };
  return (n) => n.value ?? subtreeVerdict(n);
}
