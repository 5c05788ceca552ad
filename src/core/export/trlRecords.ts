/**
 * Hugging Face TRL dataset layouts ("Dataset formats and types" in the TRL docs), one schema each for the record
 * TRL's trainer reads; the optional `meta` column is ours (TRL drops columns its trainers do not use), with a
 * fixed set of keys so a JSONL of many records loads as one Arrow table.
 * - SFT (SFTTrainer): conversational prompt-completion, learned with `completion_only_loss` (TRL's default for this
 *   type), or conversational language modeling `messages`, learned with `assistant_only_loss=True`.
 * - DPO (DPOTrainer): preference, standard format with an explicit prompt. The prompt ends with the step
 *   separator: DPOTrainer concatenates prompt and chosen / rejected as they are.
 * - PRM (PRMTrainer): stepwise supervision; PRMTrainer appends its `step_separator` to every completion and puts
 *   the step's label on it, so the prompt ends with that separator too.
 */
import * as z from 'zod';
import type { LinearizeOptions } from '../trace/linearize/linearize';
import type { Objective } from '../trace/linearize/segment';
import type { TraceTree } from '../trace/tree';
import { assistantTarget } from './chatTarget';
import type { StepPair } from './dpoRecord';
import { rootToLeafPaths, stepScorer } from './pathLabels';

const Message = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });
const Messages = z.array(Message).min(1);

const SftMeta = z.object({
  trace_id: z.string(),
  problem_id: z.string().nullable(),
  linearization: z.string(),
  objective: z.string(),
  verified: z.boolean(),
  final_answer: z.string().nullable(),
});

export const TRL_SFT_FORMS = ['prompt-completion', 'messages'] as const;
export type TrlSftForm = (typeof TRL_SFT_FORMS)[number];

export const TrlSftRecordSchema = z.union([
  z.object({ prompt: Messages, completion: z.array(Message.extend({ role: z.literal('assistant') })).min(1), meta: SftMeta.optional() }),
  z.object({ messages: Messages.refine((m) => m.some((x) => x.role === 'assistant'), 'no assistant message to learn'), meta: SftMeta.optional() }),
]);
export type TrlSftRecord = z.infer<typeof TrlSftRecordSchema>;

export const TrlDpoRecordSchema = z
  .object({
    prompt: z.string(),
    chosen: z.string(),
    rejected: z.string(),
    meta: z
      .object({ trace_id: z.string(), node_id: z.string(), chosen_id: z.string(), rejected_id: z.string(), chosen_value: z.number(), rejected_value: z.number() })
      .optional(),
  })
  .refine((r) => r.chosen !== r.rejected, 'chosen and rejected are the same text');
export type TrlDpoRecord = z.infer<typeof TrlDpoRecordSchema>;

export const TrlPrmRecordSchema = z
  .object({
    prompt: z.string(),
    completions: z.array(z.string()).min(1),
    labels: z.array(z.boolean()).min(1),
    meta: z.object({ trace_id: z.string(), leaf_id: z.string() }).optional(),
  })
  .refine((r) => r.completions.length === r.labels.length, 'one label per completion');
export type TrlPrmRecord = z.infer<typeof TrlPrmRecordSchema>;

/** PRMConfig's default `step_separator`: the text between steps that carries each step's label. */
export const TRL_PRM_STEP_SEPARATOR = '\n';

export interface ChatOptions {
  linearize: LinearizeOptions;
  objective?: Objective;
  system: string;
  verified: boolean;
}

/** System and user turns, and the assistant text the objective learns; a reason when it cannot be one message. */
export function chatTurns(tree: TraceTree, opts: ChatOptions): { system: string; user: string; assistant: string; linearization: string; objective: Objective } | { reason: string } {
  const target = assistantTarget(tree, opts.linearize, opts.objective);
  if (!target.ok) return { reason: target.reason };
  return { system: opts.system, user: tree.trace.problem.text, assistant: target.content, linearization: target.lin.format, objective: target.objective };
}

export function buildTrlSftRecord(tree: TraceTree, opts: ChatOptions & { form?: TrlSftForm }): TrlSftRecord | { reason: string } {
  const turns = chatTurns(tree, opts);
  if ('reason' in turns) return turns;
  const t = tree.trace;
  const meta = {
    trace_id: t.id,
    problem_id: t.problem.id ?? null,
    linearization: turns.linearization,
    objective: turns.objective,
    verified: opts.verified,
    final_answer: t.result?.finalAnswer ?? null,
  };
  const system = { role: 'system' as const, content: turns.system };
  const user = { role: 'user' as const, content: turns.user };
  const assistant = { role: 'assistant' as const, content: turns.assistant };
  return (opts.form ?? 'prompt-completion') === 'messages' ? { messages: [system, user, assistant], meta } : { prompt: [system, user], completion: [assistant], meta };
}

export function trlDpoRecordOf(tree: TraceTree, p: StepPair): TrlDpoRecord {
  return {
    prompt: p.prompt,
    chosen: p.chosen.text,
    rejected: p.rejected.text,
    meta: { trace_id: tree.trace.id, node_id: p.node.id, chosen_id: p.chosen.id, rejected_id: p.rejected.id, chosen_value: p.chosen.value, rejected_value: p.rejected.value },
  };
}

/**
 * One record per root-to-leaf path whose every step has a label: a step is good (true) when its value — or, with
 * none, what its subtree reaches (pathLabels.stepScorer) — is at least `threshold` (default 0.5).
 */
export function buildTrlPrmRecords(tree: TraceTree, opts: { threshold?: number; dropPruned?: boolean } = {}): { records: TrlPrmRecord[]; unlabeledPaths: number } {
  const score = stepScorer(tree);
  const threshold = opts.threshold ?? 0.5;
  const records: TrlPrmRecord[] = [];
  let unlabeledPaths = 0;
  const prompt = tree.trace.problem.text + TRL_PRM_STEP_SEPARATOR;
  for (const path of rootToLeafPaths(tree, { dropPruned: opts.dropPruned })) {
    const values = path.map(score);
    if (values.some((v) => v === undefined)) {
      unlabeledPaths++;
      continue;
    }
    records.push({
      prompt,
      completions: path.map((n) => n.text),
      labels: values.map((v) => v! >= threshold),
      meta: { trace_id: tree.trace.id, leaf_id: path[path.length - 1]!.id },
    });
  }
  return { records, unlabeledPaths };
}
