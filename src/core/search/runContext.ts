/**
 * The scheduler behind every strategy: implements SearchContext. Holds the concurrency cap (a FIFO semaphore),
 * the budgets, the stop state (cancel / wall time / solved / failed), per-request seeds, usage accounting on the
 * run and the trace, and the node life cycle: running placeholder → filled and checked → valued.
 */
import type { Generation, Generator } from '../llm/generator';
import { setMaxListeners } from 'node:events';
import { isEndpointError } from '../llm/errors';
import { requestsSentBy } from '../llm/requestsSent';
import type { TraceTree } from '../trace/tree';
import type { Budgets, EventType, Params, Problem, Prune, Run, RunStatus, Selection, TraceNode, Usage } from '../trace/schema';
import type { Verifier } from '../verify/verifier';
import { budgetBlock } from './budget';
import { DEFAULT_MAX_STEP_CHARS, fillNode, placeholder, rolloutNode } from './nodeFilling';
import { fillEach, fillMerged, runSiblings, type FillHost } from './expansionFill';
import { num, optNum } from './params';
import { describeError, isFatalError, StoppedError } from './runErrors';
import { deriveSeed } from './seeds';
import { Semaphore } from './semaphore';
import type { ExpandRequest, SearchContext } from './strategy';
import { UsageMeter } from './usageMeter';
import type { CostFn } from './usageMeter';

// Re-exported: the engine takes its error text from here.
export { describeError } from './runErrors';

export interface RunContextOptions {
  tree: TraceTree;
  problem: Problem;
  run: Run;
  startId: string;
  prefix: readonly string[];
  params: Params;
  verifier: Verifier;
  generator: Generator;
  budgets: Budgets;
  /** The caller's cancel signal. */
  signal?: AbortSignal;
  stopOnSolve: boolean;
  now: () => number;
  /** Cost of one request's tokens; default: the `priceIn` / `priceOut` params (per million tokens). */
  costOf?: CostFn;
  /** Called after every finished request (progress bars, status lines). */
  onProgress?: (p: { usage: Usage; nodes: number; inFlight: number }) => void;
  /** Longest step text a node keeps (characters); longer steps are cut and marked. Default DEFAULT_MAX_STEP_CHARS. */
  maxStepChars?: number;
}

export interface StopInfo {
  status: Extract<RunStatus, 'budget' | 'cancelled' | 'solved' | 'failed'>;
  reason: string;
}

export class RunContext implements SearchContext {
  readonly tree: TraceTree;
  readonly problem: Problem;
  readonly run: Run;
  readonly startId: string;
  readonly prefix: readonly string[];
  readonly params: Params;
  readonly verifier: Verifier;
  readonly prior: number;
  readonly verifiedNodes: string[] = [];
  stopInfo: StopInfo | undefined;
  /** Nodes created by this run. */
  nodes = 0;
  errors = 0;

  private readonly generator: Generator;
  private readonly budgets: Budgets;
  private readonly sem: Semaphore;
  private readonly stopCtl = new AbortController();
  private readonly startedAt: number;
  private readonly seedCounts = new Map<string, number>();
  private readonly opts: RunContextOptions;
  private readonly usage: UsageMeter;
  private inFlight = 0;
  /** Expansions sent ahead by prefetchExpand, by parent id, until their expand takes them. */
  private readonly prefetched = new Map<string, { purpose: ExpandRequest['purpose']; n: number; reserved: number; answer: Promise<Generation[]> }>();
  /** Answers sent ahead that a stopped run dropped, being counted (settlePrefetched waits for them). */
  private readonly dropped: Promise<void>[] = [];
  /** `seed`, `temperature`, `maxTokens`, `prior`… are read once: params do not change during a run. */
  private readonly seedBase: number | undefined;
  private readonly samplingParams: { temperature?: number; maxTokens?: number };
  private readonly hasBudgets: boolean;
  private readonly maxStepChars: number;
  /** Param `mergeDuplicates` (absent, as in test doubles' params: on, its default). */
  private readonly mergeDuplicates: boolean;
  /** What the expansion fillers (expansionFill.ts) use of this run. */
  private readonly filler: FillHost;
  private wallTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onCallerAbort = () => this.stop('cancelled', 'cancelled by the user', true);

