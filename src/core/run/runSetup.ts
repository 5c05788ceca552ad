/**
 * One run set-up for every client (CLI, extension, tests): picks the generator (the embedded model in process, or an
 * OpenAI-compatible endpoint with the replay cache), applies the price table, validates strategy, params, budgets,
 * verifier, start node and problem, and only then hands back a run to execute. Nothing is written before `execute`,
 * and the only requests before it are an OpenAI endpoint's capability probe (once per endpoint, remembered), sent
 * after everything else validated: a caller mistake never leaves a half-made trace or a billed request behind.
 */
import { createEndpointGenerator } from '../llm/endpointGenerator';
import type { EndpointGeneratorOptions } from '../llm/endpointGenerator';
import { EndpointConfigSchema } from '../llm/endpointConfig';
import type { EndpointConfigInput } from '../llm/endpointConfig';
import { EndpointError } from '../llm/errors';
import type { Generator } from '../llm/generator';
import { nextRunId, resolveRunConfig, runSearch, type CheckpointOptions, type RunConfigInput } from '../search/engine';
import { ParamError } from '../search/params';
import { strategyInfo, strategyNames } from '../search/catalog';
import { getStrategy } from '../search/registry';
import { BudgetsSchema, type Adaptation, type Budgets, type Capabilities, type EndpointDescription, type Params, type Problem, type Run, type StrategyName, type Trace, type Usage, type VerifierConfig } from '../trace/schema';
import { TraceTree } from '../trace/tree';
import { writeTraceFile } from '../trace/io';
import { TraceJournal } from '../trace/journal';
import { embeddedGenerator } from './embeddedLoader';
import { buildRunReport, type RunReport } from './runReport';
import { endpointCapabilities } from './capabilities';
import { RunSetupError } from './runSetupError';
import { isEmbeddedPrmUrl, REASONER_MODEL_IDS, reasonerNameOf } from '../embedded/embeddedNames';

export type EndpointChoice =
  /** The embedded Countdown models, in process: the step policy, or the reasoner `model` names (embedded-countdown-sos, …). */
  | { kind: 'embedded'; model?: string }
  | { kind: 'openai'; config: EndpointConfigInput; apiKey?: string };

export type PriceTable = Record<string, { input: number; output: number }>;

export interface RunRequest {
  /** Ignored for a re-run (the base trace's problem is used). */
  problem: Problem;
  strategy: StrategyName;
  /** Strategy and common params (text values allowed: the engine coerces them by each parameter's type). */
  params?: Params;
  budgets?: Budgets;
  /** Undefined: the engine's default for the problem. */
  verifier?: VerifierConfig;
  endpoint: EndpointChoice;
  /** Per-model price per 1M tokens; an explicit priceIn / priceOut param, then the endpoint config's price, win. */
  priceTable?: PriceTable;
  /** Replay cache folder for endpoint runs (the embedded model is local and free: it needs none). */
  cacheDir?: string;
  /** Re-run: extend a copy of this trace from this node. */
  base?: { trace: Trace; startNodeId: string };
  /**
   * Capability probing for an 'openai' endpoint: the probe remembered in `dir`, else (with `probe`) one probe sent
   * now and remembered; the generator adapts to it and the trace's endpoint description records it. Absent: none.
   */
  capabilities?: RunCapabilities;
  /** Called as the generator adapts to its server (once per kind per run: said as it happens). */
  onAdaptation?: (adaptation: Adaptation) => void;
}

