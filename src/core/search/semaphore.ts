/** FIFO counting semaphore: the engine's cap on requests in flight. Waiters are served in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiters: { resolve: (ok: boolean) => void }[] = [];

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`concurrency must be at least 1, got ${limit}`);
  }

  get inUse(): number {
    return this.active;
  }

  /** Resolves with a release function, or undefined when `signal` aborts first. */
  async acquire(signal?: AbortSignal): Promise<(() => void) | undefined> {
    if (signal?.aborted) return undefined;
    if (this.tryAcquire()) return this.releaser();
    const ok = await this.wait(signal);
    return ok ? this.releaser() : undefined;
  }

  /**
   * Takes a permit at once if one is free (never ahead of a waiter: while anyone waits, all permits are taken,
   * since `release` hands them straight over). The caller must call `release()` exactly once. Synchronous, so
   * the hot path of a search allocates no promise and no closure per request.
   */
  tryAcquire(): boolean {
    if (this.active < this.limit) {
      this.active++;
      return true;
    }
    return false;
  }

  /**
   * After a failed `tryAcquire`: waits in arrival order for a permit. True when one was handed over (the caller
   * then owns it and must `release()` it), false when `signal` aborted first.
   */
  wait(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          resolve(false);
        }
      };
      // The listener goes as soon as the permit arrives: long runs would otherwise pile them up on one signal.
      const waiter = {
        resolve: (v: boolean) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every waiter gets false at once (the caller's run stopped); permits in use stay in use. */
  drain(): void {
    const waiting = this.waiters.splice(0);
    for (const w of waiting) w.resolve(false);
  }

  /** Gives back a permit taken by `tryAcquire` or `wait`: it passes straight to the next waiter, if any. */
  release(): void {
    const next = this.waiters.shift();
    // The permit passes straight to the next waiter: the count stays the same.
    if (next) next.resolve(true);
    else this.active--;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.release();
    };
  }
}
