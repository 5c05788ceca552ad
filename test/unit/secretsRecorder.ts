/**
 * A recording proxy for the secrets tests (not a test file itself): it listens on its own 127.0.0.1 port, keeps the
 * method, path and headers of every request it receives, and forwards the request to a target server (the
 * reference server) or answers it itself. Two recorders in front of one server are two origins: what each one
 * received says where a key went.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Recorder {
  /** http://127.0.0.1:PORT (no path). */
  readonly origin: string;
  readonly requests: RecordedRequest[];
  /** The Authorization headers received, in order (undefined where a request carried none). */
  authorizations(): (string | undefined)[];
  close(): Promise<void>;
}

/** Answers a request itself instead of forwarding it. */
export type Responder = (req: RecordedRequest, res: ServerResponse) => void;

export async function startRecorder(target: string | Responder): Promise<Recorder> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      if (typeof target === 'function') return target(rec, res);
      const to = new URL(target);
      const headers = { ...req.headers, host: to.host };
      const fwd = httpRequest({ host: to.hostname, port: to.port, method: rec.method, path: rec.path, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      fwd.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    authorizations: () => requests.map((r) => r.headers.authorization),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
