/**
 * What the panel shows for a tree diff (diff.ts aligns the trees): one overlaid trace — B's nodes plus A's removed
 * nodes grafted under the node their A parent is aligned with — and a mark per node that differs. Two traces, or
 * two runs of one trace (each run's own nodes plus the path they share from the root, diffed like two traces).
 * Pure: the extension sends the overlay as a read-only trace and the marks after it.
 */
import type { Run, Trace, TraceNode } from '../trace/schema';
import { TraceTree } from '../trace/tree';
import { diffTraces } from './diff';
import type { DiffKind, DiffOptions, TraceDiff } from './diff';

/** One overlay node that differs: added (only in B), removed (only in A, grafted), changed (text), or a value change. */
export interface OverlayMark {
  /** The node's id in the overlay. */
  nodeId: string;
  kind: DiffKind;
  /** The value or verdict differs between A and B (pairs only). */
  valueChanged: boolean;
  /** The node's id in A (pairs and removed nodes: a grafted node's overlay id is fresh). */
  idA?: string;
  /** A's text of a changed pair (the overlay node carries B's). */
  textA?: string;
  valueA?: number;
  valueB?: number;
  verifiedA?: boolean;
  verifiedB?: boolean;
}

export interface DiffOverlay {
  /** B with A's removed nodes grafted in; its own id, so the panel never mistakes it for B. */
  trace: Trace;
  /** "A ↔ B", for the panel's title, legend and message bar. */
  label: string;
  /** Nodes that differ, in the diff's preorder; every other overlay node is unchanged. */
  marks: OverlayMark[];
  counts: TraceDiff['counts'];
  sameProblem: boolean;
}

export interface OverlayOptions extends DiffOptions {
  labelA?: string;
  labelB?: string;
}

/** Grafted ids: `A:<id>`, made unique against B's ids and each other. */
function freshIds(taken: Set<string>): (id: string) => string {
  return (id) => {
    let fresh = `A:${id}`;
    for (let k = 2; taken.has(fresh); k++) fresh = `A:${id}~${k}`;
    taken.add(fresh);
    return fresh;
  };
}

/**
 * Builds marks and grafted nodes from a diff. `nodeA` looks up A's nodes (copied when grafted), `graftId` names a
 * grafted node, `strip` removes fields that would point at runs the overlay does not have.
 */
function overlayFrom(
  d: TraceDiff,
  rootA: string,
  rootB: string,
  nodeA: (id: string) => TraceNode,
  graftId: (id: string) => string,
  strip: (n: TraceNode) => void,
): { marks: OverlayMark[]; grafted: TraceNode[] } {
  // A's id → overlay id. Preorder puts a node's parent (aligned or grafted) before it.
  const toOverlay = new Map<string, string>([[rootA, rootB]]);
  const marks: OverlayMark[] = [];
  const grafted: TraceNode[] = [];
  for (const e of d.entries) {
    if (e.kind === 'added') {
      marks.push({ nodeId: e.b!, kind: 'added', valueChanged: false });
      continue;
    }
    if (e.kind === 'removed') {
      const a = nodeA(e.a!);
      const parentId = toOverlay.get(a.parentId!);
      if (parentId === undefined) throw new Error(`diff overlay: the parent of removed node "${a.id}" is not placed`);
      const id = graftId(a.id);
      toOverlay.set(a.id, id);
      const copy: TraceNode = { ...a, id, parentId };
      strip(copy);
      grafted.push(copy);
      marks.push({ nodeId: id, kind: 'removed', valueChanged: false, idA: a.id });
      continue;
    }
    toOverlay.set(e.a!, e.b!);
    if (e.kind === 'same' && !e.valueChanged) continue;
    const m: OverlayMark = { nodeId: e.b!, kind: e.kind, valueChanged: e.valueChanged, idA: e.a! };
    if (e.kind === 'changed') m.textA = e.textA ?? '';
    if (e.valueA !== undefined) m.valueA = e.valueA;
    if (e.valueB !== undefined) m.valueB = e.valueB;
    if (e.verifiedA !== undefined) m.verifiedA = e.verifiedA;
    if (e.verifiedB !== undefined) m.verifiedB = e.verifiedB;
    marks.push(m);
  }
  return { marks, grafted };
}

