/**
 * Runs searches for the extension through the core run set-up (src/core/run, shared with the CLI): creates the trace
 * file once the run is validated, lets the engine checkpoint it, streams batched deltas to panels and the tree view,
 * shows a cancellable progress notification, and keeps the registry of running searches. The core run set-up (and
 * with it the engine, the endpoint client and the embedded model) is imported on first use, so activation stays light.
 */
import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import type { Adaptation, Budgets, Params, Problem, RunStatus, StrategyName, Trace, TraceEvent, TraceNode, Usage, VerifierConfig } from '../core/trace/schema';
import type { TraceTree } from '../core/trace/tree';
import type { RunReport } from '../core/run';
import type { ApiKeys, Log } from './secrets';
import type { TraceDelta, TraceModels } from './traceModel';
import type { ResolvedEndpoint } from './settings';
import { isTrusted, readSearchDefaults, RestrictedModeError, SECTION } from './settings';
import { endpointChoiceFor } from './endpointChoice';
import { actionsFor, adaptationNotice, endNotice, refusalCause, shownFailures, showNotice } from './runNotices';

export interface StartRunOptions {
  problem: Problem;
  endpoint: ResolvedEndpoint;
  strategy: StrategyName;
  params: Params;
  budgets: Budgets;
  verifier: VerifierConfig | 'auto';
  /** The trace file: created for a fresh run, rewritten (checkpoints) for a re-run. */
  uri: vscode.Uri;
  /** Re-run: the trace to extend and the node to start from. */
  base?: { trace: Trace; startNodeId: string };
  /** Show the cancellable progress notification (default true). */
  notify?: boolean;
}

/** The core's run report plus the trace file it went to. */
export type RunSummary = RunReport & { uri: string };

/** What the runner needs from the extension's services (not the services object: that would make an import loop). */
export interface RunsDeps {
  readonly context: vscode.ExtensionContext;
  readonly log: Log;
  readonly models: TraceModels;
  readonly keys: ApiKeys;
}

export interface RunProgress {
  nodes: number;
  tokens: number;
  cost: number;
  requests: number;
  /** Bumped at every flushed batch: cheap change stamp for caches. */
  updates: number;
}

/** Batch period for live updates to panels and the tree view. */
const FLUSH_MS = 100;

export class LiveRun {
  readonly progress: RunProgress = { nodes: 0, tokens: 0, cost: 0, requests: 0, updates: 0 };
  private readonly controller = new AbortController();
  private readonly deltaEmitter = new vscode.EventEmitter<TraceDelta>();
  readonly onDelta = this.deltaEmitter.event;
  private pending = { added: new Map<string, TraceNode>(), updated: new Map<string, TraceNode>(), events: [] as TraceEvent[] };
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  done!: Promise<RunSummary>;
  status: RunStatus | 'starting' = 'starting';

  constructor(
    readonly id: string,
    readonly uri: vscode.Uri,
    readonly tree: TraceTree,
    readonly strategy: StrategyName,
    readonly startNodeId: string,
    private readonly onProgress: (run: LiveRun) => void,
  ) {
    this.progress.nodes = tree.size;
    tree.onChange((c) => {
      if (c.type === 'event') this.pending.events.push(c.event);
      else if (c.type === 'add') this.pending.added.set(c.node.id, c.node);
      else if (!this.pending.added.has(c.node.id)) this.pending.updated.set(c.node.id, c.node);
      this.scheduleFlush();
    });
  }

  get traceId(): string {
    return this.tree.trace.id;
  }

  get problem(): string {
    return this.tree.trace.problem.text;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  cancel(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new Error('cancelled by the user'));
  }

  /** The live trace, with every pending change flushed first so later deltas never repeat what it holds. */
  snapshot(): Trace {
    this.flush();
    return this.tree.trace;
  }

  summary(): string {
    const p = this.progress;
    return `${this.status} · ${p.nodes} nodes · ${p.tokens} tok${p.cost ? ` · $${p.cost.toFixed(4)}` : ''}`;
  }

  updateUsage(usage: Usage): void {
    this.progress.tokens = usage.tokensIn + usage.tokensOut;
    this.progress.cost = usage.cost;
    this.progress.requests = usage.requests;
  }

  private scheduleFlush(): void {
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const p = this.pending;
    if (!p.added.size && !p.updated.size && !p.events.length) return;
    this.pending = { added: new Map(), updated: new Map(), events: [] };
    const trace = this.tree.trace;
    const run = trace.runs.find((r) => r.id === this.id);
    this.progress.nodes = trace.nodes.length;
    this.progress.updates++;
    if (run) this.updateUsage(run.usage);
    this.deltaEmitter.fire({
      traceId: trace.id,
      nodesAdded: [...p.added.values()],
      nodesUpdated: [...p.updated.values()],
      nodesRemoved: [],
      events: p.events,
      runs: run ? [run] : [],
      usage: trace.usage,
      ...(trace.result !== undefined ? { result: trace.result } : {}),
    });
    this.onProgress(this);
  }

