/**
 * runSearch: the engine's one entry point (extension, CLI, tests, benchmarks). Adds a Run record to the trace,
 * resolves params (defaults saved in the trace), marks an old subtree superseded (or removes it) for a re-run,
 * runs the strategy under a RunContext, writes checkpoints, and closes the run with its status, reason, usage,
 * its own result and the trace's result (the best over runs: analyse/runResults.ts). Never throws for model,
 * budget or cancellation problems: they end up in the Run. It throws for caller mistakes (unknown strategy, bad
 * params, unknown start node) before anything changes, and when the final checkpoint write fails (the caller must
 * know the file is stale).
 */
import type { Generator } from '../llm/generator';
import type { TraceTree } from '../trace/tree';
import type { Adaptation, EndpointDescription, Problem, Run, RunConfig, Trace, TraceEvent, TraceNode, Usage, VerifierConfig } from '../trace/schema';
import { emptyUsage } from '../trace/schema';
import { parseCountdownProblem } from '../verify/countdown';
import { embeddedValueVerifier, isEmbeddedEndpoint } from '../embedded/embeddedNames';
import { createVerifier, type Verifier, type VerifierDeps } from '../verify/verifier';
import { COMMON_PARAMS } from './commonParams';
import { ParamError, resolveParams } from './params';
import { getStrategy } from './registry';
import { adaptationsSince, sumAdaptations } from '../llm/adaptations';
import { isEndpointError } from '../llm/errors';
import { closeRunResult, resultOfNode } from '../analyse/runResults';
import { RunContext, describeError } from './runContext';

export interface CheckpointOptions {
  /** Persists the trace (e.g. `(t) => writeTraceFile(path, t)`); called at most once at a time. */
  write(trace: Trace): Promise<void> | void;
  /** Period between checkpoints while the run goes on (default 2000 ms). */
  intervalMs?: number;
}

/** What a caller gives: the endpoint is taken from the generator, params / budgets / verifier have defaults. */
export interface RunConfigInput {
  strategy: RunConfig['strategy'];
  params?: RunConfig['params'];
  /** Default: `countdown` for Countdown problems, `answer` otherwise. */
  verifier?: RunConfig['verifier'];
  budgets?: RunConfig['budgets'];
  /** Ignored when a generator is given: the trace records `generator.describe()`. */
  endpoint?: RunConfig['endpoint'];
}

export interface RunSearchOptions {
  tree: TraceTree;
  /** Defaults to the trace's problem. */
  problem?: Problem;
  config: RunConfigInput;
  generator: Generator;
  /** Defaults to one built from `config.verifier`. */
  verifier?: Verifier;
  verifierDeps?: VerifierDeps;
  /** Start node; default the root. Any node works: its path is the fixed prefix, new nodes go under it. */
  startNodeId?: string;
  /** Re-run: delete the start node's old subtree instead of keeping it marked `supersededBy`. */
  replaceSubtree?: boolean;
  signal?: AbortSignal;
  /** Every event as it is logged (the same objects as in the trace's event log). */
  onEvent?: (event: TraceEvent) => void;
  /** After each finished request: live usage, nodes created, requests in flight. */
  onProgress?: (p: { run: Run; usage: Usage; nodes: number; inFlight: number }) => void;
  checkpoint?: CheckpointOptions;
  /** Cost of a request's tokens (e.g. the endpoint's price list); default: params `priceIn` / `priceOut`. */
  costOf?: (tokensIn: number, tokensOut: number) => number;
  /** Clock for run timestamps and wall-time budgets (tests pin it). */
  now?: () => number;
  /** Run id; default `r<k>`, the first free one. */
  runId?: string;
  /** Adaptations known before the run (a model limitation the strategy relies on): recorded with the run's own. */
  adaptations?: readonly Adaptation[];
}

/** The first free run id `r<k>` (k from the number of runs + 1): the one rule for every client. */
export function nextRunId(trace: Trace): string {
  const used = new Set(trace.runs.map((r) => r.id));
  let k = trace.runs.length + 1;
  while (used.has(`r${k}`)) k++;
  return `r${k}`;
}

/**
 * The verifier a run gets when it names none: for a Countdown problem on the embedded model, the Countdown checks plus
 * the embedded value model (through the PRM adapter); for another Countdown set-up, the checks alone; else answers.
 */
