/**
 * `metacot run`: the search engine over one problem or a JSONL problem set, for batch use and CI. Writes one
 * trace per problem (checkpointed while it runs), shows progress on stderr and prints a summary table.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { endpointOrigin, stripUrlCredentials, type EndpointConfigInput } from '../../core/llm/endpointConfig';
import { EndpointError } from '../../core/llm/errors';
import { redact } from '../../core/llm/redact';
import { prepareRun, RunSetupError, traceFileName, type EndpointChoice, type PreparedRun, type RunReport, type RunRequest } from '../../core/run';
import { describeStrategiesForCli, strategyNames } from '../../core/search/catalog';
import { writeTraceFile, TRACE_FILE_SUFFIX } from '../../core/trace/io';
import { VERIFIER_PARAMS } from '../../core/verify/verifier';
import { EMBEDDED_PRM_URL, embeddedModelIds } from '../../core/embedded/embeddedNames';
import { BudgetsSchema, ContinuationModeSchema, StrategyNameSchema, VerifierConfigSchema, type Adaptation, type Budgets, type Params, type Problem, type Usage, type VerifierConfig } from '../../core/trace/schema';
import { readProblemSet, ProblemSetError } from '../problems';
import { ProgressBar, formatCount } from '../progress';
import { formatTable } from '../table';
import { startCommand } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { invalidAs } from '../outputGuard';
import { cliAdvice, kindInReason, runErrors, valueSignalWarning } from '../runAdvice';
import { valueSignal } from '../../core/analyse/valueSignal';
import { capabilityDir } from './probe';

export const RUN_USAGE = `metacot run (--problem TEXT [--answer A] | --problems FILE.jsonl [--select 1-20]) --strategy S [options]

Runs a search per problem and writes one trace file each (<out>/<id>${TRACE_FILE_SUFFIX}). A file of that name
is never replaced: the trace goes to <id>-2${TRACE_FILE_SUFFIX} (-3, …) instead, unless --force is given.

Problem:
  --problem TEXT          one problem (Countdown: "Use the numbers 3, 5, 7, 2 to reach 24. …")
  --answer A              its reference answer (for verification)
  --problems FILE.jsonl   a problem set: {problem, answer?, id?}, MATH {problem, answer, unique_id},
                          GSM8K {question, answer "… #### n"}, Stream-of-Search {prompt}
  --select SPEC           problems by 1-based number: 1-20, or 3,5,7-9

Search:
  --strategy S            ${strategyNames().join(' | ')} (parameters below)
  --param k=v             strategy / engine parameter (repeatable), e.g. --param width=4 --param concurrency=16
  --verifier KIND         ${Object.keys(VERIFIER_PARAMS).join(' | ')}
                          (default: Countdown problems on the embedded model get the countdown checks plus the
                          embedded value model, prm url=${EMBEDDED_PRM_URL}; other Countdown set-ups countdown;
                          answer otherwise)
  --verifier-param k=v    verifier parameter (repeatable), e.g. --verifier-param K=16
  --budget k=v            maxRequests | maxTokens | maxNodes | maxWallMs | maxCost (repeatable)

${describeStrategiesForCli()}

Endpoint (default: the embedded Countdown model):
  --endpoint URL          OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1
  --model M               model id (required with --endpoint); without it an embedded model: embedded-countdown
                          (the step policy, default), embedded-countdown-sos / -path (reasoners, for in-context)
  --mode MODE             chat | chat-continue | completions (default chat)
  --api-key-env NAME      send the API key in $NAME to the --endpoint. Without it a key is sent only when
                          OPENAI_API_KEY is set and --endpoint has the origin of $OPENAI_BASE_URL (default
                          https://api.openai.com); stderr says which variable was sent where
  --max-concurrency N     requests in flight to the endpoint (default: the concurrency param, 8)
  --price-in X            cost per 1M prompt tokens (for the cost meter and maxCost)
  --price-out X           cost per 1M completion tokens
  --cache DIR             replay cache folder (identical requests are answered from it, at no cost)
  --timeout MS            per-request timeout, whole response (default 120000)
  --retries N             retries of a failed request that may succeed later: 429, 5xx, resets, timeouts
                          (default 4; 0 = none); a deterministic refusal (4xx) is never retried
  --no-probe              send no capability probe: by default an endpoint is probed once (a few tiny requests,
                          see \`metacot probe\`) and the result remembered in $METACOT_STATE_DIR or the user cache
                          folder; the run adapts to it (a remembered probe is still used with --no-probe)

Output:
  --out DIR               where traces go (default ./metacot-runs)
  --force                 replace <out>/<id>${TRACE_FILE_SUFFIX} when it exists (only a valid trace is replaced)
  --quiet                 no progress line

A run ends failed when its endpoint or model is wrong, when every request failed, or when the model cannot read
the problem: stderr names the cause and what to do.

${EXIT_CODES_HELP}`;

export interface RunCommandOptions {
  signal?: AbortSignal;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Progress line redrawn in place (default: stderr is a TTY). */
  tty?: boolean;
}

