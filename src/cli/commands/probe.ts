/**
 * `metacot probe`: what an OpenAI-compatible server does with n, logprobs, stop, seed, continuation, completions and
 * echo, where it puts reasoning and whether it reports cached tokens, with what the client does about each finding.
 * Probes are remembered (the same folder `metacot run` uses); --refresh probes again.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EndpointConfigSchema, endpointOrigin, stripUrlCredentials } from '../../core/llm/endpointConfig';
import { EndpointError } from '../../core/llm/errors';
import { redact } from '../../core/llm/redact';
import { endpointCapabilities } from '../../core/run/capabilities';
import { capabilityRows } from '../../core/run/capabilityTable';
import { ContinuationModeSchema } from '../../core/trace/schema';
import { startCommand } from '../commandArgs';
import { EXIT, EXIT_CODES_HELP } from '../exitCodes';
import { cliAdvice } from '../runAdvice';
import { formatTable } from '../table';

export const PROBE_USAGE = `metacot probe --endpoint URL --model M [options]

Sends a handful of tiny requests (at most 8, max_tokens ≤ 48) to find out what the server does, prints one row per
capability with what the client does about it, and remembers the result for \`metacot run\`.

  --endpoint URL          OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1
  --model M               model id
  --mode MODE             chat | chat-continue | completions (default chat): the mode the main request uses
  --api-key-env NAME      send the API key in $NAME to the --endpoint
  --json                  print the capabilities as JSON
  --refresh               probe again even when a probe is remembered

Probes are remembered in $METACOT_STATE_DIR/capabilities, else the user cache folder (${join('~', '.cache', 'metacot', 'capabilities')}
on Linux), one file per server, base path, model and mode.

${EXIT_CODES_HELP}`;

/** Where probes are remembered: $METACOT_STATE_DIR/capabilities, else the platform's user cache folder. */
export function capabilityDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.METACOT_STATE_DIR) return join(env.METACOT_STATE_DIR, 'capabilities');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'metacot', 'Cache', 'capabilities');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'metacot', 'capabilities');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'metacot', 'capabilities');
}

export interface ProbeCommandOptions {
  out?: (text: string) => void;
  err?: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export async function runProbeCommand(argv: string[], options: ProbeCommandOptions = {}): Promise<number> {
  const cmd = startCommand('probe', PROBE_USAGE, argv, options, {
    options: {
      endpoint: { type: 'string' },
      model: { type: 'string' },
      mode: { type: 'string' },
      'api-key-env': { type: 'string' },
      json: { type: 'boolean' },
      refresh: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (typeof cmd === 'number') return cmd;
  const { values, out, err, bad } = cmd;
  const env = options.env ?? process.env;
  if (!values.endpoint || !values.model) return bad('--endpoint URL and --model M are required');
  if (stripUrlCredentials(values.endpoint) !== values.endpoint) return bad(`--endpoint ${redact(values.endpoint)}: the URL holds credentials (user:password@), which are never sent or stored; give the key with --api-key-env NAME instead`);
  const mode = values.mode === undefined ? 'chat' : ContinuationModeSchema.safeParse(values.mode).data;
  if (!mode) return bad(`--mode: expected chat, chat-continue or completions, got "${values.mode}"`);
  let apiKey: string | undefined;
  if (values['api-key-env'] !== undefined) {
    apiKey = env[values['api-key-env']];
    if (!apiKey) return bad(`--api-key-env ${values['api-key-env']}: that environment variable is not set`);
  }
  const parsed = EndpointConfigSchema.safeParse({ name: 'cli', baseUrl: values.endpoint, model: values.model, mode });
  if (!parsed.success) return bad(`--endpoint ${redact(values.endpoint)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const config = parsed.data;
  const dir = capabilityDir(env);

  let found;
  try {
    found = await endpointCapabilities(config, { dir, probe: true, refresh: values.refresh === true, ...(apiKey ? { apiKey } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  } catch (e) {
    if (!(e instanceof EndpointError)) throw e;
    if (e.kind === 'cancelled') return EXIT.interrupted;
    err(`metacot probe: ${e.kind}: ${redact(e.message, [apiKey])}\n  what to do: ${cliAdvice(e.kind, '', e.message)}\n`);
    return EXIT.failed;
  }
  const caps = found!.capabilities;
  if (values.json) {
    out(`${JSON.stringify(caps, null, 2)}\n`);
    return EXIT.ok;
  }
  const where = `${endpointOrigin(config.baseUrl) ?? config.baseUrl} (model ${config.model}, ${mode} mode)`;
  const how = found!.probed ? `probed now with ${caps.requests} request${caps.requests === 1 ? '' : 's'}` : `remembered from ${caps.probedAt} (--refresh probes again)`;
  out(`${where}: ${how}\n\n`);
  out(formatTable(['capability', 'found', 'what the client does'], capabilityRows(caps, mode).map((r) => [r.capability, `${r.lacking ? '✗ ' : r.found === 'yes' ? '✓ ' : ''}${r.found}`, r.client])));
  if (caps.notes?.length) out(`\nthe server said:\n${caps.notes.map((n) => `  ${n}`).join('\n')}\n`);
  return EXIT.ok;
}
