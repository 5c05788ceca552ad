/** The simulated policies a bare reference server serves, by model id. */
import type { Policy } from '../policy';
import { arithmeticPolicy } from './arithmeticSolver';
import { countdownPolicy } from './countdownProposer';
import { longCotPolicy } from './longCotResponder';

export function defaultPolicies(): Record<string, Policy> {
  const list = [countdownPolicy(), arithmeticPolicy(), longCotPolicy()];
  return Object.fromEntries(list.map((p) => [p.name, p]));
}