  dispose(): void {
    clearTimeout(this.flushTimer);
    this.deltaEmitter.dispose();
  }
}

export class Runs implements vscode.Disposable {
  private readonly runs = new Map<string, LiveRun>();
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly progressEmitter = new vscode.EventEmitter<LiveRun>();
  private readonly endEmitter = new vscode.EventEmitter<LiveRun>();
  /** A run started or ended. */
  readonly onDidChange = this.changeEmitter.event;
  /** A running search made progress (batched). */
  readonly onDidProgress = this.progressEmitter.event;
  readonly onDidEnd = this.endEmitter.event;
  constructor(private readonly services: RunsDeps) {
    // Drives `when` clauses (Cancel Search in the palette, the view title, the keybinding).
    this.onDidChange(() => void vscode.commands.executeCommand('setContext', 'metacot.searchRunning', this.runs.size > 0));
    // A run of ours is not a stale one, whatever its file says.
    services.models.setRunningHere((uri) => this.forUri(uri)?.id);
  }

  list(): LiveRun[] {
    return [...this.runs.values()];
  }

  get(id: string): LiveRun | undefined {
    return this.runs.get(id);
  }

  forUri(uri: vscode.Uri): LiveRun | undefined {
    const key = uri.toString();
    return this.list().find((r) => r.uri.toString() === key);
  }

  /**
   * Starts a search. Resolves once the trace file exists and the run is registered (so the panel can follow it);
   * `run.done` resolves with the summary when it ends (also when cancelled or out of budget).
   */
  async start(opts: StartRunOptions): Promise<LiveRun> {
    const { services } = this;
    const log = services.log;
    // Defence in depth: settings.resolveEndpoint already refuses these.
    if (!isTrusted() && (opts.endpoint.origin === 'workspace' || opts.endpoint.origin === 'workspaceFolder')) {
      throw new RestrictedModeError(`Restricted Mode: endpoint "${opts.endpoint.setting.name}" comes from workspace settings; no request is sent to it.`);
    }
    if (opts.base && !isTrusted()) throw new RestrictedModeError('Restricted Mode: traces are read-only until you trust this workspace.');
    if (this.forUri(opts.uri)) throw new Error('a search is already running on this trace');

    const { prepareRun } = await import('../core/run');
    const defaults = readSearchDefaults(opts.strategy);
    const cacheDir = this.cacheDir(opts.endpoint.setting.name, opts.endpoint.setting.baseUrl);
    const endpointName = opts.endpoint.setting.name;
    // Each way the client adapts to this server is said once per run, as it first happens (the run's generator calls
    // this once per kind: AdaptationLog).
    const onAdaptation = (a: Adaptation) => {
      log.warn(`endpoint ${endpointName}: ${a.message}`);
      const notice = adaptationNotice(endpointName, a);
      showNotice(log, { ...notice, message: services.keys.redact(notice.message) });
    };
    // Caller mistakes (unknown params, bad values, a problem the embedded model cannot read) throw here, before
    // any request and before the trace file is written.
    const prepared = await prepareRun({
      problem: opts.problem,
      strategy: opts.strategy,
      params: opts.params,
      budgets: opts.budgets,
      // 'auto': the engine picks (Countdown checker for Countdown problems, answer checker otherwise).
      ...(opts.verifier === 'auto' ? {} : { verifier: opts.verifier }),
      endpoint: await endpointChoiceFor(this.services.keys, opts.endpoint, defaults.stepDelimiter),
      priceTable: defaults.priceTable,
      ...(cacheDir ? { cacheDir } : {}),
      ...(opts.base ? { base: opts.base } : {}),
      // The remembered probe (Test Endpoint Connection or an earlier run), else one probe now when allowed.
      capabilities: { probe: vscode.workspace.getConfiguration(SECTION).get<boolean>('probeEndpoints', true), ...this.capabilityDirOption() },
      onAdaptation,
    });
    const { tree, runId, startNodeId } = prepared;
    const caps = prepared.endpoint.capabilities;
    if (caps) {
      const { capabilitySummary } = await import('../core/run/capabilityTable');
      log.info(`endpoint ${endpointName}: ${capabilitySummary(caps)} (probed ${caps.probedAt})`);
    }
    const run = new LiveRun(runId, opts.uri, tree, opts.strategy, startNodeId, (r) => this.progressEmitter.fire(r));
    const io = await import('../core/trace/io');
    const write = (trace: Trace) => this.writeTrace(io, opts.uri, trace);
    await write(tree.trace); // the file exists before the first request (and before start() resolves)
    this.runs.set(runId, run);
    run.status = 'running';
    this.changeEmitter.fire();
    log.info(`run ${runId}: ${opts.strategy} on ${vscode.workspace.asRelativePath(opts.uri)} from ${startNodeId} via ${opts.endpoint.setting.name} (${opts.endpoint.origin})`);

    const execute = async (): Promise<RunSummary> => {
      try {
        const report = await prepared.execute({
          signal: run.signal,
          onProgress: (p) => {
            run.updateUsage(p.usage);
            run.progress.nodes = p.nodes;
          },
          checkpoint: { write, intervalMs: defaults.checkpointIntervalMs },
          traceWritten: true,
          // Finished nodes are journaled beside a file on disk, so a crashed window loses only requests in flight.
          ...(opts.uri.scheme === 'file' ? { traceFile: opts.uri.fsPath } : {}),
        });
        run.status = report.status;
        run.flush();
        run.updateUsage(report.usage);
        log.info(report.summary);
        return { ...report, uri: opts.uri.toString() };
      } catch (err) {
        run.status = 'failed';
        const message = services.keys.redact(err instanceof Error ? err.message : String(err));
        log.error(`run ${runId} failed: ${message}`);
        // An exception (not a failed status): a run started from the panel or with `wait: false` has no command
        // left to say so, so the notice is shown here for every caller; a command awaiting the run does not repeat it.
        showNotice(log, { severity: 'error', message: `Meta-CoT: ${opts.strategy} search failed: ${message}`, actions: actionsFor(refusalCause(err)) });
        if (typeof err === 'object' && err !== null) shownFailures.add(err);
        throw err;
      } finally {
        this.runs.delete(runId);
        this.endEmitter.fire(run);
        this.changeEmitter.fire();
        run.dispose();
      }
    };
    run.done = execute();
    run.done.catch(() => undefined);
    if (opts.notify !== false) this.notify(run);
    return run;
  }

