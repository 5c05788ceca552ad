/** What both trace models share: the state and change types views read, and editCopy (a mutation on a copy). */
import type * as vscode from 'vscode';
import type { Recovery } from '../core/trace/journalFold';
import type { TraceParseError } from '../core/trace/io';
import { TraceTree } from '../core/trace/tree';
import type { Trace, TraceNode } from '../core/trace/schema';
import type { TraceDeltaMessage } from '../protocol/hostMessages';

export type TraceDelta = Omit<TraceDeltaMessage, 'type'>;

export type TraceState =
  /** `recovery`: the trace shown is the file's with its crash journal folded in and stale runs marked. */
  | { ok: true; trace: Trace; version: number; recovery?: Recovery }
  | { ok: false; error: TraceParseError; version: number };

/** The id of the run this extension runs on a trace now, if any (so it is never taken for a stale one). */
export type RunningHere = (uri: vscode.Uri) => string | undefined;

export type ModelChange = { kind: 'delta'; delta: TraceDelta } | { kind: 'reload' };

/**
 * What a mutation did, from a copy of the trace: the result, the new trace, and the change views get (a delta, or a
 * reload when a patch cannot express it). The copy keeps the model's parsed trace untouched if `fn` throws half-way.
 */
export function editCopy<R>(source: Trace, fn: (tree: TraceTree) => R): { result: R; trace: Trace; change: ModelChange } {
  const trace = JSON.parse(JSON.stringify(source)) as Trace;
  const tree = TraceTree.from(trace);
  const before = { events: trace.events.length, runs: JSON.stringify(trace.runs), usage: JSON.stringify(trace.usage), result: JSON.stringify(trace.result), analyses: JSON.stringify(trace.analyses) };
  const added = new Set<string>();
  const updated = new Set<string>();
  const oldNodes = new Map<string, string[]>();
  const stop = tree.onChange((c) => {
    if (c.type === 'add') added.add(c.node.id);
    else if (c.type === 'update' && !added.has(c.node.id)) updated.add(c.node.id);
  });
  for (const n of trace.nodes) oldNodes.set(n.id, Object.keys(n));
  let result: R;
  try {
    result = fn(tree);
  } finally {
    stop();
  }
  let removedField = false;
  const delta: TraceDelta = {
    traceId: trace.id,
    nodesAdded: [...added].map((id) => tree.node(id)),
    nodesUpdated: [],
    nodesRemoved: [],
    events: trace.events.slice(before.events),
    runs: JSON.stringify(trace.runs) === before.runs ? [] : trace.runs,
  };
  for (const id of updated) {
    const node = tree.node(id);
    // A patch cannot express a deleted field (e.g. a label cleared): those views reload instead.
    if (oldNodes.get(id)!.some((k) => !(k in node))) removedField = true;
    delta.nodesUpdated.push(node as TraceNode);
  }
  if (JSON.stringify(trace.usage) !== before.usage) delta.usage = trace.usage;
  if (JSON.stringify(trace.result) !== before.result) delta.result = trace.result;
  // Stored analyses (step importance) have no delta form: views reload to show them.
  const analysesChanged = JSON.stringify(trace.analyses) !== before.analyses;
  return { result, trace, change: removedField || analysesChanged ? { kind: 'reload' } : { kind: 'delta', delta } };
}
