/**
 * The grid of an experiment: its cells (strategy × params × budget), where each problem × cell trace goes, the
 * held-out Countdown sets shipped with the embedded model as named problem sets, and `--set strategy.k=v` parsing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemSetError, problemFromLine } from '../problems/problemLine';
import { parseSelect } from '../problems/problemSet';
import { defaultModelDir } from '../embedded/modelFiles';
import { traceFileStem } from '../run/traceNaming';
import { TRACE_FILE_SUFFIX } from '../trace/io';
import type { Params, Problem, StrategyName } from '../trace/schema';
import { TRACES_DIR, type ExperimentSpec, type ExperimentStrategy } from './summary';
import { STRATEGIES } from '../search/catalog/info';

/**
 * Count caps raised so that the token budget is what ends a run (else every budget above the cap gives the same
 * cell): the catalog's `budgetBound` of each strategy. `--set` overrides them; the summary records the parameters as run.
 */
export const BUDGET_BOUND_PARAMS: Partial<Record<StrategyName, Params>> = Object.fromEntries(STRATEGIES.flatMap((s) => (s.budgetBound ? [[s.name, { ...s.budgetBound }]] : [])));

/**
 * One request in flight per run, for every strategy: requests already sent when the budget is reached still count,
 * and with 8 in flight a 500-token cell spent up to 3× its budget (measured); at 1 a run overshoots by at most one
 * request, so the budget axis means what it says. Entries run side by side instead (`jobs`).
 */
export const EXPERIMENT_COMMON_PARAMS: Params = { concurrency: 1 };

export interface ExperimentCellPlan {
  id: string;
  strategy: StrategyName;
  /** As run: the budget-bound defaults under the user's settings. */
  params: Params;
  budget: number;
}

/** `k=v` text values are kept as text: the engine coerces them by each parameter's type (as `metacot run` does). */
function paramText(v: Params[string]): string {
  return Array.isArray(v) ? v.join('+') : String(v);
}

/**
 * `beam-1000`, `mcts-c=1.0-4000`: the strategy, the parameters the user set (the budget-bound defaults are the same
 * in every cell of a strategy and left out), and the budget; made safe as a folder name.
 */
export function cellId(strategy: StrategyName, userParams: Params, budget: number): string {
  const set = Object.keys(userParams)
    .sort()
    .map((k) => `${k}=${paramText(userParams[k]!)}`);
  return [strategy, ...set, String(budget)].join('-').replace(/[^A-Za-z0-9.=+_-]+/g, '_');
}

/** The user's settings for a strategy: what --set gave it, less the budget-bound defaults. */
export function userParams(s: ExperimentStrategy): Params {
  const defaults: Params = { ...EXPERIMENT_COMMON_PARAMS, ...(BUDGET_BOUND_PARAMS[s.strategy] ?? {}) };
  return Object.fromEntries(Object.entries(s.params).filter(([k, v]) => !(k in defaults) || String(defaults[k]) !== String(v)));
}

/** Every cell of the grid, strategy-major, budgets in the order given. */
export function experimentCells(spec: Pick<ExperimentSpec, 'strategies' | 'budgets'>): ExperimentCellPlan[] {
  const cells: ExperimentCellPlan[] = [];
  for (const s of spec.strategies) {
    for (const budget of spec.budgets) cells.push({ id: cellId(s.strategy, userParams(s), budget), strategy: s.strategy, params: s.params, budget });
  }
  const ids = new Set(cells.map((c) => c.id));
  if (ids.size !== cells.length) throw new ProblemSetError('the grid names the same cell twice (a strategy or budget given twice)');
  return cells;
}

/**
 * One trace file name per problem, the same in every cell: the problem's id made safe (see traceFileStem), with
 * `-2`, `-3`, … for a repeated id, so a set with duplicate ids still gives each problem its own file.
 */
