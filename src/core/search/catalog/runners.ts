/**
 * Binds each catalog name to its search loop. Kept apart from info.ts so that reading the catalog (the panel, the
 * settings schema, help texts) never loads the strategies and the engine behind them.
 */
import type { StrategyName } from '../../trace/schema';
import type { StrategyRun } from '../strategy';
import { runAstar } from '../strategies/astar';
import { runBeam } from '../strategies/beam';
import { runBestOfN } from '../strategies/bestOfN';
import { runInContext } from '../strategies/inContext';
import { runMcts } from '../strategies/mcts';
import { runRevision } from '../strategies/revision';
import { runSingle } from '../strategies/single';

/** Exactly one loop per schema name: the type check fails on a missing or an extra one. */
const RUNNERS = {
  single: runSingle,
  'best-of-n': runBestOfN,
  beam: runBeam,
  mcts: runMcts,
  astar: runAstar,
  revision: runRevision,
  'in-context': runInContext,
} satisfies Record<StrategyName, StrategyRun>;

/** The search loop of a built-in strategy; undefined for any other name. */
export function runnerFor(name: string): StrategyRun | undefined {
  return Object.hasOwn(RUNNERS, name) ? RUNNERS[name as StrategyName] : undefined;
}
