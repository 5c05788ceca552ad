/** How the run's scheduler names a failed request and decides whether it ends the run. */
import { isEndpointError } from '../llm/errors';

/** Endpoint errors that no other node would escape: the whole run is misconfigured. */
const FATAL_KINDS = new Set(['config', 'auth', 'model-not-found', 'bad-url', 'bad-request']);

export function describeError(err: unknown): string {
  if (err instanceof Error) return isEndpointError(err) ? `${err.kind}: ${err.message}` : err.message;
  return String(err);
}

export function isFatalError(err: unknown): boolean {
  return isEndpointError(err) && FATAL_KINDS.has(err.kind);
}

/** Thrown by `sample` when the run stopped before the request could go; the caller treats it as "no answer". */
export class StoppedError extends Error {
  constructor() {
    super('run stopped');
    this.name = 'StoppedError';
  }
}
