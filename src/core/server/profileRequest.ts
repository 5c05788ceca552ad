/**
 * The request side of a server profile: which body fields the server refuses (and in what words), which model
 * answers, and how `n`, `logprobs`, `seed`, `echo` and assistant-message continuation are treated. Called from
 * prepareRequest only when the server runs with a profile.
 */
import type { Policy } from './policy';
import { profileHttpError } from './profileErrors';
import type { ServerProfile } from './profiles/schema';

/** Request fields of OpenAI's chat completions API (openai-node's ChatCompletionCreateParams). */
const OPENAI_CHAT_FIELDS = new Set([
  'messages', 'model', 'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs',
  'max_completion_tokens', 'max_tokens', 'metadata', 'modalities', 'n', 'parallel_tool_calls', 'prediction',
  'presence_penalty', 'prompt_cache_key', 'reasoning_effort', 'response_format', 'safety_identifier', 'seed',
  'service_tier', 'stop', 'store', 'stream', 'stream_options', 'temperature', 'tool_choice', 'tools', 'top_logprobs',
  'top_p', 'user', 'verbosity', 'web_search_options',
]);
/** Request fields of OpenAI's legacy completions API. */
const OPENAI_COMPLETION_FIELDS = new Set([
  'model', 'prompt', 'best_of', 'echo', 'frequency_penalty', 'logit_bias', 'logprobs', 'max_tokens', 'n',
  'presence_penalty', 'seed', 'stop', 'stream', 'stream_options', 'suffix', 'temperature', 'top_p', 'user',
]);
/** `transformers serve` adds these to OpenAI's chat fields. */
const TRANSFORMERS_EXTRA = new Set(['generation_config', 'request_id']);
const CONTINUATION_FIELDS = ['continue_final_message', 'add_generation_prompt'];

function knownFields(profile: ServerProfile, kind: 'chat' | 'completion'): Set<string> {
  const base = kind === 'chat' ? OPENAI_CHAT_FIELDS : OPENAI_COMPLETION_FIELDS;
  return profile.errorShape === 'fastapi' ? new Set([...base, ...TRANSFORMERS_EXTRA]) : base;
}

/** Refusals that look only at which keys the body has (before any validation, as the real servers do). */
export function checkProfileFields(profile: ServerProfile, kind: 'chat' | 'completion', json: unknown): void {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return;
  const keys = Object.keys(json);
  if (profile.unknownFields === 'rejected') {
    const known = knownFields(profile, kind);
    const unknown = keys.filter((k) => !known.has(k));
    if (unknown.length > 0) throw profileHttpError(profile, profile.errors.unknownField, { fields: unknown });
  } else if (profile.continuation === 'rejected') {
    const present = keys.filter((k) => CONTINUATION_FIELDS.includes(k));
    if (present.length > 0) throw profileHttpError(profile, profile.errors.unknownField, { fields: present });
  }
  const rejected = keys.filter((k) => profile.rejectedFields.includes(k));
  if (rejected.length > 0) throw profileHttpError(profile, profile.errors.rejectedField, { fields: rejected, param: rejected[0] ?? null });
}

/** The policy answering `model`: an unknown name is refused, or (llama.cpp) answered by the one loaded model. */
export function profilePolicyFor(profile: ServerProfile, policies: Readonly<Record<string, Policy>>, model: string): Policy {
  const p = policies[model];
  if (p) return p;
  const first = Object.values(policies)[0];
  if (profile.unknownModel === 'served' && first) return first;
  throw profileHttpError(profile, profile.errors.unknownModel, { model, param: 'model' });
}

export interface ProfileTreatment {
  /** Choices generated (1 when the server ignores `n`). */
  n: number;
  logprobs: boolean;
  /** Use the request's seed (false: a fresh draw, as if none was sent). */
  useSeed: boolean;
  echo: boolean;
  /** Continue the final assistant message (null: as the request says). */
  continueFinal: boolean | null;
}

export function profileTreatment(
  profile: ServerProfile,
  req: { kind: 'chat' | 'completion'; n: number; logprobs: boolean; echo: boolean; lastRole: string | undefined },
): ProfileTreatment {
  if (req.n > 1 && profile.n === 'reject') throw profileHttpError(profile, profile.errors.nRejected, { fields: ['n'], param: 'n' });
  if (req.kind === 'completion' && req.echo && profile.echo === 'rejected') throw profileHttpError(profile, profile.errors.echoRejected, { fields: ['echo'], param: 'echo' });
  return {
    n: profile.n === 'ignore' ? 1 : req.n,
    logprobs: req.logprobs && profile.logprobs === 'returned',
    useSeed: profile.seed === 'honoured',
    echo: req.echo && profile.echo === 'supported',
    // A prefilling server continues a final assistant message whatever the (ignored) extra fields say.
    continueFinal: profile.continuation === 'prefill' && req.kind === 'chat' ? req.lastRole === 'assistant' : null,
  };
}
