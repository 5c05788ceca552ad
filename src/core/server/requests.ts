/**
 * What the reference server accepts: the request bodies of `/v1/chat/completions` and `/v1/completions`,
 * including the vLLM / SGLang extras. Loose objects, like the real servers (unknown fields are ignored).
 */
import * as z from 'zod';

const nullish = <T extends z.ZodType>(t: T) => t.nullable().optional();

const TextPartSchema = z.looseObject({ type: z.literal('text'), text: z.string() });

export const ChatMessageInSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(TextPartSchema), z.null()]),
  /** DeepSeek / vLLM reasoning text sent back in multi-turn: accepted and ignored, like the real servers. */
  reasoning_content: nullish(z.string()),
});

const StopSchema = nullish(z.union([z.string(), z.array(z.string())]));

const commonFields = {
  model: z.string().min(1),
  n: nullish(z.number().int().min(1).max(128)),
  max_tokens: nullish(z.number().int().min(1)),
  temperature: nullish(z.number().min(0).max(2)),
  top_p: nullish(z.number().min(0).max(1)),
  seed: nullish(z.number().int()),
  stop: StopSchema,
  stream: nullish(z.boolean()),
  stream_options: nullish(z.looseObject({ include_usage: nullish(z.boolean()) })),
};

export const ChatRequestSchema = z.looseObject({
  ...commonFields,
  messages: z.array(ChatMessageInSchema).min(1),
  max_completion_tokens: nullish(z.number().int().min(1)),
  logprobs: nullish(z.boolean()),
  top_logprobs: nullish(z.number().int().min(0).max(20)),
  /** vLLM / SGLang extras for continuing a partial assistant message. */
  continue_final_message: nullish(z.boolean()),
  add_generation_prompt: nullish(z.boolean()),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export const CompletionRequestSchema = z.looseObject({
  ...commonFields,
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  /** Legacy completions: number of top logprobs per token (0..5); null/absent = none. */
  logprobs: nullish(z.number().int().min(0).max(5)),
  echo: nullish(z.boolean()),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;
