/**
 * The strategy catalog: data, schemas and derived surfaces. Safe for the panel and the protocol to import (no
 * strategy code behind it); the engine binds names to search loops through ../registry.ts.
 */
export {
  COMMON_PARAMS,
  CatalogParamSchema,
  DEFAULT_STRATEGY,
  STRATEGIES,
  STRATEGY_CATALOG,
  StrategyCatalogSchema,
  StrategyInfoSchema,
  THINK_VERIFY_PROMPT,
  type BuiltinStrategyInfo,
  type CatalogParam,
  type StrategyCatalog,
  type StrategyInfo,
} from './info';
export {
  describeStrategiesForCli,
  isCommonParam,
  manifestSearchSettings,
  sameSettingsParams,
  splitParams,
  strategyDefaults,
  strategyInfo,
  strategyNames,
  strategyPickItems,
  type ManifestSearchSettings,
  type StrategyPickItem,
} from './derive';
export { ParamSpecSchema, type ParamSpec } from '../params';
