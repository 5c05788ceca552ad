/**
 * Serves the embedded Countdown model behind the OpenAI-compatible reference server on loopback.
 *
 *   npx tsx src/core/embedded/serve.ts [--port 8000] [--host 127.0.0.1] [--model-dir model]
 *
 * prints the base URL (`http://127.0.0.1:8000/v1`, model id `embedded-countdown`) and serves until Ctrl-C; the value
 * model answers vLLM's pooling API at `POST /pooling` (model id `embedded-countdown-value`, valuePooling.ts).
 * A request whose problem the model cannot read is answered 400 (OpenAI error shape) with the accepted phrasing;
 * so is one carrying a field the model cannot honour (EMBEDDED_REFUSED_PARAMS). `metacot serve --model
 * embedded-countdown` is the same server behind the CLI.
 */
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../server';
import { HttpError } from '../server/httpReply';
import type { Policy } from '../server/policy';
import { EMBEDDED_REFUSED_PARAMS } from './capabilities';
import { EmbeddedModel } from './model';
import { EmbeddedCountdownPolicy, UnreadableProblemError } from './policy';
import { VALUE_MODEL_ID } from './embeddedNames';
import { EmbeddedValueModel } from './valueModel';
import { poolValues } from './valuePooling';

export interface ServeEmbeddedOptions extends Omit<ReferenceServerOptions, 'policy' | 'policies' | 'poolers'> {
  modelDir?: string;
  /** an already loaded model */
  model?: EmbeddedModel;
  /** an already loaded value model (default: the one beside the policy) */
  valueModel?: EmbeddedValueModel;
}

export interface EmbeddedServer extends ReferenceServer {
  policy: EmbeddedCountdownPolicy;
  /** served at `POST /pooling` as model `embedded-countdown-value` (vLLM's pooling API) */
  valueModel: EmbeddedValueModel;
}

export async function serveEmbedded(opts: ServeEmbeddedOptions = {}): Promise<EmbeddedServer> {
  const { modelDir, model, valueModel, ...serverOpts } = opts;
  const loaded = model ?? (await EmbeddedModel.load(modelDir ? { dir: modelDir } : {}));
  const value = valueModel ?? (await EmbeddedValueModel.load({ dir: loaded.dir }));
  const policy = new EmbeddedCountdownPolicy(loaded);
  const served: Policy = {
    name: policy.name,
    async generate(req, signal) {
      try {
        return await policy.generate(req, signal);
      } catch (e) {
        if (e instanceof UnreadableProblemError) throw new HttpError(400, e.message, 'invalid_request_error', 'messages', 'invalid_value');
        throw e;
      }
    },
  };
  const server = await startReferenceServer({
    host: '127.0.0.1',
    ...serverOpts,
    unsupportedParams: [...EMBEDDED_REFUSED_PARAMS, ...(serverOpts.unsupportedParams ?? [])],
    policy: served,
    poolers: { [VALUE_MODEL_ID]: (body) => poolValues(value, body) },
  });
  return Object.assign(server, { policy, valueModel: value });
}

export async function main(argv: string[]): Promise<void> {
  const arg = (name: string): string | undefined => {
    const k = argv.indexOf(name);
    return k >= 0 ? argv[k + 1] : undefined;
  };
  const port = Number(arg('--port') ?? 8000);
  const server = await serveEmbedded({
    port,
    host: arg('--host') ?? '127.0.0.1',
    ...(arg('--model-dir') ? { modelDir: arg('--model-dir') } : {}),
  });
  process.stdout.write(
    `embedded Countdown model (${server.policy.model.dir}, sha256 ${server.policy.model.sha256.slice(0, 12)}…) ` +
      `serving at ${server.url} as model "${server.policy.name}"; value model (sha256 ${server.valueModel.sha256.slice(0, 12)}…) ` +
      `at ${server.url.replace(/\/v1$/, '')}/pooling as "${VALUE_MODEL_ID}"\n`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (/[\\/]embedded[\\/]serve\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