  constructor(opts: RunContextOptions) {
    this.opts = opts;
    this.tree = opts.tree;
    this.problem = opts.problem;
    this.run = opts.run;
    this.startId = opts.startId;
    this.prefix = opts.prefix;
    this.params = opts.params;
    this.verifier = opts.verifier;
    this.generator = opts.generator;
    this.budgets = opts.budgets;
    this.prior = num(opts.params, 'prior');
    this.sem = new Semaphore(num(opts.params, 'concurrency'));
    this.seedBase = optNum(opts.params, 'seed');
    this.samplingParams = this.sampling();
    this.hasBudgets = Object.values(opts.budgets).some((v) => v !== undefined);
    this.maxStepChars = opts.maxStepChars ?? DEFAULT_MAX_STEP_CHARS;
    this.mergeDuplicates = opts.params.mergeDuplicates !== false;
    this.filler = { tree: opts.tree, runId: opts.run.id, maxStepChars: this.maxStepChars, log: (t, id, d) => this.log(t, id, d), fill: (...a) => this.fill(...a) };
    this.startedAt = opts.now();
    const params = opts.params;
    this.usage = new UsageMeter(opts.run, opts.tree, opts.costOf ?? ((tokensIn, tokensOut) => (tokensIn * num(params, 'priceIn') + tokensOut * num(params, 'priceOut')) / 1e6));
    // Every request in flight and every queued waiter listens on this one signal.
    setMaxListeners(0, this.stopCtl.signal);
    if (opts.signal?.aborted) this.onCallerAbort();
    else opts.signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    if (opts.budgets.maxWallMs !== undefined) {
      this.wallTimer = setTimeout(() => this.stop('budget', `budget maxWallMs reached: ${opts.budgets.maxWallMs} ms`, true), opts.budgets.maxWallMs);
      this.wallTimer.unref?.();
    }
  }

  get signal(): AbortSignal {
    return this.stopCtl.signal;
  }

  get stopped(): boolean {
    return this.stopInfo !== undefined;
  }

  get iteration(): number {
    return this.tree.iteration;
  }

  set iteration(i: number) {
    this.tree.iteration = i;
  }

  /** First stop wins. `abort` also cancels requests in flight (cancel, wall time, solved, fatal). */
  stop(status: StopInfo['status'], reason: string, abort: boolean): void {
    if (!this.stopInfo) this.stopInfo = { status, reason };
    if (abort && !this.stopCtl.signal.aborted) {
      this.stopCtl.abort(new Error(reason));
      // Queued requests give up at once (what an abort listener per waiter would do, without one per waiter).
      this.sem.drain();
    }
  }

  /** What a request sent ahead cost, once it is answered or refused, when no expand takes its answer. */
  private settleAhead(ahead: { reserved: number; answer: Promise<Generation[]> }): Promise<void> {
    return ahead.answer.then(
      (gens) => this.usage.account(gens, ahead.reserved),
      (err: unknown) => this.unreserve(err, ahead.reserved),
    );
  }

  /**
   * Waits for requests sent ahead whose answer no expand took (still waiting, or dropped by a stop) and counts what
   * they cost, so the run's usage is complete before the engine closes the run.
   */
  async settlePrefetched(): Promise<void> {
    const left = [...this.prefetched.values()];
    this.prefetched.clear();
    await Promise.all([...left.map((a) => this.settleAhead(a)), ...this.dropped]);
    this.dropped.length = 0;
  }

  /** Detaches timers and listeners; the engine calls it when the strategy returns. */
  dispose(): void {
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.opts.signal?.removeEventListener('abort', this.onCallerAbort);
  }

  elapsedMs(): number {
    return this.opts.now() - this.startedAt;
  }

  private seedFor(key: string): number | undefined {
    const base = this.seedBase;
    if (base === undefined) return undefined;
    const k = this.seedCounts.get(key) ?? 0;
    this.seedCounts.set(key, k + 1);
    return deriveSeed(base, `${key}|${k}`);
  }

