/**
 * The engine's view of the catalog: each built-in strategy's info (catalog/info.ts) bound to its search loop
 * (catalog/runners.ts). A new strategy is added there, not here.
 */
import type { StrategyName } from '../trace/schema';
import { STRATEGIES } from './catalog/info';
import { runnerFor } from './catalog/runners';
import { ParamError } from './params';
import type { Strategy } from './strategy';

const strategies = new Map<string, Strategy>();
for (const info of STRATEGIES) {
  const run = runnerFor(info.name);
  // runners.ts is type-checked against the same names, so this only fires if the two files are edited apart.
  if (!run) throw new Error(`strategy "${info.name}" is in the catalog but has no search loop in catalog/runners.ts`);
  strategies.set(info.name, { ...info, run });
}

export function getStrategy(name: StrategyName): Strategy {
  const s = strategies.get(name);
  if (!s) throw new ParamError(`unknown strategy "${name}" (known: ${[...strategies.keys()].join(', ')})`);
  return s;
}

export function listStrategies(): Strategy[] {
  return [...strategies.values()];
}
