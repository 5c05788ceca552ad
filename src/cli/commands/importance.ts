/**
 * `metacot importance TRACE --node ID`: how much each step of the path root → node matters to the answer, by
 * resampling K continuations from every prefix (counterfactual resampling); the result is written into the trace.
 */
import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { stripUrlCredentials, type EndpointConfigInput } from '../../core/llm/endpointConfig';
import { redact } from '../../core/llm/redact';
import type { EndpointChoice } from '../../core/run/runSetup';
import { lineChartSvg } from '../../core/analyse/lineChart';
import { runStepImportance } from '../../core/analyse/stepImportanceRun';
import { IMPORTANCE_FORMULA, IMPORTANCE_LEGEND, type StepImportance } from '../../core/analyse/stepImportanceSchema';
import { journalPathFor } from '../../core/trace/journal';
import { readTraceFile, writeTraceFile } from '../../core/trace/io';
import { ContinuationModeSchema } from '../../core/trace/schema';
import { startCommand, type CommandOutput } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { refuseOverwrite } from '../outputGuard';
import { formatTable } from '../table';
import { cliApiKey } from './run';
import { svgToPng } from '../svgToPng';

export const IMPORTANCE_USAGE = `metacot importance TRACE [--node ID] [options]

Measures how much each step of the path from the root to node ID matters to the answer: K continuations are sampled
from the path before each step (step resampled) and after it (step kept), their answers checked with the trace's
verifier, and the step scored by the change (Thought Anchors' counterfactual resampling):
  ${IMPORTANCE_FORMULA}
  ${IMPORTANCE_LEGEND}
The result is written into the trace (analyses.stepImportance) and printed as a table with the top steps.

Options:
  --node ID             the path's last node (default: the trace's best node)
  --k K                 continuations per prefix, sent as one request with n = K (default 8)
  --budget-tokens N     start no request once N tokens (in + out) are spent; finished prefixes are kept
  --budget-requests N   the same for requests
  --parallel P          prefixes sampled at once (default 4)
  --temperature T       sampling temperature of the continuations (default: the endpoint's)
  --max-tokens N        token limit per continuation (default: the endpoint's)
  --out FILE            write the trace there instead of TRACE (an existing file only with --force, and only a
                        valid trace)
  --force               replace FILE when it exists
  --plot FILE.svg|.png  also draw accuracy and TV against the step (a PNG is drawn by Chromium; the SVG is
                        written beside it)
  --json                the result as JSON

Endpoint (default: the embedded Countdown model):
  --endpoint URL --model M [--mode chat|chat-continue|completions] [--api-key-env NAME]

${EXIT_CODES_HELP}`;

class UsageError extends Error {}

function optInt(flag: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} "${v}": expected an integer ≥ ${min}`);
  return n;
}

export async function runImportanceCommand(argv: string[], options: CommandOutput = {}): Promise<number> {
  const cmd = startCommand('importance', IMPORTANCE_USAGE, argv, options, {
    allowPositionals: true,
    strict: true,
    options: {
      node: { type: 'string' },
      k: { type: 'string' },
      'budget-tokens': { type: 'string' },
      'budget-requests': { type: 'string' },
      parallel: { type: 'string' },
      temperature: { type: 'string' },
      'max-tokens': { type: 'string' },
      endpoint: { type: 'string' },
      model: { type: 'string' },
      mode: { type: 'string' },
      'api-key-env': { type: 'string' },
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      plot: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (typeof cmd === 'number') return cmd;
  const { values: v, positionals, out, err, bad } = cmd;
  if (positionals.length !== 1) return bad('give one trace file');
  const file = positionals[0]!;
  let k: number, parallel: number, maxTokens: number | undefined, maxRequests: number | undefined, continuationTokens: number | undefined;
  let temperature: number | undefined;
  let endpoint: EndpointChoice;
  try {
    k = optInt('--k', v.k, 1) ?? 8;
    parallel = optInt('--parallel', v.parallel, 1) ?? 4;
    maxTokens = optInt('--budget-tokens', v['budget-tokens'], 1);
    maxRequests = optInt('--budget-requests', v['budget-requests'], 1);
    continuationTokens = optInt('--max-tokens', v['max-tokens'], 1);
    if (v.temperature !== undefined) {
      temperature = Number(v.temperature);
      if (!Number.isFinite(temperature) || temperature < 0) throw new UsageError(`--temperature "${v.temperature}": expected a non-negative number`);
    }
    if (v.plot !== undefined && !/\.(svg|png)$/.test(v.plot)) throw new UsageError('--plot draws SVG or PNG: give a FILE.svg or FILE.png');
    endpoint = endpointChoice(v, err);
  } catch (e) {
    if (e instanceof UsageError) return bad(e.message);
    throw e;
  }
  try {
    const trace = await readTraceFile(file);
    const target = v.out ?? file;
    // TRACE was just read and validated: writing it in place needs no --force.
    const refusal = await refuseOverwrite(target, 'trace', { force: v.force === true, validated: [file] });
    if (refusal) {
      err(`metacot importance: ${refusal}\n`);
      return EXIT.refused;
    }
    const nodeId = v.node ?? trace.result?.bestNodeId;
    if (nodeId === undefined) return bad('the trace has no best node: give --node ID');
    const ctl = new AbortController();
    const onSigint = () => ctl.abort();
    process.once('SIGINT', onSigint);
    let measured;
    try {
      measured = await runStepImportance(trace, {
        endpoint,
        nodeId,
        k,
        parallel,
        ...(maxTokens !== undefined ? { maxTokens } : {}),
        ...(maxRequests !== undefined ? { maxRequests } : {}),
        ...(continuationTokens !== undefined ? { continuationTokens } : {}),
        ...(temperature !== undefined ? { temperature } : {}),
        signal: ctl.signal,
        onProgress: (done, total) => err(`\rprefixes ${done}/${total}`),
      });
    } finally {
      process.off('SIGINT', onSigint);
      err('\n');
    }
    await writeTraceFile(target, measured.trace);
    // Written in place: the journal it was read with is folded into what was just written.
    if (resolve(target) === resolve(file)) await rm(journalPathFor(target), { force: true });
    if (v.plot) {
      const svg = importanceChartSvg(measured.result);
      const svgFile = v.plot.replace(/\.png$/, '.svg');
      await writeFile(svgFile, svg);
      // The trace is written already: a PNG the browser cannot draw is said, with the SVG kept, and fails the command.
      if (v.plot.endsWith('.png')) await svgToPng(svg, v.plot).catch((e: Error) => { throw new Error(`the plot's PNG was not drawn (${e.message}); the trace and ${svgFile} are written`); });
    }
    out(v.json ? `${JSON.stringify(measured.result, null, 2)}\n` : formatImportance(measured.result));
    return ctl.signal.aborted ? EXIT.interrupted : EXIT.ok;
  } catch (e) {
    err(`metacot importance: ${(e as Error).message}\n`);
    return EXIT.failed;
  }
}

