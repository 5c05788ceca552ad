/**
 * Messages between the Experiment view's page (webview/experiment/) and its host (src/extension/experimentView.ts):
 * one zod schema per message, discriminated on `type`, and typed requests with typed replies (the same envelope as
 * panelRequests.ts: `{ type: 'request', requestId, method, params }` answered by `{ type: 'reply', …, ok, result | error }`).
 * The summary travels as the core's ExperimentSummarySchema, so the page checks exactly what the CLI wrote.
 */
import * as z from 'zod';
import { ExperimentSummarySchema } from '../core/experiment/summary';

/** The summary's types, for the page (webview/ reaches the core only through src/protocol). */
export type { ExperimentCell, ExperimentSummary, ProblemResult } from '../core/experiment/summary';

export const EXPERIMENT_PROTOCOL_VERSION = 1;

const requestId = z.string().min(1);

/** What a re-run of the failed entries is doing; `total` 0 with running false: none ran yet in this view. */
export const RerunStateSchema = z.object({
  running: z.boolean(),
  /** Entries finished so far and entries the re-run was asked to do. */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** The last line worth showing (started, the entry running now, the outcome, or why it stopped). */
  message: z.string(),
});

// ---------------------------------------------------------------- host → page

/** The experiment folder's summary, with a webview URI for each plot file that exists (keyed by its `svg` path). */
export const ExperimentLoadMessageSchema = z.object({
  type: z.literal('experiment'),
  /** The folder as the person knows it (workspace-relative when inside the workspace). */
  folder: z.string(),
  summary: ExperimentSummarySchema,
  plotUris: z.record(z.string(), z.string()),
});

/** The folder cannot be shown: no summary.json, unreadable JSON, or a summary that does not match the schema. */
export const ExperimentErrorMessageSchema = z.object({
  type: z.literal('experimentError'),
  folder: z.string(),
  message: z.string(),
});

export const RerunStateMessageSchema = z.object({ type: z.literal('rerunState'), state: RerunStateSchema });

// ---------------------------------------------------------------- requests (page → host, typed replies)

export const EXPERIMENT_REQUESTS = {
  /** Open one problem's trace of one cell in the trace editor. */
  openCell: {
    params: z.object({ cellId: z.string().min(1), index: z.number().int().nonnegative() }),
    result: z.object({ uri: z.string(), message: z.string() }),
  },
  /**
   * Run again only the entries whose run failed (status failed); answered when that re-run ends. `endpoint`: a
   * configured endpoint's name (absent: the host picks one serving the experiment's model, asking when several do).
   */
  rerunFailures: {
    params: z.object({ endpoint: z.string().min(1).optional() }),
    result: z.object({ ran: z.number().int().nonnegative(), stillFailed: z.number().int().nonnegative(), cancelled: z.boolean(), message: z.string() }),
  },
  cancelRerun: {
    params: z.object({}),
    result: z.object({ cancelled: z.boolean(), message: z.string() }),
  },
} as const;

export type ExperimentMethod = keyof typeof EXPERIMENT_REQUESTS;
export type ExperimentParams<M extends ExperimentMethod> = z.infer<(typeof EXPERIMENT_REQUESTS)[M]['params']>;
export type ExperimentResult<M extends ExperimentMethod> = z.infer<(typeof EXPERIMENT_REQUESTS)[M]['result']>;
export type ExperimentRequestHandlers = { [M in ExperimentMethod]: (params: ExperimentParams<M>) => Promise<ExperimentResult<M>> };
export const EXPERIMENT_METHODS = Object.keys(EXPERIMENT_REQUESTS) as ExperimentMethod[];

function requestSchema<M extends ExperimentMethod, P extends z.ZodType>(method: M, params: P) {
  return z.object({ type: z.literal('request'), requestId, method: z.literal(method), params });
}

export const ExperimentRequestSchema = z.discriminatedUnion('method', [
  requestSchema('openCell', EXPERIMENT_REQUESTS.openCell.params),
  requestSchema('rerunFailures', EXPERIMENT_REQUESTS.rerunFailures.params),
  requestSchema('cancelRerun', EXPERIMENT_REQUESTS.cancelRerun.params),
]);

