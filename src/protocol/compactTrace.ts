/**
 * Columnar encoding of a trace for very large trees. A 100k-node trace as an array of node objects repeats every
 * key 100k times and makes zod walk 100k objects; columns keep the message about 40% smaller and validate as flat arrays.
 * `compactTrace` / `expandCompactTrace` are exact inverses for schema-valid traces.
 */
import * as z from 'zod';
import {
  AuthorSchema,
  EventTypeSchema,
  NodeKindSchema,
  NodeSchema,
  NodeStatusSchema,
  ResultSchema,
  RunSchema,
  TRACE_FORMAT,
  TRACE_VERSION,
  ProblemSchema,
  UsageSchema,
} from '../core/trace/schema';
import { AnalysesSchema } from '../core/analyse/stepImportanceSchema';
import type { LogprobSummary, Params, Prune, Selection, Trace, TraceEvent, TraceNode, ValueSource } from '../core/trace/schema';

/**
 * A column checked by one tight loop: zod's per-element schemas cost ~0.5-1 µs an element, which at 100k nodes and
 * 27 columns blocked the page for most of a second. The first bad entry is reported with its index.
 */
function column<T>(what: string, ok: (v: unknown) => boolean) {
  return z.custom<T[]>((v) => Array.isArray(v), { message: 'expected an array' }).superRefine((a, ctx) => {
    for (let i = 0; i < a.length; i++) {
      if (!ok(a[i])) {
        ctx.addIssue({ code: 'custom', path: [i], message: `expected ${what}, got ${JSON.stringify(a[i])?.slice(0, 60)}` });
        return;
      }
    }
  });
}
const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
const isBool = (v: unknown) => typeof v === 'boolean';
const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = <T extends string>(values: readonly T[]) => {
  const set = new Set<unknown>(values);
  return column<T>(`one of ${values.join(', ')}`, (v) => set.has(v));
};
const nullable = (ok: (v: unknown) => boolean) => (v: unknown) => v === null || ok(v);
/**
 * Object-valued detail (value provenance, logprobs, selection, prune, meta) is only checked to be an object here; the
 * panel validates a node's detail with the node schema when it first shows it (see `checkNodeDetail`).
 */
const detail = <T>() => column<T | null>('an object or null', nullable(isObj));

export const CompactNodeColumnsSchema = z.object({
  id: column<string>('a non-empty string', (v) => isStr(v) && v.length > 0),
  /** Index of the parent in these columns, -1 for a root. */
  parent: column<number>('an integer >= -1', (v) => Number.isInteger(v) && (v as number) >= -1),
  kind: oneOf(NodeKindSchema.options),
  text: column<string>('a string', isStr),
  author: oneOf(AuthorSchema.options),
  status: oneOf(NodeStatusSchema.options),
  iteration: column<number>('a non-negative integer', isCount),
  originalText: column<string | null>('a string or null', nullable(isStr)),
  runId: column<string | null>('a string or null', nullable(isStr)),
  value: column<number | null>('a number in [0, 1] or null', nullable((v) => isNum(v) && v >= 0 && v <= 1)),
  valueSource: detail<ValueSource>(),
  visits: column<number | null>('a non-negative integer or null', nullable(isCount)),
  q: column<number | null>('a finite number or null', nullable(isNum)),
  answer: column<string | null>('a string or null', nullable(isStr)),
  verified: column<boolean | null>('a boolean or null', nullable(isBool)),
  label: column<'correct' | 'incorrect' | null>('correct, incorrect or null', (v) => v === null || v === 'correct' || v === 'incorrect'),
  tokensIn: column<number | null>('a non-negative integer or null', nullable(isCount)),
  tokensOut: column<number | null>('a non-negative integer or null', nullable(isCount)),
  latencyMs: column<number | null>('a non-negative number or null', nullable((v) => isNum(v) && v >= 0)),
  finishReason: column<string | null>('a string or null', nullable(isStr)),
  logprobs: detail<LogprobSummary>(),
  reasoning: column<string | null>('a string or null', nullable(isStr)),
  selection: detail<Selection>(),
  prune: detail<Prune>(),
  error: column<string | null>('a string or null', nullable(isStr)),
  supersededBy: column<string | null>('a string or null', nullable(isStr)),
  meta: detail<Params>(),
  copies: column<number | null>('an integer of at least 2 or null', nullable((v) => isCount(v) && (v as number) >= 2)),
});

