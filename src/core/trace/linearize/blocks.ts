/** Pieces every text linearization shares: value lines, the step block, the `Solution:` block, the result shape. */
import type { TraceNode } from '../schema';
import type { TraceTree } from '../tree';
import { joinSegments, seg, type Segment } from './segment';
import { includedNodes, orderNodes, winningPath, type NodeFilter, type NodeOrder } from './visitOrder';

export interface Linearization {
  format: string;
  segments: Segment[];
  /** The Meta-CoT Z (search), the solution S, and both as one text. */
  z: string;
  s: string;
  text: string;
  /** Node ids in the order Z shows them. */
  visited: string[];
  /** Node ids of the winning path (root excluded); empty when nothing verified. */
  winningPath: string[];
  /** Branch switches in Z. */
  switches: number;
}

export interface CommonOptions {
  order?: NodeOrder;
  filter?: NodeFilter;
  /** Append the `Solution:` block holding only the winning path. */
  solution?: boolean;
  /** Between steps (default a blank line, the step boundary of chat output). */
  separator?: string;
  /** Round printed values to this many decimals (default: shortest exact form, e.g. 0.03125). */
  valueDigits?: number;
}

/** `1` prints as `1.0` and `0.03125` as itself, like the paper's traces. */
export function formatValue(v: number, digits?: number): string {
  const x = digits === undefined ? v : Number(v.toFixed(digits));
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** A node's value for printing: its value, else the verifier's verdict (1 verified, 0 refuted), else none. */
export function shownValue(node: TraceNode): number | undefined {
  if (node.value !== undefined) return node.value;
  if (node.verified === true) return 1;
  if (node.verified === false) return 0;
  return undefined;
}

/** Selected nodes in order, and the winning path. */
export function plan(tree: TraceTree, opts: CommonOptions): { nodes: TraceNode[]; path: TraceNode[] } {
  const included = includedNodes(tree, opts.filter);
  return { nodes: orderNodes(tree, included, opts.order ?? 'visit'), path: winningPath(tree) };
}

/** Appends in a loop: `push(...items)` passes every item as an argument, a RangeError for a path of ~100k steps. */
export function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const x of items) target.push(x);
}

/** One step of Z: its text, then (optionally) its value on its own line. */
export function stepBlock(node: TraceNode, values: boolean, digits: number | undefined, text = node.text): Segment[] {
  const out = [seg(text, 'Z', 'step', node.id)];
  const v = values ? shownValue(node) : undefined;
  if (v !== undefined) out.push(seg(`\n${formatValue(v, digits)}`, 'Z', 'value', node.id));
  return out;
}

/** `Solution:` and the winning path's steps; nothing when there is no winning path. */
export function solutionBlock(path: readonly TraceNode[], separator: string, hasZ: boolean): Segment[] {
  if (path.length === 0) return [];
  const out: Segment[] = [];
  if (hasZ) out.push(seg(separator, 'S', 'separator'));
  out.push(seg('Solution:\n', 'S', 'header'));
  path.forEach((n, i) => {
    if (i > 0) out.push(seg(separator, 'S', 'separator', n.id));
    out.push(seg(n.text, 'S', 'step', n.id));
  });
  return out;
}

export function finish(format: string, segments: Segment[], nodes: readonly TraceNode[], path: readonly TraceNode[], switches: number): Linearization {
  return {
    format,
    segments,
    z: joinSegments(segments, 'Z'),
    s: joinSegments(segments, 'S'),
    text: joinSegments(segments),
    visited: nodes.map((n) => n.id),
    winningPath: path.map((n) => n.id),
    switches,
  };
}
