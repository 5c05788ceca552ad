/**
 * In-memory tree over a Trace: indexes for O(1) lookups and the mutating operations the engine, importers and
 * editors share. The wrapped Trace object stays the single source of truth (nodes array in creation order), so
 * `toJSON()` is free and a checkpoint writes exactly what the tree holds.
 */
import { randomUUID } from 'node:crypto';
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  emptyUsage,
  type EventType,
  type Params,
  type Problem,
  type Prune,
  type Trace,
  type TraceEvent,
  type TraceNode,
} from './schema';

/** Fields a caller sets when adding a node; the tree assigns id, parentId, iteration and (by default) status. */
export type NewNode = Omit<TraceNode, 'id' | 'parentId' | 'iteration' | 'status'> &
  Partial<Pick<TraceNode, 'status' | 'iteration'>>;

/** Fields that may change after creation. Identity and structure (id, parentId) never do. */
export type NodePatch = Partial<Omit<TraceNode, 'id' | 'parentId'>>;

export class TraceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceError';
  }
}

export interface TraceListener {
  (change: { type: 'add' | 'update'; node: TraceNode } | { type: 'event'; event: TraceEvent }): void;
}

export class TraceTree {
  private readonly byId = new Map<string, TraceNode>();
  private readonly childIds = new Map<string, string[]>();
  private nextId = 0;
  private readonly listeners = new Set<TraceListener>();
  /** Current search iteration; stamped on new nodes and events. */
  iteration = 0;

  private constructor(readonly trace: Trace) {
    this.reindex();
  }

  /** Builds the indexes from the node list; ids of the form n<k> reserve k so new ids never collide. */
  private reindex(): void {
    this.byId.clear();
    this.childIds.clear();
    for (const node of this.trace.nodes) {
      this.index(node);
      const m = /^n(\d+)$/.exec(node.id);
      if (m) this.nextId = Math.max(this.nextId, Number(m[1]) + 1);
    }
  }

