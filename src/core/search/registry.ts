/**
 * Strategy table. A new strategy module adds one line here (or calls `registerStrategy` at load time).
 */
import type { StrategyName } from '../trace/schema';
import { ParamError } from './params';
import type { Strategy } from './strategy';
import { astarStrategy } from './strategies/astar';
import { beamStrategy } from './strategies/beam';
import { bestOfNStrategy } from './strategies/bestOfN';
import { inContextStrategy } from './strategies/inContext';
import { mctsStrategy } from './strategies/mcts';
import { revisionStrategy } from './strategies/revision';
import { singleStrategy } from './strategies/single';

const strategies = new Map<StrategyName, Strategy>([
  ['single', singleStrategy],
  ['best-of-n', bestOfNStrategy],
  ['beam', beamStrategy],
  ['mcts', mctsStrategy],
  ['astar', astarStrategy],
  ['revision', revisionStrategy],
  ['in-context', inContextStrategy],
]);

export function registerStrategy(s: Strategy): void {
  strategies.set(s.name, s);
}

export function getStrategy(name: StrategyName): Strategy {
  const s = strategies.get(name);
  if (!s) throw new ParamError(`unknown strategy "${name}" (known: ${listStrategies().map((x) => x.name).join(', ')})`);
  return s;
}

export function listStrategies(): Strategy[] {
  return [...strategies.values()];
}