export interface RunCapabilities {
  /** Where probes are remembered (absent: not remembered). */
  dir?: string;
  /** Probe when nothing is remembered (false: only a remembered probe is used). */
  probe: boolean;
  /** Cancels the probe (Ctrl-C while it runs). */
  signal?: AbortSignal;
  /** Custom fetch for the probe (tests). */
  fetch?: typeof fetch;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  /**
   * How the trace is persisted: written once before the first request, then every `intervalMs` and at the end.
   * With a journal, `write` must take its snapshot synchronously when called (serialize first, then do I/O).
   */
  checkpoint?: CheckpointOptions;
  /**
   * The trace file the checkpoints go to: finished nodes are journaled beside it (`<file>.journal.jsonl`) as they
   * finish, so a killed process loses only the requests in flight (see trace/journal.ts). Without `checkpoint`,
   * the checkpoints are written to this file every 2 s.
   */
  traceFile?: string;
  /** Journal fsync period (default 200 ms); for benchmarks. */
  journalSyncMs?: number;
  /** The caller has just written the trace as it is now: the write before the first request is skipped. */
  traceWritten?: boolean;
  /** Called once the trace file is written and the journal started, before the first request. */
  onTraceWritten?: () => void;
  onProgress?: (p: { usage: Usage; nodes: number }) => void;
}

export interface PreparedRun {
  readonly tree: TraceTree;
  readonly runId: string;
  readonly startNodeId: string;
  /** What the trace records: identical for every client making the same choice. */
  readonly endpoint: EndpointDescription;
  /** Runs the search once; never throws for model, budget or cancellation trouble (see runSearch). */
  execute(opts?: ExecuteOptions): Promise<RunReport>;
}

const CANONICAL_COUNTDOWN = '"Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once."';

/** Validates everything and builds the generator before any request or file write. Throws RunSetupError. */
export async function prepareRun(req: RunRequest): Promise<PreparedRun> {
  try {
    getStrategy(req.strategy);
  } catch (e) {
    throw new RunSetupError('strategy', (e as Error).message, `Pick one of: ${strategyNames().join(', ')}.`);
  }
  const budgets = BudgetsSchema.strict().safeParse(req.budgets ?? {});
  if (!budgets.success) {
    const problems = budgets.error.issues.map((i) => `${i.path.join('.') || 'budgets'}: ${i.message}`).join('; ');
    throw new RunSetupError('params', `invalid budgets: ${problems}`, 'Budgets are maxRequests, maxTokens, maxNodes, maxWallMs and maxCost, each a non-negative number.');
  }

  const tree = req.base ? TraceTree.from(structuredClone(req.base.trace)) : TraceTree.create(req.problem);
  const startNodeId = req.base?.startNodeId ?? tree.root().id;
  const start = tree.get(startNodeId);
  if (!start) throw new RunSetupError('start-node', `no node "${startNodeId}" in the trace`, 'Pick a node of this trace to start from.');
  if (start.kind === 'rollout') throw new RunSetupError('start-node', `node "${startNodeId}" is a rollout`, 'Start from a step or the root.');
  const problem = tree.trace.problem;

  const choice = embeddedModelFor(req, tree, start.runId);
  let generator = await buildGenerator(choice, req.cacheDir, undefined, req.onAdaptation);
  refuseUnreadable(generator, problem);
  let endpoint = generator.describe();

  const config: RunConfigInput = {
    strategy: req.strategy,
    params: pricedParams(req.params ?? {}, req.endpoint, req.priceTable, endpoint.model),
    budgets: budgets.data,
    ...(req.verifier ? { verifier: req.verifier } : {}),
  };
  let resolvedVerifier: VerifierConfig;
  try {
    resolvedVerifier = resolveRunConfig(config, problem, endpoint).config.verifier;
  } catch (e) {
    if (!(e instanceof ParamError)) throw e;
    throw new RunSetupError('params', e.message, 'Check the parameter names and values against the strategy and verifier documentation (docs/engine.md).');
  }
  await loadEmbeddedValueModel(resolvedVerifier);
  // Only now, with everything else valid, may the probe spend requests; the generator is rebuilt knowing the server.
  const capabilities = await runCapabilities(req);
  if (capabilities) {
    generator = await buildGenerator(choice, req.cacheDir, capabilities, req.onAdaptation);
    endpoint = generator.describe();
  }

  const limitations = modelLimitations(req.strategy, generator);
  const runId = nextRunId(tree.trace);
  let executed = false;
  return {
    tree,
    runId,
    startNodeId,
    endpoint,
    async execute(opts: ExecuteOptions = {}): Promise<RunReport> {
      if (executed) throw new Error(`run ${runId} was already executed`);
      executed = true;
      const before = tree.size;
      const onProgress = opts.onProgress;
      const checkpoint = opts.checkpoint ?? (opts.traceFile !== undefined ? fileCheckpoint(opts.traceFile) : undefined);
      // The file exists from the start, so a crash before the first checkpoint still leaves a trace behind.
      if (checkpoint && !opts.traceWritten) await checkpoint.write(tree.trace);
      let journal: TraceJournal | undefined;
      let journalError: string | undefined;
      if (checkpoint && opts.traceFile !== undefined) {
        try {
          journal = TraceJournal.open(opts.traceFile, tree, runId, opts.journalSyncMs !== undefined ? { syncMs: opts.journalSyncMs } : {});
        } catch (err) {
          // The run still goes on with its checkpoints; the report says what a crash would cost.
          journalError = `the crash journal could not be created: ${(err as Error).message}`;
        }
      }
      opts.onTraceWritten?.();
      // Said before the first request: the run goes ahead, but its method is not what the strategy's name promises.
      for (const a of limitations) req.onAdaptation?.({ ...a });
      let run: Run;
      try {
        run = await runSearch({
          tree,
          config,
          generator,
          startNodeId,
          runId,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(checkpoint ? { checkpoint: journal ? { ...checkpoint, write: (t: Trace) => journal.checkpoint(() => checkpoint.write(t)) } : checkpoint } : {}),
          ...(onProgress ? { onProgress: (p: { usage: Usage; nodes: number }) => onProgress({ usage: p.usage, nodes: p.nodes }) } : {}),
          ...(limitations.length > 0 ? { adaptations: limitations } : {}),
        });
      } catch (err) {
        // The final checkpoint failed: the journal holds what the file lacks, so it stays.
        await journal?.close({ remove: false });
        throw err;
      }
      await journal?.close({ remove: true });
      return buildRunReport(run, tree.trace.id, tree.size, tree.size - before, tree.trace.result, journalError ?? journal?.error?.message);
    },
  };
}

