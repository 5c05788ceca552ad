/**
 * Messages the search panel webview sends to the extension host. One zod schema per message; the union is
 * discriminated on `type`. Actions carry an optional `requestId` the host echoes in `actionResult` / `error`.
 */
import { z } from 'zod';
import { BudgetsSchema, ParamsSchema, StrategyNameSchema } from '../core/trace/schema';

const nodeId = z.string().min(1);
const requestId = z.string().min(1).optional();

/** First message after the page script runs; the host answers with a load message. */
export const ReadyMessageSchema = z.object({
  type: z.literal('ready'),
  protocolVersion: z.number().int().positive(),
  /** Trace id the page restored from its saved state, if any, so the host can resend the same trace. */
  restoredTraceId: z.string().optional(),
});

/** The user selected a node (null: selection cleared). Lets the host sync its tree view / editor. */
export const SelectNodeMessageSchema = z.object({
  type: z.literal('selectNode'),
  nodeId: nodeId.nullable(),
});

/** Edit a node's text: `replace` rewrites it (original kept in originalText); `sibling` adds a human sibling, original branch untouched. */
export const EditNodeMessageSchema = z.object({
  type: z.literal('editNode'),
  requestId,
  nodeId,
  text: z.string(),
  mode: z.enum(['replace', 'sibling']),
});

/** Terminate an attempt (paper §3.3): the node and its subtree are marked pruned by a human. */
export const PruneNodeMessageSchema = z.object({
  type: z.literal('pruneNode'),
  requestId,
  nodeId,
  reason: z.string().optional(),
});

/** Human label; null clears it. */
export const MarkNodeMessageSchema = z.object({
  type: z.literal('markNode'),
  requestId,
  nodeId,
  label: z.enum(['correct', 'incorrect']).nullable(),
});

/** Reset to an earlier state (paper §3.3): run a new search from this node. */
export const RerunFromNodeMessageSchema = z.object({
  type: z.literal('rerunFromNode'),
  requestId,
  nodeId,
  strategy: StrategyNameSchema,
  params: ParamsSchema,
  budgets: BudgetsSchema.optional(),
});

export const CancelRunMessageSchema = z.object({
  type: z.literal('cancelRun'),
  requestId,
  /** Run to cancel; absent: every running run of this trace. */
  runId: z.string().optional(),
});

/** Open the trace file as JSON text, at the node when given. */
export const OpenAsTextMessageSchema = z.object({
  type: z.literal('openAsText'),
  nodeId: nodeId.optional(),
});

/** Ask the host to export: the trace file, the linearized Meta-CoT text, or the winning path only. */
export const RequestExportMessageSchema = z.object({
  type: z.literal('requestExport'),
  requestId,
  format: z.enum(['trace', 'linearized', 'solution']),
  /** Export the path to this node instead of the result's best node. */
  nodeId: nodeId.optional(),
});

/** Diagnostics from the page, written to the extension's output channel. */
export const LogMessageSchema = z.object({
  type: z.literal('log'),
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
  message: z.string(),
  detail: z.string().optional(),
});

export const WebviewMessageSchema = z.discriminatedUnion('type', [
  ReadyMessageSchema,
  SelectNodeMessageSchema,
  EditNodeMessageSchema,
  PruneNodeMessageSchema,
  MarkNodeMessageSchema,
  RerunFromNodeMessageSchema,
  CancelRunMessageSchema,
  OpenAsTextMessageSchema,
  RequestExportMessageSchema,
  LogMessageSchema,
]);

export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;
export type SelectNodeMessage = z.infer<typeof SelectNodeMessageSchema>;
export type EditNodeMessage = z.infer<typeof EditNodeMessageSchema>;
export type PruneNodeMessage = z.infer<typeof PruneNodeMessageSchema>;
export type MarkNodeMessage = z.infer<typeof MarkNodeMessageSchema>;
export type RerunFromNodeMessage = z.infer<typeof RerunFromNodeMessageSchema>;
export type CancelRunMessage = z.infer<typeof CancelRunMessageSchema>;
export type OpenAsTextMessage = z.infer<typeof OpenAsTextMessageSchema>;
export type RequestExportMessage = z.infer<typeof RequestExportMessageSchema>;
export type LogMessage = z.infer<typeof LogMessageSchema>;
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;
