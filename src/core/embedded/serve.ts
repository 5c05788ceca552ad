/**
 * Serves the embedded Countdown model behind the OpenAI-compatible reference server on loopback.
 *
 *   npx tsx src/core/embedded/serve.ts [--port 8000] [--host 127.0.0.1] [--model-dir model]
 *
 * prints the base URL (`http://127.0.0.1:8000/v1`, model id `embedded-countdown`) and serves until Ctrl-C; the value
 * model answers vLLM's pooling API at `POST /pooling` (model id `embedded-countdown-value`, valuePooling.ts).
 * A request whose problem the model cannot read is answered 400 (OpenAI error shape) with the accepted phrasing;
 * so is one carrying a field the model cannot honour (EMBEDDED_REFUSED_PARAMS). `metacot serve --model
 * embedded-countdown` is the same server behind the CLI. The embedded reasoners whose files are in the model folder
 * are served beside it (`embedded-countdown-sos`, `embedded-countdown-path`, reasonerPolicy.ts): their search text
 * is the reasoning (`reasoning_content`), the answer line the content.
 */
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../server';
import { HttpError } from '../server/httpReply';
import type { Policy } from '../server/policy';
import { EMBEDDED_REFUSED_PARAMS } from './capabilities';
import { EmbeddedModel } from './model';
import { EmbeddedCountdownPolicy, UnreadableProblemError } from './policy';
import { REASONER_MODEL_IDS, VALUE_MODEL_ID, type ReasonerName } from './embeddedNames';
import { EmbeddedReasoner } from './reasoner';
import { hasReasoner } from './reasonerFiles';
import { EmbeddedReasonerPolicy } from './reasonerPolicy';
import { EmbeddedValueModel } from './valueModel';
import { poolValues } from './valuePooling';

export interface ServeEmbeddedOptions extends Omit<ReferenceServerOptions, 'policy' | 'policies' | 'poolers'> {
  modelDir?: string;
  /** an already loaded model */
  model?: EmbeddedModel;
  /** an already loaded value model (default: the one beside the policy) */
  valueModel?: EmbeddedValueModel;
  /** already loaded reasoners (default: every reasoner whose files are beside the policy) */
  reasoners?: EmbeddedReasoner[];
}

export interface EmbeddedServer extends ReferenceServer {
  policy: EmbeddedCountdownPolicy;
  /** served at `POST /pooling` as model `embedded-countdown-value` (vLLM's pooling API) */
  valueModel: EmbeddedValueModel;
  /** the reasoners served, by model id (`embedded-countdown-sos`, …) */
  reasoners: EmbeddedReasonerPolicy[];
}

/** A policy's caller mistakes (a problem it cannot read) answered 400 in OpenAI's shape. */
function refusing(policy: Policy): Policy {
  return {
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
}

export async function serveEmbedded(opts: ServeEmbeddedOptions = {}): Promise<EmbeddedServer> {
  const { modelDir, model, valueModel, reasoners: givenReasoners, ...serverOpts } = opts;
  const loaded = model ?? (await EmbeddedModel.load(modelDir ? { dir: modelDir } : {}));
  const value = valueModel ?? (await EmbeddedValueModel.load({ dir: loaded.dir }));
  const policy = new EmbeddedCountdownPolicy(loaded);
  const names = (Object.keys(REASONER_MODEL_IDS) as ReasonerName[]).filter((n) => hasReasoner(loaded.dir, n));
  const reasoners = (givenReasoners ?? (await Promise.all(names.map((n) => EmbeddedReasoner.load(n, { dir: loaded.dir }))))).map((r) => new EmbeddedReasonerPolicy(r));
  const policies: Record<string, Policy> = { [policy.name]: refusing(policy) };
  for (const r of reasoners) policies[r.name] = refusing(r);
  const server = await startReferenceServer({
    host: '127.0.0.1',
    ...serverOpts,
    unsupportedParams: [...EMBEDDED_REFUSED_PARAMS, ...(serverOpts.unsupportedParams ?? [])],
    policies,
    poolers: { [VALUE_MODEL_ID]: (body) => poolValues(value, body) },
  });
  return Object.assign(server, { policy, valueModel: value, reasoners });
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
      `at ${server.url.replace(/\/v1$/, '')}/pooling as "${VALUE_MODEL_ID}"` +
      (server.reasoners.length > 0 ? `; reasoners: ${server.reasoners.map((r) => r.name).join(', ')}` : '') +
      '\n',
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