/**
 * What the model ignores that the strategy relies on (revision on the embedded model: earlier attempts never reach
 * it), as one `model-limitation` adaptation; none when the strategy relies on nothing the generator declares.
 */
export function modelLimitations(strategy: StrategyName, generator: Generator): Adaptation[] {
  const relies = new Set(strategyInfo(strategy).relies ?? []);
  const hit = (generator.limitations?.() ?? []).filter((l) => relies.has(l.feature));
  if (hit.length === 0) return [];
  return [{ kind: 'model-limitation', message: hit.map((l) => l.note).join('; '), count: 1 }];
}

function fileCheckpoint(path: string): CheckpointOptions {
  return { write: (t) => writeTraceFile(path, t), intervalMs: 2000 };
}

/** The endpoint's remembered or probed capabilities (undefined: not asked for, or not an 'openai' endpoint). */
async function runCapabilities(req: RunRequest): Promise<Capabilities | undefined> {
  if (!req.capabilities || req.endpoint.kind !== 'openai') return undefined;
  // An invalid config was refused when the generator was built above.
  const config = EndpointConfigSchema.parse(req.endpoint.config);
  const { dir, probe, fetch, signal } = req.capabilities;
  try {
    const found = await endpointCapabilities(config, {
      probe,
      ...(dir !== undefined ? { dir } : {}),
      ...(fetch ? { fetch } : {}),
      ...(signal ? { signal } : {}),
      ...(req.endpoint.apiKey ? { apiKey: req.endpoint.apiKey } : {}),
    });
    return found?.capabilities;
  } catch (e) {
    if (!(e instanceof EndpointError)) throw e;
    const err = new RunSetupError('endpoint', `capability probe failed: ${e.message}`, e.advice ?? 'Check the endpoint configuration (docs/endpoints.md).');
    // Clients that speak in their own terms (the CLI's flags) read the endpoint error's kind from here.
    err.cause = e;
    throw err;
  }
}

