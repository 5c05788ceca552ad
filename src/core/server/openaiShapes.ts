/**
 * Response bodies in the exact shapes of OpenAI's API (checked against the published OpenAPI description in
 * test/unit/serverOpenapi.test.ts): chat completion, chat chunk, completion, model list, error.
 */
import type { FinalChoice, TokenLogprob } from './choices';

export const SYSTEM_FINGERPRINT = 'fp_metacot_ref';

const bytes = (s: string): number[] => [...Buffer.from(s, 'utf8')];

function chatTokenLogprob(t: TokenLogprob) {
  return {
    token: t.token,
    logprob: t.logprob,
    bytes: bytes(t.token),
    top_logprobs: t.top.map((a) => ({ token: a.token, logprob: a.logprob, bytes: bytes(a.token) })),
  };
}

export interface UsageCounts {
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

/**
 * How a server profile varies the bodies: the reasoning field's name, and whether usage reports cached tokens
 * (servers that do not omit `prompt_tokens_details`). Default: OpenAI's shapes with vLLM's `reasoning_content`.
 */
export interface ReplyStyle {
  reasoningKey: 'reasoning_content' | 'reasoning';
  cachedTokens: boolean;
}

export const REFERENCE_STYLE: ReplyStyle = { reasoningKey: 'reasoning_content', cachedTokens: true };

export function usageBody(u: UsageCounts, style: ReplyStyle = REFERENCE_STYLE) {
  const base = {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
  };
  if (!style.cachedTokens) return base;
  return {
    ...base,
    prompt_tokens_details: { cached_tokens: u.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export interface ResponseMeta {
  id: string;
  created: number;
  model: string;
}

export function chatCompletionBody(meta: ResponseMeta, choices: FinalChoice[], usage: UsageCounts, logprobs: boolean, style: ReplyStyle = REFERENCE_STYLE) {
  return {
    id: meta.id,
    object: 'chat.completion' as const,
    created: meta.created,
    model: meta.model,
    choices: choices.map((c, index) => ({
      index,
      message: {
        role: 'assistant' as const,
        content: c.text,
        refusal: null,
        annotations: [],
        // vLLM / DeepSeek field for reasoning models (`reasoning` on newer vLLM / Ollama); absent when none.
        ...(c.reasoning !== undefined ? { [style.reasoningKey]: c.reasoning } : {}),
      },
      logprobs: logprobs ? { content: c.tokens.map(chatTokenLogprob), refusal: null } : null,
      finish_reason: c.finishReason,
    })),
    usage: usageBody(usage, style),
    service_tier: 'default' as const,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  reasoning?: string;
}

export function chatChunkBody(
  meta: ResponseMeta,
  choices: { index: number; delta: ChunkDelta; tokens?: TokenLogprob[]; finishReason: 'stop' | 'length' | null }[],
  logprobs: boolean,
  usage?: UsageCounts | null,
  style: ReplyStyle = REFERENCE_STYLE,
) {
  return {
    id: meta.id,
    object: 'chat.completion.chunk' as const,
    created: meta.created,
    model: meta.model,
    service_tier: 'default' as const,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: choices.map((c) => ({
      index: c.index,
      delta: c.delta,
      logprobs: logprobs && c.tokens ? { content: c.tokens.map(chatTokenLogprob), refusal: null } : null,
      finish_reason: c.finishReason,
    })),
    // Only present with stream_options.include_usage: null on content chunks, counts on the last one.
    ...(usage === undefined ? {} : { usage: usage === null ? null : usageBody(usage, style) }),
  };
}

function completionLogprobs(tokens: TokenLogprob[], offset0: number) {
  const textOffset: number[] = [];
  let pos = offset0;
  for (const t of tokens) {
    textOffset.push(pos);
    pos += t.token.length;
  }
  return {
    tokens: tokens.map((t) => t.token),
    token_logprobs: tokens.map((t) => t.logprob),
    top_logprobs: tokens.map((t) => Object.fromEntries(t.top.map((a) => [a.token, a.logprob]))),
    text_offset: textOffset,
  };
}

/** The legacy completion object; streamed chunks have the same shape (OpenAPI says so too). */
export function completionBody(
  meta: ResponseMeta,
  choices: { index: number; text: string; tokens: TokenLogprob[]; offset: number; finishReason: 'stop' | 'length' | null }[],
  logprobs: boolean,
  usage?: UsageCounts,
  style: ReplyStyle = REFERENCE_STYLE,
) {
  return {
    id: meta.id,
    object: 'text_completion' as const,
    created: meta.created,
    model: meta.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: choices.map((c) => ({
      index: c.index,
      text: c.text,
      logprobs: logprobs ? completionLogprobs(c.tokens, c.offset) : null,
      finish_reason: c.finishReason,
    })),
    ...(usage ? { usage: usageBody(usage, style) } : {}),
  };
}

export function modelBody(id: string, created: number) {
  return { id, object: 'model' as const, created, owned_by: 'metacot-reference' };
}

export function modelListBody(ids: string[], created: number) {
  return { object: 'list' as const, data: ids.map((id) => modelBody(id, created)) };
}

export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}
