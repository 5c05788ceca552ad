/**
 * What the panel page may use from the core, in one place: the page imports src/protocol only (a unit test walks
 * the import graph), so every core type or schema it needs is re-exported here rather than reached directly.
 */
export type { Author, Budgets, NodeStatus, Params, Problem, Result, Run, StrategyName, Trace, TraceEvent, TraceNode, Usage, ValueSource } from '../core/trace/schema';
export { NodeStatusSchema, StrategyNameSchema } from '../core/trace/schema';
export type { ParamSpec, StrategyCatalog, StrategyInfo } from '../core/search/catalog';