export function defaultVerifierConfig(problem: Problem, endpoint?: EndpointDescription): VerifierConfig {
  if (!parseCountdownProblem(problem)) return { kind: 'answer', params: {} };
  return endpoint && isEmbeddedEndpoint(endpoint) ? embeddedValueVerifier() : { kind: 'countdown', params: {} };
}


/**
 * The config a run saves: strategy and common params resolved (defaults filled in), the verifier's resolved
 * params, the generator's endpoint description. Throws ParamError for unknown or ill-typed params.
 */
export function resolveRunConfig(
  input: RunConfigInput,
  problem: Problem,
  endpoint: EndpointDescription,
  verifier?: Verifier,
  deps?: VerifierDeps,
): { config: RunConfig; verifier: Verifier } {
  const strategy = getStrategy(input.strategy);
  const params = resolveParams([...strategy.params, ...COMMON_PARAMS], input.params ?? {}, `strategy ${input.strategy}`);
  const v = verifier ?? createVerifier(input.verifier ?? defaultVerifierConfig(problem, endpoint), deps, problem);
  return { config: { strategy: input.strategy, params, endpoint, verifier: v.config, budgets: input.budgets ?? {} }, verifier: v };
}

export async function runSearch(opts: RunSearchOptions): Promise<Run> {
  const { tree } = opts;
  const trace = tree.toJSON();
  const now = opts.now ?? Date.now;
  const startId = opts.startNodeId ?? tree.root().id;
  const start = tree.get(startId);
  if (!start) throw new ParamError(`start node "${startId}" is not in the trace`);
  if (start.kind === 'rollout') throw new ParamError(`start node "${startId}" is a rollout; start from a step`);
  const strategy = getStrategy(opts.config.strategy);
  const problem = opts.problem ?? trace.problem;
  const { config, verifier } = resolveRunConfig(opts.config, problem, opts.generator.describe(), opts.verifier, opts.verifierDeps);

  const run: Run = {
    id: opts.runId ?? nextRunId(trace),
    config,
    startNodeId: startId,
    startedAt: new Date(now()).toISOString(),
    status: 'running',
    usage: emptyUsage(),
  };
  trace.runs.push(run);

  // A re-run: the old subtree stays for comparison (superseded) unless the caller asked to replace it.
  if (tree.childIdsOf(startId).length > 0) {
    if (opts.replaceSubtree) {
      tree.removeDescendants(startId);
      // Earlier runs' results keep their answer and verdict, but not a node that no longer exists.
      for (const r of trace.runs) if (r.result?.bestNodeId !== undefined && !tree.get(r.result.bestNodeId)) delete r.result.bestNodeId;
    } else tree.supersede(startId, run.id);
  }
  // The start node's old search statistics belong to the superseded subtree.
  if (start.kind !== 'root') tree.update(startId, { status: 'open', visits: undefined, q: undefined });
  else if (start.visits !== undefined) tree.update(startId, { visits: undefined, q: undefined });

  const unsubscribe = opts.onEvent
    ? tree.onChange((c) => {
        if (c.type === 'event') opts.onEvent!(c.event);
      })
    : undefined;

  const stopOnSolve = config.params.stopOnSolve === true;
  // A generator may outlive the run (one per endpoint): the run records only what it adapted during this run.
  const adaptedBefore = opts.generator.adaptations?.() ?? [];
  const ctx = new RunContext({
    tree,
    problem,
    run,
    startId,
    prefix: tree.stepsTo(startId),
    params: config.params,
    verifier,
    generator: opts.generator,
    budgets: config.budgets,
    signal: opts.signal,
    stopOnSolve,
    now,
    ...(opts.costOf ? { costOf: opts.costOf } : {}),
    onProgress: opts.onProgress ? (p) => opts.onProgress!({ run, ...p }) : undefined,
  });

  // Periodic checkpoints: never two writes at once; a failed periodic write is retried at the next tick.
  let writing: Promise<void> | undefined;
  let checkpointError: unknown;
  const writeNow = async (): Promise<void> => {
    try {
      await opts.checkpoint!.write(trace);
      checkpointError = undefined;
    } catch (err) {
      checkpointError = err;
    }
  };
  const timer = opts.checkpoint
    ? setInterval(() => {
        if (!writing) writing = writeNow().finally(() => (writing = undefined));
      }, opts.checkpoint.intervalMs ?? 2000)
    : undefined;
  timer?.unref?.();

  let bestNodeId: string | undefined;
  let endReason: string | undefined;
  let crash: string | undefined;
  try {
    const outcome = await strategy.run(ctx);
    bestNodeId = outcome.bestNodeId;
    endReason = outcome.reason;
  } catch (err) {
    // A request's own failure that a strategy let through (in-context rethrows it) is the run's reason, not a crash.
    crash = isEndpointError(err) ? describeError(err) : `strategy ${strategy.name} crashed: ${describeError(err)}`;
  } finally {
    await ctx.settlePrefetched();
    ctx.dispose();
    if (timer) clearInterval(timer);
  }

  // Anything still marked running never got its answer.
  for (const n of trace.nodes) {
    if (n.runId === run.id && n.status === 'running') tree.update(n.id, { status: 'cancelled' });
  }

  const stop = ctx.stopInfo;
  const best = pickBest(tree, bestNodeId, ctx.verifiedNodes);
  const found = ctx.verifiedNodes.length;
  const allFailed = ctx.errors > 0 && !anyAnswer(trace, run) ? everyRequestFailed(trace, run, ctx.errors) : undefined;
  if (crash) {
    run.status = 'failed';
    run.reason = crash;
  } else if (allFailed && stop?.status !== 'failed' && stop?.status !== 'cancelled') {
    // Nothing came back: that is a failure whatever else stopped the run (a budget, the strategy running dry).
    run.status = 'failed';
    run.reason = allFailed;
  } else if (stop && stop.status !== 'solved') {
    run.status = stop.status;
    run.reason = stop.reason;
  } else if (best?.verified === true) {
    // Solved means the answer the strategy chose verifies (for a vote: maj@k), not just that some node did.
    run.status = 'solved';
    run.reason = stop?.reason ?? endReason ?? `chosen node ${best.id} verified (${found} verified node${found === 1 ? '' : 's'} in this run)`;
  } else {
    run.status = 'completed';
    run.reason = endReason ?? (found > 0 ? `${found} node${found === 1 ? '' : 's'} verified, but the chosen answer ${best ? `(node ${best.id}) ` : ''}does not` : 'search finished without a verified answer');
  }
  run.endedAt = new Date(now()).toISOString();
  const adapted = sumAdaptations([adaptationsSince(adaptedBefore, opts.generator.adaptations?.() ?? []), opts.adaptations ?? []]);
  if (adapted.length > 0) run.adaptations = adapted;

  // The run keeps its own result; the trace's is the best over runs, so a verified answer survives an unsolved re-run.
  trace.result = closeRunResult(tree, run, resultOfNode(best));

  unsubscribe?.();
  if (opts.checkpoint) {
    while (writing) await writing;
    await writeNow();
    if (checkpointError) throw checkpointError;
  }
  return run;
}

/** Whether any request of the run was answered: tokens or a cache hit counted, or a node it made holds an answer. */
function anyAnswer(trace: Trace, run: Run): boolean {
  const u = run.usage;
  if (u.tokensIn + u.tokensOut > 0 || u.cachedRequests > 0) return true;
  // Servers that report no usage still leave filled nodes behind.
  return trace.nodes.some((n) => n.runId === run.id && n.status !== 'failed' && n.status !== 'cancelled' && n.status !== 'running');
}

/** The reason of a run none of whose requests was answered: how many failed, and the first error's message. */
function everyRequestFailed(trace: Trace, run: Run, errors: number): string {
  const first = trace.events.find((e) => e.run === run.id && e.type === 'error' && typeof e.data?.message === 'string');
  const message = first ? String(first.data!.message) : 'no error message recorded';
  return `every request failed (${errors} failed request${errors === 1 ? '' : 's'}, none answered); first: ${message}`;
}

function pickBest(tree: TraceTree, chosen: string | undefined, verified: readonly string[]): TraceNode | undefined {
  if (chosen !== undefined) return tree.get(chosen);
  if (verified.length > 0) return tree.get(verified[0]!);
  return undefined;
}
