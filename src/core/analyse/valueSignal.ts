/**
 * Whether a run's search had a value signal to rank by. Beam, MCTS and A* order their candidates by node values;
 * with no verifier (or one that cannot value the problem's steps) every step gets the prior (0.5) and the ranking —
 * "score 0.5000, cutoff 0.5000" — is arbitrary, though the run looks like a value-guided search. The CLI summary, the
 * panel's message bar, the run list and the run's end notice all say so from this one function.
 */
import type { Trace } from '../trace/schema';

/** What valueSignal reads of a trace (the panel's model has these without being a whole Trace). */
export type RunsAndNodes = Pick<Trace, 'runs' | 'nodes'>;
import { COMMON_PARAMS, STRATEGIES } from '../search/catalog/info';

const DEFAULT_PRIOR = Number(COMMON_PARAMS.find((p) => p.name === 'prior')?.default ?? 0.5);

export interface ValueSignal {
  runId: string;
  strategy: string;
  /** The strategy ranks or selects by node values (so a missing signal changes what it does). */
  usesValues: boolean;
  /** The run's step nodes that carry a value. */
  valuedSteps: number;
  /** Distinct values the run's steps ranked at (an unvalued step at the run's prior). */
  distinctValues: number;
  /** The strategy uses values and the run's steps do not tell one from another (all unvalued or all one value). */
  none: boolean;
  /** What to tell the user when `none`: what happened and which verifiers would give a signal. */
  message: string | undefined;
}

/** Strategies that rank or select by value: the catalog's `valueGuided` (single, best-of-n, in-context and revision do not order steps). */
const VALUE_GUIDED = new Set(STRATEGIES.filter((s) => s.valueGuided).map((s) => s.name as string));

/** Verifiers that value intermediate steps (what the message suggests). */
export const STEP_VERIFIERS = ['prm', 'countdown', 'heuristic', 'rollout'] as const;

/** A value as the message shows it: 0.5, 0.4375, 0.3333. */
function shown(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * The value signal of run `runId` in `trace`. A run with fewer than two steps ranked nothing, so it never counts as
 * "none"; an unknown run id gives a signal with `usesValues` false.
 */
export function valueSignal(trace: RunsAndNodes, runId: string): ValueSignal {
  const run = trace.runs.find((r) => r.id === runId);
  const strategy = run?.config.strategy ?? 'unknown';
  const usesValues = run !== undefined && VALUE_GUIDED.has(strategy);
  // Unvalued steps rank at the run's prior (the engine's default 0.5), so the prior is one of the values ranked by:
  // a checker that values dead ends 0 and leaves the rest unvalued does order the search.
  const prior = run && typeof run.config.params.prior === 'number' ? run.config.params.prior : DEFAULT_PRIOR;
  // Steps the model actually produced: a failed or cancelled request is a node without text, ranked by nobody.
  const steps = trace.nodes.filter((n) => n.runId === runId && n.kind === 'step' && n.status !== 'failed' && n.status !== 'cancelled');
  const values = new Set<number>();
  let valuedSteps = 0;
  for (const n of steps) {
    if (n.value !== undefined) valuedSteps++;
    values.add(n.value ?? prior);
  }
  const none = usesValues && steps.length >= 2 && values.size <= 1;
  let message: string | undefined;
  if (none && run) {
    const what = valuedSteps === 0 ? `no step carried a value (every step ranked at the prior ${shown(prior)})` : `every step scored ${shown([...values][0]!)}`;
    const verifier = run.config.verifier.kind;
    const used = verifier === 'none' ? '' : `, with verifier ${verifier}`;
    message = `${strategy} ran with no value signal${used}: ${what}, so its ranking is arbitrary — set a verifier (${STEP_VERIFIERS.join(', ')})`;
  }
  return { runId, strategy, usesValues, valuedSteps, distinctValues: values.size, none, message };
}
