/**
 * Typed requests from the search panel to the host, each with a typed reply. One table owns every method: its
 * params schema and its result schema. The page sends `{ type: 'request', requestId, method, params }`; the host
 * answers `{ type: 'reply', requestId, method, ok: true, result }` or `{ …, ok: false, error }`. Both sides validate
 * with these schemas, so a reply is as checked as a request (no `unknown` coming back, no casts).
 */
import * as z from 'zod';
import { BudgetsSchema, ParamsSchema, StrategyNameSchema, VerifierConfigSchema } from '../core/trace/schema';

const nodeId = z.string().min(1);

/** Formats the panel can ask for; the palette's Export command offers these and the training-record formats. */
export const PanelExportFormatSchema = z.enum(['trace', 'linearized', 'solution']);

export const PANEL_REQUESTS = {
  /** `replace` rewrites the text (the model's original kept in originalText); `sibling` adds a human alternative. */
  editNode: {
    params: z.object({ nodeId, text: z.string(), mode: z.enum(['replace', 'sibling']) }),
    result: z.object({ nodeId, message: z.string() }),
  },
  /** Terminate an attempt (paper §3.3): the node and its subtree are marked pruned by a human. */
  pruneNode: {
    params: z.object({ nodeId, reason: z.string().optional() }),
    result: z.object({ pruned: z.array(nodeId), message: z.string() }),
  },
  /** Undo a person's prune: the node and the nodes pruned with it get their earlier status back (engine prunes stay). */
  unpruneNode: {
    params: z.object({ nodeId }),
    result: z.object({ restored: z.array(nodeId), message: z.string() }),
  },
  /** Human label; null clears it. */
  markNode: {
    params: z.object({ nodeId, label: z.enum(['correct', 'incorrect']).nullable() }),
    result: z.object({ nodeId, label: z.enum(['correct', 'incorrect']).nullable(), message: z.string() }),
  },
  /**
   * Reset to an earlier state (paper §3.3): a new search from this node. Answered once the run has started. What is
   * left out is "same settings" (the origin run's endpoint and verifier, else the settings'); `endpoint` is a
   * configured endpoint's name, `model` replaces that endpoint's model id for this run.
   */
  rerunFromNode: {
    params: z.object({
      nodeId,
      strategy: StrategyNameSchema,
      params: ParamsSchema,
      budgets: BudgetsSchema.optional(),
      endpoint: z.string().min(1).optional(),
      model: z.string().min(1).optional(),
      verifier: VerifierConfigSchema.optional(),
    }),
    result: z.object({ runId: z.string().min(1), startNodeId: nodeId, message: z.string() }),
  },
  /** Cancel one run (runId) or every running run of this trace. */
  cancelRun: {
    params: z.object({ runId: z.string().optional() }),
    result: z.object({ cancelled: z.array(z.string()), message: z.string() }),
  },
  /** Open the trace file as JSON text, at the node when given. */
  openAsText: {
    params: z.object({ nodeId: nodeId.optional() }),
    result: z.object({ uri: z.string(), message: z.string() }),
  },
  /**
   * Step importance of the path root → node: the host asks K and the budget, resamples with progress and stores the
   * result in the trace (the page then reloads it). `measured: false` when the person dismissed the questions.
   */
  measureImportance: {
    params: z.object({ nodeId }),
    result: z.object({ nodeId, measured: z.boolean(), message: z.string() }),
  },
  /** Export the trace, the linearized Meta-CoT text or the winning path (of `nodeId` instead of the best node). */
  exportTrace: {
    params: z.object({ format: PanelExportFormatSchema, nodeId: nodeId.optional() }),
    result: z.object({ output: z.string(), bytes: z.number().int().nonnegative(), message: z.string() }),
  },
} as const;

export type PanelMethod = keyof typeof PANEL_REQUESTS;
export type PanelParams<M extends PanelMethod> = z.infer<(typeof PANEL_REQUESTS)[M]['params']>;
export type PanelResult<M extends PanelMethod> = z.infer<(typeof PANEL_REQUESTS)[M]['result']>;
/** What the host implements: one async handler per method. */
export type PanelRequestHandlers = { [M in PanelMethod]: (params: PanelParams<M>) => Promise<PanelResult<M>> };

export const PANEL_METHODS = Object.keys(PANEL_REQUESTS) as PanelMethod[];

const requestId = z.string().min(1);

/** Params passed in, not looked up by a generic index: TypeScript would widen that lookup to every method's params. */
function requestSchema<M extends PanelMethod, P extends z.ZodType>(method: M, params: P) {
  return z.object({ type: z.literal('request'), requestId, method: z.literal(method), params });
}

/** A request message, discriminated on `method`. */
export const PanelRequestMessageSchema = z.discriminatedUnion('method', [
  requestSchema('editNode', PANEL_REQUESTS.editNode.params),
  requestSchema('pruneNode', PANEL_REQUESTS.pruneNode.params),
  requestSchema('unpruneNode', PANEL_REQUESTS.unpruneNode.params),
  requestSchema('markNode', PANEL_REQUESTS.markNode.params),
  requestSchema('rerunFromNode', PANEL_REQUESTS.rerunFromNode.params),
  requestSchema('cancelRun', PANEL_REQUESTS.cancelRun.params),
  requestSchema('openAsText', PANEL_REQUESTS.openAsText.params),
  requestSchema('exportTrace', PANEL_REQUESTS.exportTrace.params),
  requestSchema('measureImportance', PANEL_REQUESTS.measureImportance.params),
]);
export type PanelRequestMessage = z.infer<typeof PanelRequestMessageSchema>;

export const ReplyErrorSchema = z.object({
  message: z.string(),
  detail: z.string().optional(),
});

/**
 * The host's answer. The result is validated against the method's result schema by `parseReplyResult` on the page
 * (a union over every method's result would accept a result of the wrong method).
 */
export const ReplyMessageSchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), requestId, method: z.enum(PANEL_METHODS as [PanelMethod, ...PanelMethod[]]), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('reply'), requestId, method: z.enum(PANEL_METHODS as [PanelMethod, ...PanelMethod[]]), ok: z.literal(false), error: ReplyErrorSchema }),
]);
export type ReplyMessage = z.infer<typeof ReplyMessageSchema>;

/**
 * The id and method of something that looks like a request even when it does not validate, so the host can still
 * answer it (with ok: false) and the page never waits for a reply that will not come.
 */
export function requestIdentity(data: unknown): { requestId: string; method: PanelMethod } | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as { type?: unknown; requestId?: unknown; method?: unknown };
  if (d.type !== 'request' || typeof d.requestId !== 'string' || !d.requestId) return undefined;
  const method = PANEL_METHODS.find((m) => m === d.method);
  return method ? { requestId: d.requestId, method } : undefined;
}

/** Checks a successful reply's result against its method's schema. */
export function parseReplyResult<M extends PanelMethod>(method: M, result: unknown): { ok: true; result: PanelResult<M> } | { ok: false; error: string } {
  const r = PANEL_REQUESTS[method].result.safeParse(result);
  if (r.success) return { ok: true, result: r.data as PanelResult<M> };
  return { ok: false, error: `invalid '${method}' reply: ${r.error.issues.map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ')}` };
}

/** Checks a handler's result before it is sent (a host bug must not reach the page as a valid-looking reply). */
export function checkResult<M extends PanelMethod>(method: M, result: unknown): PanelResult<M> {
  const r = parseReplyResult(method, result);
  if (!r.ok) throw new Error(r.error);
  return r.result;
}
