/**
 * Turns a generation request body (chat or legacy completion) into what a Policy is asked: validates it with the
 * request schemas, applies the compatibility knobs (n support, unsupported parameters, context length), renders
 * the chat template and tokenizes the prompt. Every refusal is an HttpError with OpenAI's wording.
 */
import { renderChatTemplate } from './chatTemplate';
import { HttpError } from './httpReply';
import type { Policy, PolicyMessage, PolicyRequest } from './policy';
import { checkProfileFields, profilePolicyFor, profileTreatment } from './profileRequest';
import type { ServerProfile } from './profiles/schema';
import { ChatRequestSchema, CompletionRequestSchema } from './requests';
import type { ChatRequest, CompletionRequest } from './requests';
import type { LiveKnobs } from './serverOptions';
import { tokenize } from './tokenize';

export interface Prepared {
  model: string;
  policy: Policy;
  policyReq: PolicyRequest;
  promptText: string;
  promptTokens: string[];
  stream: boolean;
  includeUsage: boolean;
  logprobs: boolean;
  topK: number;
  kind: 'chat' | 'completion';
  /** `n` as asked (the `n` generated is policyReq.n). */
  requestedN: number;
  /** Completions with `echo` honoured: the prompt comes back before the text. */
  echo: boolean;
}

export interface PrepareContext {
  policies: Readonly<Record<string, Policy>>;
  /** Read at each request: setKnobs changes them in place. */
  knobs: LiveKnobs;
  defaultMaxTokens: number;
  /** The seed of a request that carries none (a fresh, reproducible draw per request). */
  nextSeed: () => number;
  /** The server behaves like this real server (absent: the reference behaviour). */
  profile?: ServerProfile | undefined;
}

const stopList = (stop: string | string[] | null | undefined): string[] => (stop == null ? [] : Array.isArray(stop) ? stop : [stop]);

const textOf = (content: ChatRequest['messages'][number]['content']): string =>
  content == null ? '' : typeof content === 'string' ? content : content.map((p) => p.text).join('');

function toPolicyMessages(messages: ChatRequest['messages']): PolicyMessage[] {
  return messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role === 'tool' ? 'user' : m.role,
    content: textOf(m.content),
  }));
}

export function policyFor(policies: Readonly<Record<string, Policy>>, model: string): Policy {
  const p = policies[model];
  if (!p) throw new HttpError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model', 'model_not_found');
  return p;
}

function checkUnsupported(knobs: LiveKnobs, body: Record<string, unknown>, n: number): void {
  if (n > 1 && knobs.nSupport === 'reject') {
    throw new HttpError(400, `Unsupported value: 'n' must be 1 for this model (got ${n}).`, 'invalid_request_error', 'n', 'unsupported_value');
  }
  for (const p of knobs.unsupportedParams) {
    const v = body[p];
    if (v !== undefined && v !== null && v !== false) {
      throw new HttpError(400, `Unsupported parameter: '${p}' is not supported with this model.`, 'invalid_request_error', p, 'unsupported_parameter');
    }
  }
}

