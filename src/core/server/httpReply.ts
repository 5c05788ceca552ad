/**
 * The reference server's HTTP plumbing: OpenAI-shaped error replies (an HttpError thrown anywhere in a handler
 * becomes one), JSON replies, body reading, Bearer auth and an abortable sleep for simulated latency.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from './openaiShapes';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** A body already laid out in a server profile's error shape (profileErrors.ts); absent: OpenAI's. */
  rendered?: { contentType: string; body: string };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  if (e.rendered) {
    res.writeHead(e.status, { 'content-type': e.rendered.contentType, 'content-length': Buffer.byteLength(e.rendered.body), ...e.headers });
    res.end(e.rendered.body);
    return;
  }
  sendJson(res, e.status, errorBody(e.message, e.type, e.param, e.code), e.headers);
}

export const retryHeaders = (ms: number): Record<string, string> => ({ 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), 'retry-after-ms': String(ms) });

/** `apiKey` undefined: no auth. Otherwise the request must carry `Authorization: Bearer <apiKey>`. */
export function checkAuth(req: IncomingMessage, apiKey: string | undefined): void {
  if (apiKey === undefined) return;
  const header = req.headers.authorization ?? '';
  const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
  if (presented === apiKey) return;
  // Real providers echo (part of) the presented key back; echoing all of it makes client redaction testable.
  throw new HttpError(
    401,
    presented ? `Incorrect API key provided: ${presented}. You can find your API key in your account settings.` : 'You didn\'t provide an API key. Provide it in an Authorization header (Bearer auth).',
    'invalid_request_error',
    null,
    'invalid_api_key',
  );
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Resolves after `ms`, or at once when `signal` aborts (the client went away). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
