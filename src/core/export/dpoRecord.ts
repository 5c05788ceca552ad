/**
 * Step-level preference pairs: at every node with at least two valued children whose values differ by at least
 * `threshold`, the shared prefix (problem + steps to the node), a chosen and a rejected next step. A step that
 * stands for k identical samples (merged siblings) gives its count as `meta.chosen_copies` / `rejected_copies`.
 */
import { z } from 'zod';
import type { TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';

export const DpoRecordSchema = z.object({
  /** Problem and shared prefix steps, blank-line separated: what the pair continues. */
  prompt: z.string(),
  chosen: z.string(),
  rejected: z.string(),
  prefix: z.array(z.string()),
  chosen_value: z.number(),
  rejected_value: z.number(),
  meta: z.object({
    trace_id: z.string(),
    node_id: z.string(),
    chosen_id: z.string(),
    rejected_id: z.string(),
    chosen_copies: z.number().int().min(2).optional(),
    rejected_copies: z.number().int().min(2).optional(),
  }),
});
export type DpoRecord = z.infer<typeof DpoRecordSchema>;

export interface DpoOptions {
  /** Smallest value gap for a pair (default 0.2). */
  threshold?: number;
  /** `extremes`: one pair per node, best vs worst child; `all`: every pair over the threshold. */
  pairs?: 'extremes' | 'all';
  separator?: string;
}

export function buildDpoRecords(tree: TraceTree, opts: DpoOptions = {}): DpoRecord[] {
  const threshold = opts.threshold ?? 0.2;
  const sep = opts.separator ?? '\n\n';
  const out: DpoRecord[] = [];
  for (const node of tree.subtree(tree.root().id)) {
    const kids = tree.children(node.id).filter((c): c is TraceNode & { value: number } => (c.kind === 'step' || c.kind === 'answer') && c.value !== undefined);
    if (kids.length < 2) continue;
    const pairs: [TraceNode & { value: number }, TraceNode & { value: number }][] = [];
    if ((opts.pairs ?? 'extremes') === 'extremes') {
      // First created wins ties, so the choice is stable.
      let best = kids[0]!;
      let worst = kids[0]!;
      for (const k of kids) {
        if (k.value > best.value) best = k;
        if (k.value < worst.value) worst = k;
      }
      if (best.value - worst.value >= threshold) pairs.push([best, worst]);
    } else {
      const sorted = [...kids].sort((a, b) => b.value - a.value);
      for (let i = 0; i < sorted.length; i++)
        for (let j = i + 1; j < sorted.length; j++) if (sorted[i]!.value - sorted[j]!.value >= threshold) pairs.push([sorted[i]!, sorted[j]!]);
    }
    const prefix = tree.stepsTo(node.id);
    for (const [c, r] of pairs) {
      out.push({
        prompt: [tree.trace.problem.text, ...prefix].join(sep),
        chosen: c.text,
        rejected: r.text,
        prefix,
        chosen_value: c.value,
        rejected_value: r.value,
        meta: {
          trace_id: tree.trace.id,
          node_id: node.id,
          chosen_id: c.id,
          rejected_id: r.id,
          ...(c.copies !== undefined ? { chosen_copies: c.copies } : {}),
          ...(r.copies !== undefined ? { rejected_copies: r.copies } : {}),
        },
      });
    }
  }
  return out;
}
