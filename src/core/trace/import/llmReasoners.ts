/**
 * llm-reasoners TreeLog JSON (maitrix-org/llm-reasoners, reasoners/visualization/tree_log.py and tree_snapshot.py):
 * `{"logs": [snapshot, …]}`, one snapshot per MCTS iteration (`tree_state_after_each_iter`, else one), each
 * `{"nodes": {id: {id, data, selected_edge}}, "edges": {id: {id, source, target, data}}}`. Node data is the state as
 * a dict (or what a node_data_factory returned); MCTS edge data is `{Q, reward, **reward_details}`, beam / DFS edge
 * data `{reward, action}`. Every non-root node has one selected edge: the iteration's MCTS path, else the highest Q
 * (beam / DFS: the highest reward). One snapshot becomes the tree: Q → q, reward → value, the selected edges →
 * selections, the end of the selected path from the root → the answer; the rest of node and edge data → meta.
 */
import * as z from 'zod';
import type { Problem, TraceNode } from '../schema';
import { TraceTree, type NewNode } from '../tree';
import { extractAnswer } from '../../verify/answerExtraction';
import { ImportError } from './importError';
import { finiteNumber, importedValue, keepUnknown, metaValue, parseShape, unitValue, verifyAnswer, type LibraryImport, type LibraryImportOptions } from './libraryImport';

const Id = z.union([z.number().int(), z.string()]);
const Data = z.record(z.string(), z.unknown()).nullish();
export const TreeLogNodeSchema = z.looseObject({ id: Id, data: Data, selected_edge: Id.nullish() });
export const TreeLogEdgeSchema = z.looseObject({ id: Id, source: Id, target: Id, data: Data });
export const TreeSnapshotSchema = z.object({ nodes: z.record(z.string(), TreeLogNodeSchema), edges: z.record(z.string(), TreeLogEdgeSchema) });
export const TreeLogSchema = z.object({ logs: z.array(TreeSnapshotSchema).min(1) });
export type TreeLog = z.infer<typeof TreeLogSchema>;
type Snapshot = z.infer<typeof TreeSnapshotSchema>;
type LogEdge = z.infer<typeof TreeLogEdgeSchema>;

export const TREELOG_SHAPE = 'an llm-reasoners TreeLog {"logs": [{"nodes": {id: {id, data, selected_edge}}, "edges": {id: {id, source, target, data}}}]}';
export const LIBRARY = 'llm-reasoners';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The signature of a TreeLog: a `logs` list whose first entry holds `nodes` and `edges` objects. */
export function looksLikeTreeLog(o: Record<string, unknown>): boolean {
  const first = Array.isArray(o.logs) ? (o.logs[0] as unknown) : undefined;
  return isObj(first) && 'nodes' in first && 'edges' in first;
}

export function parseTreeLog(value: unknown, where: string): TreeLog {
  return parseShape(TreeLogSchema, value, where, 'llm-reasoners TreeLog', TREELOG_SHAPE);
}

/** An entry of node data as text: a string, or the strings of a list (a NamedTuple) or dict, one a line. */
function entryText(v: unknown): string {
  if (typeof v === 'string') return v;
  const parts = Array.isArray(v) ? v : isObj(v) ? Object.values(v) : [v];
  const strings = parts.filter((p): p is string => typeof p === 'string');
  return strings.length ? strings.join('\n') : JSON.stringify(v);
}

/**
 * A node's step text and the data keys it used. Beam / DFS edges carry the action; the default MCTS
 * node_data_factory turns a list state into {0: …, 1: …}, whose last entry is this node's step (the earlier ones
 * repeat the ancestors'); a factory's dict (RAP's {question, answer}) gives its strings, one a line.
 */
function stepText(data: Record<string, unknown>, edge: Record<string, unknown>): { text: string; used: string[] } {
  if (typeof edge.action === 'string') return { text: edge.action, used: [] };
  const keys = Object.keys(data);
  if (keys.length === 0) return { text: '(not expanded)', used: [] };
  if (keys.every((k, i) => k === String(i))) return { text: entryText(data[keys[keys.length - 1]!]), used: keys };
  const strings = keys.filter((k) => typeof data[k] === 'string');
  if (strings.length) return { text: strings.map((k) => data[k] as string).join('\n'), used: strings };
  return { text: JSON.stringify(data), used: keys };
}

interface Structure {
  rootKey: string;
  /** Child node keys with the edge to each, in edge-id order (the order llm-reasoners created them). */
  children: Map<string, { node: string; edge: LogEdge }[]>;
}

