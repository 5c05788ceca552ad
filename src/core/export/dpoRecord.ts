/**
 * Step-level preference pairs: at every node with at least two valued children whose values differ by at least
 * `threshold`, the shared prefix (problem + steps to the node), a chosen and a rejected next step. A step that
 * stands for k identical samples (merged siblings) gives its count as `meta.chosen_copies` / `rejected_copies`.
 * The prompt ends with the step separator, so prompt + chosen is the text the model would have written (DPO
 * trainers concatenate them as they are). Siblings with the same text but different values (rollout noise, or
 * the same step sampled by two runs) make no pair: it would teach nothing; they are counted instead.
 */
import * as z from 'zod';
import type { TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';

export const DpoRecordSchema = z.object({
  /** Problem and shared prefix steps, each followed by the step separator: what the pair continues. */
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

/** The separator between problem and steps when none is given: the one every linearization uses by default. */
export const DEFAULT_STEP_SEPARATOR = '\n\n';

export interface DpoOptions {
  /** Smallest value gap for a pair (default 0.2). */
  threshold?: number;
  /** `extremes`: one pair per node, best vs worst child; `all`: every pair over the threshold. */
  pairs?: 'extremes' | 'all';
  separator?: string;
}

type Valued = TraceNode & { value: number };

/** One preference pair at a node: what every preference layout (ours, TRL, OpenAI) is written from. */
export interface StepPair {
  node: TraceNode;
  /** Steps from the root to `node` (root excluded). */
  prefix: string[];
  /** Problem and prefix, each followed by the separator: the text the chosen / rejected step continues. */
  prompt: string;
  chosen: Valued;
  rejected: Valued;
}

/** Same text once surrounding whitespace is ignored: a trainer sees the same continuation. */
const sameText = (a: TraceNode, b: TraceNode) => a.text.trim() === b.text.trim();

export function stepPairs(tree: TraceTree, opts: DpoOptions = {}): { pairs: StepPair[]; identical: number } {
  const threshold = opts.threshold ?? 0.2;
  const sep = opts.separator ?? DEFAULT_STEP_SEPARATOR;
  const pairs: StepPair[] = [];
  let identical = 0;
  for (const node of tree.subtree(tree.root().id)) {
    const kids = tree.children(node.id).filter((c): c is Valued => (c.kind === 'step' || c.kind === 'answer') && c.value !== undefined);
    if (kids.length < 2) continue;
    const here: [Valued, Valued][] = [];
    if ((opts.pairs ?? 'extremes') === 'extremes') {
      // First created wins ties, so the choice is stable.
      let best = kids[0]!;
      let worst = kids[0]!;
      for (const k of kids) {
        if (k.value > best.value) best = k;
        if (k.value < worst.value) worst = k;
      }
      if (best.value - worst.value >= threshold) here.push([best, worst]);
    } else {
      const sorted = [...kids].sort((a, b) => b.value - a.value);
      for (let i = 0; i < sorted.length; i++)
        for (let j = i + 1; j < sorted.length; j++) if (sorted[i]!.value - sorted[j]!.value >= threshold) here.push([sorted[i]!, sorted[j]!]);
    }
    if (here.length === 0) continue;
    const prefix = tree.stepsTo(node.id);
    const prompt = [tree.trace.problem.text, ...prefix].map((t) => t + sep).join('');
    for (const [chosen, rejected] of here) {
      if (sameText(chosen, rejected)) identical++;
      else pairs.push({ node, prefix, prompt, chosen, rejected });
    }
  }
  return { pairs, identical };
}

export function dpoRecordOf(tree: TraceTree, p: StepPair): DpoRecord {
  const { chosen: c, rejected: r } = p;
  return {
    prompt: p.prompt,
    chosen: c.text,
    rejected: r.text,
    prefix: p.prefix,
    chosen_value: c.value,
    rejected_value: r.value,
    meta: {
      trace_id: tree.trace.id,
      node_id: p.node.id,
      chosen_id: c.id,
      rejected_id: r.id,
      ...(c.copies !== undefined ? { chosen_copies: c.copies } : {}),
      ...(r.copies !== undefined ? { rejected_copies: r.copies } : {}),
    },
  };
}

export function buildDpoRecords(tree: TraceTree, opts: DpoOptions = {}): DpoRecord[] {
  return stepPairs(tree, opts).pairs.map((p) => dpoRecordOf(tree, p));
}
