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
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    const ok = await new Promise<boolean>((resolve) => {
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
    return ok ? this.releaser() : undefined;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters.shift();
      // The permit passes straight to the next waiter: the count stays the same.
      if (next) next.resolve(true);
      else this.active--;
    };
  }
}
