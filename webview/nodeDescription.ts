/** Words for the focused node, for the screen-reader proxy item and the live region (the canvas has no DOM nodes). */
import { fmt, nodeTitle, oneLine, valueSourceText } from './format';
import type { TraceModel } from './traceModel';

export function describeNode(m: TraceModel, i: number, hidden: number | undefined): string {
  const n = m.nodes[i];
  const parts = [`${nodeTitle(n)} ${n.id}`, `depth ${m.depth[i]}`];
  if (n.value !== undefined) parts.push(`value ${fmt(n.value, 2)}${n.valueSource ? ` (${valueSourceText(n.valueSource)})` : ''}`);
  if (n.visits !== undefined) parts.push(`${n.visits} visits`);
  // Who pruned it decides whether U can undo it.
  parts.push(n.status === 'pruned' && n.prune ? `pruned by ${n.prune.by === 'human' ? 'a person' : 'the engine'}` : n.status);
  if (n.author === 'human' && n.kind !== 'root') parts.push('edited by a person');
  if (n.verified !== undefined) parts.push(n.verified ? 'verified answer' : 'answer not verified');
  if (n.label) parts.push(`marked ${n.label}`);
  if (m.bestPath.has(i)) parts.push('on the best path');
  const kids = m.children[i].length;
  parts.push(kids === 0 ? 'leaf' : hidden ? `collapsed, ${hidden} hidden nodes` : `${kids} ${kids === 1 ? 'child' : 'children'}`);
  return `${parts.join(', ')}. ${oneLine(n.text, 200)}`;
}
