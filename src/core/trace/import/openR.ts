/**
 * OpenR search trees (openreasoner/openr, reason/guided_search/tree.py): `Node.to_json()` is
 * `{"children": {action: node, …}, "info": {visit_cnt, value, prior_p, initial_value, terminated}}`, a
 * LanguageNode's info adding `last_action` and `prm_value` (the root: `text_state`, the prompt the search started
 * from); `MCTS.from_json` reads it back. Imported as: visit_cnt → visits, value (the mean backed-up value) → q,
 * prm_value (else initial_value, the value the node was created with) → value, terminated → a terminal answer node;
 * prior_p, initial_value, prm_value and unknown info fields stay in meta, so `toOpenRJson` writes the same tree back.
 * The tree records no choice, so the robust-child path (most visits) from the root is marked as the selection.
 */
import * as z from 'zod';
import type { Problem, TraceNode } from '../schema';
import { TraceTree, type NewNode } from '../tree';
import { extractAnswer } from '../../verify/answerExtraction';
import { ImportError } from './importError';
import { finiteNumber, formatPath, importedValue, keepUnknown, parseShape, unitValue, verifyAnswer, type LibraryImport, type LibraryImportOptions } from './libraryImport';

export const OpenRInfoSchema = z.looseObject({
  visit_cnt: z.number().int().nonnegative(),
  // null: Python wrote NaN.
  value: z.number().nullable(),
  prior_p: z.number().nullish(),
  initial_value: z.number().nullish(),
  terminated: z.boolean().optional(),
  last_action: z.string().nullish(),
  prm_value: z.number().nullish(),
  text_state: z.string().nullish(),
});

/** The shape (its type is what `parseOpenR` returns; that function checks it node by node). */
export const OpenRNodeSchema = z.object({
  info: OpenRInfoSchema,
  get children() {
    return z.record(z.string(), OpenRNodeSchema);
  },
});
export type OpenRNode = z.infer<typeof OpenRNodeSchema>;
type Info = z.infer<typeof OpenRInfoSchema>;

export const OPENR_SHAPE = 'an OpenR tree (Node.to_json()) {"children": {action: node}, "info": {visit_cnt, value, prior_p, initial_value, terminated, last_action?, prm_value?, text_state?}}';
export const LIBRARY = 'OpenR';
/** Info fields our node fields hold (the rest stays in meta). */
const MAPPED = ['visit_cnt', 'value', 'terminated'];

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The signature of an OpenR tree: `children` and `info` objects, info with visit_cnt. */
export function looksLikeOpenR(o: Record<string, unknown>): boolean {
  return isObj(o.children) && isObj(o.info) && 'visit_cnt' in o.info;
}

/**
 * Checks the tree node by node with an explicit stack (a recursive schema would overflow the stack on a deep tree);
 * an error names the path to the wrong field.
 */
export function parseOpenR(value: unknown, where: string): OpenRNode {
  interface Item {
    value: unknown;
    parent?: Item;
    key?: string;
    out: OpenRNode;
  }
  const pathOf = (item: Item): string[] => {
    const path: string[] = [];
    for (let i: Item | undefined = item; i?.key !== undefined; i = i.parent) path.push(i.key, 'children');
    return path.reverse();
  };
  const root: Item = { value, out: { children: {}, info: { visit_cnt: 0, value: null } } };
  const stack: Item[] = [root];
  while (stack.length) {
    const item = stack.pop()!;
    // The path is built only for an error: a deep tree would pay its depth at every node.
    if (!isObj(item.value)) throw new ImportError(`${where}: not a valid OpenR tree (${formatPath(pathOf(item))}: expected an object); expected ${OPENR_SHAPE}`);
    const info = OpenRInfoSchema.safeParse(item.value.info);
    item.out.info = info.success ? info.data : parseShape(OpenRInfoSchema, item.value.info, where, 'OpenR tree', OPENR_SHAPE, [...pathOf(item), 'info']);
    const children = item.value.children;
    if (!isObj(children)) throw new ImportError(`${where}: not a valid OpenR tree (${formatPath([...pathOf(item), 'children'])}: expected an object keyed by action); expected ${OPENR_SHAPE}`);
    for (const [key, child] of Object.entries(children)) {
      const out: OpenRNode = { children: {}, info: { visit_cnt: 0, value: null } };
      item.out.children[key] = out;
      stack.push({ value: child, parent: item, key, out });
    }
  }
  return root.out;
}

/** The question inside the root's text_state (OpenR's MATH prompt is a Qwen chat template), else the whole state. */
export function openRProblem(tree: OpenRNode): string | undefined {
  const state = tree.info.text_state;
  if (typeof state !== 'string') return undefined;
  const m = /<\|im_start\|>user\n([\s\S]*?)<\|im_end\|>/.exec(state);
  return (m ? m[1]! : state).trim();
}

