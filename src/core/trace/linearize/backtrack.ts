/**
 * Natural-language backtracking (paper §4.2.4): the visited steps in order, and at every branch switch either a
 * phrase ("Wait, …", "Alternatively, …") in front of the step that starts the new branch, or explicit `[BACK]`
 * tokens, one per step undone, followed by a restatement of the steps down to the new branch when it hangs off
 * another branch. The token form is exact: the long-CoT importer rebuilds the same tree from it.
 */
import type { TraceNode } from '../schema';
import type { TraceTree } from '../tree';
import { finish, plan, pushAll, solutionBlock, stepBlock, type CommonOptions, type Linearization } from './blocks';
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

/**
 * From `from` up to the common ancestor of `from` and `to`: how many levels that undoes, and the steps below the
 * ancestor down to `to` (included), top first.
 */
function climb(tree: TraceTree, depths: ReadonlyMap<string, number>, from: TraceNode, to: TraceNode): { levels: number; down: TraceNode[] } {
  let a = from;
  let b = to;
  let levels = 0;
  const down: TraceNode[] = [];
  const up = (x: TraceNode) => tree.node(x.parentId!);
  while (depths.get(a.id)! > depths.get(b.id)!) {
    a = up(a);
    levels++;
  }
  while (depths.get(b.id)! > depths.get(a.id)!) {
    down.push(b);
    b = up(b);
  }
  while (a.id !== b.id) {
    a = up(a);
    levels++;
    down.push(b);
    b = up(b);
  }
  return { levels, down: down.reverse() };
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
  let depths: Map<string, number> | undefined;
  nodes.forEach((n, i) => {
    const prev = nodes[i - 1];
    if (i > 0) segments.push(seg(sep, 'Z', 'separator', n.id));
    let text = n.text;
    if (isSwitch(prev, n, rootId)) {
      if (style === 'token') {
        // Undo steps up to the common ancestor, then restate the way down to the new step's parent: a jump to
        // another branch (visit order of MCTS / best-first) stays exact.
        // Climbing to the common ancestor costs what is written (undone levels, restated steps), not the depth.
        depths ??= tree.depths();
        const { levels, down } = climb(tree, depths, prev!, tree.node(n.parentId!));
        segments.push(seg(`${Array.from({ length: levels }, () => token).join(' ')}\n`, 'Z', 'marker', n.id));
        for (const again of down) {
          segments.push(seg(again.text, 'Z', 'step', again.id), seg(sep, 'Z', 'separator', n.id));
        }
      } else {
        segments.push(seg(phrases[switches % phrases.length]!, 'Z', 'marker', n.id));
        if (opts.lowercase ?? true) text = lowerFirst(text);
      }
      switches++;
    }
    pushAll(segments, stepBlock(n, opts.values ?? false, opts.valueDigits, text));
  });
  if (opts.solution ?? true) pushAll(segments, solutionBlock(path, sep, nodes.length > 0));
  return finish(`backtrack-${style}`, segments, nodes, path, switches);
}