/** Two traces (of the same problem, ideally): the overlay is B plus A's removed nodes under fresh `A:` ids. */
export function overlayTraces(a: Trace, b: Trace, opts: OverlayOptions = {}): DiffOverlay {
  const A = TraceTree.from(a);
  const d = diffTraces(A, b, opts);
  const next = freshIds(new Set(b.nodes.map((n) => n.id)));
  // A's runs are not in the overlay (B's usage must stay the sum of B's runs): grafted nodes drop their run links.
  const strip = (n: TraceNode) => {
    delete n.runId;
    delete n.supersededBy;
  };
  const { marks, grafted } = overlayFrom(d, A.root().id, b.nodes[0]!.id, (id) => A.node(id), next, strip);
  const label = `${opts.labelA ?? a.id} ↔ ${opts.labelB ?? b.id}`;
  const trace: Trace = { ...b, id: `diff:${a.id}:${b.id}`, nodes: [...b.nodes, ...grafted] };
  return { trace, label, marks, counts: d.counts, sameProblem: d.sameProblem };
}

/**
 * One run's part of a trace: the nodes it created, the path from the root to where it started and to each of its
 * nodes (the shared path), with that run alone. For diffing only (other runs' ids on shared nodes are dropped).
 */
export function runSubtrace(trace: Trace, runId: string): Trace {
  const run = trace.runs.find((r) => r.id === runId);
  if (!run) throw new Error(`no run "${runId}" in trace ${trace.id}`);
  const byId = new Map(trace.nodes.map((n) => [n.id, n]));
  const keep = new Set<string>();
  const up = (id: string | null) => {
    for (let cur = id; cur !== null && !keep.has(cur); ) {
      keep.add(cur);
      cur = byId.get(cur)?.parentId ?? null;
    }
  };
  up(run.startNodeId);
  for (const n of trace.nodes) if (n.runId === runId) up(n.id);
  const nodes = trace.nodes
    .filter((n) => keep.has(n.id))
    .map((n) => {
      if (n.runId === runId && n.supersededBy === undefined) return n;
      const copy = { ...n };
      if (copy.runId !== runId) delete copy.runId;
      delete copy.supersededBy;
      return copy;
    });
  const events = trace.events.filter((e) => keep.has(e.node) && (e.run === undefined || e.run === runId));
  const best = trace.result?.bestNodeId;
  return {
    ...trace,
    runs: [run],
    usage: run.usage,
    nodes,
    events,
    result: best !== undefined && keep.has(best) ? trace.result : null,
  };
}

/** A run's name in labels: its strategy and start ("run-2 (beam)"). */
const runName = (r: Run) => `${r.id} (${r.config.strategy})`;

/**
 * Two runs of one trace, each run's nodes plus the shared path, diffed. The overlay is the trace's own nodes in run
 * B's part, then run A's nodes that B did not reproduce (ids kept: they are real nodes of this trace), so a
 * node picked in the panel is the same node in the file.
 */
export function overlayRuns(trace: Trace, runA: string, runB: string, opts: DiffOptions = {}): DiffOverlay {
  if (runA === runB) throw new Error('compare two different runs');
  const subA = runSubtrace(trace, runA);
  const subB = runSubtrace(trace, runB);
  const A = TraceTree.from(subA);
  const d = diffTraces(A, subB, opts);
  const original = new Map(trace.nodes.map((n) => [n.id, n]));
  const inB = new Set(subB.nodes.map((n) => n.id));
  const taken = new Set(trace.nodes.map((n) => n.id));
  const fresh = freshIds(taken);
  // A node of A that B's part also holds (a duplicate text took its place in the pairing) needs another id.
  const graftId = (id: string) => (inB.has(id) ? fresh(id) : id);
  const { marks, grafted } = overlayFrom(d, A.root().id, subB.nodes[0]!.id, (id) => original.get(id)!, graftId, () => {});
  const nodes = [...trace.nodes.filter((n) => inB.has(n.id)), ...grafted];
  const shown = new Set(nodes.map((n) => n.id));
  const best = trace.result?.bestNodeId;
  const [ra, rb] = [runA, runB].map((id) => trace.runs.find((r) => r.id === id)!);
  const overlay: Trace = {
    ...trace,
    id: `diff:${trace.id}:${runA}:${runB}`,
    nodes,
    // Every run stays (nodes keep their run links, and the usage stays the runs' sum); events of hidden nodes go.
    events: trace.events.filter((e) => shown.has(e.node)),
    result: best !== undefined && shown.has(best) ? trace.result : null,
  };
  return { trace: overlay, label: `${runName(ra!)} ↔ ${runName(rb!)}`, marks, counts: d.counts, sameProblem: true };
}
