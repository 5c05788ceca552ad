/**
 * Migrations from older trace format versions to the current one. Each step takes the raw JSON of version k and
 * returns raw JSON of version k+1; the result is validated by the current schema afterwards, never trusted.
 *
 * Version 0 (pre-release prototype) stored a nested tree:
 *   { format, version: 0, id?, createdAt?, problem: string, answer?: string, strategy: string, params?: {},
 *     model: string, baseUrl: string, root: { text, children: V0Node[] } }
 *   V0Node = { text, value?, visits?, q?, pruned?: boolean, verified?: boolean, children?: V0Node[] }
 */
import * as z from 'zod';
import { TRACE_VERSION, StrategyNameSchema, emptyUsage } from './schema';

/**
 * One v0 node without its subtree: children are checked node by node in an explicit queue, since a recursive zod
 * schema recurses per tree level and a deep v0 tree would overflow the stack.
 */
const V0NodeSchema = z.object({
  text: z.string(),
  value: z.number().optional(),
  visits: z.number().int().nonnegative().optional(),
  q: z.number().optional(),
  pruned: z.boolean().optional(),
  verified: z.boolean().optional(),
  children: z.array(z.unknown()).optional(),
});
type V0Node = z.infer<typeof V0NodeSchema>;

export const TraceV0Schema = z.object({
  format: z.literal('metacot.trace'),
  version: z.literal(0),
  id: z.string().optional(),
  createdAt: z.string().optional(),
  problem: z.string(),
  answer: z.string().optional(),
  strategy: StrategyNameSchema,
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  model: z.string(),
  baseUrl: z.string(),
  root: z.object({ text: z.string(), children: z.array(z.unknown()) }),
});

function migrateV0(raw: unknown): unknown {
  const v0 = TraceV0Schema.parse(raw);
  const nodes: Record<string, unknown>[] = [
    { id: 'n0', parentId: null, kind: 'root', text: v0.root.text, author: 'human', status: 'expanded', iteration: 0, runId: 'r1' },
  ];
  let best: { id: string; verified: boolean } | undefined;
  // Breadth-first keeps parents before children, as v1's creation order requires. Each entry remembers where it
  // sits (its parent's entry and its index among the children) to name a bad node's path.
  interface Entry {
    raw: unknown;
    parentId: string;
    up: Entry | undefined;
    index: number;
  }
  const pathOf = (e: Entry): string => {
    const parts: string[] = [];
    for (let cur: Entry | undefined = e; cur; cur = cur.up) parts.push(`children[${cur.index}]`);
    return `root.${parts.reverse().join('.')}`;
  };
  const queue: Entry[] = v0.root.children.map((child, index) => ({ raw: child, parentId: 'n0', up: undefined, index }));
  for (let head = 0; head < queue.length; head++) {
    const entry = queue[head]!;
    const parsed = V0NodeSchema.safeParse(entry.raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = issue.path.length ? `.${issue.path.map(String).join('.')}` : '';
      // Named here: a deep tree's paths are long, so only a bad node's is written out.
      throw new Error(`${pathOf(entry)}${at}: ${issue.message}`);
    }
    const node: V0Node = parsed.data;
    const id = `n${nodes.length}`;
    const leaf = !node.children?.length;
    const out: Record<string, unknown> = {
      id,
      parentId: entry.parentId,
      kind: leaf && node.verified !== undefined ? 'answer' : 'step',
      text: node.text,
      author: 'model',
      status: node.pruned ? 'pruned' : leaf ? 'terminal' : 'expanded',
      iteration: 0,
      runId: 'r1',
    };
    if (node.value !== undefined) {
      out.value = node.value;
      out.valueSource = { kind: 'imported', source: 'trace v0' };
    }
    if (node.visits !== undefined) out.visits = node.visits;
    if (node.q !== undefined) out.q = node.q;
    if (node.verified !== undefined) out.verified = node.verified;
    if (node.pruned) out.prune = { reason: 'pruned (migrated from trace v0)', by: 'engine' };
    if (node.verified && !best) best = { id, verified: true };
    nodes.push(out);
    const children = node.children ?? [];
    for (let i = 0; i < children.length; i++) queue.push({ raw: children[i], parentId: id, up: entry, index: i });
    // Done with this entry: keep only what pathOf needs, so a big tree's raw nodes can be collected.
    entry.raw = undefined;
  }
  const createdAt = v0.createdAt ?? '1970-01-01T00:00:00.000Z';
  return {
    format: 'metacot.trace',
    version: 1,
    id: v0.id ?? `migrated-${createdAt}`,
    createdAt,
    problem: v0.answer === undefined ? { text: v0.problem } : { text: v0.problem, answer: v0.answer },
    runs: [
      {
        id: 'r1',
        config: {
          strategy: v0.strategy,
          params: v0.params ?? {},
          endpoint: { name: 'migrated', baseUrl: v0.baseUrl, model: v0.model, mode: 'chat', sampling: {} },
          verifier: { kind: 'none', params: {} },
          budgets: {},
        },
        startNodeId: 'n0',
        startedAt: createdAt,
        status: 'completed',
        reason: 'migrated from trace format v0',
        usage: emptyUsage(),
        // v0 had one search: its first verified node is both the run's result and the trace's.
        result: best ? { bestNodeId: best.id, verified: true } : { verified: false },
      },
    ],
    nodes,
    events: [],
    usage: emptyUsage(),
    result: best ? { bestNodeId: best.id, verified: best.verified, runId: 'r1' } : null,
  };
}

const steps: Record<number, (raw: unknown) => unknown> = { 0: migrateV0 };

export function migrateToCurrent(raw: { version: number }): unknown {
  let cur: unknown = raw;
  for (let v = raw.version; v < TRACE_VERSION; v++) {
    const step = steps[v];
    if (!step) throw new Error(`no migration from version ${v}`);
    try {
      cur = step(cur);
    } catch (err) {
      if (err instanceof z.ZodError) {
        const first = err.issues[0]!;
        throw new Error(`${first.path.map(String).join('.') || '(top level)'}: ${first.message}`);
      }
      throw err;
    }
  }
  return cur;
}
