/**
 * What a chat trainer learns from a linearized trace. TRL's SFTTrainer (prompt-completion with
 * `completion_only_loss`, or `messages` with `assistant_only_loss`) and OpenAI's chat fine-tuning learn the whole
 * assistant message: they read no per-span masks. An objective's mask is expressible there only when its learned
 * text is one run that starts the assistant message; unlearned text after it is left out (nothing learned is
 * conditioned on it), so z-and-s and z-only fit and a correct-path mask with detours between learned steps does not.
 */
import type { Linearization } from '../trace/linearize/blocks';
import type { Objective } from '../trace/linearize/segment';
import type { TraceTree } from '../trace/tree';
import { linearize, type LinearizeOptions } from '../trace/linearize/linearize';

export type AssistantTarget =
  | { ok: true; lin: Linearization; content: string; objective: Objective }
  | { ok: false; reason: string };

export function assistantTarget(tree: TraceTree, linearizeOpts: LinearizeOptions, objective: Objective = 'z-and-s'): AssistantTarget {
  const lin = linearize(tree, linearizeOpts, objective);
  // Everything learned (z-and-s): the text as it is, no pass over millions of segments.
  if (lin.segments.every((s) => s.loss)) return lin.text === '' ? { ok: false, reason: 'the linearized trace is empty' } : { ok: true, lin, content: lin.text, objective };
  const segs = lin.segments.filter((s) => s.text !== '');
  const first = segs.findIndex((s) => s.loss);
  if (first < 0) return { ok: false, reason: `the ${objective} objective learns nothing in this trace` };
  let last = first;
  for (let i = first; i < segs.length; i++) if (segs[i]!.loss) last = i;
  const why = `the ${objective} mask cannot be one completion (chat trainers learn the whole assistant message; use --format linear for per-span masks)`;
  if (first > 0) return { ok: false, reason: `${why}: it starts with unlearned text` };
  for (let i = first; i <= last; i++) if (!segs[i]!.loss) return { ok: false, reason: `${why}: unlearned text lies between learned steps` };
  let content = '';
  for (let i = 0; i <= last; i++) content += segs[i]!.text;
  return { ok: true, lin, content, objective };
}
