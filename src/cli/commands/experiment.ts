/**
 * `metacot experiment`: a problem set × a grid of strategies and token budgets, one trace per problem × cell in one
 * folder with summary.json and plots; resumable (a re-run does only what is missing). The work is the core's
 * (src/core/experiment); this file reads flags, draws the PNGs with a browser when there is one, and reports.
 */
import { resolve } from 'node:path';
import { stripUrlCredentials, type EndpointConfigInput } from '../../core/llm/endpointConfig';
import { redact } from '../../core/llm/redact';
import type { EndpointChoice } from '../../core/run';
import { strategyNames } from '../../core/search/catalog';
import { ContinuationModeSchema, StrategyNameSchema, VerifierConfigSchema, type Adaptation, type Problem, type StrategyName, type VerifierConfig } from '../../core/trace/schema';
import { ExperimentError, NAMED_SETS, isNamedSet, namedSetProblems, runExperiment, strategiesFrom, type ExperimentEndpoint, type ExperimentOutcome, type ExperimentSpec } from '../../core/experiment';
import { ProblemSetError, readProblemSet } from '../problems';
import { formatTable } from '../table';
import { formatCount } from '../progress';
import { startCommand, type CommandOutput } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { capabilityDir } from './probe';
import { svgToPng } from '../svgToPng';
import { cliApiKey } from './run';

export const EXPERIMENT_USAGE = `metacot experiment --problems FILE.jsonl|${NAMED_SETS.join('|')} --strategies S,S --budgets B,B --out DIR [options]

Runs every problem × strategy × budget (a "cell") and writes one folder:
  DIR/traces/<cell>/<problem>.metacot.json   one trace per problem and cell (cells: beam-1000, mcts-c=1.0-4000, …)
  DIR/summary.json                           per cell: solve rate with its 95 % Wilson interval, pass@k / maj@k,
                                             tokens, cost, time, and every problem's result
  DIR/plots/*.svg, *.png                     solve rate vs tokens; accuracy vs N from one tree; cost per solved
Resumable: run the same command again and only what is missing runs (an entry whose trace is finished is kept;
one killed mid-run runs again). A folder of another experiment (other options) is refused.

Problems:
  --problems SET          a JSONL problem set (as for \`metacot run\`), or a held-out Countdown set shipped with
                          the embedded model: ${NAMED_SETS.join(', ')} (200 problems each, never trained on)
  --select SPEC           problems by 1-based number: 1-20, or 3,5,7-9

Grid:
  --strategies S,S        ${strategyNames().join(' | ')}
  --budgets B,B           token budgets (maxTokens: prompt + completion), e.g. 1000,2000,4000,8000
  --set S.k=v             a strategy parameter (repeatable), e.g. --set mcts.c=1.0; *.k=v sets it for all. So that
                          the budget is what ends a run, and ends it near the budget: concurrency=1 (one request
                          in flight; use --jobs to run entries side by side), and the count caps are raised
                          (best-of-n n=100000, perRequest=1, stopOnSolve=true; astar maxExpansions=100000; mcts
                          simulations=100000)
  --verifier KIND         as for \`metacot run\` (default: the engine's default for each problem)
  --verifier-param k=v    verifier parameter (repeatable)
  --seed N                problem i runs with seed N+i in every cell (default 1)

Endpoint (default: the embedded Countdown model):
  --endpoint URL --model M [--mode chat|chat-continue|completions] [--api-key-env NAME] [--max-concurrency N]
  [--timeout MS] [--retries N] [--no-probe] [--cache DIR] [--price-in X] [--price-out X]: as for \`metacot run\`

Run:
  --out DIR               the experiment folder (required)
  --rerun-failures        also run again the entries whose run failed (endpoint or model trouble; not unsolved)
  --jobs N                entries run at once (default 1)
  --quiet                 no line per entry

Exit code 0 only when every problem × cell has a finished trace and none failed; otherwise stderr says which
did not and why.

${EXIT_CODES_HELP}`;

class UsageError extends Error {}

/** `k=v` pairs (values stay text: the engine coerces them by each parameter's type). */
function pairs(list: readonly string[] | undefined, flag: string): Record<string, string> {
  const outp: Record<string, string> = {};
  for (const pair of list ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} "${pair}": expected k=v`);
    outp[pair.slice(0, i).trim()] = pair.slice(i + 1);
  }
  return outp;
}

function intList(flag: string, v: string | undefined): number[] {
  if (v === undefined) throw new UsageError(`${flag} is required`);
  const xs = v.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x <= 0)) throw new UsageError(`${flag} "${v}": expected positive integers, e.g. 1000,4000`);
  return xs;
}

function optInt(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} "${v}": expected an integer ≥ ${min}`);
  return n;
}

function optNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} "${v}": expected a non-negative number`);
  return n;
}


export interface ExperimentCommandOptions extends CommandOutput {
  signal?: AbortSignal;
  /** Draw PNGs (default true; tests that do not look at them skip the browser). */
  png?: boolean;
}

export async function runExperimentCommand(argv: string[], options: ExperimentCommandOptions = {}): Promise<number> {
  const cmd = startCommand('experiment', EXPERIMENT_USAGE, argv, options, {
    options: {
      problems: { type: 'string' },
      select: { type: 'string' },
      strategies: { type: 'string' },
      budgets: { type: 'string' },
      set: { type: 'string', multiple: true },
      verifier: { type: 'string' },
      'verifier-param': { type: 'string', multiple: true },
      seed: { type: 'string' },
      endpoint: { type: 'string' },
      model: { type: 'string' },
      mode: { type: 'string' },
      'api-key-env': { type: 'string' },
      'max-concurrency': { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      'no-probe': { type: 'boolean' },
      cache: { type: 'string' },
      'price-in': { type: 'string' },
      'price-out': { type: 'string' },
      out: { type: 'string' },
      'rerun-failures': { type: 'boolean' },
      jobs: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (typeof cmd === 'number') return cmd;
  const { values: v, out, err, bad } = cmd;

  let spec: ExperimentSpec;
  let problems: Problem[];
  let endpoint: EndpointChoice;
  let jobs: number;
  const run: NonNullable<Parameters<typeof runExperiment>[0]['run']> = {};
  const ctl = new AbortController();
  try {
    if (v.problems === undefined) throw new UsageError(`--problems is required (a JSONL file, or ${NAMED_SETS.join(' / ')})`);
    if (v.out === undefined) throw new UsageError('--out DIR is required (the experiment folder)');
    const names = (v.strategies ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError(`--strategies is required: some of ${strategyNames().join(', ')}`);
    const strategies: StrategyName[] = names.map((n) => {
      const s = StrategyNameSchema.safeParse(n);
      if (!s.success || !strategyNames().includes(s.data)) throw new UsageError(`--strategies: "${n}" is not one of ${strategyNames().join(', ')}`);
      return s.data;
    });
    if (new Set(strategies).size !== strategies.length) throw new UsageError('--strategies names a strategy twice');
    const budgets = intList('--budgets', v.budgets);
    if (new Set(budgets).size !== budgets.length) throw new UsageError('--budgets names a budget twice');
    const seed = optInt('--seed', v.seed, 0) ?? 1;
    jobs = optInt('--jobs', v.jobs, 1) ?? 1;
    let verifier: VerifierConfig | undefined;
    if (v.verifier !== undefined) {
      const kind = VerifierConfigSchema.shape.kind.safeParse(v.verifier);
      if (!kind.success) throw new UsageError(`--verifier: expected one of ${VerifierConfigSchema.shape.kind.options.join(', ')}, got "${v.verifier}"`);
      verifier = { kind: kind.data, params: pairs(v['verifier-param'], '--verifier-param') };
    } else if (v['verifier-param']) throw new UsageError('--verifier-param needs --verifier');
    const grid = strategiesFrom(strategies, v.set ?? []);
    // Prices are the priceIn / priceOut params (one price path, recorded in each trace and the spec).
    const priceIn = optNumber('--price-in', v['price-in']);
    const priceOut = optNumber('--price-out', v['price-out']);
    for (const s of grid) {
      if (priceIn !== undefined) s.params.priceIn = priceIn;
      if (priceOut !== undefined) s.params.priceOut = priceOut;
    }
    problems = isNamedSet(v.problems) ? namedSetProblems(v.problems, v.select) : await readProblemSet(v.problems, v.select);

    let described: ExperimentEndpoint;
    if (v.endpoint !== undefined) {
      if (!v.model) throw new UsageError('--endpoint needs --model');
      if (stripUrlCredentials(v.endpoint) !== v.endpoint) throw new UsageError(`--endpoint ${redact(v.endpoint)}: the URL holds credentials (user:password@), which are never sent or stored; give the key with --api-key-env NAME instead`);
      const mode = v.mode === undefined ? 'chat' : ContinuationModeSchema.safeParse(v.mode).data;
      if (!mode) throw new UsageError(`--mode: expected chat, chat-continue or completions, got "${v.mode}"`);
      let key: ReturnType<typeof cliApiKey>;
      try {
        key = cliApiKey(v.endpoint, v['api-key-env'], process.env);
      } catch (e) {
        // `metacot run`'s own usage error (an unset --api-key-env variable), said in this command's name
        throw new UsageError((e as Error).message);
      }
      const { apiKey, note } = key;
      if (note) err(`${note.replace('metacot run', 'metacot experiment')}\n`);
      const timeoutMs = optInt('--timeout', v.timeout, 1);
      const maxRetries = optInt('--retries', v.retries, 0);
      const config: EndpointConfigInput = {
        name: 'cli',
        baseUrl: v.endpoint,
        model: v.model,
        mode,
        maxConcurrency: optInt('--max-concurrency', v['max-concurrency'], 1) ?? 8,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(maxRetries !== undefined ? { maxRetries } : {}),
      };
      endpoint = { kind: 'openai', config, ...(apiKey ? { apiKey } : {}) };
      described = { kind: 'openai', baseUrl: v.endpoint, model: v.model, mode };
      run.capabilities = { dir: capabilityDir(process.env), probe: v['no-probe'] !== true, signal: ctl.signal };
      if (v.cache) run.cacheDir = v.cache;
    } else {
      if (v.model || v.mode || v['api-key-env'] !== undefined || v.timeout !== undefined || v.retries !== undefined || v['no-probe'] || v['max-concurrency'] !== undefined) {
        throw new UsageError('--model, --mode, --api-key-env, --max-concurrency, --timeout, --retries and --no-probe go with --endpoint');
      }
      endpoint = { kind: 'embedded' };
      described = { kind: 'embedded' };
    }
    spec = {
      problems: { source: v.problems, ...(v.select !== undefined ? { select: v.select } : {}), count: problems.length },
      strategies: grid,
      budgets,
      endpoint: described,
      ...(verifier ? { verifier } : {}),
      seed,
    };
  } catch (e) {
    if (e instanceof UsageError || e instanceof ProblemSetError) return bad(e.message);
    throw e;
  }

  const said = new Set<string>();
  run.onAdaptation = (a: Adaptation) => {
    if (said.has(a.kind)) return;
    said.add(a.kind);
    err(`note: ${endpoint.kind === 'openai' ? `endpoint ${redact(v.endpoint!)}` : 'embedded model'}: ${a.message}\n`);
  };
  const onSigint = () => ctl.abort();
  if (options.signal) options.signal.addEventListener('abort', onSigint, { once: true });
  else process.once('SIGINT', onSigint);
  const dir = resolve(v.out);
  let outcome: ExperimentOutcome;
  try {
    outcome = await runExperiment({
      dir,
      spec,
      problems,
      endpoint,
      run,
      jobs,
      signal: ctl.signal,
      ...(v['rerun-failures'] ? { rerunFailures: true } : {}),
      ...(options.png === false ? {} : { renderPng: svgToPng }),
      onEntry: (e) => {
        if (v.quiet || e.action !== 'ran') return;
        const r = e.entry.result;
        err(`[${e.done}/${e.total}] ${e.cell} ${r.problemId}: ${r.status}${r.solved ? ' ✓' : ''}, ${formatCount(r.tokens)} tokens, ${r.seconds.toFixed(1)} s\n`);
      },
    });
  } catch (e) {
    if (e instanceof ExperimentError) {
      err(`metacot experiment: ${e.message}\n`);
      return e.kind === 'setup' ? EXIT.failed : EXIT.refused;
    }
    throw e;
  } finally {
    if (options.signal) options.signal.removeEventListener('abort', onSigint);
    else process.removeListener('SIGINT', onSigint);
  }
  return report(outcome, v.out, out, err, v['rerun-failures'] === true);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function report(o: ExperimentOutcome, outDir: string, out: (t: string) => void, err: (t: string) => void, rerun: boolean): number {
  const s = o.summary;
  const rows = s.cells.map((c) => [c.id, `${c.solved}/${c.problems}`, pct(c.solveRate), `${pct(c.ci.low)}–${pct(c.ci.high)}`, formatCount(Math.round(c.tokens.mean)), c.tokensPerSolved === null ? '' : formatCount(Math.round(c.tokensPerSolved)), c.failed, c.problems - c.finished, c.seconds.total.toFixed(0)]);
  out(formatTable(['cell', 'solved', 'rate', '95% CI', 'tokens/problem', 'tokens/solved', 'failed', 'missing', 'time (s)'], rows));
  out(`\nran ${o.ran.length}, kept ${o.skipped.length} finished before; summary: ${outDir}/summary.json; plots: ${s.plots.map((p) => p.svg).join(', ')}\n`);
  for (const p of o.pngErrors) err(`note: no PNG for ${p}\n`);
  for (const e of o.errors) err(`error in ${e.cell} ${e.ref.problemId}: ${e.message}\n`);
  if (o.interrupted) {
    err(`metacot experiment: interrupted; finished traces are kept, run the same command again to finish (${s.totals.missing} left)\n`);
    return EXIT.interrupted;
  }
  const failed = s.cells.flatMap((c) => c.results.filter((r) => r.status === 'failed').map((r) => ({ cell: c.id, r })));
  for (const { cell, r } of failed.slice(0, 10)) err(`failed ${cell} ${r.problemId}: ${r.reason ?? 'no reason recorded'}\n  trace: ${outDir}/${r.trace}\n`);
  if (failed.length > 10) err(`… and ${failed.length - 10} more failed\n`);
  if (failed.length > 0) err(`metacot experiment: ${failed.length} run${failed.length === 1 ? '' : 's'} failed${rerun ? '' : '; fix the cause, then run again with --rerun-failures to run only those'}\n`);
  if (s.totals.missing > 0) err(`metacot experiment: ${s.totals.missing} problem × cell entr${s.totals.missing === 1 ? 'y has' : 'ies have'} no finished trace\n`);
  return failed.length > 0 || s.totals.missing > 0 ? EXIT.failed : EXIT.ok;
}