  private notify(run: LiveRun): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Meta-CoT: ${run.strategy} search`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => run.cancel());
        const sub = this.onDidProgress((r) => {
          if (r === run) progress.report({ message: `${r.progress.nodes} nodes · ${r.progress.tokens} tokens · ${r.progress.requests} requests` });
        });
        try {
          const s = await run.done;
          const msg = `${s.status}${s.result?.finalAnswer ? `: ${s.result.finalAnswer}` : ''} (${s.nodesAdded} nodes)`;
          progress.report({ message: msg });
          // The progress notification closes with the run: a failure (or no verified answer, or a search that had no
          // value to rank by) gets a notice that stays. The core is loaded by now (the run used it).
          const { valueSignal } = await import('../core/analyse/valueSignal');
          const notice = endNotice(run.strategy, s, run.tree.trace, valueSignal(run.tree.trace, run.id));
          if (notice) showNotice(this.services.log, { ...notice, message: this.services.keys.redact(notice.message) });
        } catch {
          // shown when the run broke off (execute, in start)
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /**
   * Through the open document when there is one (so editors stay in sync), else an atomic write on disk. Takes its
   * snapshot synchronously, as the crash journal requires (it cuts at the moment of the call).
   */
  private writeTrace(io: typeof import('../core/trace/io'), uri: vscode.Uri, trace: Trace): Promise<void> {
    const model = this.services.models.peek(uri);
    if (model) return model.replaceWith(trace, { save: true });
    if (uri.scheme === 'file') return io.writeTraceFile(uri.fsPath, trace);
    const bytes = new TextEncoder().encode(io.serializeTrace(trace));
    return Promise.resolve(vscode.workspace.fs.writeFile(uri, bytes));
  }


  /**
   * The replay cache lives in the extension's global storage (on disk only: the cache writes files), one folder per
   * endpoint name and server: cache keys leave out the server address, so two endpoints serving the same model id
   * (or one name pointed at another URL, or a wrong key) must not answer each other's requests.
   */
  private cacheDir(endpointName: string, baseUrl: string): string | undefined {
    const storage = this.services.context.globalStorageUri;
    const folder = `${encodeURIComponent(endpointName)}@${createHash('sha256').update(baseUrl).digest('hex').slice(0, 16)}`;
    return storage.scheme === 'file' ? vscode.Uri.joinPath(storage, 'replay-cache', folder).fsPath : undefined;
  }

  /** Remembered probes live in global storage beside the replay cache (on disk only: the store writes files). */
  private capabilityDirOption(): { dir?: string } {
    const dir = capabilityStorageDir(this.services.context);
    return dir ? { dir } : {};
  }

  dispose(): void {
    for (const r of this.runs.values()) r.cancel();
    this.changeEmitter.dispose();
    this.progressEmitter.dispose();
    this.endEmitter.dispose();
  }
}

/** Where the extension remembers capability probes (Test Endpoint Connection and runs share it). */
export function capabilityStorageDir(context: vscode.ExtensionContext): string | undefined {
  const storage = context.globalStorageUri;
  return storage.scheme === 'file' ? vscode.Uri.joinPath(storage, 'capabilities').fsPath : undefined;
}
