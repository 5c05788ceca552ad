/** Profile data: OpenAI's hosted API, vLLM (current and older) and SGLang. Facts and sources in docs/endpoints.md. */
import type { ServerProfile } from './schema';

const VLLM_DOCS = 'https://docs.vllm.ai/en/stable/serving/openai_compatible_server/';
const VLLM_REASONING = 'https://docs.vllm.ai/en/stable/features/reasoning_outputs/';

export const OPENAI_PROFILE: ServerProfile = {
  name: 'openai',
  title: 'OpenAI API (api.openai.com), chat models',
  errorShape: 'openai',
  n: 'native',
  logprobs: 'returned',
  topLogprobs: 'returned',
  stop: 'cuts',
  seed: 'honoured',
  continuation: 'rejected',
  unknownFields: 'rejected',
  rejectedFields: [],
  completions: 'not-served',
  echo: 'rejected',
  reasoning: 'none',
  cachedTokens: true,
  streamUsage: 'on-request',
  unknownModel: 'error',
  errors: {
    unknownModel: { status: 404, message: 'The model `{model}` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' },
    unknownField: { status: 400, message: 'Unrecognized request argument supplied: {fields}', type: 'invalid_request_error', code: null },
    rejectedField: { status: 400, message: 'Unrecognized request argument supplied: {fields}', type: 'invalid_request_error', code: null },
    nRejected: { status: 400, message: "Invalid 'n': must be 1.", type: 'invalid_request_error', code: null },
    echoRejected: { status: 404, message: 'This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?', type: 'invalid_request_error', code: null },
    notFound: { status: 404, message: 'Invalid URL (POST {path})', type: 'invalid_request_error', code: null },
    completionsNotServed: { status: 404, message: 'This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?', type: 'invalid_request_error', code: null },
  },
  fieldList: 'comma',
  sources: [
    { url: 'https://platform.openai.com/docs/api-reference/chat/create', says: 'chat completions take n, logprobs, top_logprobs (0-20), stop (up to 4, not included in the text), seed (best effort, system_fingerprint), stream_options.include_usage' },
    { url: 'https://platform.openai.com/docs/api-reference/chat/object', says: 'usage.prompt_tokens_details.cached_tokens is reported; message has content, refusal, annotations and no reasoning text' },
    { url: 'https://platform.openai.com/docs/guides/error-codes', says: 'errors are {"error":{"message","type","param","code"}}; an unknown model is 404 model_not_found' },
    { url: 'https://platform.openai.com/docs/api-reference/completions', says: '/v1/completions is a legacy endpoint for instruct models; chat models answer 404 "This is a chat model and not supported in the v1/completions endpoint"', assumed: true, why: 'the exact 404 wording is what the API answers in practice; the reference only marks the endpoint legacy' },
    { url: 'https://platform.openai.com/docs/api-reference/chat/create', says: 'an unknown body field is refused: 400 "Unrecognized request argument supplied: <name>"', assumed: true, why: 'observed API behaviour; not stated on a documentation page' },
  ],
};

const VLLM_COMMON: Omit<ServerProfile, 'name' | 'title' | 'errorShape' | 'reasoning' | 'errors' | 'sources'> = {
  n: 'native',
  logprobs: 'returned',
  topLogprobs: 'returned',
  stop: 'cuts',
  seed: 'honoured',
  continuation: 'accepted',
  unknownFields: 'ignored',
  rejectedFields: [],
  completions: 'served',
  echo: 'supported',
  cachedTokens: false,
  streamUsage: 'on-request',
  unknownModel: 'error',
  fieldList: 'comma',
};

const vllmErrors = (): ServerProfile['errors'] => ({
  unknownModel: { status: 404, message: 'The model `{model}` does not exist.', type: 'NotFoundError' },
  unknownField: { status: 400, message: 'Unknown fields: {fields}', type: 'BadRequestError' },
  rejectedField: { status: 400, message: 'Unsupported fields: {fields}', type: 'BadRequestError' },
  nRejected: { status: 400, message: 'n must be 1', type: 'BadRequestError' },
  echoRejected: { status: 400, message: 'echo is not supported', type: 'BadRequestError' },
  notFound: { status: 404, message: 'Not Found', type: 'NotFoundError', shape: 'fastapi' },
  completionsNotServed: { status: 404, message: 'Not Found', type: 'NotFoundError', shape: 'fastapi' },
});