/** Checks the snapshot is one tree (as TreeSnapshot asserts) and indexes it; errors name the path inside the file. */
function structure(snap: Snapshot, where: string, at: string): Structure {
  const nodeKey = new Map<string, string>();
  for (const [k, n] of Object.entries(snap.nodes)) nodeKey.set(String(n.id), k);
  const parentOf = new Map<string, string>();
  const children = new Map<string, { node: string; edge: LogEdge }[]>();
  const edges = Object.entries(snap.edges).sort(([, a], [, b]) => Number(a.id) - Number(b.id) || String(a.id).localeCompare(String(b.id)));
  for (const [k, e] of edges) {
    const source = nodeKey.get(String(e.source));
    const target = nodeKey.get(String(e.target));
    if (source === undefined) throw new ImportError(`${where}: ${at}.edges.${k}.source: no node ${e.source} in ${at}.nodes; expected ${TREELOG_SHAPE}`);
    if (target === undefined) throw new ImportError(`${where}: ${at}.edges.${k}.target: no node ${e.target} in ${at}.nodes; expected ${TREELOG_SHAPE}`);
    if (parentOf.has(target)) throw new ImportError(`${where}: ${at}.edges.${k}.target: node ${e.target} has a second parent (a TreeLog snapshot is a tree)`);
    parentOf.set(target, source);
    const list = children.get(source);
    if (list) list.push({ node: target, edge: e });
    else children.set(source, [{ node: target, edge: e }]);
  }
  const roots = [...nodeKey.values()].filter((k) => !parentOf.has(k));
  if (roots.length !== 1) throw new ImportError(`${where}: ${at}.nodes: ${roots.length === 0 ? 'no node without a parent' : `${roots.length} nodes without a parent`} (a TreeLog snapshot is one tree)`);
  return { rootKey: roots[0]!, children };
}

export function importTreeLog(log: TreeLog, where: string, problem: Problem, opts: LibraryImportOptions = {}): LibraryImport {
  const last = log.logs.length - 1;
  const index = opts.log ?? last;
  if (!Number.isInteger(index) || index < 0 || index > last) throw new ImportError(`${where}: no log ${index}: the TreeLog holds ${log.logs.length} (0 to ${last})`);
  const at = `logs.${index}`;
  const snap = log.logs[index]!;
  const { rootKey, children } = structure(snap, where, at);
  const mcts = Object.values(snap.edges).some((e) => e.data != null && 'Q' in e.data);
  const reason = mcts ? 'llm-reasoners selected edge: on the MCTS path of this iteration, else the highest Q' : 'llm-reasoners selected edge: the highest reward';
  const tree = TraceTree.create({ ...problem, meta: { ...problem.meta, 'treelog.logs': log.logs.length, 'treelog.log': index } }, { id: opts.id, createdAt: opts.createdAt });
  const root = tree.root();
  const rootNode = snap.nodes[rootKey]!;
  tree.update(root.id, { meta: { 'treelog.node': metaValue(rootNode.id), ...keepUnknown(rootNode.data ?? {}, [], 'data.') } });
  const ours = new Map<string, string>([[rootKey, root.id]]);
  const stack = [rootKey];
  while (stack.length) {
    const key = stack.pop()!;
    const parent = snap.nodes[key]!;
    const kids = children.get(key) ?? [];
    if (kids.length) tree.update(ours.get(key)!, { status: 'expanded' });
    for (const { node: childKey, edge } of kids) {
      const n = snap.nodes[childKey]!;
      const data = n.data ?? {};
      const edgeData = edge.data ?? {};
      const { text, used } = stepText(data, edgeData);
      const fields: NewNode = { kind: 'step', author: 'imported', text, status: 'open' };
      const q = finiteNumber(edgeData.Q);
      if (q !== undefined) fields.q = q;
      const value = unitValue(edgeData.reward);
      if (value !== undefined) Object.assign(fields, { value, valueSource: importedValue(`${LIBRARY} reward`) });
      if (parent.selected_edge != null && String(parent.selected_edge) === String(edge.id)) fields.selection = { reason };
      fields.meta = {
        'treelog.node': metaValue(n.id),
        'treelog.edge': metaValue(edge.id),
        ...keepUnknown(edgeData, typeof edgeData.action === 'string' ? ['Q', 'action'] : ['Q'], 'edge.'),
        ...keepUnknown(data, used, 'data.'),
      };
      // reward is kept in meta too when it is outside [0, 1] (our value field cannot hold it).
      if (value !== undefined) delete fields.meta['edge.reward'];
      ours.set(childKey, tree.addChild(ours.get(key)!, fields).id);
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!.node);
  }
  const path = selectedPath(tree);
  const end = path[path.length - 1];
  let answer: string | undefined;
  if (end && tree.childIdsOf(end.id).length === 0) {
    answer = extractAnswer(end.text)?.answer;
    const verified = verifyAnswer(answer, tree.trace.problem);
    tree.update(end.id, { status: 'terminal', ...(answer !== undefined ? { kind: 'answer', answer } : {}), ...(verified !== undefined ? { verified } : {}) });
    tree.trace.result = { bestNodeId: end.id, verified: verified ?? false, ...(answer !== undefined ? { finalAnswer: answer } : {}) };
  }
  const summary = `${log.logs.length} log${log.logs.length === 1 ? '' : 's'}, log ${index} imported${index === last ? ' (the last)' : ''}: ${tree.size} nodes, selected path of ${path.length} step${path.length === 1 ? '' : 's'}${answer !== undefined ? `, answer ${answer}` : ''}`;
  return { tree, issues: [], summary };
}

/** From the root along the selected children (the path llm-reasoners highlights). */
function selectedPath(tree: TraceTree): TraceNode[] {
  const path: TraceNode[] = [];
  let cur = tree.root();
  for (;;) {
    const next = tree.children(cur.id).find((c) => c.selection !== undefined);
    if (!next) return path;
    path.push(next);
    cur = next;
  }
}
