/**
 * What the panel page may use from the core, in one place: the page imports src/protocol only (a unit test walks
 * the import graph), so every core type or schema it needs is re-exported here rather than reached directly.
 */
export type { Author, Budgets, NodeStatus, Params, Problem, Result, Run, StrategyName, Trace, TraceEvent, TraceNode, Usage, ValueSource, VerifierConfig } from '../core/trace/schema';
export { NodeStatusSchema, StrategyNameSchema } from '../core/trace/schema';
export { pruneBlocker, unpruneBlocker } from '../core/trace/pruneRules';
export type { ParamSpec, StrategyCatalog, StrategyInfo } from '../core/search/catalog';
export { valueSignal } from '../core/analyse/valueSignal';
export type { ValueSignal } from '../core/analyse/valueSignal';
export { causeFix, failureCause, traceMark, traceState } from '../core/analyse/runOutcome';
export type { CauseFix, TraceState } from '../core/analyse/runOutcome';
export { fadedMask, runMask, supersededMask } from '../core/trace/supersession';
export type { IndexedNodes, RunRef } from '../core/trace/supersession';
export { IMPORTANCE_FORMULA, IMPORTANCE_LEGEND, TOP_MIN_TV, importanceStaleness } from '../core/analyse/stepImportanceSchema';
export type { Analyses, AnswerCount, PrefixSample, StepImportance, StepScore } from '../core/analyse/stepImportanceSchema';