export const CompactEventColumnsSchema = z.object({
  i: column<number>('a non-negative integer', isCount),
  type: oneOf(EventTypeSchema.options),
  node: column<string>('a string', isStr),
  run: column<string | null>('a string or null', nullable(isStr)),
  data: detail<Params>(),
});

const sameLength = (columns: Record<string, unknown[]>, ctx: z.RefinementCtx, path: string) => {
  const lengths = Object.entries(columns).map(([k, v]) => [k, v.length] as const);
  const n = lengths[0]?.[1] ?? 0;
  for (const [k, len] of lengths) {
    if (len !== n) ctx.addIssue({ code: 'custom', path: [path, k], message: `column has ${len} entries, expected ${n}` });
  }
};

export const CompactTraceSchema = z
  .object({
    format: z.literal(TRACE_FORMAT),
    version: z.literal(TRACE_VERSION),
    id: z.string().min(1),
    createdAt: z.string(),
    problem: ProblemSchema,
    runs: z.array(RunSchema),
    nodes: CompactNodeColumnsSchema,
    events: CompactEventColumnsSchema,
    usage: UsageSchema,
    result: ResultSchema.nullable(),
    analyses: AnalysesSchema.optional(),
  })
  .superRefine((t, ctx) => {
    sameLength(t.nodes as unknown as Record<string, unknown[]>, ctx, 'nodes');
    sameLength(t.events as unknown as Record<string, unknown[]>, ctx, 'events');
    if (t.nodes.id.length === 0) ctx.addIssue({ code: 'custom', path: ['nodes', 'id'], message: 'a trace has at least one node' });
    t.nodes.parent.forEach((p, i) => {
      if (p >= t.nodes.id.length) ctx.addIssue({ code: 'custom', path: ['nodes', 'parent', i], message: `parent index ${p} out of range` });
    });
  });

export type CompactTrace = z.infer<typeof CompactTraceSchema>;
type NodeColumns = CompactTrace['nodes'];

/** Optional node fields, in schema key order; each becomes a nullable column. */
const OPTIONAL_NODE_FIELDS = [
  'originalText', 'runId', 'value', 'valueSource', 'visits', 'q', 'answer', 'verified', 'label', 'tokensIn', 'tokensOut',
  'latencyMs', 'finishReason', 'logprobs', 'reasoning', 'selection', 'prune', 'error', 'supersededBy', 'meta', 'copies',
] as const satisfies readonly (keyof TraceNode & keyof NodeColumns)[];

export function compactTrace(trace: Trace): CompactTrace {
  return compactHeader(trace, compactNodes(trace.nodes, nodeIndex(trace.nodes), 0, trace.nodes.length), compactEvents(trace.events));
}

/** Position of every node id (parent columns hold positions). */
function nodeIndex(nodes: readonly TraceNode[]): Map<string, number> {
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  return index;
}

/** Columns of nodes[from, to); parents as positions in the whole list. */
function compactNodes(all: readonly TraceNode[], index: Map<string, number>, from: number, to: number): NodeColumns {
  const nodes: Record<string, unknown[]> = { id: [], parent: [], kind: [], text: [], author: [], status: [], iteration: [] };
  for (const f of OPTIONAL_NODE_FIELDS) nodes[f] = [];
  for (let i = from; i < to; i++) {
    const n = all[i]!;
    nodes.id.push(n.id);
    nodes.parent.push(n.parentId === null ? -1 : (index.get(n.parentId) ?? -1));
    nodes.kind.push(n.kind);
    nodes.text.push(n.text);
    nodes.author.push(n.author);
    nodes.status.push(n.status);
    nodes.iteration.push(n.iteration);
    for (const f of OPTIONAL_NODE_FIELDS) nodes[f].push(n[f] ?? null);
  }
  return nodes as unknown as NodeColumns;
}

function compactEvents(all: readonly TraceEvent[]): CompactTrace['events'] {
  const events = { i: [] as number[], type: [] as TraceEvent['type'][], node: [] as string[], run: [] as (string | null)[], data: [] as (TraceEvent['data'] | null)[] };
  for (const e of all) {
    events.i.push(e.i);
    events.type.push(e.type);
    events.node.push(e.node);
    events.run.push(e.run ?? null);
    events.data.push(e.data ?? null);
  }
  return events as CompactTrace['events'];
}

function compactHeader(trace: Trace, nodes: NodeColumns, events: CompactTrace['events']): CompactTrace {
  const { format, version, id, createdAt, problem, runs, usage, result, analyses } = trace;
  const compact: CompactTrace = { format, version, id, createdAt, problem, runs, nodes, events, usage, result };
  if (analyses) compact.analyses = analyses;
  return compact;
}

