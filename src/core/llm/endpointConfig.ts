/**
 * Endpoint configuration: one zod schema, types inferred. It holds no API key — keys come from the caller
 * (the extension keeps them in SecretStorage) — and what a trace records about it is `describeEndpoint()`,
 * which fits the strict EndpointDescription schema of the trace file.
 */
import * as z from 'zod';
import { ContinuationModeSchema, SamplingSchema } from '../trace/schema';
import type { EndpointDescription } from '../trace/schema';

/** Header names that carry credentials: keys go through the caller, never through a config that may be saved. */
const SECRET_HEADERS = /^(authorization|api-key|x-api-key|proxy-authorization|cookie)$/i;

const isRegex = (s: string): boolean => {
  try {
    new RegExp(s, 'm');
    return true;
  } catch {
    return false;
  }
};

export const PriceSchema = z.object({
  /** Currency units per 1M prompt tokens. */
  inputPer1M: z.number().nonnegative().default(0),
  /** Currency units per 1M completion tokens. */
  outputPer1M: z.number().nonnegative().default(0),
});

export const EndpointConfigSchema = z
  .object({
    name: z.string().min(1),
    /** OpenAI-compatible base URL, usually ending in /v1 (e.g. http://127.0.0.1:8000/v1). */
    baseUrl: z.string().url(),
    model: z.string().min(1),
    /** How a partial solution is continued (docs/endpoints.md). */
    mode: ContinuationModeSchema.default('chat'),
    /** Extra HTTP headers (never credentials: pass the key separately). */
    headers: z
      .record(z.string(), z.string())
      .default({})
      .refine((h) => !Object.keys(h).some((k) => SECRET_HEADERS.test(k)), {
        message: 'credential headers are not allowed in the endpoint config: pass the API key separately (it is kept in secret storage)',
      }),
    /** Requests in flight at once to this endpoint. */
    maxConcurrency: z.number().int().positive().default(8),
    requestsPerMinute: z.number().positive().optional(),
    tokensPerMinute: z.number().positive().optional(),
    /** Per-request timeout (whole response, streamed or not), ms. */
    timeoutMs: z.number().int().positive().default(120_000),
    /** Retries after the first attempt for retryable failures (429, 5xx, resets, timeouts, malformed or cut bodies). */
    maxRetries: z.number().int().min(0).default(4),
    /** First backoff delay, ms (doubled per retry, with jitter; Retry-After wins when the server sends it). */
    retryBaseMs: z.number().nonnegative().default(500),
    retryMaxMs: z.number().nonnegative().default(20_000),
    price: PriceSchema.default({ inputPer1M: 0, outputPer1M: 0 }),
    /** Sampling defaults; a request's own values win. */
    sampling: SamplingSchema.default({}),
    /** Regex marking step boundaries when the stop sequence alone does not segment (e.g. "^Step \\d+:"). */
    stepPattern: z.string().refine(isRegex, 'not a valid regular expression').optional(),
    /** 'completions' mode prompt: must contain {problem} and end with {steps}; {context} is optional. */
    promptTemplate: z
      .string()
      .refine((t) => t.includes('{problem}') && t.trimEnd().endsWith('{steps}'), 'must contain {problem} and end with {steps} (steps last keeps prefixes shared)')
      .optional(),
    /** System message for chat modes (fixed text: nothing variable may precede the steps). */
    systemPrompt: z.string().optional(),
    /** Stream responses (SSE). */
    stream: z.boolean().default(false),
    /** `n` siblings in one request: 'auto' tries and falls back once per endpoint; 'native' or 'separate' force it. */
    nStrategy: z.enum(['auto', 'native', 'separate']).default('auto'),
  })
  .strict();

export type EndpointConfig = z.output<typeof EndpointConfigSchema>;
export type EndpointConfigInput = z.input<typeof EndpointConfigSchema>;

/** A URL without the `user:password@` part (kept byte-identical when it has none). */
export function stripUrlCredentials(url: string): string {
  // The authority ends at the first / ? or #; WHATWG URLs split userinfo at the last @ before it.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
}

/**
 * Where a key may go: scheme, host and port of a URL (default ports left out, host lower-cased, credentials
 * ignored), e.g. `https://api.openai.com`; undefined for a URL that does not parse.
 */
export function endpointOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

/**
 * The part of a config a trace records (no headers, limits or prices: nothing that might be private). Credentials
 * written into the base URL are left out: a trace is a file people share.
 */
export function describeEndpoint(config: EndpointConfig): EndpointDescription {
  const d: EndpointDescription = { name: config.name, baseUrl: stripUrlCredentials(config.baseUrl), model: config.model, mode: config.mode, sampling: { ...config.sampling } };
  if (config.stepPattern !== undefined) d.stepPattern = config.stepPattern;
  if (config.promptTemplate !== undefined) d.promptTemplate = config.promptTemplate;
  return d;
}

export function costOf(config: Pick<EndpointConfig, 'price'>, tokensIn: number, tokensOut: number): number {
  return (tokensIn * config.price.inputPer1M + tokensOut * config.price.outputPer1M) / 1_000_000;
}

/** A saved endpoint entry: the config plus fields only the set-up wizard uses (dropped: the schema is strict). */
export type EndpointSettingInput = EndpointConfigInput & { provider?: string; requiresKey?: boolean };

/**
 * A saved endpoint entry → this layer's config input. `stepDelimiter` (a settings-wide default) fills in a missing
 * stepPattern. Prices are not read here: the run set-up applies the price table once (src/core/run).
 */
export function endpointConfigFromSetting(setting: EndpointSettingInput, defaults: { stepDelimiter?: string } = {}): EndpointConfigInput {
  const { provider: _p, requiresKey: _r, ...config } = setting;
  if (!config.stepPattern && defaults.stepDelimiter) config.stepPattern = defaults.stepDelimiter;
  return config;
}
