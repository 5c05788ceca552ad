/**
 * OpenAI fine-tuning layouts. Chat (supervised) fine-tuning: one `messages` conversation per line; an assistant
 * message may carry `weight` 0 / 1. Preference fine-tuning (DPO): `input.messages` (optionally `tools`,
 * `parallel_tool_calls`) and one-message `preferred_output` / `non_preferred_output` lists. The schemas are strict:
 * the upload is checked against this layout, so no key of ours travels in these records.
 *
 * A step-level pair becomes a whole assistant reply: the shared prefix steps then the chosen or the rejected step.
 * DPO's loss is a difference of log-ratios, so the identical prefix tokens cancel and the pair still compares
 * only the two steps, in the context of the prefix.
 */
import * as z from 'zod';
import type { TraceTree } from '../trace/tree';
import { DEFAULT_STEP_SEPARATOR, type StepPair } from './dpoRecord';
import { chatTurns, type ChatOptions } from './trlRecords';

const System = z.object({ role: z.literal('system'), content: z.string() }).strict();
const User = z.object({ role: z.literal('user'), content: z.string() }).strict();
const Assistant = z.object({ role: z.literal('assistant'), content: z.string(), weight: z.union([z.literal(0), z.literal(1)]).optional() }).strict();
const Turn = z.union([System, User, Assistant]);

export const OpenAiChatRecordSchema = z
  .object({ messages: z.array(Turn).min(2) })
  .strict()
  .refine((r) => r.messages.some((m) => m.role === 'assistant'), 'no assistant message to learn');
export type OpenAiChatRecord = z.infer<typeof OpenAiChatRecordSchema>;

const Output = z.array(Assistant.omit({ weight: true }).strict()).length(1);
export const OpenAiDpoRecordSchema = z
  .object({
    input: z
      .object({
        messages: z.array(Turn).min(1),
        tools: z.array(z.unknown()).optional(),
        parallel_tool_calls: z.boolean().optional(),
      })
      .strict(),
    preferred_output: Output,
    non_preferred_output: Output,
  })
  .strict()
  .refine((r) => r.preferred_output[0]!.content !== r.non_preferred_output[0]!.content, 'preferred and non-preferred outputs are the same text');
export type OpenAiDpoRecord = z.infer<typeof OpenAiDpoRecordSchema>;

export function buildOpenAiChatRecord(tree: TraceTree, opts: ChatOptions): OpenAiChatRecord | { reason: string } {
  const turns = chatTurns(tree, opts);
  if ('reason' in turns) return turns;
  return {
    messages: [
      { role: 'system', content: turns.system },
      { role: 'user', content: turns.user },
      { role: 'assistant', content: turns.assistant },
    ],
  };
}

export function openAiDpoRecordOf(tree: TraceTree, p: StepPair, opts: { system: string; separator?: string }): OpenAiDpoRecord {
  const sep = opts.separator ?? DEFAULT_STEP_SEPARATOR;
  const lead = p.prefix.map((s) => s + sep).join('');
  return {
    input: {
      messages: [
        { role: 'system', content: opts.system },
        { role: 'user', content: tree.trace.problem.text },
      ],
    },
    preferred_output: [{ role: 'assistant', content: lead + p.chosen.text }],
    non_preferred_output: [{ role: 'assistant', content: lead + p.rejected.text }],
  };
}