export function expandCompactTrace(c: CompactTrace): Trace {
  const cols = c.nodes;
  const nodes: TraceNode[] = new Array(cols.id.length);
  // Unrolled on purpose: computed-key stores (node[f] = v) made this 10x slower at 100k nodes.
  const { id, parent, kind, text, originalText, author, status, iteration, runId, value, valueSource, visits, q, answer, verified, label,
    tokensIn, tokensOut, latencyMs, finishReason, logprobs, reasoning, selection, prune, error, supersededBy, meta, copies } = cols;
  for (let i = 0; i < id.length; i++) {
    const p = parent[i];
    const node: Partial<TraceNode> = { id: id[i], parentId: p < 0 ? null : id[p], kind: kind[i], text: text[i] };
    // Schema key order, so a round trip serializes identically.
    if (originalText[i] !== null) node.originalText = originalText[i] as string;
    node.author = author[i];
    node.status = status[i];
    node.iteration = iteration[i];
    if (runId[i] !== null) node.runId = runId[i] as string;
    if (value[i] !== null) node.value = value[i] as number;
    if (valueSource[i] !== null) node.valueSource = valueSource[i] as ValueSource;
    if (visits[i] !== null) node.visits = visits[i] as number;
    if (q[i] !== null) node.q = q[i] as number;
    if (answer[i] !== null) node.answer = answer[i] as string;
    if (verified[i] !== null) node.verified = verified[i] as boolean;
    if (label[i] !== null) node.label = label[i] as 'correct' | 'incorrect';
    if (tokensIn[i] !== null) node.tokensIn = tokensIn[i] as number;
    if (tokensOut[i] !== null) node.tokensOut = tokensOut[i] as number;
    if (latencyMs[i] !== null) node.latencyMs = latencyMs[i] as number;
    if (finishReason[i] !== null) node.finishReason = finishReason[i] as string;
    if (logprobs[i] !== null) node.logprobs = logprobs[i] as LogprobSummary;
    if (reasoning[i] !== null) node.reasoning = reasoning[i] as string;
    if (selection[i] !== null) node.selection = selection[i] as Selection;
    if (prune[i] !== null) node.prune = prune[i] as Prune;
    if (error[i] !== null) node.error = error[i] as string;
    if (supersededBy[i] !== null) node.supersededBy = supersededBy[i] as string;
    if (meta[i] !== null) node.meta = meta[i] as Params;
    if (copies[i] !== null) node.copies = copies[i] as number;
    nodes[i] = node as TraceNode;
  }
  const ev = c.events;
  const events: TraceEvent[] = new Array(ev.i.length);
  for (let i = 0; i < ev.i.length; i++) {
    const e: TraceEvent = { i: ev.i[i], type: ev.type[i], node: ev.node[i] };
    if (ev.run[i] !== null) e.run = ev.run[i] as string;
    if (ev.data[i] !== null) e.data = ev.data[i] as TraceEvent['data'];
    events[i] = e;
  }
  const trace: Trace = { format: c.format, version: c.version, id: c.id, createdAt: c.createdAt, problem: c.problem, runs: c.runs, nodes, events, usage: c.usage, result: c.result };
  if (c.analyses) trace.analyses = c.analyses;
  return trace;
}

/** Traces above this many nodes are sent as columns (`loadCompactTrace`). */
export const COMPACT_THRESHOLD = 2000;

/**
 * Full check of one node (used by the panel before showing a node's detail from a compact load). Returns the node
 * with invalid top-level fields removed, and the problems found.
 */
