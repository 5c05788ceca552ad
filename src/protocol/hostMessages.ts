/**
 * Messages the extension host sends to the search panel webview. One zod schema per message; the union is
 * discriminated on `type`. Types are inferred, never written by hand.
 */
import * as z from 'zod';
import { BudgetsSchema, EventSchema, NodeSchema, ParamsSchema, ResultSchema, RunSchema, StrategyNameSchema, TraceSchema, UsageSchema, VerifierConfigSchema } from '../core/trace/schema';
import { StrategyCatalogSchema } from '../core/search/catalog';
import { ParamSpecSchema } from '../core/search/params';
import { ReplyMessageSchema } from './panelRequests';
import { COMPACT_THRESHOLD, ChunkedLoadSchema, CompactTraceSchema, chunkParts, compactTrace, encodeChunk } from './compactTrace';
import type { Trace } from '../core/trace/schema';

/** Bumped when a message changes shape incompatibly; the webview sends it in `ready`. */
export const PROTOCOL_VERSION = 2;

/** Where the host's time went before it posted a load (epoch ms and durations): the page shows it in its probe. */
export const LoadTimingSchema = z.object({
  /** When the host began opening the trace (the custom editor resolved, or the panel asked). */
  openedAt: z.number().optional(),
  parseMs: z.number().min(0).optional(),
  encodeMs: z.number().min(0).optional(),
  postedAt: z.number(),
});

/** Full trace, as objects. Fine up to a few thousand nodes; beyond that prefer `loadCompactTrace`. */
export const LoadTraceMessageSchema = z.object({
  type: z.literal('loadTrace'),
  trace: TraceSchema,
  /** Node to select after loading (e.g. restored from the editor's state). */
  selectNodeId: z.string().optional(),
  timing: LoadTimingSchema.optional(),
});


/**
 * Full trace in columns (see compactTrace.ts): same content, cheaper to send and validate at 100k nodes. With
 * `chunked`, `trace` holds only the first nodes (the top of the tree, painted at once) and `loadChunk` messages follow.
 */
export const LoadCompactTraceMessageSchema = z.object({
  type: z.literal('loadCompactTrace'),
  trace: CompactTraceSchema,
  selectNodeId: z.string().optional(),
  chunked: ChunkedLoadSchema.optional(),
  timing: LoadTimingSchema.optional(),
});

/**
 * The next slice of a chunked load's columns (the last one carries the events), as the bytes of encodeChunk: the page
 * decodes them with decodeChunk (schema-checked) and ChunkAssembler checks how they continue the load.
 */
export const LoadChunkMessageSchema = z.object({
  type: z.literal('loadChunk'),
  loadId: z.string().min(1),
  seq: z.number().int().min(1),
  data: z.instanceof(Uint8Array),
});

/** The host is still reading or checking a large trace: the page's progress line says so. */
export const LoadProgressMessageSchema = z.object({
  type: z.literal('loadProgress'),
  phase: z.enum(['reading', 'checking']),
  /** 0..1 when known. */
  fraction: z.number().min(0).max(1).optional(),
  bytes: z.number().int().min(0).optional(),
});

/** A node patch: the id plus any fields that changed. Absent fields keep their value. */
export const NodePatchSchema = NodeSchema.partial().extend({ id: z.string().min(1) });

/**
 * Incremental change while a search runs or after an edit. The host batches (e.g. every 100 ms); the webview applies
 * batches per animation frame. Order of application: removed, added, updated, events, runs, usage, result.
 */
export const TraceDeltaMessageSchema = z.object({
  type: z.literal('traceDelta'),
  /** Trace id the delta belongs to; a delta for another trace is ignored. */
  traceId: z.string().min(1),
  nodesAdded: z.array(NodeSchema).default([]),
  nodesUpdated: z.array(NodePatchSchema).default([]),
  /** Ids removed with their whole subtrees (e.g. undo of "save as sibling"). */
  nodesRemoved: z.array(z.string()).default([]),
  events: z.array(EventSchema).default([]),
  /** Runs to insert or replace by id (status changes, usage per run). */
  runs: z.array(RunSchema).default([]),
  usage: UsageSchema.optional(),
  result: ResultSchema.nullable().optional(),
});

