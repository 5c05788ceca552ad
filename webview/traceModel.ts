/**
 * The panel's in-memory tree: node objects by dense index, parent / children / depth arrays, and the derived sets the
 * renderer needs (best path). Deltas are applied in batches; `structureVersion` changes only when the shape changes so
 * value / status updates never trigger a relayout.
 */
import type { Analyses, Run, Trace, TraceEvent, TraceNode, Usage, Result, Problem } from '../src/protocol/fromCore';
import type { TraceDeltaMessage } from '../src/protocol/hostMessages';
import { valueSpanOf, type ValueSpan } from './colorScale';

export class TraceModel {
  id = '';
  problem: Problem = { text: '' };
  runs: Run[] = [];
  usage: Usage = { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 };
  result: Result | null = null;
  /** Stored measurements (step importance); replaced by each load (the host reloads when they change). */
  analyses: Analyses | undefined = undefined;
  nodes: TraceNode[] = [];
  events: TraceEvent[] = [];
  index = new Map<string, number>();
  parent: number[] = [];
  children: number[][] = [];
  depth: number[] = [];
  roots: number[] = [];
  maxIteration = 0;
  maxVisits = 0;
  /** Node indices on the path root → result.bestNodeId. */
  bestPath = new Set<number>();
  structureVersion = 0;
  dataVersion = 0;
  private lowerText: (string | undefined)[] = [];
  /**
   * Counts the times the dense indices were rebuilt (a load, or a removal). Between two rebuilds nodes are only
   * appended, children of a node only pushed: the first n indices, their children and roots never change, which is
   * what lets a layout of the first n nodes run across frames (treeLayout.ts, layoutSteps).
   */
  loads = 0;

  static fromTrace(trace: Trace): TraceModel {
    const m = new TraceModel();
    m.load(trace);
    return m;
  }

  load(trace: Trace): void {
    this.loads++;
    this.id = trace.id;
    this.problem = trace.problem;
    this.runs = trace.runs.slice();
    this.usage = trace.usage;
    this.result = trace.result;
    this.analyses = trace.analyses;
    this.events = trace.events.slice();
    this.nodes = [];
    this.index.clear();
    this.parent = [];
    this.children = [];
    this.depth = [];
    this.roots = [];
    this.lowerText = [];
    this.maxIteration = 0;
    this.maxVisits = 0;
    this.addNodes(trace.nodes);
    for (const e of this.events) if (e.i > this.maxIteration) this.maxIteration = e.i;
    this.computeBestPath();
    this.structureVersion++;
    this.dataVersion++;
  }

  get size(): number {
    return this.nodes.length;
  }

  private span: { version: number; span: ValueSpan } | null = null;

  /** What the value colours span (colorScale.valueSpanOf), recomputed once per data change. */
  valueSpan(): ValueSpan {
    if (this.span?.version !== this.dataVersion) this.span = { version: this.dataVersion, span: valueSpanOf(this.nodes) };
    return this.span.span;
  }

  /**
   * Appends nodes; a node whose parent is not known yet (out-of-order import) is attached when the parent arrives,
   * and becomes a root if it never does.
   */
  private addNodes(list: readonly TraceNode[]): void {
    const pending = new Map<string, number[]>();
    const late: number[] = [];
    for (const node of list) {
      if (this.index.has(node.id)) continue;
      const i = this.nodes.length;
      this.nodes.push(node);
      this.index.set(node.id, i);
      this.children.push([]);
      this.parent.push(-1);
      this.depth.push(0);
      if (node.iteration > this.maxIteration) this.maxIteration = node.iteration;
      if ((node.visits ?? 0) > this.maxVisits) this.maxVisits = node.visits ?? 0;
      const p = node.parentId === null ? undefined : this.index.get(node.parentId);
      if (p !== undefined) this.attach(i, p);
      else if (node.parentId !== null) {
        const waiting = pending.get(node.parentId) ?? [];
        waiting.push(i);
        pending.set(node.parentId, waiting);
      }
      const waiting = pending.get(node.id);
      if (waiting) {
        for (const c of waiting) {
          this.attach(c, i);
          late.push(c);
        }
        pending.delete(node.id);
      }
    }
    // Orphans and true roots; the subtrees attached late got their depths from a parent-less start: fix those only
    // (a streamed delta into a big tree must not walk the whole tree).
    this.roots = [];
    for (let i = 0; i < this.nodes.length; i++) if (this.parent[i] < 0) this.roots.push(i);
    if (late.length) this.recomputeDepths(late);
  }