export function problemFileNames(problems: readonly Problem[]): string[] {
  const used = new Set<string>();
  return problems.map((p) => {
    const stem = traceFileStem(p);
    let name = `${stem}${TRACE_FILE_SUFFIX}`;
    for (let k = 2; used.has(name); k++) name = `${stem}-${k}${TRACE_FILE_SUFFIX}`;
    used.add(name);
    return name;
  });
}

/** `traces/<cell>/<problem>.metacot.json`, relative to the experiment folder (forward slashes on every OS). */
export function traceRelPath(cell: string, fileName: string): string {
  return `${TRACES_DIR}/${cell}/${fileName}`;
}

/**
 * Strategies with their parameters: `names` (`astar,mcts`) and `sets` (`mcts.c=1.0`, or `*.seed=3` for all).
 * Each strategy gets the experiment's defaults (one request in flight, budget-bound caps), then its settings (text values, coerced by the engine).
 */
export function strategiesFrom(names: readonly StrategyName[], sets: readonly string[]): ExperimentStrategy[] {
  const chosen = new Set(names);
  const own = new Map<StrategyName, Params>(names.map((n) => [n, { ...EXPERIMENT_COMMON_PARAMS, ...(BUDGET_BOUND_PARAMS[n] ?? {}) }]));
  for (const s of sets) {
    const m = /^([A-Za-z*-]+)\.([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(s.trim());
    if (!m) throw new ProblemSetError(`--set "${s}": expected strategy.param=value (e.g. mcts.c=1.0, or *.temperature=0.8 for every strategy)`);
    const [, who, key, value] = m as unknown as [string, string, string, string];
    const targets = who === '*' ? names : [who as StrategyName];
    if (who !== '*' && !chosen.has(who as StrategyName)) throw new ProblemSetError(`--set "${s}": ${who} is not one of --strategies (${names.join(', ')})`);
    for (const t of targets) own.get(t)![key] = value;
  }
  return names.map((strategy) => ({ strategy, params: own.get(strategy)! }));
}

/** Held-out Countdown sets shipped with the embedded model: never trained on (model/heldout.json). */
export const NAMED_SETS = ['heldout-test', 'heldout-validation'] as const;
export type NamedSet = (typeof NAMED_SETS)[number];

export function isNamedSet(source: string): source is NamedSet {
  return (NAMED_SETS as readonly string[]).includes(source);
}

interface HeldOut {
  test: { numbers: number[]; target: number }[];
  validation: { numbers: number[]; target: number }[];
}

/**
 * The problems of a named held-out set (`heldout-test`: model/heldout.json's `test` split, ids `heldout-test-1`, …),
 * read as problem lines so they are the Countdown problems any set would give; `select` as for a JSONL file.
 */
export function namedSetProblems(name: NamedSet, select?: string, modelDir: string = defaultModelDir()): Problem[] {
  const file = join(modelDir, 'heldout.json');
  let held: HeldOut;
  try {
    held = JSON.parse(readFileSync(file, 'utf8')) as HeldOut;
  } catch (e) {
    throw new ProblemSetError(`cannot read the held-out problems (${file}): ${(e as Error).message}`);
  }
  const split = name === 'heldout-test' ? held.test : held.validation;
  if (!Array.isArray(split)) throw new ProblemSetError(`${file}: no "${name.slice('heldout-'.length)}" split`);
  const pick = select !== undefined ? parseSelect(select) : () => true;
  const out: Problem[] = [];
  split.forEach((p, i) => {
    if (!pick(i + 1)) return;
    const problem = problemFromLine({ id: `${name}-${i + 1}`, numbers: p.numbers, target: p.target }, { file: name, line: i + 1 });
    // The set is named, not a file: no source line to point an editor at.
    problem.source = { dataset: 'countdown' };
    out.push(problem);
  });
  if (out.length === 0) throw new ProblemSetError(`${name}: no problems${select !== undefined ? ` selected by "${select}"` : ''}`);
  return out;
}