/**
 * The embedded model a run gets when none was named: a re-run keeps the reasoner its start node came from; a fresh
 * in-context run gets the Stream-of-Search reasoner (the step policy writes no chain of thought to search in).
 */
function embeddedModelFor(req: RunRequest, tree: TraceTree, startRunId: string | undefined): EndpointChoice {
  if (req.endpoint.kind !== 'embedded' || req.endpoint.model !== undefined) return req.endpoint;
  const used = tree.trace.runs.find((r) => r.id === startRunId)?.config.endpoint;
  if (used && used.baseUrl.startsWith('embedded:') && reasonerNameOf(used.model)) return { kind: 'embedded', model: used.model };
  if (strategyInfo(req.strategy).searchesInThinking) return { kind: 'embedded', model: REASONER_MODEL_IDS['countdown-sos'] };
  return req.endpoint;
}

/** The generator a choice names: the embedded model (the policy or a reasoner) in process, or an endpoint client. */
export async function buildGenerator(choice: EndpointChoice, cacheDir: string | undefined, capabilities?: Capabilities, onAdaptation?: (a: Adaptation) => void): Promise<Generator> {
  if (choice.kind === 'embedded') {
    try {
      return await embeddedGenerator(choice.model);
    } catch (e) {
      throw new RunSetupError(
        'embedded-model',
        `the embedded model could not be loaded: ${(e as Error).message}`,
        'Pick an OpenAI-compatible endpoint (vLLM, SGLang, OpenAI, …), or start the local reference server with `metacot serve` and use the URL it prints (model sim-countdown or sim-arithmetic).',
      );
    }
  }
  try {
    const options: EndpointGeneratorOptions = {
      ...(choice.apiKey ? { apiKey: choice.apiKey } : {}),
      ...(cacheDir ? { cacheDir } : {}),
      ...(capabilities ? { capabilities } : {}),
      ...(onAdaptation ? { onAdaptation } : {}),
    };
    return createEndpointGenerator(choice.config, options);
  } catch (e) {
    if (e instanceof EndpointError) throw new RunSetupError('endpoint', e.message, e.advice ?? 'Fix the endpoint configuration (docs/endpoints.md).');
    throw e;
  }
}

/** A generator that knows it cannot read the problem (the embedded Countdown model) says so before any request. */
/**
 * The embedded value model is loaded (checksum and all) before the run when its verifier is used: a missing or
 * changed file refuses the run up front instead of failing every valued node.
 */
async function loadEmbeddedValueModel(verifier: VerifierConfig): Promise<void> {
  const url = verifier.params?.['url'];
  if (verifier.kind !== 'prm' || typeof url !== 'string' || !isEmbeddedPrmUrl(url)) return;
  try {
    const { sharedValueModel } = await import('../embedded/valueModel');
    await sharedValueModel();
  } catch (e) {
    throw new RunSetupError('embedded-model', `the embedded value model cannot be loaded: ${(e as Error).message}`, 'Restore the model files (reinstall the extension, or git checkout -- model/), or run with the Countdown checks alone (verifier countdown).');
  }
}

function refuseUnreadable(generator: Generator, problem: Problem): void {
  if (typeof generator.checkProblem !== 'function') return;
  const verdict = generator.checkProblem(problem);
  if (!verdict.ok) throw new RunSetupError('problem', verdict.message, `Write it like ${CANONICAL_COUNTDOWN}, or pick an OpenAI-compatible endpoint for other problems.`);
}

/** Price per 1M tokens as the priceIn / priceOut params: explicit params first, then the endpoint's price, then the table. */
function pricedParams(params: Params, choice: EndpointChoice, table: PriceTable | undefined, model: string): Params {
  const own = choice.kind === 'openai' ? choice.config.price : undefined;
  const row = table?.[model];
  const price = own ? { input: own.inputPer1M ?? 0, output: own.outputPer1M ?? 0 } : row;
  const out: Params = { ...params };
  if (price && out.priceIn === undefined) out.priceIn = price.input;
  if (price && out.priceOut === undefined) out.priceOut = price.output;
  return out;
}