/** Select and/or scroll to a node, e.g. from the tree view or a "reveal in panel" command. */
export const RevealNodeMessageSchema = z.object({
  type: z.literal('revealNode'),
  nodeId: z.string().min(1),
  select: z.boolean().default(true),
  /** Zoom so the node is readable, not only in view. */
  zoom: z.boolean().default(false),
});

export const ColorBySchema = z.enum(['value', 'status', 'author']);

/**
 * What the re-run form offers besides strategies, built by the host from the settings and the core (the page never
 * types a list itself). No API key, ever: endpoints travel as name, model and address only.
 */
export const RerunOptionsSchema = z.object({
  /** The endpoints a run may use now (the embedded model first; Restricted Mode hides workspace-defined ones). */
  endpoints: z.array(
    z.object({
      name: z.string().min(1),
      model: z.string(),
      baseUrl: z.string(),
      /** The endpoint serves one model (the embedded one): the form offers no model override. */
      modelFixed: z.boolean().optional(),
    }),
  ),
  /** The endpoint a run gets when it names none (metacot.defaultEndpoint); absent when that cannot be used now. */
  defaultEndpoint: z.string().optional(),
  /** Every verifier kind (the core's VerifierConfigSchema) with its parameters and defaults (the core's VERIFIER_PARAMS). */
  verifiers: z.array(z.object({ kind: VerifierConfigSchema.shape.kind, params: z.array(ParamSpecSchema) })),
  /** The metacot.verifier setting: what a run with no verifier of its own gets ('auto': the engine's choice for the problem). */
  settingsVerifier: z.union([VerifierConfigSchema, z.literal('auto')]),
  /** The budgets a run gets where the form leaves one empty (metacot.budgets with its defaults, e.g. maxNodes 500). */
  effectiveBudgets: BudgetsSchema,
});

/** Settings the panel follows; every field optional so the host can send only what changed. */
export const ConfigMessageSchema = z.object({
  type: z.literal('config'),
  colorBy: ColorBySchema.optional(),
  /** VS Code's theme kind; the page also follows body classes, this only speeds up the first paint. */
  themeKind: z.enum(['light', 'dark', 'high-contrast', 'high-contrast-light']).optional(),
  /** Characters of node text drawn on the canvas when zoomed in. */
  labelChars: z.number().int().min(0).max(400).optional(),
  /** Follow a running search: keep the scrubber at the latest iteration and reveal new nodes. */
  followLive: z.boolean().optional(),
  /** Every strategy with its parameters (from the core catalog): the re-run form is built from it, never re-typed. */
  strategies: StrategyCatalogSchema.optional(),
  /** Defaults for the "Re-run from here" form. */
  rerunDefaults: z.object({ strategy: StrategyNameSchema.optional(), params: ParamsSchema.optional() }).optional(),
  /** Endpoints, verifiers and effective budgets for the "Re-run from here" form. */
  rerunOptions: RerunOptionsSchema.optional(),
});

/** Restricted mode or a read-only file: editing actions are disabled and say why. */
export const ReadOnlyMessageSchema = z.object({
  type: z.literal('readOnly'),
  readOnly: z.boolean(),
  reason: z.string().optional(),
});

/** Something went wrong on the host side; shown in the panel's message bar. */
export const HostErrorMessageSchema = z.object({
  type: z.literal('error'),
  message: z.string(),
  detail: z.string().optional(),
});

/** A node that differs in a tree diff (see core analyse/diffOverlay.ts); nodes without a mark are unchanged. */
export const DiffMarkSchema = z.object({
  nodeId: z.string().min(1),
  kind: z.enum(['same', 'added', 'removed', 'changed']),
  /** The value or verdict differs between A and B (aligned pairs). */
  valueChanged: z.boolean().default(false),
  /** The node's id in A (a grafted removed node's own id is fresh). */
  idA: z.string().optional(),
  /** A's text of a changed node (the node itself carries B's). */
  textA: z.string().optional(),
  valueA: z.number().optional(),
  valueB: z.number().optional(),
  verifiedA: z.boolean().optional(),
  verifiedB: z.boolean().optional(),
});

