/**
 * How many HTTP requests a failed generate call had sent (answered or refused) before it failed: the engine reserves
 * requests before a call and corrects the reservation by this when the call fails (a call cancelled before it went
 * out sent none). Carried on the error object, since a failure has no generations to say it.
 */
const SENT = Symbol.for('metacot.requestsSent');

export function markRequestsSent(err: unknown, sent: number): void {
  if (err !== null && typeof err === 'object' && Object.isExtensible(err)) Object.defineProperty(err, SENT, { value: sent, configurable: true });
}

/** Requests the failed call sent, when its generator said; undefined otherwise. */
export function requestsSentBy(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const v = (err as Record<symbol, unknown>)[SENT];
  return typeof v === 'number' ? v : undefined;
}