  /**
   * Takes a permit (FIFO) and checks budgets: true when the request may go, false when the run stopped or a
   * budget blocks (the permit is then given back). When a permit is free the answer is synchronous — no promise,
   * no closure per request; the caller then owns the permit and gives it back with `this.sem.release()`.
   */
  private admit(newNodes: number, requests: number): boolean | Promise<boolean> {
    if (this.stopped || this.stopCtl.signal.aborted) return false;
    if (this.sem.tryAcquire()) return this.admitted(newNodes, requests);
    // No abort listener per waiter: `stop` with abort drains the queue (see there).
    return this.sem.wait().then((ok) => ok && this.admitted(newNodes, requests));
  }

  /** HTTP requests a call for `n` samples will send (n where the server ignores `n`): reserved before it goes. */
  private requestsFor(n: number): number {
    return this.generator.requestsFor?.(n) ?? 1;
  }

  /** Holding a permit: the stop and budget checks, then the requests and nodes are reserved. */
  private admitted(newNodes: number, requests: number): boolean {
    if (this.stopped) {
      this.sem.release();
      return false;
    }
    const blocked = this.hasBudgets ? budgetBlock(this.budgets, { usage: this.run.usage, nodes: this.nodes, elapsedMs: this.elapsedMs() }, newNodes, requests) : undefined;
    if (blocked) {
      this.sem.release();
      this.stop('budget', blocked, this.budgets.maxWallMs !== undefined && blocked.includes('maxWallMs'));
      return false;
    }
    // Reserved here, synchronously after the check, so concurrent requests cannot all pass the same check; corrected
    // to what was sent when the answer arrives (UsageMeter.account).
    this.usage.add(requests, 0, 0, 0, 0);
    this.nodes += newNodes;
    return true;
  }

  /** A failed call: its reservation corrected to the requests it had sent, when the generator says (else kept). */
  private unreserve(err: unknown, reserved: number): void {
    const sent = requestsSentBy(err);
    if (sent !== undefined && sent !== reserved) this.usage.add(sent - reserved, 0, 0, 0, 0);
  }

  private progress(): void {
    this.opts.onProgress?.({ usage: this.run.usage, nodes: this.nodes, inFlight: this.inFlight });
  }

  /** A failed request: counted, and fatal kinds (or too many failures) end the run. */
  private recordFailure(err: unknown, nodeId: string): string {
    const message = describeError(err);
    this.errors++;
    this.log('error', nodeId, { message: message.slice(0, 500), ...(isEndpointError(err) ? { kind: err.kind, ...(err.field ? { field: err.field } : {}) } : {}) });
    const maxErrors = num(this.params, 'maxErrors');
    if (isFatalError(err)) this.stop('failed', message, true);
    else if (this.errors >= maxErrors) this.stop('failed', `${this.errors} failed requests (maxErrors ${maxErrors}); last: ${message}`, true);
    return message;
  }

  prefetchExpand(parentId: string, req: ExpandRequest): boolean {
    if (this.prefetched.has(parentId) || this.sem.inUse >= this.sem.limit) return false;
    const reserved = this.requestsFor(req.n);
    if (this.admit(req.n, reserved) !== true) return false; // synchronous: a permit is free
    this.inFlight++;
    let answer: Promise<Generation[]>;
    try {
      answer = this.generator.generate(this.expandRequest(parentId, req));
    } catch (err) {
      answer = Promise.reject(err);
    }
    answer = answer.finally(() => {
      this.inFlight--;
      this.sem.release();
    });
    answer.catch(() => undefined); // handled when expand takes it
    this.prefetched.set(parentId, { purpose: req.purpose, n: req.n, reserved, answer });
    return true;
  }

  /** What expand sends for a request (built once per request; prefetchExpand sends the same). */
  private expandRequest(parentId: string, req: ExpandRequest) {
    return {
      problem: this.problem.text,
      steps: req.steps as string[], // generators never modify the steps they are given
      purpose: req.purpose,
      n: req.n,
      ...(req.context ? { context: req.context } : {}),
      ...this.samplingParams,
      seed: this.seedBase === undefined ? undefined : this.seedFor(`${parentId}|${req.purpose}`),
      signal: this.stopCtl.signal,
    };
  }