export function checkNodeDetail(node: TraceNode): { node: TraceNode; problems: string[] } {
  const r = NodeSchema.safeParse(node);
  if (r.success) return { node, problems: [] };
  const bad = new Set(r.error.issues.map((i) => String(i.path[0] ?? '')));
  const clean = Object.fromEntries(Object.entries(node).filter(([k]) => !bad.has(k) || ['id', 'parentId', 'kind', 'text', 'author', 'status', 'iteration'].includes(k)));
  return { node: clean as TraceNode, problems: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
}

// ---- chunked loads: a large trace goes to the page as a first part that paints at once, then column chunks.

/** Nodes in the first part of a chunked load (the top of the tree: parents come before children). */
export const FIRST_CHUNK_NODES = 2000;
/** Nodes per following chunk: about 1 MB of columns, a few ms to clone and check on the page. */
export const CHUNK_NODES = 8000;

/** One slice of the node columns (and, in the last chunk, the event columns), continuing a chunked load. */
export const CompactChunkSchema = z
  .object({
    /** Which load this continues (a newer load makes older chunks stale). */
    loadId: z.string().min(1),
    /** 1 for the first chunk after the load's first part, and so on. */
    seq: z.number().int().min(1),
    /** Index of this chunk's first node in the whole trace. */
    offset: z.number().int().min(1),
    nodes: CompactNodeColumnsSchema,
    events: CompactEventColumnsSchema,
  })
  .superRefine((c, ctx) => {
    sameLength(c.nodes as unknown as Record<string, unknown[]>, ctx, 'nodes');
    sameLength(c.events as unknown as Record<string, unknown[]>, ctx, 'events');
  });
export type CompactChunk = z.infer<typeof CompactChunkSchema>;

/** How a chunked load is announced in its first part. */
export const ChunkedLoadSchema = z.object({
  loadId: z.string().min(1),
  totalNodes: z.number().int().min(1),
  totalEvents: z.number().int().min(0),
  /** Chunks that follow the first part. */
  chunks: z.number().int().min(0),
});
export type ChunkedLoad = z.infer<typeof ChunkedLoadSchema>;

/**
 * Splits a trace into a first part (the trace with its first `first` nodes and no events; result and runs as in
 * the trace) and chunks of `size` nodes; the last chunk carries every event. Parent indices stay global.
 */
export function chunkTrace(trace: Trace, loadId: string, first = FIRST_CHUNK_NODES, size = CHUNK_NODES): { head: CompactTrace; load: ChunkedLoad; chunks: CompactChunk[] } {
  const parts = chunkParts(trace, loadId, first, size);
  return { head: parts.head, load: parts.load, chunks: [...parts.chunks] };
}

/**
 * chunkTrace with the chunks encoded as they are taken: only the first part's columns are built before it goes out
 * (building all 100k nodes' columns first cost ~0.7 s on the way to the first frame).
 */
export function chunkParts(trace: Trace, loadId: string, first = FIRST_CHUNK_NODES, size = CHUNK_NODES): { head: CompactTrace; load: ChunkedLoad; chunks: Iterable<CompactChunk> } {
  const n = trace.nodes.length;
  const index = nodeIndex(trace.nodes);
  const cut = Math.min(n, Math.max(1, first));
  const noEvents = () => compactEvents([]);
  const head = compactHeader(trace, compactNodes(trace.nodes, index, 0, cut), cut === n ? compactEvents(trace.events) : noEvents());
  const count = Math.ceil((n - cut) / size);
  function* chunks(): Generator<CompactChunk> {
    for (let from = cut, seq = 1; from < n; from += size, seq++) {
      const to = Math.min(n, from + size);
      yield { loadId, seq, offset: from, nodes: compactNodes(trace.nodes, index, from, to), events: to === n ? compactEvents(trace.events) : noEvents() };
    }
  }
  return { head, load: { loadId, totalNodes: n, totalEvents: trace.events.length, chunks: count }, chunks: { [Symbol.iterator]: chunks } };
}

export class ChunkError extends Error {
  override readonly name = 'ChunkError';
}

/**
 * A chunk travels as UTF-8 JSON bytes: VS Code hands an ArrayBuffer to the webview as binary, where an object of
 * columns is walked value by value by its message serializer (a replacer call per value) and parsed again with a reviver.
 */
export function encodeChunk(chunk: CompactChunk): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(chunk));
}

/** The inverse of encodeChunk, with the schema's checks; throws ChunkError naming what is wrong. */
export function decodeChunk(data: Uint8Array): CompactChunk {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (e) {
    throw new ChunkError(`a chunk is not UTF-8 JSON: ${(e as Error).message}`);
  }
  const r = CompactChunkSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 4).map((i) => `${i.path.join('.') || '(chunk)'}: ${i.message}`);
    throw new ChunkError(`a malformed chunk: ${issues.join('; ')}`);
  }
  return r.data;
}

/**
 * The page's side of a chunked load. The schemas check each column's types and lengths; this checks what ties the
 * chunks together and what the tree needs, so a hostile or broken host cannot hand the panel a malformed tree:
 * chunks in order with no gap, ids unique across the whole load, every parent an earlier node (which also rules out
 * cycles), events naming known nodes, and the announced totals met exactly.
 */
export class ChunkAssembler {
  private readonly ids = new Set<string>();
  private received: number;
  private nextSeq = 1;
  private events = 0;
  private done = false;

