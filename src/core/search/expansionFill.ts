/**
 * What an expansion's answer becomes in the tree: one child per sample, or (mergeDuplicates) one node per distinct
 * step with `copies`. A node sampled again (A* re-expansion, MCTS widening, beam resampling) also folds samples
 * that repeat one of its children from this run into that child (its copies and tokens grow) instead of adding a
 * node that would be valued and searched again.
 */
import type { Generation } from '../llm/generator';
import type { EventType, Params, TraceNode } from '../trace/schema';
import type { TraceTree } from '../trace/tree';
import { capStep, groupSamples, placeholder, sameStepKey, type SampleGroup } from './nodeFilling';
import type { ExpandRequest } from './strategy';

/** The run an answer is filled into: its tree, its id, the step cap, its event log and its checker's fill. */
export interface FillHost {
  tree: TraceTree;
  runId: string;
  maxStepChars: number;
  log(type: EventType, nodeId: string, data?: Params): void;
  fill(node: TraceNode, g: Generation, steps: readonly string[], final: boolean, cut?: string): TraceNode;
}

/** This run's step children of a node, by step key, that a new sample may repeat (failed and cancelled ones stand for nothing). */
export function runSiblings(children: readonly TraceNode[], runId: string): Map<string, TraceNode> {
  const out = new Map<string, TraceNode>();
  for (const k of children) {
    if (k.runId !== runId || k.kind !== 'step' || k.status === 'failed' || k.status === 'cancelled' || k.status === 'running') continue;
    const key = sameStepKey(k.text);
    if (!out.has(key)) out.set(key, k);
  }
  return out;
}

/**
 * Folds the groups that repeat a sibling into it (its copies and tokens grow: every sample was generated and
 * billed) and returns the others in order, with the siblings that grew.
 */
export function foldIntoSiblings(groups: readonly SampleGroup[], siblings: ReadonlyMap<string, TraceNode>): { fresh: SampleGroup[]; grown: { node: TraceNode; merged: number }[] } {
  const fresh: SampleGroup[] = [];
  const grown: { node: TraceNode; merged: number }[] = [];
  for (const group of groups) {
    const same = siblings.get(sameStepKey(group.g.text));
    if (!same) {
      fresh.push(group);
      continue;
    }
    same.copies = (same.copies ?? 1) + group.copies;
    if (same.tokensIn !== undefined) same.tokensIn += group.g.tokensIn;
    if (same.tokensOut !== undefined) same.tokensOut += group.g.tokensOut;
    grown.push({ node: same, merged: group.copies });
  }
  return { fresh, grown };
}

/**
 * The distinct steps of one answer that no child of this run (`siblings`) already is: the first fills `first`
 * (absent when the node was sampled before), each further one is a new child; a node standing for k identical
 * samples has `copies` k, and a `status` event says how many were merged into it (into an older child too).
 */
export function fillMerged(host: FillHost, parentId: string, first: TraceNode | undefined, gens: Generation[], req: ExpandRequest, siblings?: ReadonlyMap<string, TraceNode>): TraceNode[] {
  if (gens.length < req.n) host.log('error', gens.length === 0 && first ? first.id : parentId, { message: 'missing choice', returned: gens.length, wanted: req.n });
  if (gens.length === 0) {
    if (first) host.tree.update(first.id, { status: 'failed', error: `the endpoint returned 0 of ${req.n} choices` });
    return [];
  }
  const done: TraceNode[] = [];
  const path = [...req.steps, ''];
  const { fresh, grown } = foldIntoSiblings(groupSamples(gens, host.maxStepChars), siblings ?? new Map());
  for (const { node, merged } of grown) {
    host.tree.changed(node);
    host.log('status', node.id, { status: node.status, merged, copies: node.copies! });
  }
  for (let i = 0; i < fresh.length; i++) {
    const group = fresh[i]!;
    const node = i === 0 && first ? first : host.tree.addChild(parentId, placeholder('step', host.runId, req.meta));
    if (group.copies > 1) node.copies = group.copies;
    path[path.length - 1] = group.g.text;
    done.push(host.fill(node, group.g, path, false, group.cut));
    if (group.copies > 1) host.log('status', node.id, { status: node.status, merged: group.copies - 1, copies: group.copies });
  }
  return done;
}

/** One child per sample, in order (merging off, or not a step request). */
export function fillEach(host: FillHost, kids: TraceNode[], gens: Generation[], req: ExpandRequest): TraceNode[] {
  const done: TraceNode[] = [];
  // One path array for all siblings: the checker reads it synchronously and keeps nothing of it.
  const path = [...req.steps, ''];
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    const g = gens[i];
    if (!g) {
      host.tree.update(k.id, { status: 'failed', error: `the endpoint returned ${gens.length} of ${req.n} choices` });
      host.log('error', k.id, { message: 'missing choice' });
      continue;
    }
    // Only steps are capped: a full solution is checked whole, and its size is bounded by the response cap.
    const capped = req.purpose === 'step' ? capStep(g, host.maxStepChars) : { g };
    path[path.length - 1] = capped.g.text;
    done.push(host.fill(k, capped.g, path, req.purpose !== 'step', capped.cut));
  }
  return done;
}
