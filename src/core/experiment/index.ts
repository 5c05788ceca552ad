/** Experiments: a problem set × a grid of strategies / params / budgets, resumable, one folder with summary and plots. */
export * from './summary';
export { BUDGET_BOUND_PARAMS, EXPERIMENT_COMMON_PARAMS, NAMED_SETS, cellId, experimentCells, isNamedSet, namedSetProblems, problemFileNames, strategiesFrom, traceRelPath, userParams } from './spec';
export type { ExperimentCellPlan, NamedSet } from './spec';
export { atKRows, entryFromTrace, isFinished, readEntry, recountExperiment, summarizeCell, summarizeTotals } from './recount';
export type { Entry, EntryRef } from './recount';
export { ACCURACY_VS_N_METHOD, experimentPlots } from './plots';
export type { PlotFile } from './plots';
export { ExperimentError, runExperiment } from './runner';
export type { EntryEvent, ExperimentOptions, ExperimentOutcome } from './runner';