  constructor(
    readonly load: ChunkedLoad,
    head: CompactTrace,
  ) {
    const n = head.nodes.id.length;
    if (n > load.totalNodes) throw new ChunkError(`the first part has ${n} nodes, more than the ${load.totalNodes} announced`);
    this.checkNodes(head.nodes, 0);
    this.received = n;
    this.events = head.events.i.length;
    this.checkEvents(head.events);
    if (load.chunks === 0) this.finish();
  }

  get receivedNodes(): number {
    return this.received;
  }

  get complete(): boolean {
    return this.done;
  }

  /** Checks a chunk and returns its nodes and events as objects; throws ChunkError on anything out of place. */
  add(chunk: CompactChunk): { nodes: TraceNode[]; events: TraceEvent[]; last: boolean } {
    if (this.done) throw new ChunkError(`chunk ${chunk.seq} after the load was complete`);
    if (chunk.loadId !== this.load.loadId) throw new ChunkError(`chunk of load ${chunk.loadId}, expected ${this.load.loadId}`);
    if (chunk.seq !== this.nextSeq) throw new ChunkError(`chunk ${chunk.seq} arrived, expected chunk ${this.nextSeq}`);
    if (chunk.offset !== this.received) throw new ChunkError(`chunk ${chunk.seq} starts at node ${chunk.offset}, expected ${this.received}`);
    const n = chunk.nodes.id.length;
    if (n === 0) throw new ChunkError(`chunk ${chunk.seq} has no nodes`);
    if (this.received + n > this.load.totalNodes) throw new ChunkError(`chunk ${chunk.seq} goes past the ${this.load.totalNodes} nodes announced`);
    this.checkNodes(chunk.nodes, chunk.offset);
    this.received += n;
    this.events += chunk.events.i.length;
    this.checkEvents(chunk.events);
    this.nextSeq++;
    const last = chunk.seq === this.load.chunks;
    if (last) this.finish();
    const part = expandCompactTrace({ ...EMPTY_HEAD, nodes: chunk.nodes, events: chunk.events } as CompactTrace);
    // Parent indices are global: the expansion above resolved them within the chunk only.
    const { parent, id } = chunk.nodes;
    for (let i = 0; i < n; i++) {
      const p = parent[i]!;
      part.nodes[i]!.parentId = p < chunk.offset ? (this.idAt(p) ?? null) : id[p - chunk.offset]!;
    }
    return { nodes: part.nodes, events: part.events, last };
  }

  private readonly order: string[] = [];

  private idAt(i: number): string | undefined {
    return this.order[i];
  }

  private checkNodes(cols: CompactTrace['nodes'], offset: number): void {
    const { id, parent, kind } = cols;
    for (let i = 0; i < id.length; i++) {
      const at = offset + i;
      const p = parent[i]!;
      if (at === 0) {
        if (p !== -1) throw new ChunkError('node 0 must be the root (parent -1)');
        if (kind[i] !== 'root') throw new ChunkError(`node 0 must have kind "root", got "${kind[i]}"`);
      } else {
        if (p < 0) throw new ChunkError(`node ${at} (${id[i]}) has no parent: only node 0 is a root`);
        if (p >= at) throw new ChunkError(`node ${at} (${id[i]}) names parent ${p}, not an earlier node`);
        if (kind[i] === 'root') throw new ChunkError(`node ${at} (${id[i]}) has kind "root": only node 0 may`);
      }
      if (this.ids.has(id[i]!)) throw new ChunkError(`duplicate node id "${id[i]}" at node ${at}`);
      this.ids.add(id[i]!);
      this.order.push(id[i]!);
    }
  }

  private checkEvents(ev: CompactTrace['events']): void {
    for (let i = 0; i < ev.node.length; i++) {
      if (!this.ids.has(ev.node[i]!)) throw new ChunkError(`event ${i} names unknown node "${ev.node[i]}"`);
    }
  }

  private finish(): void {
    if (this.received !== this.load.totalNodes) throw new ChunkError(`the load ended with ${this.received} of ${this.load.totalNodes} nodes`);
    if (this.events !== this.load.totalEvents) throw new ChunkError(`the load ended with ${this.events} of ${this.load.totalEvents} events`);
    this.done = true;
  }
}

/** Header fields expandCompactTrace needs when it expands a chunk's columns alone. */
const EMPTY_HEAD = { format: TRACE_FORMAT, version: TRACE_VERSION, id: 'chunk', createdAt: '', problem: { text: '' }, runs: [], usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 }, result: null };
