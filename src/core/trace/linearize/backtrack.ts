/**
 * Natural-language backtracking (paper §4.2.4): the visited steps in order, and at every branch switch either a
 * phrase ("Wait, …", "Alternatively, …") in front of the step that starts the new branch, or explicit `[BACK]`
 * tokens, one per step undone, followed by a restatement of the steps down to the new branch when it hangs off
 * another branch. The token form is exact: the long-CoT importer rebuilds the same tree from it.
 */
import type { TraceTree } from '../tree';
import { finish, plan, solutionBlock, stepBlock, type CommonOptions, type Linearization } from './blocks';
import { seg, type Segment } from './segment';
import { isSwitch } from './visitOrder';

export const DEFAULT_BACKTRACK_PHRASES = ['Wait, ', 'Alternatively, '] as const;
export const BACK_TOKEN = '[BACK]';

export interface BacktrackOptions extends CommonOptions {
  style?: 'phrases' | 'token';
  /** Used in turn, one per switch. */
  phrases?: readonly string[];
  token?: string;
  /** Lower-case the first letter of a step that follows a phrase ("Wait, divide…"), unless it is "I" or an acronym. */
  lowercase?: boolean;
  /** Print each step's value on its own line, as in App. E (default false). */
  values?: boolean;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

export function linearizeBacktrack(tree: TraceTree, opts: BacktrackOptions = {}): Linearization {
  const sep = opts.separator ?? '\n\n';
  const style = opts.style ?? 'phrases';
  const phrases = opts.phrases && opts.phrases.length > 0 ? opts.phrases : DEFAULT_BACKTRACK_PHRASES;
  const token = opts.token ?? BACK_TOKEN;
  const { nodes, path } = plan(tree, opts);
  const rootId = tree.root().id;
  const segments: Segment[] = [];
  let switches = 0;
  nodes.forEach((n, i) => {
    const prev = nodes[i - 1];
    if (i > 0) segments.push(seg(sep, 'Z', 'separator', n.id));
    let text = n.text;
    if (isSwitch(prev, n, rootId)) {
      if (style === 'token') {
        // Undo steps up to the common ancestor, then restate the way down to the new step's parent: a jump to
        // another branch (visit order of MCTS / best-first) stays exact.
        const from = tree.pathToRoot(prev!.id);
        const to = tree.pathToRoot(n.parentId!);
        let common = 0;
        while (common < from.length && common < to.length && from[common]!.id === to[common]!.id) common++;
        const levels = from.length - common;
        segments.push(seg(`${Array.from({ length: levels }, () => token).join(' ')}\n`, 'Z', 'marker', n.id));
        for (const again of to.slice(common)) {
          segments.push(seg(again.text, 'Z', 'step', again.id), seg(sep, 'Z', 'separator', n.id));
        }
      } else {
        segments.push(seg(phrases[switches % phrases.length]!, 'Z', 'marker', n.id));
        if (opts.lowercase ?? true) text = lowerFirst(text);
      }
      switches++;
    }
    segments.push(...stepBlock(n, opts.values ?? false, opts.valueDigits, text));
  });
  if (opts.solution ?? true) segments.push(...solutionBlock(path, sep, nodes.length > 0));
  return finish(`backtrack-${style}`, segments, nodes, path, switches);
}