/** Sent after the load of a comparison panel's overlaid trace: which nodes were added, removed or changed. */
export const DiffMarksMessageSchema = z.object({
  type: z.literal('diffMarks'),
  /** The overlay trace the marks belong to: the page applies them once that trace is loaded (never to another). */
  traceId: z.string().min(1),
  /** What is compared ("A ↔ B"). */
  label: z.string(),
  marks: z.array(DiffMarkSchema),
  sameProblem: z.boolean().default(true),
});

export const HostMessageSchema = z.discriminatedUnion('type', [
  LoadTraceMessageSchema,
  LoadCompactTraceMessageSchema,
  LoadChunkMessageSchema,
  LoadProgressMessageSchema,
  TraceDeltaMessageSchema,
  RevealNodeMessageSchema,
  ConfigMessageSchema,
  ReadOnlyMessageSchema,
  HostErrorMessageSchema,
  ReplyMessageSchema,
  DiffMarksMessageSchema,
]);

export type LoadTraceMessage = z.infer<typeof LoadTraceMessageSchema>;
export type LoadCompactTraceMessage = z.infer<typeof LoadCompactTraceMessageSchema>;
export type LoadChunkMessage = z.infer<typeof LoadChunkMessageSchema>;
export type LoadProgressMessage = z.infer<typeof LoadProgressMessageSchema>;
export type LoadTiming = z.infer<typeof LoadTimingSchema>;
export type NodePatch = z.infer<typeof NodePatchSchema>;
export type TraceDeltaMessage = z.infer<typeof TraceDeltaMessageSchema>;
export type RevealNodeMessage = z.infer<typeof RevealNodeMessageSchema>;
export type ColorBy = z.infer<typeof ColorBySchema>;
export type ConfigMessage = z.infer<typeof ConfigMessageSchema>;
export type RerunOptions = z.infer<typeof RerunOptionsSchema>;
export type ReadOnlyMessage = z.infer<typeof ReadOnlyMessageSchema>;
export type HostErrorMessage = z.infer<typeof HostErrorMessageSchema>;
export type DiffMark = z.infer<typeof DiffMarkSchema>;
export type DiffMarksMessage = z.infer<typeof DiffMarksMessageSchema>;
export type HostMessage = z.infer<typeof HostMessageSchema>;
/** What a host passes in (defaults may be omitted). */
export type HostMessageInput = z.input<typeof HostMessageSchema>;

/** The load message a host should send for a trace: columns above COMPACT_THRESHOLD nodes, objects below. */
export function loadMessageFor(trace: Trace, selectNodeId?: string): LoadTraceMessage | LoadCompactTraceMessage {
  const base = selectNodeId === undefined ? {} : { selectNodeId };
  return trace.nodes.length > COMPACT_THRESHOLD
    ? { type: 'loadCompactTrace', trace: compactTrace(trace), ...base }
    : { type: 'loadTrace', trace, ...base };
}

/** Traces above this many nodes are loaded in chunks. */
export const CHUNK_THRESHOLD = 4000;

let nextLoadId = 1;

/**
 * The messages a host posts to load a trace, in order: one message up to CHUNK_THRESHOLD nodes; above it a first part
 * that paints the top of the tree at once, then `loadChunk` messages (see chunkParts). A generator: each chunk is
 * encoded only when the host takes it, so the first part goes out without waiting for the rest (~0.4 s at 100k).
 */
export function* loadMessagesFor(trace: Trace, selectNodeId?: string, timing?: Omit<LoadTiming, 'postedAt'>): Generator<LoadTraceMessage | LoadCompactTraceMessage | LoadChunkMessage, void, undefined> {
  const base = selectNodeId === undefined ? {} : { selectNodeId };
  const t0 = performance.now();
  if (trace.nodes.length <= CHUNK_THRESHOLD) {
    const one = loadMessageFor(trace, selectNodeId);
    yield { ...one, timing: { ...timing, encodeMs: performance.now() - t0, postedAt: Date.now() } };
    return;
  }
  const { head, load, chunks } = chunkParts(trace, `load${nextLoadId++}`);
  yield { type: 'loadCompactTrace', trace: head, ...base, chunked: load, timing: { ...timing, encodeMs: performance.now() - t0, postedAt: Date.now() } };
  for (const c of chunks) yield { type: 'loadChunk', loadId: c.loadId, seq: c.seq, data: encodeChunk(c) };
}