  private attach(child: number, parent: number): void {
    this.parent[child] = parent;
    this.children[parent].push(child);
    this.depth[child] = this.depth[parent] + 1;
  }

  /** Depths below `tops` (whose own depth is right) from theirs. */
  private recomputeDepths(tops: readonly number[]): void {
    const stack = tops.slice();
    while (stack.length) {
      const v = stack.pop() as number;
      for (const c of this.children[v]) {
        this.depth[c] = this.depth[v] + 1;
        stack.push(c);
      }
    }
  }

  /** Applies one delta; returns true when the tree's shape changed (relayout needed). */
  applyDelta(d: TraceDeltaMessage): boolean {
    if (d.traceId !== this.id) return false;
    let structural = false;
    if (d.nodesRemoved.length) {
      const removed = new Set<number>();
      for (const id of d.nodesRemoved) {
        const i = this.index.get(id);
        if (i !== undefined) for (const s of this.subtree(i)) removed.add(s);
      }
      if (removed.size) {
        // Dense indices would shift: rebuild from the surviving nodes (removal is rare: undo of an added sibling).
        const keep = this.nodes.filter((_, i) => !removed.has(i));
        this.load({ ...this.toTraceHeader(), nodes: keep, events: this.events });
        structural = true;
      }
    }
    if (d.nodesAdded.length) {
      const before = this.nodes.length;
      this.addNodes(d.nodesAdded);
      if (this.nodes.length !== before) structural = true;
    }
    for (const patch of d.nodesUpdated) {
      const i = this.index.get(patch.id);
      if (i === undefined) continue;
      const next = { ...this.nodes[i], ...patch } as TraceNode;
      if (patch.parentId !== undefined && patch.parentId !== this.nodes[i].parentId) continue; // structure is immutable
      this.nodes[i] = next;
      this.lowerText[i] = undefined;
      if ((next.visits ?? 0) > this.maxVisits) this.maxVisits = next.visits ?? 0;
      if (next.iteration > this.maxIteration) this.maxIteration = next.iteration;
    }
    for (const e of d.events) {
      this.events.push(e);
      if (e.i > this.maxIteration) this.maxIteration = e.i;
    }
    for (const run of d.runs) {
      const k = this.runs.findIndex((r) => r.id === run.id);
      if (k >= 0) this.runs[k] = run;
      else this.runs.push(run);
    }
    if (d.usage) this.usage = d.usage;
    if (d.result !== undefined) this.result = d.result;
    this.computeBestPath();
    if (structural) this.structureVersion++;
    this.dataVersion++;
    return structural;
  }

  private toTraceHeader() {
    return {
      format: 'metacot.trace' as const,
      version: 1 as const,
      id: this.id,
      createdAt: '',
      problem: this.problem,
      runs: this.runs,
      usage: this.usage,
      result: this.result,
      ...(this.analyses ? { analyses: this.analyses } : {}),
    };
  }

  computeBestPath(): void {
    this.bestPath.clear();
    const best = this.result?.bestNodeId === undefined ? undefined : this.index.get(this.result.bestNodeId);
    for (let v = best ?? -1; v >= 0; v = this.parent[v]) this.bestPath.add(v);
  }

  /** Indices from the root down to `i`. */
  pathTo(i: number): number[] {
    const path: number[] = [];
    for (let v = i; v >= 0; v = this.parent[v]) path.push(v);
    return path.reverse();
  }

  subtree(i: number): number[] {
    const out: number[] = [];
    const stack = [i];
    while (stack.length) {
      const v = stack.pop() as number;
      out.push(v);
      for (const c of this.children[v]) stack.push(c);
    }
    return out;
  }

  /** Lower-cased text (and answer) for find, computed lazily once per node. */
  searchText(i: number): string {
    let s = this.lowerText[i];
    if (s === undefined) {
      const n = this.nodes[i];
      s = (n.text + (n.answer ? `\n${n.answer}` : '') + (n.error ? `\n${n.error}` : '')).toLowerCase();
      this.lowerText[i] = s;
    }
    return s;
  }

  runOf(i: number): Run | undefined {
    const id = this.nodes[i]?.runId;
    return id === undefined ? undefined : this.runs.find((r) => r.id === id);
  }

  get runningRuns(): Run[] {
    return this.runs.filter((r) => r.status === 'running');
  }
}
