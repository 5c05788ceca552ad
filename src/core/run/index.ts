/** The run set-up every client uses: prepare (validate, pick the generator), execute, report; re-run plans; trace names. */
export { prepareRun } from './runSetup';
export type { EndpointChoice, ExecuteOptions, PreparedRun, PriceTable, RunRequest } from './runSetup';
export { RunSetupError } from './runSetupError';
export type { RunSetupErrorKind } from './runSetupError';
export type { RunReport } from './runReport';
export { planRerun } from './rerunPlan';
export type { RerunPlan } from './rerunPlan';
export { traceFileName, traceFileStem } from './traceNaming';
