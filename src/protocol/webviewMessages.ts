/**
 * Messages the search panel webview sends to the extension host: notifications (ready, selection, log), one zod
 * schema each, discriminated on `type`, and typed requests (panelRequests.ts) that the host answers with a reply.
 */
import * as z from 'zod';
import { PanelRequestMessageSchema } from './panelRequests';

const nodeId = z.string().min(1);

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

/** Diagnostics from the page, written to the extension's output channel. */
export const LogMessageSchema = z.object({
  type: z.literal('log'),
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error']),
  message: z.string(),
  detail: z.string().optional(),
});

/**
 * The page took the first part of a chunked load (`seq` 0; the later parts need no answer). The host posts the
 * chunks after it (see loadPacing.ts): posted at once they queued ahead of the first part on VS Code's message path.
 */
export const LoadAckMessageSchema = z.object({
  type: z.literal('loadAck'),
  loadId: z.string().min(1),
  seq: z.number().int().min(0),
});

export const WebviewNotificationSchema = z.discriminatedUnion('type', [ReadyMessageSchema, SelectNodeMessageSchema, LogMessageSchema, LoadAckMessageSchema]);

/** Everything the page may send: a notification or a request (`type: 'request'`, discriminated on `method`). */
export const WebviewMessageSchema = z.union([WebviewNotificationSchema, PanelRequestMessageSchema]);

export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;
export type SelectNodeMessage = z.infer<typeof SelectNodeMessageSchema>;
export type LogMessage = z.infer<typeof LogMessageSchema>;
export type LoadAckMessage = z.infer<typeof LoadAckMessageSchema>;
export type WebviewNotification = z.infer<typeof WebviewNotificationSchema>;
export type WebviewMessage = z.infer<typeof WebviewMessageSchema>;
