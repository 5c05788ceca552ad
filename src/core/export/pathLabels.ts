/**
 * Step labels for process-reward data: a step's value when it has one, else what its subtree shows (it reaches
 * a verified answer → 1, only refuted ones → 0), as Math-Shepherd labels a step by whether completions from it
 * succeed. Paths are root-to-leaf over the search steps.
 */
import type { TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';

const isStep = (n: TraceNode) => n.kind === 'step' || n.kind === 'answer';

/** Every root-to-leaf path of step nodes, root excluded, in preorder of the leaves. */
export function rootToLeafPaths(tree: TraceTree, opts: { dropPruned?: boolean } = {}): TraceNode[][] {
  const keep = (n: TraceNode) => isStep(n) && !(opts.dropPruned && n.status === 'pruned');
  const out: TraceNode[][] = [];
  const walk = (id: string, path: TraceNode[]) => {
    const kids = tree.children(id).filter(keep);
    if (kids.length === 0) {
      if (path.length) out.push(path);
      return;
    }
    for (const k of kids) walk(k.id, [...path, k]);
  };
  walk(tree.root().id, []);
  return out;
}

/** Value used to label a step; undefined when neither the node nor its subtree says anything. */
export function stepScorer(tree: TraceTree): (n: TraceNode) => number | undefined {
  const memo = new Map<string, number | undefined>();
  const subtreeVerdict = (n: TraceNode): number | undefined => {
    if (memo.has(n.id)) return memo.get(n.id);
    let v: number | undefined = n.verified === true ? 1 : n.verified === false ? 0 : undefined;
    if (v !== 1) {
      for (const c of tree.children(n.id)) {
        if (!isStep(c)) continue;
        const cv = subtreeVerdict(c);
        if (cv === 1) {
          v = 1;
          break;
        }
        if (cv === 0) v = 0;
      }
    }
    memo.set(n.id, v);
    return v;
  };
  return (n) => n.value ?? subtreeVerdict(n);
}