function endpointChoice(v: { endpoint?: string; model?: string; mode?: string; 'api-key-env'?: string }, err: (t: string) => void): EndpointChoice {
  if (v.endpoint === undefined) {
    if (v.model || v.mode || v['api-key-env']) throw new UsageError('--model, --mode and --api-key-env go with --endpoint');
    return { kind: 'embedded' };
  }
  if (!v.model) throw new UsageError('--endpoint needs --model');
  if (stripUrlCredentials(v.endpoint) !== v.endpoint) throw new UsageError(`--endpoint ${redact(v.endpoint)}: the URL holds credentials (user:password@); give the key with --api-key-env NAME instead`);
  const mode = v.mode === undefined ? 'chat' : ContinuationModeSchema.safeParse(v.mode).data;
  if (!mode) throw new UsageError(`--mode: expected chat, chat-continue or completions, got "${v.mode}"`);
  const { apiKey, note } = cliApiKey(v.endpoint, v['api-key-env'], process.env);
  if (note) err(`${note.replace('metacot run', 'metacot importance')}\n`);
  const config: EndpointConfigInput = { name: 'cli', baseUrl: v.endpoint, model: v.model, mode };
  return { kind: 'openai', config, ...(apiKey ? { apiKey } : {}) };
}

const pct = (x: number | undefined) => (x === undefined ? '–' : `${Math.round(x * 100)}%`);
const signed = (x: number | undefined) => (x === undefined ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(2)}`);

/** The table: one row per step, the answers kept after it, the scores, and the top steps marked ★. */
export function formatImportance(r: StepImportance): string {
  const rows = r.steps.map((s) => {
    const kept = r.prefixes[s.index];
    const resampled = r.prefixes[s.index - 1];
    const top = kept?.answers.slice(0, 2).map((a) => `${a.answer === '' ? '(none)' : a.answer} ×${a.count}`).join(', ') ?? '';
    return [`${s.top ? '★ ' : ''}${s.index}`, s.nodeId, pct(resampled?.accuracy), pct(kept?.accuracy), signed(s.accuracyDelta), s.tv === undefined ? '–' : s.tv.toFixed(2), kept?.status ?? '', top];
  });
  const lines = [
    `step importance of ${r.nodeId}: ${r.steps.length} steps, K=${r.k}, ${r.model} (${r.endpoint}), checker ${r.checker}`,
    `${IMPORTANCE_FORMULA}`,
    '',
    formatTable(['step', 'node', 'acc resampled', 'acc kept', 'Δacc', 'TV', 'status', 'answers kept'], rows).trimEnd(),
    '',
  ];
  const top = r.steps.filter((s) => s.top).sort((a, b) => (b.tv ?? 0) - (a.tv ?? 0));
  lines.push(top.length ? `top steps: ${top.map((s) => `${s.index} (${s.nodeId}, TV ${s.tv!.toFixed(2)})`).join(', ')}` : 'top steps: none changed the answers by TV ≥ 0.1');
  const incomplete = r.prefixes.filter((p) => p.status !== 'done').map((p) => `${p.steps} (${p.status})`);
  if (incomplete.length) lines.push(`incomplete prefixes (steps kept): ${incomplete.join(', ')}${r.stopped ? ` — ${r.stopped}` : ''}`);
  lines.push(`spent: ${r.usage.requests} requests, ${r.usage.tokensIn} tokens in, ${r.usage.tokensOut} out`);
  return `${lines.join('\n')}\n`;
}

/** Accuracy after the first j steps, and TV of step j, on one axis of steps. */
export function importanceChartSvg(r: StepImportance): string {
  const acc = r.prefixes.filter((p) => p.accuracy !== undefined).map((p) => ({ x: p.steps, y: p.accuracy! }));
  const tv = r.steps.filter((s) => s.tv !== undefined).map((s) => ({ x: s.index, y: s.tv! }));
  return lineChartSvg({
    title: `Step importance of ${r.nodeId} (K=${r.k})`,
    xLabel: 'steps kept / step i',
    yLabel: 'accuracy, TV',
    yMin: 0,
    yMax: 1,
    panels: [{ title: r.model, series: [{ name: 'accuracy after j steps', points: acc }, { name: 'TV of step i', points: tv, dashed: true }] }],
  });
}
