/** Run-time validation of messages on arrival, on both sides of the webview boundary. */
import * as z from 'zod';
import { HostMessageSchema } from './hostMessages';
import type { HostMessage } from './hostMessages';
import { WebviewNotificationSchema } from './webviewMessages';
import { PanelRequestMessageSchema } from './panelRequests';
import type { WebviewMessage } from './webviewMessages';

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };

/** Readable one-paragraph error: the message type (when there is one) and each issue with its path. */
function describe(data: unknown, error: z.ZodError): string {
  const type = typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string' ? (data as { type: string }).type : undefined;
  const issues = error.issues.slice(0, 8).map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
  const more = error.issues.length > 8 ? ` (+${error.issues.length - 8} more)` : '';
  return `invalid ${type ? `'${type}' ` : ''}message: ${issues.join('; ')}${more}`;
}

export function parseHostMessage(data: unknown): ParseResult<HostMessage> {
  const r = HostMessageSchema.safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: describe(data, r.error) };
}

/** Requests and notifications are told apart by `type` first, so an error names the field, not "invalid union". */
export function parseWebviewMessage(data: unknown): ParseResult<WebviewMessage> {
  const isRequest = typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'request';
  const r = (isRequest ? PanelRequestMessageSchema : WebviewNotificationSchema).safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, error: describe(data, r.error) };
}
