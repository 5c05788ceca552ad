/**
 * Diff of two traces of the same problem. Nodes are aligned top-down by path text: under two aligned parents,
 * children with the same normalized text pair up (so equal root-to-node text = aligned), then the remaining ones
 * pair up greedily by content-word similarity as "changed"; what is left is removed (only in A) or added (only
 * in B), with its whole subtree. Value and verdict changes are reported on every aligned pair.
 */
import type { Trace, TraceNode } from '../trace/schema';
import { TraceTree } from '../trace/tree';
import { contentTokens, dice } from '../trace/import/similarity';
import { normalizeStepText } from './treeStats';
import { escapeControlChars } from '../trace/controlChars';
import { shortNumber } from '../shortNumber';

export type DiffKind = 'same' | 'changed' | 'removed' | 'added';

export interface DiffEntry {
  kind: DiffKind;
  a?: string;
  b?: string;
  depth: number;
  textA?: string;
  textB?: string;
  valueA?: number;
  valueB?: number;
  valueChanged: boolean;
  verifiedA?: boolean;
  verifiedB?: boolean;
  statusA?: string;
  statusB?: string;
}

export interface TraceDiff {
  traceA: string;
  traceB: string;
  sameProblem: boolean;
  /** Preorder over the merged tree: a pair, then its children. */
  entries: DiffEntry[];
  counts: Record<DiffKind, number> & { valueChanged: number };
}

export interface DiffOptions {
  /** Content-word similarity for two different texts to count as one changed node (default 0.5). */
  similarity?: number;
  /** Smallest value difference reported (default 1e-9). */
  epsilon?: number;
}

const asTree = (t: Trace | TraceTree) => (t instanceof TraceTree ? t : TraceTree.from(t));

export function diffTraces(traceA: Trace | TraceTree, traceB: Trace | TraceTree, opts: DiffOptions = {}): TraceDiff {
  const A = asTree(traceA);
  const B = asTree(traceB);
  const eps = opts.epsilon ?? 1e-9;
  const threshold = opts.similarity ?? 0.5;
  const entries: DiffEntry[] = [];
  const counts = { same: 0, changed: 0, removed: 0, added: 0, valueChanged: 0 };

  const pairEntry = (kind: 'same' | 'changed', a: TraceNode, b: TraceNode, depth: number): DiffEntry => {
    const valueChanged =
      (a.value === undefined) !== (b.value === undefined) || (a.value !== undefined && Math.abs(a.value - b.value!) > eps) || a.verified !== b.verified;
    const e: DiffEntry = { kind, a: a.id, b: b.id, depth, textA: a.text, textB: b.text, valueChanged, statusA: a.status, statusB: b.status };
    if (a.value !== undefined) e.valueA = a.value;
    if (b.value !== undefined) e.valueB = b.value;
    if (a.verified !== undefined) e.verifiedA = a.verified;
    if (b.verified !== undefined) e.verifiedB = b.verified;
    return e;
  };
  // A removed / added subtree, preorder with children in creation order (as TraceTree.subtree), depth carried along.
  const single = (kind: 'removed' | 'added', tree: TraceTree, n: TraceNode, depth: number) => {
    const stack: { d: TraceNode; depth: number }[] = [{ d: n, depth }];
    while (stack.length) {
      const { d, depth: at } = stack.pop()!;
      const e: DiffEntry = { kind, depth: at, valueChanged: false };
      if (kind === 'removed') {
        e.a = d.id;
        e.textA = d.text;
        e.statusA = d.status;
        if (d.value !== undefined) e.valueA = d.value;
        if (d.verified !== undefined) e.verifiedA = d.verified;
      } else {
        e.b = d.id;
        e.textB = d.text;
        e.statusB = d.status;
        if (d.value !== undefined) e.valueB = d.value;
        if (d.verified !== undefined) e.verifiedB = d.verified;
      }
      entries.push(e);
      counts[kind]++;
      const kids = tree.childIdsOf(d.id);
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ d: tree.node(kids[i]!), depth: at + 1 });
    }
  };

  /** Pairs the children of two aligned nodes: same normalized text first, then by similarity. */
  const pairChildren = (a: TraceNode, b: TraceNode) => {
    const ca = A.children(a.id);
    const cb = B.children(b.id);
    const pairOf = new Map<string, { b: TraceNode; kind: 'same' | 'changed' }>();
    const usedB = new Set<string>();
    // B's children by text, in order: each of A's children takes the first unused one (a map, not a scan per child).
    const byText = new Map<string, TraceNode[]>();
    for (const y of cb) {
      const key = normalizeStepText(y.text);
      const list = byText.get(key);
      if (list) list.push(y);
      else byText.set(key, [y]);
    }
    for (const x of ca) {
      const y = byText.get(normalizeStepText(x.text))?.shift();
      if (y) {
        pairOf.set(x.id, { b: y, kind: 'same' });
        usedB.add(y.id);
      }
    }
    const restA = ca.filter((x) => !pairOf.has(x.id));
    const restB = cb.filter((y) => !usedB.has(y.id));
    const scored: { x: TraceNode; y: TraceNode; s: number }[] = [];
    if (restA.length && restB.length) {
      const tokensB = restB.map((y) => contentTokens(y.text));
      for (const x of restA) {
        const tx = contentTokens(x.text);
        restB.forEach((y, j) => {
          const s = dice(tx, tokensB[j]!);
          if (s >= threshold) scored.push({ x, y, s });
        });
      }
    }
    scored.sort((p, q) => q.s - p.s);
    for (const { x, y } of scored) {
      if (pairOf.has(x.id) || usedB.has(y.id)) continue;
      pairOf.set(x.id, { b: y, kind: 'changed' });
      usedB.add(y.id);
    }
    return { ca, cb, pairOf, usedB };
  };

  // Explicit stack (trees can be deep). Each task writes its entries when popped; a pair's children are pushed
  // in reverse after it, so the entries come out in the same preorder as a recursive walk: A's children in order
  // (pairs with their subtrees, removals), then B's unpaired children (additions).
  type Task =
    | { t: 'pair'; kind: 'same' | 'changed'; x: TraceNode; y: TraceNode; depth: number }
    | { t: 'lone'; kind: 'removed' | 'added'; tree: TraceTree; n: TraceNode; depth: number };
  const expand = (a: TraceNode, b: TraceNode, depth: number, stack: Task[]) => {
    const { ca, cb, pairOf, usedB } = pairChildren(a, b);
    const tasks: Task[] = [];
    for (const x of ca) {
      const p = pairOf.get(x.id);
      tasks.push(p ? { t: 'pair', kind: p.kind, x, y: p.b, depth: depth + 1 } : { t: 'lone', kind: 'removed', tree: A, n: x, depth: depth + 1 });
    }
    for (const y of cb) if (!usedB.has(y.id)) tasks.push({ t: 'lone', kind: 'added', tree: B, n: y, depth: depth + 1 });
    for (let i = tasks.length - 1; i >= 0; i--) stack.push(tasks[i]!);
  };
  const stack: Task[] = [];
  expand(A.root(), B.root(), 0, stack);
  while (stack.length) {
    const task = stack.pop()!;
    if (task.t === 'lone') {
      single(task.kind, task.tree, task.n, task.depth);
      continue;
    }
    const e = pairEntry(task.kind, task.x, task.y, task.depth);
    entries.push(e);
    counts[task.kind]++;
    if (e.valueChanged) counts.valueChanged++;
    expand(task.x, task.y, task.depth, stack);
  }
  return {
    traceA: A.trace.id,
    traceB: B.trace.id,
    sameProblem: normalizeStepText(A.trace.problem.text) === normalizeStepText(B.trace.problem.text),
    entries,
    counts,
  };
}

