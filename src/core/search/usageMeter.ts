/**
 * Usage accounting of one run: every request is counted on the run and on the trace, in the same step, so the
 * two totals never drift apart.
 */
import type { Generation } from '../llm/generator';
import type { TraceTree } from '../trace/tree';
import type { Run, Usage } from '../trace/schema';

export type CostFn = (tokensIn: number, tokensOut: number) => number;

function addTo(u: Usage, requests: number, cachedRequests: number, tokensIn: number, tokensOut: number, cost: number, cachedTokensIn?: number): void {
  u.requests += requests;
  u.cachedRequests += cachedRequests;
  u.tokensIn += tokensIn;
  u.tokensOut += tokensOut;
  u.cost += cost;
  // Absent until a server reports cached prompt tokens: unknown is not 0.
  if (cachedTokensIn !== undefined) u.cachedTokensIn = (u.cachedTokensIn ?? 0) + cachedTokensIn;
}

export class UsageMeter {
  constructor(
    private readonly run: Run,
    private readonly tree: TraceTree,
    private readonly costOf: CostFn,
  ) {}

  add(requests: number, cachedRequests: number, tokensIn: number, tokensOut: number, cost: number, cachedTokensIn?: number): void {
    addTo(this.run.usage, requests, cachedRequests, tokensIn, tokensOut, cost, cachedTokensIn);
    addTo(this.tree.trace.usage, requests, cachedRequests, tokensIn, tokensOut, cost, cachedTokensIn);
  }

  /**
   * Usage of one answered call, `reserved` requests having been counted when it was admitted. Each request sent
   * carries its prompt tokens on its first choice (siblings 0), so prompt tokens add up over the call's requests
   * (4 separate requests for n=4 are 4 prompts).
   * Requests are what the generations say were sent (`Generation.requests`), else one; the reservation is
   * corrected to that. A call answered only by replays counts one request and one cached request.
   */
  account(gens: readonly Generation[], reserved = 1): void {
    let tokensIn = 0;
    let maxIn = 0;
    let tokensOut = 0;
    let live = 0;
    let sent: number | undefined;
    let cachedIn: number | undefined;
    for (const g of gens) {
      if (g.requests !== undefined) sent = (sent ?? 0) + g.requests;
      if (g.cached) continue;
      live++;
      tokensIn += g.tokensIn;
      maxIn = Math.max(maxIn, g.tokensIn);
      tokensOut += g.tokensOut;
      if (g.cachedTokensIn !== undefined) cachedIn = (cachedIn ?? 0) + g.cachedTokensIn;
    }
    const requests = Math.max(1, sent ?? 1);
    // A generator that does not say what it sent is one request: its siblings share one prompt (some repeat it).
    if (sent === undefined) tokensIn = maxIn;
    if (gens.length > 0 && live === 0) {
      this.add(requests - reserved, 1, 0, 0, 0);
      return;
    }
    this.add(requests - reserved, 0, tokensIn, tokensOut, this.costOf(tokensIn, tokensOut), cachedIn);
  }
}