  async expand(parentId: string, req: ExpandRequest): Promise<TraceNode[]> {
    const ahead = this.prefetched.get(parentId);
    const sentAhead = ahead !== undefined && ahead.purpose === req.purpose && ahead.n === req.n;
    let reserved: number;
    if (sentAhead) {
      this.prefetched.delete(parentId);
      reserved = ahead.reserved;
      if (this.stopped) {
        // As admit would answer; the answer sent ahead is dropped, but what it cost is counted (before the run closes).
        this.dropped.push(this.settleAhead(ahead));
        return [];
      }
    } else {
      reserved = this.requestsFor(req.n);
      const admit = this.admit(req.n, reserved);
      if (admit !== true && !(admit !== false && (await admit))) return [];
    }
    const kind = req.purpose === 'step' ? 'step' : 'answer';
    // Identical step samples become one node (mergeDuplicates): one placeholder stands for the request until it
    // answers and the other distinct steps are added then, so a duplicate never reaches the tree or the journal.
    // A node sampled again (re-expansion, widening): samples repeating one of its children of this run are counted
    // on that child, and nodes are added only for new steps once the answer is in (no placeholder first).
    const siblings = this.mergeDuplicates && req.purpose === 'step' ? runSiblings(this.tree.children(parentId), this.run.id) : undefined;
    const again = siblings !== undefined && siblings.size > 0;
    const merge = again || (this.mergeDuplicates && req.purpose === 'step' && req.n > 1);
    const kids: TraceNode[] = [];
    let gens: Generation[];
    if (!sentAhead) this.inFlight++;
    try {
      for (let i = 0; i < (again ? 0 : merge ? 1 : req.n); i++) {
        kids.push(this.tree.addChild(parentId, placeholder(kind, this.run.id, req.meta)));
      }
      const parent = this.tree.node(parentId);
      if (parent.status === 'open') this.tree.update(parentId, { status: 'expanded' });
      this.log('expand', parentId, { n: req.n, purpose: req.purpose });
      gens = await (sentAhead ? ahead.answer : this.generator.generate(this.expandRequest(parentId, req)));
    } catch (err) {
      this.unreserve(err, reserved);
      if (this.stopCtl.signal.aborted) {
        for (const k of kids) this.setStatus(k, 'cancelled');
      } else {
        const message = this.recordFailure(err, parentId);
        // A failed request shows as a failed node, also when none was added up front.
        if (kids.length === 0) kids.push(this.tree.addChild(parentId, placeholder(kind, this.run.id, req.meta)));
        for (const k of kids) {
          this.tree.update(k.id, { status: 'failed', error: message });
          this.log('error', k.id, { message: message.slice(0, 500) });
        }
      }
      return [];
    } finally {
      if (!sentAhead) {
        this.inFlight--;
        this.sem.release();
      }
    }
    this.usage.account(gens, reserved);
    const done = merge ? fillMerged(this.filler, parentId, kids[0], gens, req, siblings) : fillEach(this.filler, kids, gens, req);
    this.progress();
    return done;
  }

  private sampling(): { temperature?: number; maxTokens?: number } {
    const out: { temperature?: number; maxTokens?: number } = {};
    const t = optNum(this.params, 'temperature');
    const m = optNum(this.params, 'maxTokens');
    if (t !== undefined) out.temperature = t;
    if (m !== undefined) out.maxTokens = m;
    return out;
  }

  private setStatus(node: TraceNode, status: TraceNode['status'], data?: Params): void {
    this.tree.update(node.id, { status });
    this.log('status', node.id, { status, ...data });
  }

  /** Fills a placeholder with the model's text and the checker's verdict. */
  private fill(node: TraceNode, g: Generation, steps: readonly string[], final: boolean, cut?: string): TraceNode {
    const check = this.verifier.checker.check(this.problem, steps, { final });
    fillNode(node, g, check, final, cut);
    this.tree.changed(node);
    // Arrival of an ordinary open step is implied by its `evaluate` / `expand` events; only outcomes are logged.
    if (node.status !== 'open') {
      const data: Params = { status: node.status };
      if (check.verified !== undefined) data.verified = check.verified;
      this.log('status', node.id, data);
    }
    if (check.verified === true) this.noteVerified(node.id);
    return node;
  }

