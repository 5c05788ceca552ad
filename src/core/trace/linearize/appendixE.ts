/**
 * The paper's App. E layout: every visited step in visit order, each followed by its value on its own line
 * (`0.03125`; a verified final step `1.0`), then a `Solution:` block with only the winning path.
 */
import type { TraceTree } from '../tree';
import { finish, plan, pushAll, solutionBlock, stepBlock, type CommonOptions, type Linearization } from './blocks';
import { seg, type Segment } from './segment';
import { isSwitch } from './visitOrder';

export interface AppendixEOptions extends CommonOptions {
  /** Print each step's value (default true). */
  values?: boolean;
}

export function linearizeAppendixE(tree: TraceTree, opts: AppendixEOptions = {}): Linearization {
  const sep = opts.separator ?? '\n\n';
  const { nodes, path } = plan(tree, opts);
  const segments: Segment[] = [];
  let switches = 0;
  const rootId = tree.root().id;
  nodes.forEach((n, i) => {
    if (isSwitch(nodes[i - 1], n, rootId)) switches++;
    if (i > 0) segments.push(seg(sep, 'Z', 'separator', n.id));
    pushAll(segments, stepBlock(n, opts.values ?? true, opts.valueDigits));
  });
  if (opts.solution ?? true) pushAll(segments, solutionBlock(path, sep, nodes.length > 0));
  return finish('appendix-e', segments, nodes, path, switches);
}