const VLLM_SOURCES: ServerProfile['sources'] = [
  { url: VLLM_DOCS, says: 'extra parameters continue_final_message / add_generation_prompt (chat), echo, include_stop_str_in_output (stop string excluded by default), n, logprobs, top_logprobs, seed; /v1/completions served' },
  { url: VLLM_DOCS, says: 'unknown request fields are ignored (a warning is logged), not refused' },
  { url: 'https://github.com/vllm-project/vllm/issues/16162', says: 'usage.prompt_tokens_details (cached_tokens) only with --enable-prompt-tokens-details; absent by default' },
  { url: 'https://github.com/vllm-project/vllm/blob/main/vllm/entrypoints/openai/protocol.py', says: 'unknown model: 404 "The model `x` does not exist." (serving_engine _check_model)' },
];

export const VLLM_PROFILE: ServerProfile = {
  ...VLLM_COMMON,
  name: 'vllm',
  title: 'vLLM ≥ 0.11 (`vllm serve MODEL --reasoning-parser …`), default flags',
  errorShape: 'vllm',
  reasoning: 'reasoning',
  errors: vllmErrors(),
  sources: [
    ...VLLM_SOURCES,
    { url: VLLM_REASONING, says: '"reasoning used to be called reasoning_content": newer vLLM returns message.reasoning' },
    { url: 'https://github.com/vllm-project/vllm/blob/main/vllm/entrypoints/openai/protocol.py', says: 'ErrorResponse is {"error": ErrorInfo{message, type, param, code: int}} (nested, code = HTTP status)' },
  ],
};

export const VLLM_LEGACY_PROFILE: ServerProfile = {
  ...VLLM_COMMON,
  name: 'vllm-legacy',
  title: 'vLLM ≤ 0.9 (flat error body, reasoning_content)',
  errorShape: 'vllm-flat',
  reasoning: 'reasoning_content',
  errors: vllmErrors(),
  sources: [
    ...VLLM_SOURCES,
    { url: 'https://docs.vllm.ai/en/v0.8.3/features/reasoning_outputs.html', says: 'reasoning models return an additional reasoning_content field' },
    { url: 'https://github.com/vllm-project/vllm/blob/v0.8.3/vllm/entrypoints/openai/protocol.py', says: 'class ErrorResponse: object = "error", message, type, param, code: int (flat)' },
  ],
};

export const SGLANG_PROFILE: ServerProfile = {
  ...VLLM_COMMON,
  name: 'sglang',
  title: 'SGLang (`python -m sglang.launch_server --reasoning-parser … --enable-cache-report`)',
  errorShape: 'vllm-flat',
  reasoning: 'reasoning_content',
  cachedTokens: true,
  errors: {
    ...vllmErrors(),
    unknownModel: { status: 404, message: 'The model `{model}` does not exist.', type: 'NotFoundError' },
  },
  sources: [
    { url: 'https://docs.sglang.ai/basic_usage/openai_api_completions.html', says: 'OpenAI-compatible chat and completions APIs with n, stop, logprobs / top_logprobs, seed, echo; stop strings are trimmed unless no_stop_trim' },
    { url: 'https://docs.sglang.ai/advanced_features/separate_reasoning.html', says: 'with --reasoning-parser the reasoning arrives in message.reasoning_content' },
    { url: 'https://docs.sglang.ai/advanced_features/server_arguments.html', says: '--enable-cache-report returns the number of cached tokens in usage.prompt_tokens_details' },
    { url: 'https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/entrypoints/openai/protocol.py', says: 'ErrorResponse is flat (object "error", message, type, param, code); ChatCompletionRequest has continue_final_message; extra fields are ignored', assumed: true, why: 'read from memory of the protocol module; the stored copy was not checked field by field' },
    { url: 'https://github.com/sgl-project/sglang/blob/main/python/sglang/srt/entrypoints/openai/serving_base.py', says: 'an unknown model name is refused with 404 like vLLM', assumed: true, why: 'older SGLang versions answered with the loaded model whatever the name' },
  ],
};