class UsageError extends Error {}

/** `k=v` pairs into a params record (values stay text: the engine coerces them by each parameter's type). */
export function parsePairs(pairs: readonly string[] | undefined, flag: string): Params {
  const out: Params = {};
  for (const pair of pairs ?? []) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} "${pair}": expected k=v`);
    out[pair.slice(0, i).trim()] = pair.slice(i + 1);
  }
  return out;
}

function parseBudgets(pairs: readonly string[] | undefined): Budgets {
  const raw = parsePairs(pairs, '--budget');
  const numeric = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new UsageError(`--budget ${k}=${v}: not a number`);
      return [k, n];
    }),
  );
  const parsed = BudgetsSchema.strict().safeParse(numeric);
  if (!parsed.success) throw new UsageError(`--budget: ${parsed.error.issues.map((i) => `${i.path.join('.') || i.message}: ${i.message}`).join('; ')} (known: maxRequests, maxTokens, maxNodes, maxWallMs, maxCost)`);
  return parsed.data;
}

function optNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${flag} "${v}": expected a non-negative number`);
  return n;
}

function optInteger(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} "${v}": expected an integer ≥ ${min}`);
  return n;
}

const OPENAI_ORIGIN = 'https://api.openai.com';

/**
 * The one key the CLI sends, and the stderr line saying so. A key goes only where it was meant to: `--api-key-env
 * NAME` sends $NAME to the endpoint given; otherwise $OPENAI_API_KEY reaches only the origin (scheme, host, port) of
 * $OPENAI_BASE_URL, else of the OpenAI API, so a local or third-party --endpoint never receives it unasked.
 */
export function cliApiKey(endpointUrl: string, keyEnv: string | undefined, env: NodeJS.ProcessEnv): { apiKey?: string; note?: string } {
  const target = endpointOrigin(endpointUrl) ?? endpointUrl;
  if (keyEnv !== undefined) {
    const apiKey = env[keyEnv];
    if (!apiKey) throw new UsageError(`--api-key-env ${keyEnv}: that environment variable is not set`);
    return { apiKey, note: `metacot run: sending the API key in $${keyEnv} to ${target} (--api-key-env)` };
  }
  const apiKey = env.OPENAI_API_KEY;
  if (!apiKey) return {};
  const fromBase = env.OPENAI_BASE_URL ? endpointOrigin(env.OPENAI_BASE_URL) : undefined;
  const allowed = fromBase ?? OPENAI_ORIGIN;
  const why = fromBase ? 'the origin of $OPENAI_BASE_URL' : 'the OpenAI API';
  if (endpointOrigin(endpointUrl) === allowed) return { apiKey, note: `metacot run: sending the API key in $OPENAI_API_KEY to ${allowed} (${why})` };
  return { note: `metacot run: no API key sent: $OPENAI_API_KEY goes only to ${allowed} (${why}); to send it to ${target}, pass --api-key-env OPENAI_API_KEY` };
}

/** The CLI's own words for the embedded model failing to load (the core's advice names no flags). */
const EMBEDDED_ADVICE =
  'Pass --endpoint URL --model M for an OpenAI-compatible server (vLLM, SGLang, OpenAI, …), or start the local\n' +
  'reference server with `metacot serve` and pass the URL it prints (model sim-countdown or sim-arithmetic).';

export async function runRunCommand(argv: string[], options: RunCommandOptions = {}): Promise<number> {
  const cmd = startCommand('run', RUN_USAGE, argv, options, {
    options: {
      problem: { type: 'string' },
      answer: { type: 'string' },
      problems: { type: 'string' },
      select: { type: 'string' },
      strategy: { type: 'string' },
      param: { type: 'string', multiple: true },
      verifier: { type: 'string' },
      'verifier-param': { type: 'string', multiple: true },
      budget: { type: 'string', multiple: true },
      endpoint: { type: 'string' },
      model: { type: 'string' },
      mode: { type: 'string' },
      'api-key-env': { type: 'string' },
      'max-concurrency': { type: 'string' },
      'price-in': { type: 'string' },
      'price-out': { type: 'string' },
      cache: { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      'no-probe': { type: 'boolean' },
      out: { type: 'string' },
      force: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (typeof cmd === 'number') return cmd;
  const { values, out, err, bad } = cmd;
  const ctl = new AbortController();

  let problems: Problem[];
  let request: Omit<RunRequest, 'problem'>;
  let keyNote: string | undefined;
  try {
    if ((values.problem === undefined) === (values.problems === undefined)) throw new UsageError('give exactly one of --problem TEXT or --problems FILE.jsonl');
    if (values.select !== undefined && values.problems === undefined) throw new UsageError('--select needs --problems');
    if (values.answer !== undefined && values.problem === undefined) throw new UsageError('--answer goes with --problem');
    const s = StrategyNameSchema.safeParse(values.strategy);
    if (!s.success || !strategyNames().includes(s.data)) throw new UsageError(`--strategy: expected one of ${strategyNames().join(', ')}${values.strategy ? `, got "${values.strategy}"` : ''}`);
    const params = parsePairs(values.param, '--param');
    const budgets = parseBudgets(values.budget);
    let verifier: VerifierConfig | undefined;
    if (values.verifier !== undefined) {
      const v = VerifierConfigSchema.shape.kind.safeParse(values.verifier);
      if (!v.success) throw new UsageError(`--verifier: expected one of ${VerifierConfigSchema.shape.kind.options.join(', ')}, got "${values.verifier}"`);
      verifier = { kind: v.data, params: parsePairs(values['verifier-param'], '--verifier-param') };
    } else if (values['verifier-param']) throw new UsageError('--verifier-param needs --verifier');
    problems = values.problem !== undefined ? [{ text: values.problem, id: 'problem', ...(values.answer !== undefined ? { answer: values.answer } : {}) }] : await readProblemSet(values.problems!, values.select);

    // The price flags are the priceIn / priceOut params under another name: one price path, recorded in the trace.
    const priceIn = optNumber('--price-in', values['price-in']);
    const priceOut = optNumber('--price-out', values['price-out']);
    if (priceIn !== undefined) params.priceIn = priceIn;
    if (priceOut !== undefined) params.priceOut = priceOut;
    let endpoint: EndpointChoice;
    if (values.endpoint !== undefined) {
      if (!values.model) throw new UsageError('--endpoint needs --model');
      // fetch cannot send URL credentials, and a trace must not keep them: refused before anything is sent or written.
      if (stripUrlCredentials(values.endpoint) !== values.endpoint) throw new UsageError(`--endpoint ${redact(values.endpoint)}: the URL holds credentials (user:password@), which are never sent or stored; give the key with --api-key-env NAME instead`);
      const mode = values.mode === undefined ? 'chat' : ContinuationModeSchema.safeParse(values.mode).data;
      if (!mode) throw new UsageError(`--mode: expected chat, chat-continue or completions, got "${values.mode}"`);
      const cap = optNumber('--max-concurrency', values['max-concurrency']) ?? Number(params.concurrency ?? 8);
      const { apiKey, note } = cliApiKey(values.endpoint, values['api-key-env'], process.env);
      keyNote = note;
      const timeoutMs = optInteger('--timeout', values.timeout, 1);
      const maxRetries = optInteger('--retries', values.retries, 0);
      const config: EndpointConfigInput = {
        name: 'cli',
        baseUrl: values.endpoint,
        model: values.model,
        mode,
        maxConcurrency: Math.max(1, Math.floor(cap) || 1),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(maxRetries !== undefined ? { maxRetries } : {}),
      };
      endpoint = { kind: 'openai', config, ...(apiKey ? { apiKey } : {}) };
    } else {
      if (values.mode) throw new UsageError('--mode goes with --endpoint');
      // without --endpoint, --model picks an embedded model: the step policy or a reasoner
      if (values.model !== undefined && !embeddedModelIds().includes(values.model)) throw new UsageError(`--model ${values.model}: without --endpoint, choose an embedded model (${embeddedModelIds().join(', ')}), or pass --endpoint URL`);
      if (values['api-key-env'] !== undefined) throw new UsageError('--api-key-env goes with --endpoint (the embedded model needs no key)');
      if (values.timeout !== undefined || values.retries !== undefined) throw new UsageError('--timeout and --retries go with --endpoint (the embedded model makes no HTTP requests)');
      if (values['no-probe']) throw new UsageError('--no-probe goes with --endpoint (the embedded model is not probed)');
      endpoint = { kind: 'embedded', ...(values.model !== undefined ? { model: values.model } : {}) };
    }
    request = { strategy: s.data, params, budgets, ...(verifier ? { verifier } : {}), endpoint, ...(values.cache ? { cacheDir: values.cache } : {}) };
    if (endpoint.kind === 'openai') request.capabilities = { dir: capabilityDir(process.env), probe: values['no-probe'] !== true, signal: ctl.signal };
    // Said once per kind for the whole command, as it first happens (a batch repeats the same server's habits); the
    // embedded model says what it ignores (e.g. revision's earlier attempts) the same way.
    const said = new Set<string>();
    const where = endpoint.kind === 'openai' ? `endpoint ${redact(values.endpoint!)}` : 'embedded model';
    request.onAdaptation = (a: Adaptation) => {
      if (said.has(a.kind)) return;
      said.add(a.kind);
      err(`note: ${where}: ${a.message}\n`);
    };
  } catch (e) {
    if (e instanceof UsageError || e instanceof ProblemSetError) return bad(e.message);
    throw e;
  }

  if (keyNote) err(`${keyNote}\n`);

  // Ctrl-C cancels from here on: the capability probe in the set-up, then the run in progress.
  const onSigint = () => ctl.abort();
  if (options.signal) options.signal.addEventListener('abort', onSigint, { once: true });
  else process.once('SIGINT', onSigint);
  try {
    return await runBatch({ values, out, err, bad, options, problems, request, ctl });
  } finally {
    if (options.signal) options.signal.removeEventListener('abort', onSigint);
    else process.removeListener('SIGINT', onSigint);
  }
}

interface Batch {
  values: { out?: string | undefined; force?: boolean | undefined; quiet?: boolean | undefined; 'no-probe'?: boolean | undefined };
  out: (text: string) => void;
  err: (text: string) => void;
  bad: (msg: string) => number;
  options: RunCommandOptions;
  problems: Problem[];
  request: Omit<RunRequest, 'problem'>;
  ctl: AbortController;
}

async function runBatch({ values, out, err, bad, options, problems, request, ctl }: Batch): Promise<number> {
  // Every problem is set up before the first request: a caller mistake stops the batch before anything is spent,
  // a problem the model cannot read is reported in its row and the others still run.
  const outDir = values.out ?? 'metacot-runs';
  const used = new Set<string>();
  const force = values.force === true;
  // Without --force a file already there keeps its name and the new trace takes the next free one.
  const taken = (n: string) => used.has(n) || (!force && existsSync(join(outDir, n)));
  const jobs: { problem: Problem; label: string; file: string; prepared?: PreparedRun; refused?: string }[] = [];
  for (const problem of problems) {
    const name = traceFileName(problem, taken);
    used.add(name);
    const job = { problem, label: problem.id ?? name.slice(0, -TRACE_FILE_SUFFIX.length), file: join(outDir, name) };
    try {
      jobs.push({ ...job, prepared: await prepareRun({ ...request, problem }) });
    } catch (e) {
      if (!(e instanceof RunSetupError)) throw e;
      // The probe failed: every problem would fail alike, so the batch stops here (nothing written).
      if (e.cause instanceof EndpointError) {
        if (e.cause.kind === 'cancelled') {
          err('metacot run: interrupted during the capability probe; nothing was written\n');
          return EXIT.interrupted;
        }
        err(`failed ${job.label}: the capability probe failed: ${e.cause.kind}: ${e.cause.message}\n  what to do: ${cliAdvice(e.cause.kind, job.file, e.cause.message)}${values['no-probe'] ? '' : ' (--no-probe skips the probe)'}\n`);
        return EXIT.failed;
      }
      // The core's advice names no flags; the CLI's way to another model is --endpoint.
      if (e.kind === 'problem') jobs.push({ ...job, refused: `${e.message}\n  what to do: ${e.advice.replace('pick an OpenAI-compatible endpoint', 'pass --endpoint URL --model M (any OpenAI-compatible server)')}` });
      else if (e.kind === 'embedded-model') return bad(`no --endpoint given, and ${e.message}\n${EMBEDDED_ADVICE}`);
      else return bad(`${e.message}\n  what to do: ${e.advice}`);
    }
  }
  if (force) {
    // --force replaces earlier traces, never a file that is not one (a typo'd --out, a corrupt trace kept to inspect).
    for (const job of jobs) {
      if (!existsSync(job.file)) continue;
      const why = await invalidAs(job.file, 'trace');
      if (why !== undefined) {
        err(`metacot run: ${job.file} exists and is not a valid trace (${why.split('\n')[0]}); it is never written over, even with --force: move or delete it, or choose another --out\n`);
        return EXIT.refused;
      }
    }
  }

  await mkdir(outDir, { recursive: true });

  const bar = new ProgressBar(err, options.tty ?? process.stderr.isTTY === true);
  const totals = { done: 0, total: problems.length, nodes: 0, tokens: 0, cost: 0 };
  const rows: (string | number)[][] = [];
  const failures: string[] = [];
  const warnings: string[] = [];
  try {
    for (const job of jobs) {
      if (ctl.signal.aborted) break;
      const t0 = Date.now();
      const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);
      if (!job.prepared) {
        failures.push(`refused ${job.label}: ${job.refused}`);
        rows.push([job.label, 'refused', 'no', '', 0, 0, seconds(), '']);
        totals.done++;
        continue;
      }
      const base = { ...totals };
      let report: RunReport;
      try {
        report = await job.prepared.execute({
          signal: ctl.signal,
          checkpoint: { write: (t) => writeTraceFile(job.file, t), intervalMs: 2000 },
          // Finished nodes go to <file>.journal.jsonl as they finish, so a kill loses only the requests in flight.
          traceFile: job.file,
          ...(values.quiet
            ? {}
            : {
                onProgress: (p: { usage: Usage; nodes: number }) =>
                  bar.update({ ...base, nodes: base.nodes + p.nodes, tokens: base.tokens + p.usage.tokensIn + p.usage.tokensOut, cost: base.cost + p.usage.cost, label: job.label }),
              }),
        });
      } catch (e) {
        failures.push(`error in ${job.file}: ${(e as Error).message}`);
        rows.push([job.label, 'error', 'no', '', 0, 0, seconds(), job.file]);
        totals.done++;
        continue;
      }
      const tokens = report.usage.tokensIn + report.usage.tokensOut;
      totals.done++;
      totals.nodes += report.nodesAdded;
      totals.tokens += tokens;
      totals.cost += report.usage.cost;
      rows.push([job.label, report.status, report.result?.verified ? 'yes' : 'no', (report.result?.finalAnswer ?? '').slice(0, 30), report.nodesAdded, tokens, seconds(), job.file]);
      const errors = runErrors(job.prepared.tree.trace, report.runId);
      if (report.status === 'failed') {
        failures.push(`failed ${job.label}: ${report.reason ?? 'no reason recorded'}\n  what to do: ${cliAdvice(errors.first?.kind ?? kindInReason(report.reason), job.file, errors.first?.message ?? report.reason)}\n  trace: ${job.file}`);
      } else if (errors.first) {
        // The run went on around them, but the user should know its answer rests on fewer requests.
        warnings.push(`warning: ${job.label}: ${errors.count} request${errors.count === 1 ? '' : 's'} failed; first: ${errors.first.message}\n  what to do: ${cliAdvice(errors.first.kind, job.file, errors.first.message)}`);
      }
      // A search that ranked every step at the prior looks like a value-guided one in the table: say that it was not.
      const noSignal = report.status === 'failed' ? undefined : valueSignalWarning(job.label, valueSignal(job.prepared.tree.trace, report.runId));
      if (noSignal) warnings.push(noSignal);
      if (!values.quiet) bar.line({ ...totals, label: `${job.label}: ${report.status}` });
    }
  } finally {
    if (!values.quiet) bar.end();
  }

  out(formatTable(['problem', 'status', 'solved', 'answer', 'nodes', 'tokens', 'time (s)', 'trace'], rows));
  const solved = rows.filter((r) => r[2] === 'yes').length;
  out(`\nsolved ${solved}/${rows.length}, ${formatCount(totals.tokens)} tokens${totals.cost > 0 ? `, cost ${totals.cost.toFixed(4)}` : ''}; traces in ${outDir}\n`);
  for (const w of warnings) err(`${w}\n`);
  for (const f of failures) err(`${f}\n`);
  if (ctl.signal.aborted) {
    err(`metacot run: interrupted; the current run ended cancelled and its trace was written\n`);
    return EXIT.interrupted;
  }
  return failures.length > 0 ? EXIT.failed : EXIT.ok;
}
