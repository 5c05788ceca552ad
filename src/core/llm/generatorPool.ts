/**
 * Several endpoints behind one Generator: each request goes to the least-loaded member (in flight + queued
 * relative to its concurrency cap; ties rotate), and moves on to the next member when one fails in a way
 * another endpoint may not (unreachable, dropped connection, timeout, 429 or 5xx after retries).
 */
import { sumAdaptations } from './adaptations';
import { EndpointError } from './errors';
import type { EndpointErrorKind } from './errors';
import type { GenerateRequest, Generation, Generator } from './generator';
import type { Adaptation, EndpointDescription, Usage } from '../trace/schema';

export interface PoolMember extends Generator {
  readonly load: number;
  usage?(): Usage;
}

const FAILOVER = new Set<EndpointErrorKind>(['unreachable', 'connection', 'timeout', 'rate-limited', 'server', 'stream-cut', 'malformed']);

export class GeneratorPool implements Generator {
  private turn = 0;
  /** Requests each member has served (for tests and the status bar). */
  readonly served: number[];

  constructor(readonly members: readonly PoolMember[]) {
    if (members.length === 0) throw new Error('a generator pool needs at least one endpoint');
    this.served = members.map(() => 0);
  }

  /** Members ordered by load, least first; equal loads rotate so idle endpoints share the work. */
  private order(): number[] {
    const start = this.turn++ % this.members.length;
    const idx = this.members.map((_, i) => (start + i) % this.members.length);
    return idx.sort((a, b) => (this.members[a] as PoolMember).load - (this.members[b] as PoolMember).load);
  }

  async generate(req: GenerateRequest): Promise<Generation[]> {
    let last: unknown;
    for (const i of this.order()) {
      try {
        const out = await (this.members[i] as PoolMember).generate(req);
        this.served[i] = (this.served[i] as number) + 1;
        return out;
      } catch (e) {
        last = e;
        if (!(e instanceof EndpointError) || !FAILOVER.has(e.kind) || req.signal?.aborted) throw e;
      }
    }
    throw last;
  }

  describe(): EndpointDescription {
    const ds = this.members.map((m) => m.describe());
    const first = ds[0] as EndpointDescription;
    if (ds.length === 1) return first;
    const uniq = (xs: string[]) => [...new Set(xs)].join(', ');
    return { ...first, name: `pool: ${uniq(ds.map((d) => d.name))}`, baseUrl: uniq(ds.map((d) => d.baseUrl)), model: uniq(ds.map((d) => d.model)) };
  }

  usage(): Usage {
    const total: Usage = { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 };
    for (const m of this.members) {
      const u = m.usage?.();
      if (!u) continue;
      total.requests += u.requests;
      total.cachedRequests += u.cachedRequests;
      total.tokensIn += u.tokensIn;
      total.tokensOut += u.tokensOut;
      total.cost += u.cost;
      if (u.cachedTokensIn !== undefined) total.cachedTokensIn = (total.cachedTokensIn ?? 0) + u.cachedTokensIn;
    }
    return total;
  }

  /** The most requests any member would send for `n` samples (which member serves the call is decided later). */
  requestsFor(n: number): number {
    return Math.max(...this.members.map((m) => m.requestsFor?.(n) ?? 1));
  }

  /** The members' adaptations, counts added up per kind. */
  adaptations(): Adaptation[] {
    return sumAdaptations(this.members.map((m) => m.adaptations?.() ?? []));
  }

  get load(): number {
    return Math.min(...this.members.map((m) => m.load));
  }
}

export function createGeneratorPool(members: readonly PoolMember[]): GeneratorPool {
  return new GeneratorPool(members);
}
