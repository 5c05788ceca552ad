/**
 * How a generator adapted to its server (mode fallback, separate requests for `n`, no logprobs, client-side step
 * cuts): one record per kind with how often it happened, said once (the first time) through a callback.
 */
import type { Adaptation } from '../trace/schema';

export type AdaptationKind = Adaptation['kind'];

export class AdaptationLog {
  private readonly byKind = new Map<AdaptationKind, Adaptation>();

  constructor(private readonly onFirst?: (a: Adaptation) => void) {}

  /** Counts one more occurrence of `kind`; the message is the one of its first occurrence. */
  note(kind: AdaptationKind, message: string, times = 1): void {
    const known = this.byKind.get(kind);
    if (known) {
      known.count += times;
      return;
    }
    const a: Adaptation = { kind, message, count: times };
    this.byKind.set(kind, a);
    this.onFirst?.({ ...a });
  }

  has(kind: AdaptationKind): boolean {
    return this.byKind.has(kind);
  }

  list(): Adaptation[] {
    return [...this.byKind.values()].map((a) => ({ ...a }));
  }
}

/** Several generators' adaptations as one list: counts of a kind add up, the first message is kept. */
export function sumAdaptations(lists: readonly (readonly Adaptation[])[]): Adaptation[] {
  const out = new Map<AdaptationKind, Adaptation>();
  for (const list of lists) {
    for (const a of list) {
      const known = out.get(a.kind);
      if (known) known.count += a.count;
      else out.set(a.kind, { ...a });
    }
  }
  return [...out.values()];
}

/**
 * What happened between two snapshots of a generator's adaptations (a run's share when the generator outlives the
 * run): kinds whose count grew, with the growth as count.
 */
export function adaptationsSince(before: readonly Adaptation[], after: readonly Adaptation[]): Adaptation[] {
  const was = new Map(before.map((a) => [a.kind, a.count]));
  return after.filter((a) => a.count > (was.get(a.kind) ?? 0)).map((a) => ({ ...a, count: a.count - (was.get(a.kind) ?? 0) }));
}
