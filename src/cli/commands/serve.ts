/**
 * `metacot serve`: the local reference server (simulated policies, OpenAI-compatible, loopback only) for trying
 * the extension and the CLI without a model, or (`--model embedded-countdown`) the embedded Countdown model served
 * over the same API. Prints the base URL and runs until SIGINT / SIGTERM.
 */
import { startReferenceServer } from '../../core/server/referenceServer';
import { parseFaultSpec } from '../../core/server/faults';
import type { FaultPlan } from '../../core/server/faults';
import type { Policy } from '../../core/server/policy';
import { countdownPolicy } from '../../core/server/policies/countdownProposer';
import { arithmeticPolicy } from '../../core/server/policies/arithmeticSolver';
import { longCotPolicy } from '../../core/server/policies/longCotResponder';
import { getServerProfile, serverProfileNames } from '../../core/server/profiles';
import type { ReferenceServer } from '../../core/server/referenceServer';
import { EMBEDDED_SERVE_NOTES } from '../../core/embedded/capabilities';
import { startCommand } from '../commandArgs';

/** `--model` values: the models `metacot serve` can serve besides the simulated policies. */
// embedded-countdown serves the reasoners found beside it too; naming one of them serves the same set.
export const SERVED_MODELS = ['embedded-countdown', 'embedded-countdown-sos', 'embedded-countdown-path'] as const;

export const SERVE_USAGE = `metacot serve [options]

Runs a local OpenAI-compatible reference server backed by simulated policies (not language models), or with
--model embedded-countdown the embedded Countdown model (onnxruntime-web WebAssembly, as in the extension).

Options:
  --model NAME          serve a real model instead of the simulated policies: ${SERVED_MODELS.join(' | ')}
                        (not with --policy, --error-rate, --profile, --reasoning)
  --port N              port on 127.0.0.1 (default: a random free port)
  --latency MS          delay before the first token (default 0)
  --per-token MS        delay per generated token (default 0)
  --max-concurrent N    requests processed at once; beyond it 429 + Retry-After
  --faults SPEC         e.g. "429:0.1,500:0.05" or "seq:429,ok,reset"; kinds: 429 500 503 reset hang malformed bad-shape stream-cut proxy-502 validation-422
  --policy NAME         countdown | arithmetic | long-cot (repeatable or comma-separated; default: all three)
  --error-rate P        mistake rate of the countdown / arithmetic policies (default 0.1)
  --seed N              seed for requests without one and for fault draws (default 0)
  --profile NAME        behave like a real server: ${serverProfileNames().join(' | ')}
                        (error bodies, refused / ignored fields, stop handling, reasoning field, usage)
  --reasoning           the served model reasons: each chat choice carries a one-line reasoning text

With --model embedded-countdown (model id "embedded-countdown"):
${EMBEDDED_SERVE_NOTES.map((l) => `  ${l}`).join('\n')}
`;

const POLICY_MAKERS: Record<string, (errorRate: number | undefined) => Policy> = {
  countdown: (e) => countdownPolicy(e === undefined ? {} : { errorRate: e }),
  arithmetic: (e) => arithmeticPolicy(e === undefined ? {} : { mistakeRate: e }),
  'long-cot': () => longCotPolicy(),
};

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: "${value}" is not a non-negative number`);
  return n;
}

export interface ServeCommandOptions {
  /** Stops the server when aborted (tests); otherwise SIGINT / SIGTERM do. */
  signal?: AbortSignal;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export async function runServeCommand(argv: string[], options: ServeCommandOptions = {}): Promise<number> {
  const cmd = startCommand('serve', SERVE_USAGE, argv, options, {
    options: {
      port: { type: 'string' },
      latency: { type: 'string' },
      'per-token': { type: 'string' },
      'max-concurrent': { type: 'string' },
      faults: { type: 'string' },
      policy: { type: 'string', multiple: true },
      'error-rate': { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string' },
      reasoning: { type: 'boolean' },
      model: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (typeof cmd === 'number') return cmd;
  const { values, out, err, bad } = cmd;
  let faults: FaultPlan | undefined;
  const policies: Record<string, Policy> = {};
  let opts;
  const model = values.model;
  try {
    if (model !== undefined) {
      if (!(SERVED_MODELS as readonly string[]).includes(model)) throw new Error(`--model: unknown model "${model}" (choose from ${SERVED_MODELS.join(', ')})`);
      const clash = (['policy', 'error-rate', 'profile', 'reasoning'] as const).filter((k) => values[k] !== undefined);
      if (clash.length > 0) throw new Error(`--model ${model} does not go with ${clash.map((k) => `--${k}`).join(', ')} (they shape the simulated policies)`);
    }
    const errorRate = num('error-rate', values['error-rate']);
    const names = model !== undefined ? [] : (values.policy ?? ['countdown', 'arithmetic', 'long-cot']).flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    for (const name of names) {
      const make = POLICY_MAKERS[name];
      if (!make) throw new Error(`--policy: unknown policy "${name}" (choose from ${Object.keys(POLICY_MAKERS).join(', ')})`);
      const p = make(errorRate);
      policies[p.name] = p;
    }
    if (values.faults) faults = parseFaultSpec(values.faults);
    const maxConcurrent = num('max-concurrent', values['max-concurrent']);
    const port = num('port', values.port);
    const latencyMs = num('latency', values.latency);
    const perTokenMs = num('per-token', values['per-token']);
    const seed = num('seed', values.seed);
    const profile = values.profile === undefined ? undefined : getServerProfile(values.profile).name;
    opts = {
      ...(port !== undefined ? { port } : {}),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(perTokenMs !== undefined ? { perTokenMs } : {}),
      ...(maxConcurrent !== undefined ? { maxConcurrent } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(faults ? { faults } : {}),
      ...(profile ? { profile } : {}),
      ...(values.reasoning ? { reasoning: true } : {}),
    };
  } catch (e) {
    return bad((e as Error).message);
  }
  let server: ReferenceServer;
  let what: string;
  try {
    if (model !== undefined) {
      // Loaded on demand like the extension does (checksum-verified files, the WebAssembly runtime): only this
      // command pays for onnxruntime.
      const { serveEmbedded } = await import('../../core/embedded/serve');
      const embedded = await serveEmbedded(opts);
      server = embedded;
      what = `Embedded Countdown model (${embedded.policy.model.dir}, sha256 ${embedded.policy.model.sha256.slice(0, 12)}…, ${embedded.policy.model.runtimeName}; value model sha256 ${embedded.valueModel.sha256.slice(0, 12)}… at POST /pooling)`;
    } else {
      server = await startReferenceServer({ ...opts, policies });
      what = `Reference server (simulated policies)${opts.profile ? ` behaving like ${getServerProfile(opts.profile).title}` : ''}`;
    }
  } catch (e) {
    err(`metacot serve: cannot start: ${(e as Error).message}\n`);
    return 1;
  }
  out(`${what} listening at ${server.url}\nModels: ${server.models.join(', ')}\nPress Ctrl+C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener('abort', stop, { once: true });
  });
  await server.close();
  out(`Stopped. ${server.log.generations().length} generation requests served.\n`);
  return 0;
}
