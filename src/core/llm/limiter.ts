/**
 * Per-endpoint admission: a FIFO concurrency semaphore and a one-minute sliding window for requests and
 * tokens per minute. Waiting ends early when the caller's signal aborts.
 */
import { sleep } from './backoff';

export class Semaphore {
  private active = 0;
  // A queue with a moving head: shift() on a long array is O(n), and thousands of requests may wait at once.
  private queue: ({ grant: () => void } | undefined)[] = [];
  private head = 0;
  private cancelled = 0;

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length - this.head - this.cancelled;
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason on abort. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.capacity && this.waiting === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const index = this.queue.length;
      const onAbort = () => {
        if (this.queue[index] === undefined) return;
        this.queue[index] = undefined;
        this.cancelled++;
        reject(signal?.reason);
      };
      this.queue.push({
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(this.releaser());
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      this.grantNext();
    };
  }

  private grantNext(): void {
    while (this.head < this.queue.length && this.active < this.capacity) {
      const next = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (next) next.grant();
      else this.cancelled--;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }
}

const WINDOW_MS = 60_000;

/** Requests-per-minute and tokens-per-minute limits over a sliding one-minute window. */
export class RateWindow {
  private readonly events: { t: number; tokens: number }[] = [];

  constructor(
    private readonly requestsPerMinute: number | undefined,
    private readonly tokensPerMinute: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get limited(): boolean {
    return this.requestsPerMinute !== undefined || this.tokensPerMinute !== undefined;
  }

  /** Waits until one more request of `tokens` estimated tokens fits, then records it; returns the record to adjust. */
  async admit(tokens: number, signal?: AbortSignal): Promise<{ adjust(actualTokens: number): void }> {
    if (!this.limited) return { adjust: () => {} };
    for (;;) {
      const t = this.now();
      while (this.events.length > 0 && (this.events[0] as { t: number }).t <= t - WINDOW_MS) this.events.shift();
      const count = this.events.length;
      const used = this.events.reduce((s, e) => s + e.tokens, 0);
      const rpmOk = this.requestsPerMinute === undefined || count + 1 <= this.requestsPerMinute;
      // A request larger than the whole budget is admitted alone rather than never.
      const tpmOk = this.tokensPerMinute === undefined || used + tokens <= this.tokensPerMinute || count === 0;
      if (rpmOk && tpmOk) {
        const event = { t, tokens };
        this.events.push(event);
        return { adjust: (actual) => void (event.tokens = actual) };
      }
      const oldest = this.events[0] as { t: number };
      // Re-check at least every 250 ms: cheap, and robust to clock jumps.
      const wait = Math.min(250, Math.max(5, oldest.t + WINDOW_MS - t));
      await sleep(wait, signal);
    }
  }
}