  /** A new trace holding only the root (id "n0"), whose text is the problem. */
  static create(problem: Problem, opts: { id?: string; createdAt?: string } = {}): TraceTree {
    const trace: Trace = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      id: opts.id ?? randomUUID(),
      createdAt: opts.createdAt ?? new Date().toISOString(),
      problem,
      runs: [],
      nodes: [{ id: 'n0', parentId: null, kind: 'root', text: problem.text, author: 'human', status: 'open', iteration: 0 }],
      events: [],
      usage: emptyUsage(),
      result: null,
    };
    return new TraceTree(trace);
  }

  /** Wraps an already validated trace (see io.ts: parseTrace checks the invariants this relies on). */
  static from(trace: Trace): TraceTree {
    return new TraceTree(trace);
  }

  private index(node: TraceNode): void {
    this.byId.set(node.id, node);
    if (node.parentId !== null) {
      const siblings = this.childIds.get(node.parentId);
      if (siblings) siblings.push(node.id);
      else this.childIds.set(node.parentId, [node.id]);
    }
  }

  onChange(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Takes a factory so that, with nobody listening (CLI, benchmarks), no change object is allocated. */
  private emit(change: () => Parameters<TraceListener>[0]): void {
    if (this.listeners.size === 0) return;
    const c = change();
    for (const l of this.listeners) l(c);
  }

  get size(): number {
    return this.trace.nodes.length;
  }

  get(id: string): TraceNode | undefined {
    return this.byId.get(id);
  }

  /** Like get, but a missing id is a programming error worth a clear message. */
  node(id: string): TraceNode {
    const n = this.byId.get(id);
    if (!n) throw new TraceError(`unknown node "${id}"`);
    return n;
  }

  root(): TraceNode {
    return this.trace.nodes[0]!;
  }

  childIdsOf(id: string): readonly string[] {
    return this.childIds.get(id) ?? [];
  }

  children(id: string): TraceNode[] {
    return this.childIdsOf(id).map((c) => this.byId.get(c)!);
  }

  parent(id: string): TraceNode | undefined {
    const p = this.node(id).parentId;
    return p === null ? undefined : this.byId.get(p);
  }

  addChild(parentId: string, fields: NewNode): TraceNode {
    const parent = this.node(parentId);
    // Same keys in the same order as `{ ...fields, id, parentId, status, iteration }`, without adding keys to a
    // spread copy: on Node 20 an object made by a spread that then gets new keys has a map of its own (no shared
    // transition), so every node of a big tree had a unique hidden class — megabytes of maps and megamorphic
    // field access everywhere. Fields that already hold all four keys (the engine's placeholders) are copied by
    // a plain spread (fastest: the copy shares their shape); others by Object.assign, then plain stores. An own
    // `__proto__` key (only from parsed data) must stay an own key: spread.
    const node = (
      Object.hasOwn(fields, 'iteration') && Object.hasOwn(fields, 'id') && Object.hasOwn(fields, 'parentId') && Object.hasOwn(fields, 'status')
        ? { ...fields }
        : Object.hasOwn(fields, '__proto__')
          ? { ...fields }
          : Object.assign({}, fields)
    ) as TraceNode;
    node.id = `n${this.nextId++}`;
    node.parentId = parent.id;
    node.status = fields.status ?? 'open';
    node.iteration = fields.iteration ?? this.iteration;
    this.trace.nodes.push(node);
    this.index(node);
    if (this.listeners.size > 0) this.emit(() => ({ type: 'add', node }));
    this.logEvent({ type: 'add', node: node.id, run: node.runId });
    return node;
  }

  update(id: string, patch: NodePatch): TraceNode {
    const node = this.node(id);
    // for…in over a plain patch object: no entries array per call (the engine calls this per node, with `{}`).
    for (const k in patch) {
      if (!Object.hasOwn(patch, k)) continue;
      const v = (patch as Record<string, unknown>)[k];
      if (v === undefined) delete (node as Record<string, unknown>)[k];
      else (node as Record<string, unknown>)[k] = v;
    }
    if (this.listeners.size > 0) this.emit(() => ({ type: 'update', node }));
    return node;
  }

  /**
   * Tells listeners that fields of `node` (a node of this tree) were written directly: the same notification as
   * `update(node.id, {})`, without the id lookup (the engine calls it for every node on every backup path).
   */
  changed(node: TraceNode): void {
    if (this.listeners.size > 0) this.emit(() => ({ type: 'update', node }));
  }

  /** A human edit: the first original text is kept so the model's words are never lost. */
  editText(id: string, text: string): TraceNode {
    const node = this.node(id);
    if (node.text === text) return node;
    const originalText = node.originalText ?? node.text;
    const updated = this.update(id, { text, originalText: originalText === text ? undefined : originalText });
    this.logEvent({ type: 'edit', node: id });
    return updated;
  }

  /** Marks the node and every descendant pruned; the nodes stay in the tree with the reason. */
  prune(id: string, prune: Prune): TraceNode[] {
    const nodes = this.subtree(id);
    for (const n of nodes) {
      if (n.kind === 'root') throw new TraceError('the root cannot be pruned');
      this.update(n.id, { status: 'pruned', prune: n.id === id ? prune : { reason: `ancestor ${id} pruned`, by: prune.by } });
    }
    const data: Params = { reason: prune.reason, by: prune.by };
    if (prune.rank !== undefined) data.rank = prune.rank;
    if (prune.score !== undefined) data.score = prune.score;
    if (prune.cutoff !== undefined) data.cutoff = prune.cutoff;
    this.logEvent({ type: 'prune', node: id, data });
    return nodes;
  }

  /** Root first, the node last. */
  pathToRoot(id: string): TraceNode[] {
    const path: TraceNode[] = [];
    let cur: TraceNode | undefined = this.node(id);
    while (cur) {
      // A path longer than the tree has nodes can only go round a parent cycle (an unvalidated trace); a count
      // costs nothing next to a set of the ids seen on a path a million deep.
      if (path.length >= this.size) throw new TraceError(`cycle through node "${cur.id}"`);
      path.push(cur);
      cur = cur.parentId === null ? undefined : this.byId.get(cur.parentId);
    }
    return path.reverse();
  }

  /** Texts of the steps from the root (excluded) down to the node (included): the prefix a re-run continues. */
  stepsTo(id: string): string[] {
    return this.pathToRoot(id)
      .filter((n) => n.kind !== 'root')
      .map((n) => n.text);
  }

  /** O(depth): a walk that needs every node's depth should use depths(). */
  depth(id: string): number {
    let d = 0;
    let cur = this.node(id);
    while (cur.parentId !== null) {
      // More steps than nodes: a parent cycle (an unvalidated trace), which would otherwise never end.
      if (++d > this.size) throw new TraceError(`cycle through node "${id}"`);
      cur = this.node(cur.parentId);
    }
    return d;
  }

  /** Every node's depth (root 0) in one pass over the creation order, which puts parents first. */
  depths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const n of this.trace.nodes) out.set(n.id, n.parentId === null ? 0 : (out.get(n.parentId) ?? 0) + 1);
    return out;
  }

  /** The node and all its descendants, preorder (iterative: trees can be deep). */
  subtree(id: string): TraceNode[] {
    const out: TraceNode[] = [];
    const stack = [id];
    while (stack.length) {
      const cur = stack.pop()!;
      out.push(this.node(cur));
      const kids = this.childIdsOf(cur);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
    return out;
  }

  /** Before a re-run from `id`: its existing descendants are kept but marked as replaced by `runId`. */
  supersede(id: string, runId: string): TraceNode[] {
    const marked = this.subtree(id).slice(1);
    for (const n of marked) this.update(n.id, { supersededBy: runId });
    return marked;
  }

  /**
   * Deletes the node's descendants (a re-run that replaces the old subtree instead of superseding it), with
   * their events; the node itself stays. Rebuilds the indexes: O(size), fine for a user action.
   */
  removeDescendants(id: string): TraceNode[] {
    const removed = this.subtree(id).slice(1);
    if (removed.length === 0) return removed;
    const gone = new Set(removed.map((n) => n.id));
    const keep = <T>(arr: T[], ok: (x: T) => boolean) => {
      let w = 0;
      for (const x of arr) if (ok(x)) arr[w++] = x;
      arr.length = w;
    };
    keep(this.trace.nodes, (n) => !gone.has(n.id));
    keep(this.trace.events, (e) => !gone.has(e.node));
    if (this.trace.result?.bestNodeId !== undefined && gone.has(this.trace.result.bestNodeId)) this.trace.result = null;
    this.reindex();
    return removed;
  }

  logEvent(e: { type: EventType; node: string; run?: string; data?: Params; i?: number }): TraceEvent {
    // Whole literals (same key order as adding run and data afterwards): keys added to an object after its literal
    // go to a separate property array, an extra allocation per event on traces with hundreds of thousands of them.
    const i = e.i ?? this.iteration;
    const event: TraceEvent =
      e.data !== undefined
        ? e.run !== undefined
          ? { i, type: e.type, node: e.node, run: e.run, data: e.data }
          : { i, type: e.type, node: e.node, data: e.data }
        : e.run !== undefined
          ? { i, type: e.type, node: e.node, run: e.run }
          : { i, type: e.type, node: e.node };
    this.trace.events.push(event);
    if (this.listeners.size > 0) this.emit(() => ({ type: 'event', event }));
    return event;
  }

  toJSON(): Trace {
    return this.trace;
  }
}