const short = (s: string | undefined, n = 70) => {
  const one = (s ?? '').replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
const val = (v: number | undefined, verified: boolean | undefined) => `${v === undefined ? '–' : shortNumber(v)}${verified === undefined ? '' : verified ? ' ✓' : ' ✗'}`;

/** Text for the CLI: changes only (unless `all`), indented by depth; control characters escaped. */
export function formatDiff(d: TraceDiff, opts: { all?: boolean } = {}): string {
  const lines = [`diff ${d.traceA} → ${d.traceB}${d.sameProblem ? '' : ' (the problems differ)'}`];
  for (const e of d.entries) {
    if (!opts.all && e.kind === 'same' && !e.valueChanged) continue;
    const pad = '  '.repeat(e.depth);
    const vchg = e.valueChanged ? `  value ${val(e.valueA, e.verifiedA)} → ${val(e.valueB, e.verifiedB)}` : '';
    switch (e.kind) {
      case 'same':
        lines.push(`= ${pad}${e.a} ~ ${e.b} "${short(e.textA)}"${vchg}`);
        break;
      case 'changed':
        lines.push(`~ ${pad}${e.a} → ${e.b} "${short(e.textA, 50)}" → "${short(e.textB, 50)}"${vchg}`);
        break;
      case 'removed':
        lines.push(`- ${pad}${e.a} "${short(e.textA)}"`);
        break;
      case 'added':
        lines.push(`+ ${pad}${e.b} "${short(e.textB)}"`);
        break;
    }
  }
  const c = d.counts;
  lines.push(`${c.same} same, ${c.changed} changed, ${c.removed} removed, ${c.added} added, ${c.valueChanged} value changes`);
  // Node texts and ids come from the files: control characters are shown, never sent to the terminal.
  return `${lines.map((l) => escapeControlChars(l)).join('\n')}\n`;
}
