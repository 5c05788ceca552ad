/**
 * Shape of one search tree: size, depth, branch switches and marker-classified backtracks, repeated steps, and
 * where the tokens went (the final path vs everything else).
 */
import type { TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';
import { includedNodes, isSwitch, visitOrder, winningPath } from '../trace/linearize/visitOrder';

export interface TreeStats {
  nodes: number;
  steps: number;
  leaves: number;
  maxDepth: number;
  meanLeafDepth: number;
  /** Times the visit order jumps to another branch (what a linearization writes as "Wait, …"). */
  branchSwitches: number;
  /** Steps by marker class, for imported long CoTs (`meta.stepType`). */
  stepTypes: Record<string, number>;
  /** Steps whose normalized text equals an earlier step's. */
  repeatedSteps: number;
  topRepeated: { text: string; count: number }[];
  tokens: { finalPath: number; rest: number; total: number; estimated: boolean };
  finalPathLength: number;
}

/** Same text up to case, spacing and trailing punctuation. */
export function normalizeStepText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?,;:\s]+$/, '');
}

/** Words and punctuation marks, the way the reference server counts tokens; used when a node has no count. */
export function estimateTokens(text: string): number {
  return text.match(/\s*[A-Za-z0-9_]+|\s*[^\sA-Za-z0-9_]/g)?.length ?? 0;
}

function nodeTokens(n: TraceNode): { n: number; estimated: boolean } {
  return n.tokensOut !== undefined ? { n: n.tokensOut, estimated: false } : { n: estimateTokens(n.text), estimated: true };
}

export function treeStats(tree: TraceTree): TreeStats {
  const rootId = tree.root().id;
  const nodes = tree.trace.nodes;
  const depth = new Map<string, number>([[rootId, 0]]);
  for (const n of nodes) if (n.parentId !== null) depth.set(n.id, depth.get(n.parentId)! + 1);
  let maxDepth = 0;
  let leaves = 0;
  let leafDepth = 0;
  const stepTypes: Record<string, number> = {};
  const seen = new Map<string, number>();
  let repeatedSteps = 0;
  for (const n of nodes) {
    if (n.kind === 'root') continue;
    maxDepth = Math.max(maxDepth, depth.get(n.id)!);
    if (tree.childIdsOf(n.id).length === 0) {
      leaves++;
      leafDepth += depth.get(n.id)!;
    }
    const t = n.meta?.stepType;
    if (typeof t === 'string') stepTypes[t] = (stepTypes[t] ?? 0) + 1;
    if (n.kind === 'step' || n.kind === 'answer') {
      const key = normalizeStepText(n.text);
      const c = (seen.get(key) ?? 0) + 1;
      seen.set(key, c);
      if (c > 1) repeatedSteps++;
    }
  }
  const order = visitOrder(tree, includedNodes(tree));
  let branchSwitches = 0;
  order.forEach((n, i) => {
    if (isSwitch(order[i - 1], n, rootId)) branchSwitches++;
  });
  const topRepeated = [...seen.entries()]
    .filter(([, c]) => c > 1)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 5)
    .map(([text, count]) => ({ text, count }));
  const path = winningPath(tree);
  const onPath = new Set(path.map((n) => n.id));
  let finalPath = 0;
  let rest = 0;
  let estimated = false;
  for (const n of nodes) {
    if (n.kind === 'root') continue;
    const t = nodeTokens(n);
    estimated ||= t.estimated;
    if (onPath.has(n.id)) finalPath += t.n;
    else rest += t.n;
  }
  const steps = nodes.filter((n) => n.kind === 'step' || n.kind === 'answer').length;
  return {
    nodes: nodes.length,
    steps,
    leaves,
    maxDepth,
    meanLeafDepth: leaves === 0 ? 0 : leafDepth / leaves,
    branchSwitches,
    stepTypes,
    repeatedSteps,
    topRepeated,
    tokens: { finalPath, rest, total: finalPath + rest, estimated },
    finalPathLength: path.length,
  };
}
