/**
 * Migrations from older trace format versions to the current one. Each step takes the raw JSON of version k and
 * returns raw JSON of version k+1; the result is validated by the current schema afterwards, never trusted.
 *
 * Version 0 (pre-release prototype) stored a nested tree:
 *   { format, version: 0, id?, createdAt?, problem: string, answer?: string, strategy: string, params?: {},
 *     model: string, baseUrl: string, root: { text, children: V0Node[] } }
 *   V0Node = { text, value?, visits?, q?, pruned?: boolean, verified?: boolean, children?: V0Node[] }
 */
import { z } from 'zod';
import { TRACE_VERSION, StrategyNameSchema, emptyUsage } from './schema';

interface V0Node {
  text: string;
  value?: number;
  visits?: number;
  q?: number;
  pruned?: boolean;
  verified?: boolean;
  children?: V0Node[];
}

const V0NodeSchema: z.ZodType<V0Node> = z.lazy(() =>
  z.object({
    text: z.string(),
    value: z.number().optional(),
    visits: z.number().int().nonnegative().optional(),
    q: z.number().optional(),
    pruned: z.boolean().optional(),
    verified: z.boolean().optional(),
    children: z.array(V0NodeSchema).optional(),
  }),
);

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
  root: z.object({ text: z.string(), children: z.array(V0NodeSchema) }),
});

function migrateV0(raw: unknown): unknown {
  const v0 = TraceV0Schema.parse(raw);
  const nodes: Record<string, unknown>[] = [
    { id: 'n0', parentId: null, kind: 'root', text: v0.root.text, author: 'human', status: 'expanded', iteration: 0, runId: 'r1' },
  ];
  let best: { id: string; verified: boolean } | undefined;
  // Breadth-first keeps parents before children, as v1's creation order requires.
  const queue: { node: V0Node; parentId: string }[] = v0.root.children.map((node) => ({ node, parentId: 'n0' }));
  while (queue.length) {
    const { node, parentId } = queue.shift()!;
    const id = `n${nodes.length}`;
    const leaf = !node.children?.length;
    const out: Record<string, unknown> = {
      id,
      parentId,
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
    for (const child of node.children ?? []) queue.push({ node: child, parentId: id });
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
      },
    ],
    nodes,
    events: [],
    usage: emptyUsage(),
    result: best ? { bestNodeId: best.id, verified: best.verified } : null,
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