export function prepareRequest(path: string, json: unknown, ctx: PrepareContext): Prepared {
  const { knobs, profile } = ctx;
  const isChat = path === '/v1/chat/completions';
  if (profile) checkProfileFields(profile, isChat ? 'chat' : 'completion', json);
  const parsed = (isChat ? ChatRequestSchema : CompletionRequestSchema).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue ? issue.path.join('.') : null;
    throw new HttpError(400, `Invalid request: ${param ? `'${param}': ` : ''}${issue?.message ?? 'bad body'}`, 'invalid_request_error', param || null, 'invalid_value');
  }
  const body = parsed.data;
  const policy = profile ? profilePolicyFor(profile, ctx.policies, body.model) : policyFor(ctx.policies, body.model);
  const requestedN = body.n ?? 1;
  // A profile says how `n` is treated; the nSupport knob applies only without one.
  checkUnsupported(profile ? { ...knobs, nSupport: 'native' } : knobs, body as Record<string, unknown>, requestedN);
  const lastMessage = isChat ? (body as ChatRequest).messages.at(-1) : undefined;
  const treatment = profile
    ? profileTreatment(profile, {
      kind: isChat ? 'chat' : 'completion',
      n: requestedN,
      logprobs: isChat ? (body as ChatRequest).logprobs === true : (body as CompletionRequest).logprobs != null,
      echo: !isChat && (body as CompletionRequest).echo === true,
      lastRole: lastMessage?.role,
    })
    : null;
  const n = treatment ? treatment.n : knobs.nSupport === 'ignore' ? 1 : requestedN;
  let maxTokens = body.max_tokens ?? ctx.defaultMaxTokens;
  let promptText: string;
  let policyReq: PolicyRequest;
  let logprobs: boolean;
  let topK: number;
  const common = {
    n,
    temperature: body.temperature ?? 1,
    topP: body.top_p ?? 1,
    stop: stopList(body.stop),
  };
  if (isChat) {
    const chat = body as ChatRequest;
    maxTokens = chat.max_completion_tokens ?? chat.max_tokens ?? ctx.defaultMaxTokens;
    const messages = toPolicyMessages(chat.messages);
    const prefill = treatment?.continueFinal ?? null; // null: the request's own continuation fields decide
    const continueFinalMessage = prefill ?? chat.continue_final_message === true;
    if (prefill === null && continueFinalMessage && messages[messages.length - 1]?.role !== 'assistant') {
      throw new HttpError(400, 'continue_final_message is set but the last message is not an assistant message.', 'invalid_request_error', 'messages', 'invalid_value');
    }
    if (prefill === null && continueFinalMessage && chat.add_generation_prompt === true) {
      throw new HttpError(400, 'Cannot set both `continue_final_message` and `add_generation_prompt` to True.', 'invalid_request_error', 'continue_final_message', 'invalid_value');
    }
    promptText = renderChatTemplate(messages, { addGenerationPrompt: prefill !== null ? !continueFinalMessage : (chat.add_generation_prompt ?? true), continueFinalMessage });
    logprobs = treatment ? treatment.logprobs : chat.logprobs === true;
    topK = logprobs ? Math.max(1, chat.top_logprobs ?? 1) : 0;
    policyReq = { ...common, messages, continueFinalMessage, maxTokens, logprobs, ...(topK > 0 ? { topLogprobs: topK } : {}) };
  } else {
    const comp = body as CompletionRequest;
    promptText = Array.isArray(comp.prompt) ? (comp.prompt[0] ?? '') : comp.prompt;
    logprobs = treatment ? treatment.logprobs : comp.logprobs != null;
    topK = logprobs ? Math.max(1, comp.logprobs ?? 1) : 0;
    policyReq = { ...common, prompt: promptText, continueFinalMessage: false, maxTokens, logprobs, ...(topK > 0 ? { topLogprobs: topK } : {}) };
  }
  // Same request + seed → same output; no seed → a fresh draw per request, still reproducible per server seed.
  policyReq.seed = (treatment?.useSeed ?? true) && body.seed != null ? body.seed : ctx.nextSeed();
  const promptTokens = tokenize(promptText);
  if (promptTokens.length + maxTokens > knobs.contextLength) {
    throw new HttpError(
      400,
      `This model's maximum context length is ${knobs.contextLength} tokens. However, you requested ${promptTokens.length + maxTokens} tokens (${promptTokens.length} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
      'invalid_request_error',
      isChat ? 'messages' : 'prompt',
      'context_length_exceeded',
    );
  }
  return {
    model: body.model,
    policy,
    policyReq,
    promptText,
    promptTokens,
    stream: body.stream === true,
    includeUsage: profile?.streamUsage === 'always' || body.stream_options?.include_usage === true,
    logprobs,
    topK,
    kind: isChat ? 'chat' : 'completion',
    requestedN,
    echo: treatment ? treatment.echo : false,
  };
}
