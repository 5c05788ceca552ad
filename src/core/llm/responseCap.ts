/**
 * The response size cap: a fetch wrapper that reads at most `maxResponseBytes` of a body. A server that sends 50 MB
 * (or never stops) costs at most the cap in memory and in the trace: an event stream ends cleanly at the cap (the
 * SSE parser drops the half event), a whole JSON body is closed after what fit (closeCutJson), and the request's
 * cap state says it was cut so the client can end its choices with finishReason 'cut'. An error response's body
 * (at most ERROR_BODY_BYTES of it) is kept on the cap state too: the SDK reads only `body.error`, the client reads
 * the server's own words from it whatever its shape.
 */
import { closeCutJson } from './wire';

/** finishReason of a choice cut by a size cap (response bytes or step characters). */
export const CUT_FINISH = 'cut';

export const DEFAULT_MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

/** Most bytes of an error (non-2xx) response body kept. */
export const ERROR_BODY_BYTES = 64 * 1024;

/** A non-2xx response as it arrived. */
export interface ErrorBody {
  status: number;
  /** At most ERROR_BODY_BYTES of the body, decoded as UTF-8 (undecodable bytes become U+FFFD). */
  text: string;
  contentType: string;
}

/** One HTTP attempt's cap and what it read. */
export interface ResponseCap {
  readonly limit: number;
  bytes: number;
  cut: boolean;
  /** The attempt's error response, when it got one. */
  error?: ErrorBody;
  /** The response's status line and headers arrived: the server has the request (a later cancel does not undo that). */
  responded?: boolean;
}

/** Carries a request's cap through the SDK to the wrapper (the SDK passes per-request fetchOptions on to fetch). */
const CAP = Symbol('metacot.responseCap');

export const newCap = (limit: number): ResponseCap => ({ limit, bytes: 0, cut: false });

/** Typed as the SDK's `fetchOptions` (nothing of RequestInit is set: the symbol key is invisible to fetch). */
export function withCap(cap: ResponseCap): Record<never, never> {
  return { [CAP]: cap };
}

/** `base` with every response body read through the cap (requests without a cap of their own get a fresh one). */
export function cappedFetch(base: typeof fetch, limit: number): typeof fetch {
  return async (input, init) => {
    const cap = (init as { [CAP]?: ResponseCap } | undefined)?.[CAP] ?? newCap(limit);
    const res = await base(input, init);
    cap.responded = true;
    const contentType = res.headers.get('content-type') ?? '';
    if (!res.body) {
      if (!res.ok) cap.error = { status: res.status, text: '', contentType };
      return res;
    }
    const headers = new Headers(res.headers);
    // The body handed on is already decoded and may be shorter than announced.
    headers.delete('content-length');
    headers.delete('content-encoding');
    const init2 = { status: res.status, statusText: res.statusText, headers };
    if (!res.ok) {
      // Read here (bounded) so the client has the server's words; the SDK gets the same text to parse.
      const text = await readCapped(res.body.getReader(), newCap(ERROR_BODY_BYTES));
      cap.error = { status: res.status, text, contentType };
      return new Response(text, init2);
    }
    if (/text\/event-stream/i.test(res.headers.get('content-type') ?? '')) return new Response(capStream(res.body, cap), init2);
    return new Response(cappedWholeBody(res.body, cap), init2);
  };
}

/**
 * A whole body, read up to the cap when the SDK reads it (so a connection that breaks mid-body fails the body read,
 * as without the cap); a body cut at the cap is closed into JSON.
 */
function cappedWholeBody(source: ReadableStream<Uint8Array>, cap: ResponseCap): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const text = await readCapped(reader, cap);
      const closed = cap.cut ? closeCutJson(text) : undefined;
      controller.enqueue(new TextEncoder().encode(closed === undefined ? text : JSON.stringify(closed)));
      controller.close();
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}

/** Passes bytes on until the cap, then ends the stream and cancels the source (which closes the connection). */
function capStream(source: ReadableStream<Uint8Array>, cap: ResponseCap): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const room = cap.limit - cap.bytes;
      if (value.byteLength <= room) {
        cap.bytes += value.byteLength;
        controller.enqueue(value);
        return;
      }
      cap.bytes = cap.limit;
      cap.cut = true;
      if (room > 0) controller.enqueue(value.subarray(0, room));
      controller.close();
      await reader.cancel().catch(() => undefined);
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}

/** The body as text, at most `cap.limit` bytes of it (a multi-byte character split by the cap is dropped). */
async function readCapped(reader: ReadableStreamDefaultReader<Uint8Array>, cap: ResponseCap): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    const room = cap.limit - cap.bytes;
    if (value.byteLength <= room) {
      cap.bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      continue;
    }
    cap.bytes = cap.limit;
    cap.cut = true;
    text += decoder.decode(value.subarray(0, room), { stream: true });
    await reader.cancel().catch(() => undefined);
    // A trailing partial character stays in the decoder: not flushed, so no U+FFFD enters the text.
    return text;
  }
}
