/**
 * One step-importance measurement as every client runs it (CLI, extension, tests): the generator for the chosen
 * endpoint (the embedded model in process, or an OpenAI-compatible server), the trace's own checker, the problem
 * refused up front when the model cannot read it, and the result stored in the trace (replacing an earlier one for
 * the same node).
 */
import type { Generator } from '../llm/generator';
import { buildGenerator, type EndpointChoice } from '../run/runSetup';
import type { Trace } from '../trace/schema';
import { TraceTree } from '../trace/tree';
import type { Checker } from '../verify/checker';
import { StepImportanceError, checkerForTrace, measureStepImportance, type StepImportanceOptions } from './stepImportance';
import { withImportance, type StepImportance } from './stepImportanceSchema';

export type ImportanceRequest = Omit<StepImportanceOptions, 'tree' | 'generator' | 'checker'> & {
  endpoint: EndpointChoice;
  /** Default: the checker of the trace's last run (checkerForTrace). */
  checker?: Checker;
  /** Tests pass their own. */
  generator?: Generator;
};

/**
 * Measures on a copy of `trace` and returns the copy with the result stored, and the result. The input is not
 * changed: a caller that fails to save keeps what it had.
 */
export async function runStepImportance(trace: Trace, req: ImportanceRequest): Promise<{ trace: Trace; result: StepImportance }> {
  const tree = TraceTree.from(structuredClone(trace));
  // The run path's own: an embedded reasoner named by the choice, or an endpoint client, with its set-up errors.
  const generator = req.generator ?? (await buildGenerator(req.endpoint, undefined));
  const verdict = generator.checkProblem?.(tree.trace.problem);
  if (verdict && !verdict.ok) throw new StepImportanceError(verdict.message);
  const { endpoint: _endpoint, checker, generator: _generator, ...rest } = req;
  const result = await measureStepImportance({ ...rest, tree, generator, checker: checker ?? checkerForTrace(tree.trace) });
  tree.trace.analyses = withImportance(tree.trace.analyses, result);
  return { trace: tree.toJSON(), result };
}
