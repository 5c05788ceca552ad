/**
 * Budget checks. Requests and nodes are counted when dispatched (so they are never exceeded); tokens and cost
 * when responses arrive, so they can be passed by at most the requests already in flight (one batch).
 * Wall time is enforced by a timer in the run context that aborts in-flight work.
 */
import type { Budgets, Usage } from '../trace/schema';

export interface BudgetState {
  usage: Usage;
  /** Nodes this run created so far. */
  nodes: number;
  elapsedMs: number;
}

/**
 * Why a new call for `newNodes` nodes, sending `newRequests` HTTP requests (n of them when the server ignores `n`),
 * may not start, or undefined when it may.
 */
export function budgetBlock(b: Budgets, s: BudgetState, newNodes: number, newRequests = 1): string | undefined {
  const tokens = s.usage.tokensIn + s.usage.tokensOut;
  if (b.maxRequests !== undefined && s.usage.requests + newRequests > b.maxRequests) {
    return `budget maxRequests reached: ${s.usage.requests} of ${b.maxRequests} requests sent${newRequests > 1 ? `, the next call needs ${newRequests}` : ''}`;
  }
  if (b.maxTokens !== undefined && tokens >= b.maxTokens) return `budget maxTokens reached: ${tokens} >= ${b.maxTokens}`;
  if (b.maxCost !== undefined && s.usage.cost >= b.maxCost) return `budget maxCost reached: ${s.usage.cost.toFixed(4)} >= ${b.maxCost}`;
  if (b.maxNodes !== undefined && s.nodes + newNodes > b.maxNodes) return `budget maxNodes reached: ${s.nodes} nodes, ${newNodes} more would pass ${b.maxNodes}`;
  if (b.maxWallMs !== undefined && s.elapsedMs >= b.maxWallMs) return `budget maxWallMs reached: ${Math.round(s.elapsedMs)} ms >= ${b.maxWallMs} ms`;
  return undefined;
}