  private noteVerified(id: string): void {
    this.verifiedNodes.push(id);
    if (this.opts.stopOnSolve) this.stop('solved', `node ${id} verified`, true);
  }

  /** `seedNode`: the node a valuation samples for (its seed key is node and purpose). */
  async sample(req: Parameters<SearchContext['sample']>[0], seedNode?: string): Promise<Generation[]> {
    const reserved = this.requestsFor(req.n);
    const admit = this.admit(0, reserved);
    if (admit !== true && !(admit !== false && (await admit))) throw new StoppedError();
    this.inFlight++;
    let gens: Generation[];
    try {
      gens = await this.generator.generate({
        problem: req.problem ?? this.problem.text,
        steps: [...req.steps],
        purpose: req.purpose,
        n: req.n,
        ...(req.context ? { context: req.context } : {}),
        ...(req.onDelta ? { onDelta: req.onDelta } : {}),
        ...(req.maxTokens !== undefined ? { maxTokens: req.maxTokens } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        seed: this.seedBase === undefined ? undefined : this.seedFor(seedNode !== undefined ? `${seedNode}|${req.purpose}` : `${req.purpose}|${req.steps.length}`),
        signal: this.stopCtl.signal,
      });
    } catch (err) {
      this.unreserve(err, reserved);
      throw err;
    } finally {
      this.inFlight--;
      this.sem.release();
    }
    this.usage.account(gens, reserved);
    this.progress();
    return gens;
  }

  async evaluate(node: TraceNode, steps: readonly string[]): Promise<TraceNode> {
    if (node.status === 'failed' || node.status === 'cancelled' || node.status === 'running') return node;
    if (node.status === 'terminal' && node.verified !== undefined) {
      const oracle = this.verifier.config.kind === 'oracle';
      const value = node.verified ? 1 : 0;
      this.tree.update(node.id, { value, valueSource: oracle ? { kind: 'oracle' } : { kind: 'verifier', verifier: this.verifier.checker.name } });
      this.log('evaluate', node.id, { value, source: oracle ? 'oracle' : 'verifier' });
      return node;
    }
    const est = this.verifier.estimator;
    if (!est || this.stopped) return node;
    // Rollouts continue a solution; from a finished one whose answer cannot be checked they say nothing.
    if (est.kind === 'rollouts' && node.status === 'terminal') return node;
    let estimate;
    try {
      estimate = await est.estimate({
        problem: this.problem,
        steps,
        signal: this.stopCtl.signal,
        sample: (r) => this.sample(r, node.id),
      });
    } catch (err) {
      if (err instanceof StoppedError || this.stopCtl.signal.aborted) return node;
      const message = this.recordFailure(err, node.id);
      this.tree.update(node.id, { status: 'failed', error: `value: ${message}` });
      return node;
    }
    node.value = estimate.value;
    node.valueSource = estimate.source;
    if (estimate.verified !== undefined) node.meta = { ...(node.meta ?? {}), judgeVerdict: estimate.verified };
    this.tree.changed(node);
    if (estimate.rollouts && this.verifier.keepRollouts) {
      for (const r of estimate.rollouts) {
        this.tree.addChild(node.id, rolloutNode(this.run.id, r));
        this.nodes++;
      }
    }
    this.log('evaluate', node.id, { value: estimate.value, source: estimate.source.kind, ...(estimate.detail ?? {}) });
    return node;
  }

  select(nodeId: string, selection: Selection, data?: Params): void {
    this.tree.update(nodeId, { selection });
    this.log('select', nodeId, data ?? { reason: selection.reason });
  }

  prune(nodeId: string, prune: Omit<Prune, 'by'>): void {
    this.tree.prune(nodeId, { ...prune, by: 'engine' });
  }

  log(type: EventType, nodeId: string, data?: Params): void {
    this.tree.logEvent(data ? { type, node: nodeId, run: this.run.id, data } : { type, node: nodeId, run: this.run.id });
  }
}
