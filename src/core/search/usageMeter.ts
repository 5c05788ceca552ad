/**
 * Usage accounting of one run: every request is counted on the run and on the trace, in the same step, so the
 * two totals never drift apart.
 */
import type { Generation } from '../llm/generator';
import type { TraceTree } from '../trace/tree';
import type { Run, Usage } from '../trace/schema';

export type CostFn = (tokensIn: number, tokensOut: number) => number;

function addTo(u: Usage, requests: number, cachedRequests: number, tokensIn: number, tokensOut: number, cost: number): void {
  u.requests += requests;
  u.cachedRequests += cachedRequests;
  u.tokensIn += tokensIn;
  u.tokensOut += tokensOut;
  u.cost += cost;
}

export class UsageMeter {
  constructor(
    private readonly run: Run,
    private readonly tree: TraceTree,
    private readonly costOf: CostFn,
  ) {}

  add(requests: number, cachedRequests: number, tokensIn: number, tokensOut: number, cost: number): void {
    addTo(this.run.usage, requests, cachedRequests, tokensIn, tokensOut, cost);
    addTo(this.tree.trace.usage, requests, cachedRequests, tokensIn, tokensOut, cost);
  }

  /** Usage of one answered request. Siblings share one prompt, so prompt tokens count once per request. */
  account(gens: readonly Generation[]): void {
    let tokensIn = 0;
    let tokensOut = 0;
    let live = 0;
    for (const g of gens) {
      if (g.cached) continue;
      live++;
      tokensIn = Math.max(tokensIn, g.tokensIn);
      tokensOut += g.tokensOut;
    }
    if (gens.length > 0 && live === 0) {
      this.add(0, 1, 0, 0, 0);
      return;
    }
    this.add(0, 0, tokensIn, tokensOut, this.costOf(tokensIn, tokensOut));
  }
}