export function importOpenR(root: OpenRNode, problem: Problem, opts: LibraryImportOptions = {}): LibraryImport {
  const tree = TraceTree.create(problem, { id: opts.id, createdAt: opts.createdAt });
  const r = tree.root();
  const state = root.info.text_state;
  tree.update(r.id, {
    ...counts(root.info),
    ...(Object.keys(root.children).length ? { status: 'expanded' as const } : {}),
    // text_state is kept unless the problem is exactly it, so the export writes it back.
    meta: keepUnknown(root.info, state === problem.text ? [...MAPPED, 'text_state'] : MAPPED),
  });
  const stack: { node: OpenRNode; id: string }[] = [{ node: root, id: r.id }];
  while (stack.length) {
    const { node, id } = stack.pop()!;
    const added: { node: OpenRNode; id: string }[] = [];
    for (const [key, child] of Object.entries(node.children)) {
      const info = child.info;
      const text = typeof info.last_action === 'string' ? info.last_action : key;
      const hasKids = Object.keys(child.children).length > 0;
      const terminal = info.terminated === true;
      const fields: NewNode = { kind: 'step', author: 'imported', text, status: hasKids ? 'expanded' : terminal ? 'terminal' : 'open', ...counts(info) };
      const prm = unitValue(info.prm_value);
      const initial = unitValue(info.initial_value);
      if (prm !== undefined) Object.assign(fields, { value: prm, valueSource: importedValue(`${LIBRARY} prm_value`) });
      else if (initial !== undefined) Object.assign(fields, { value: initial, valueSource: importedValue(`${LIBRARY} initial_value`) });
      if (terminal) {
        const answer = extractAnswer(text)?.answer;
        const verified = verifyAnswer(answer, problem);
        Object.assign(fields, { kind: 'answer', ...(answer !== undefined ? { answer } : {}), ...(verified !== undefined ? { verified } : {}) });
      }
      fields.meta = { ...keepUnknown(info, typeof info.last_action === 'string' ? [...MAPPED, 'last_action'] : MAPPED), ...(key !== text ? { 'openr.key': key } : {}) };
      added.push({ node: child, id: tree.addChild(id, fields).id });
    }
    for (let i = added.length - 1; i >= 0; i--) stack.push(added[i]!);
  }
  const path = markRobustPath(tree);
  const end = path[path.length - 1];
  if (end && end.status === 'terminal') {
    tree.trace.result = { bestNodeId: end.id, verified: end.verified ?? false, ...(end.answer !== undefined ? { finalAnswer: end.answer } : {}) };
  }
  const terminals = tree.trace.nodes.filter((n) => n.status === 'terminal').length;
  const summary = `${tree.size} nodes, ${r.visits ?? 0} root visits, ${terminals} terminal, most-visited path of ${path.length} step${path.length === 1 ? '' : 's'}${end?.answer !== undefined ? ` ending in answer ${end.answer}` : ''}`;
  return { tree, issues: [], summary };
}

function counts(info: Info): Pick<TraceNode, 'visits' | 'q'> {
  const q = finiteNumber(info.value);
  return { visits: info.visit_cnt, ...(q !== undefined ? { q } : {}) };
}

/** From the root, the most visited child at each level (ties: the higher q), while children have visits. */
function markRobustPath(tree: TraceTree): TraceNode[] {
  const path: TraceNode[] = [];
  let cur = tree.root();
  for (;;) {
    const kids = tree.children(cur.id).filter((c) => (c.visits ?? 0) > 0);
    if (!kids.length) return path;
    const best = kids.reduce((a, b) => ((b.visits ?? 0) > (a.visits ?? 0) || ((b.visits ?? 0) === (a.visits ?? 0) && (b.q ?? -Infinity) > (a.q ?? -Infinity)) ? b : a));
    const reason = `most visits among its siblings (visit_cnt ${best.visits} of the parent's ${cur.visits ?? 0}); OpenR's tree records no choice, so this is MCTS's robust-child rule`;
    tree.update(best.id, { selection: { reason } });
    path.push(tree.node(best.id));
    cur = tree.node(best.id);
  }
}

const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);

/**
 * A trace → OpenR's `Node.to_json()` shape, which `MCTS.from_json` reads: visits → visit_cnt, q (else value) →
 * value, terminal → terminated, text → last_action, and prior_p / initial_value / prm_value / text_state from meta
 * (defaults as OpenR's constructors: 1.0, the node's value or 0.0, null, the problem text).
 */
export function toOpenRJson(tree: TraceTree): OpenRNode {
  const infoOf = (n: TraceNode, isRoot: boolean): Info => {
    const m = n.meta ?? {};
    const info: Info = {
      visit_cnt: n.visits ?? 0,
      value: n.q ?? n.value ?? 0,
      prior_p: num(m.prior_p) ?? 1,
      initial_value: num(m.initial_value) ?? n.value ?? 0,
      terminated: n.status === 'terminal',
    };
    if (isRoot) info.text_state = typeof m.text_state === 'string' ? m.text_state : tree.trace.problem.text;
    else {
      info.last_action = 'last_action' in m ? (m.last_action as string | null) : n.text;
      info.prm_value = num(m.prm_value) ?? null;
    }
    return info;
  };
  const rootNode = tree.root();
  const out: OpenRNode = { children: {}, info: infoOf(rootNode, true) };
  const stack: { id: string; json: OpenRNode }[] = [{ id: rootNode.id, json: out }];
  while (stack.length) {
    const { id, json } = stack.pop()!;
    for (const c of tree.children(id)) {
      const base = typeof c.meta?.['openr.key'] === 'string' ? c.meta['openr.key'] : c.text;
      // OpenR keys children by action; a trace may hold two siblings with one text.
      const key = base in json.children ? `${base} [${c.id}]` : base;
      const child: OpenRNode = { children: {}, info: infoOf(c, false) };
      json.children[key] = child;
      stack.push({ id: c.id, json: child });
    }
  }
  return out;
}