const methodEnum = z.enum(EXPERIMENT_METHODS as [ExperimentMethod, ...ExperimentMethod[]]);

export const ExperimentReplySchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), requestId, method: methodEnum, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('reply'), requestId, method: methodEnum, ok: z.literal(false), error: z.object({ message: z.string() }) }),
]);

export const ExperimentHostMessageSchema = z.union([
  z.discriminatedUnion('type', [ExperimentLoadMessageSchema, ExperimentErrorMessageSchema, RerunStateMessageSchema]),
  ExperimentReplySchema,
]);

// ---------------------------------------------------------------- page → host notifications

export const ExperimentReadySchema = z.object({ type: z.literal('ready'), protocolVersion: z.number().int().positive() });

/** What the page drew for the summary it was sent (the integration tests' probe of a real render). */
export const ExperimentRenderedSchema = z.object({
  type: z.literal('rendered'),
  updatedAt: z.string(),
  cells: z.number().int().nonnegative(),
  problems: z.number().int().nonnegative(),
  gridCells: z.number().int().nonnegative(),
  /** Plot images in the page, and how many of them loaded (decoded) without error. */
  plots: z.number().int().nonnegative(),
  plotsLoaded: z.number().int().nonnegative(),
});

export const ExperimentLogSchema = z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() });

export const ExperimentNotificationSchema = z.discriminatedUnion('type', [ExperimentReadySchema, ExperimentRenderedSchema, ExperimentLogSchema]);

export type RerunState = z.infer<typeof RerunStateSchema>;
export type ExperimentLoadMessage = z.infer<typeof ExperimentLoadMessageSchema>;
export type ExperimentHostMessage = z.infer<typeof ExperimentHostMessageSchema>;
/** What the host builds (before validation: the summary's defaults are not needed on input). */
export type ExperimentHostMessageInput = z.input<typeof ExperimentHostMessageSchema>;
export type ExperimentRequest = z.infer<typeof ExperimentRequestSchema>;
export type ExperimentReply = z.infer<typeof ExperimentReplySchema>;
export type ExperimentRendered = z.infer<typeof ExperimentRenderedSchema>;
export type ExperimentNotification = z.infer<typeof ExperimentNotificationSchema>;
export type ExperimentPageMessage = ExperimentNotification | ExperimentRequest;

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

function describe(data: unknown, error: z.ZodError): string {
  const type = typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string' ? (data as { type: string }).type : undefined;
  const issues = error.issues.slice(0, 6).map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
  return `invalid ${type ? `'${type}' ` : ''}message: ${issues.join('; ')}${error.issues.length > 6 ? ` (+${error.issues.length - 6} more)` : ''}`;
}

/** A message from the page: requests and notifications told apart by `type` first, so an error names the field. */
export function parseExperimentPageMessage(data: unknown): Parsed<ExperimentPageMessage> {
  const isRequest = typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'request';
  const r = (isRequest ? ExperimentRequestSchema : ExperimentNotificationSchema).safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: describe(data, r.error) };
}

export function parseExperimentHostMessage(data: unknown): Parsed<ExperimentHostMessage> {
  const r = ExperimentHostMessageSchema.safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: describe(data, r.error) };
}

/** The id and method of a request that did not validate, so the host can still answer it (ok: false). */
export function experimentRequestIdentity(data: unknown): { requestId: string; method: ExperimentMethod } | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as { type?: unknown; requestId?: unknown; method?: unknown };
  if (d.type !== 'request' || typeof d.requestId !== 'string' || !d.requestId) return undefined;
  const method = EXPERIMENT_METHODS.find((m) => m === d.method);
  return method ? { requestId: d.requestId, method } : undefined;
}

/** Checks a result against its method's schema (the host before sending, the page on arrival). */
export function parseExperimentResult<M extends ExperimentMethod>(method: M, result: unknown): { ok: true; result: ExperimentResult<M> } | { ok: false; error: string } {
  const r = EXPERIMENT_REQUESTS[method].result.safeParse(result);
  if (r.success) return { ok: true, result: r.data as ExperimentResult<M> };
  return { ok: false, error: `invalid '${method}' reply: ${r.error.issues.map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`).join('; ')}` };
}
