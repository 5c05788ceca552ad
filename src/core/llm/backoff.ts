/** Retry timing: exponential backoff with jitter, Retry-After honoured, sleeps that end on abort. */

/** Delay before retry number `retry` (0-based). A server's Retry-After wins (plus a little jitter so clients spread). */
export function backoffDelay(retry: number, opts: { baseMs: number; maxMs: number; retryAfterMs?: number | undefined; random?: () => number }): number {
  const random = opts.random ?? Math.random;
  if (opts.retryAfterMs !== undefined && opts.retryAfterMs >= 0) return opts.retryAfterMs * (1 + 0.1 * random());
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** retry);
  return exp / 2 + (exp / 2) * random(); // "equal jitter": never less than half the step
}

/** Retry-After from response headers: `retry-after-ms` (OpenAI's) first, then `retry-after` seconds or date. */
export function retryAfterFrom(headers: { get(name: string): string | null } | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra === null || ra === '') return undefined;
  if (Number.isFinite(Number(ra))) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
