/** "Same settings" for a re-run: read from the run that produced a node, so every client re-runs alike. */
import { sameSettingsParams } from '../search/catalog';
import type { Budgets, Params, StrategyName, Trace, VerifierConfig } from '../trace/schema';
import { RunSetupError } from './runSetupError';

export interface RerunPlan {
  strategy: StrategyName;
  /** The strategy's own params plus the seed; other common params (concurrency, prices, …) come from the client's defaults. */
  params: Params;
  budgets: Budgets;
  verifier?: VerifierConfig;
  /** The endpoint the origin run used, by name (the client decides whether it is still configured). */
  endpointName?: string;
  originRunId?: string;
}

/**
 * The settings of the run that produced `nodeId`, else of the latest run (for the root and human-written nodes).
 * Throws RunSetupError when the node is not in the trace or the trace has no run to copy.
 */
export function planRerun(trace: Trace, nodeId: string): RerunPlan {
  const node = trace.nodes.find((n) => n.id === nodeId);
  if (!node) throw new RunSetupError('rerun', `no node "${nodeId}" in the trace`, 'Pick a node of this trace to re-run from.');
  const origin = trace.runs.find((r) => r.id === node.runId) ?? trace.runs[trace.runs.length - 1];
  if (!origin) throw new RunSetupError('rerun', 'the trace has no run to copy settings from', 'Choose a strategy and parameters for the new run.');
  return {
    strategy: origin.config.strategy,
    params: sameSettingsParams(origin.config.params),
    budgets: { ...origin.config.budgets },
    verifier: structuredClone(origin.config.verifier),
    endpointName: origin.config.endpoint.name,
    originRunId: origin.id,
  };
}
