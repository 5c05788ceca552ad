/**
 * What a server profile says about a real OpenAI-compatible server, as data: how it treats each request field,
 * where it puts reasoning text, what its error bodies look like, and where each fact comes from. The reference
 * server reads these fields to behave like that server (src/core/server/profileRequest.ts, profileReply.ts).
 */
import * as z from 'zod';

/** How an error body is laid out (see profileErrors.ts for the exact JSON of each). */
export const ErrorShapeSchema = z.enum([
  /** `{"error":{"message","type","param","code"}}` (OpenAI; code a string or null). */
  'openai',
  /** Newer vLLM: `{"error":{"message","type","param","code"}}` with `code` the HTTP status and types like NotFoundError. */
  'vllm',
  /** Older vLLM and SGLang: flat `{"object":"error","message","type","param","code"}`. */
  'vllm-flat',
  /** FastAPI HTTPException: `{"detail":"..."}`. */
  'fastapi',
  /** llama.cpp server: `{"error":{"code","message","type"}}`. */
  'llamacpp',
  /** Ollama's /v1 layer: `{"error":{"message","type","param":null,"code":null}}`. */
  'ollama',
  /** A plain-text body (`text/plain`), e.g. Starlette's "Internal Server Error". */
  'text',
]);
export type ErrorShape = z.infer<typeof ErrorShapeSchema>;

/** One refusal in the server's own words: `{field}`, `{fields}` and `{model}` are filled in. */
export const ProfileErrorSchema = z
  .object({
    status: z.number().int().min(400).max(599),
    message: z.string(),
    /** Error `type` where the shape has one (default: derived from the status in the profile's style). */
    type: z.string().optional(),
    /** Error `code` where the shape has a string code (OpenAI style). */
    code: z.string().nullable().optional(),
    /** Overrides the profile's error shape for this error (e.g. a plain-text 500). */
    shape: ErrorShapeSchema.optional(),
  })
  .strict();
export type ProfileError = z.infer<typeof ProfileErrorSchema>;

export const ProfileSourceSchema = z
  .object({
    /** Documentation page, source file or issue of the server's own project. */
    url: z.string(),
    /** What it shows, in a line. */
    says: z.string(),
    /** Not confirmed from the server's own docs or code. */
    assumed: z.boolean().optional(),
    /** Why it is assumed (required in spirit when `assumed`). */
    why: z.string().optional(),
  })
  .strict();
export type ProfileSource = z.infer<typeof ProfileSourceSchema>;

export const ReasoningPlacementSchema = z.enum([
  /** `message.reasoning_content` (DeepSeek API, older vLLM, SGLang, llama.cpp). */
  'reasoning_content',
  /** `message.reasoning` (newer vLLM, Ollama /v1). */
  'reasoning',
  /** `<think>…</think>` inline at the start of `content`. */
  'think-tags',
  /** `content` holds only `…</think>`: an R1-style template put `<think>` in the prompt. */
  'think-close',
  /** No reasoning text anywhere (OpenAI chat completions). */
  'none',
]);
export type ReasoningPlacement = z.infer<typeof ReasoningPlacementSchema>;

export const ServerProfileSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9.-]*$/),
    /** The server reproduced, with the version or flags assumed. */
    title: z.string(),
    errorShape: ErrorShapeSchema,
    /** `n` > 1: one request gives n choices / one choice comes back / refused. */
    n: z.enum(['native', 'ignore', 'reject']),
    logprobs: z.enum(['returned', 'ignored', 'rejected']),
    topLogprobs: z.enum(['returned', 'ignored', 'rejected']),
    /** 'cuts': text ends before the stop string; 'keeps': the stop string is left in; 'ignored': text runs past it. */
    stop: z.enum(['cuts', 'keeps', 'ignored']),
    seed: z.enum(['honoured', 'ignored']),
    /**
     * A final assistant message sent with `continue_final_message: true, add_generation_prompt: false`:
     * 'accepted' (continued), 'prefill' (the fields are ignored but a final assistant message is continued anyway),
     * 'rejected' (refused as unknown fields).
     */
    continuation: z.enum(['accepted', 'prefill', 'rejected']),
    /** Request fields the server does not know: dropped silently, or refused with `unknownField`. */
    unknownFields: z.enum(['ignored', 'rejected']),
    /** Fields refused whenever present (any value), with `rejectedField`. */
    rejectedFields: z.array(z.string()),
    completions: z.enum(['served', 'not-served']),
    echo: z.enum(['supported', 'ignored', 'rejected']),
    /** Where reasoning text goes when the served model reasons. */
    reasoning: ReasoningPlacementSchema,
    /** `usage.prompt_tokens_details.cached_tokens` present in responses. */
    cachedTokens: z.boolean(),
    /** Streamed usage: only with `stream_options.include_usage` / in the last chunk always. */
    streamUsage: z.enum(['on-request', 'always']),
    /** An unknown model name: refused with `errors.unknownModel`, or answered by the one loaded model. */
    unknownModel: z.enum(['error', 'served']),
    errors: z
      .object({
        unknownModel: ProfileErrorSchema,
        /** An unknown field (`{field}` = the first, `{fields}` = all, in the server's list format). */
        unknownField: ProfileErrorSchema,
        /** A field in `rejectedFields` (same placeholders). */
        rejectedField: ProfileErrorSchema,
        /** `n` > 1 when `n` is 'reject' and `n` is not a rejected field. */
        nRejected: ProfileErrorSchema,
        /** `echo` when 'rejected'. */
        echoRejected: ProfileErrorSchema,
        /** A path the server does not serve (`{path}`). */
        notFound: ProfileErrorSchema,
        /** `/v1/completions` when `completions` is 'not-served'. */
        completionsNotServed: ProfileErrorSchema,
      })
      .strict(),
    /** Format of `{fields}`: Python set repr (`{'a', 'b'}`) or a comma list. */
    fieldList: z.enum(['python-set', 'comma']),
    sources: z.array(ProfileSourceSchema).min(1),
  })
  .strict();
export type ServerProfile = z.infer<typeof ServerProfileSchema>;
