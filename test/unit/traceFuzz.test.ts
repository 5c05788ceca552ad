/**
 * Fuzzing the trace loader (issue 14): random mutations of valid traces — nodes dropped, duplicated, reordered,
 * parents rewired (self, cycles, unknown), fields of the wrong type, deep nesting, huge and odd Unicode strings,
 * broken text. The loader must either return a trace that an independent checker (written here, sharing no code
 * with io.ts) finds valid, or throw a TraceParseError with a message: no other exception, no hang, no accepted
 * invalid trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTrace, serializeTrace, TraceParseError } from '../../src/core/trace/io';
import type { Run, Trace } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';

const NUM_RUNS = 300;
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);

interface BaseSpec {
  parents: number[];
  kinds: ('step' | 'answer')[];
  values: (number | undefined)[];
  texts: string[];
}

/** A valid trace built through the tree API: node i+1 hangs under node parents[i] (an earlier node). */
function buildTrace(spec: BaseSpec): Trace {
  const tree = TraceTree.create({ text: 'Reach 24 from 3 5 7 2.', answer: '24' }, { id: 'fuzz', createdAt: '2026-12-01T00:00:00.000Z' });
  const usage = { requests: spec.parents.length, cachedRequests: 0, tokensIn: 10, tokensOut: 5, cost: 0.001 };
  const run: Run = {
    id: 'r1',
    config: {
      strategy: 'beam',
      params: { width: 2 },
      endpoint: { name: 'local', baseUrl: 'http://127.0.0.1:1/v1', model: 'm', mode: 'chat', sampling: {} },
      verifier: { kind: 'none', params: {} },
      budgets: {},
    },
    startNodeId: 'n0',
    startedAt: '2026-12-01T00:00:00.000Z',
    status: 'completed',
    usage,
  };
  tree.trace.runs.push(run);
  tree.trace.usage = { ...usage };
  spec.parents.forEach((p, i) => {
    const fields: Parameters<TraceTree['addChild']>[1] = { kind: spec.kinds[i]!, text: spec.texts[i]!, author: 'model', runId: 'r1' };
    if (spec.values[i] !== undefined) fields.value = spec.values[i];
    tree.addChild(`n${Math.min(p, i)}`, fields);
  });
  const last = tree.trace.nodes[tree.trace.nodes.length - 1]!;
  tree.trace.result = { bestNodeId: last.id, verified: false };
  return structuredClone(tree.toJSON());
}

const baseArb: fc.Arbitrary<BaseSpec> = fc.integer({ min: 0, max: 25 }).chain((n) =>
  fc.record({
    parents: fc.array(fc.nat({ max: 30 }), { minLength: n, maxLength: n }),
    kinds: fc.array(fc.constantFrom('step' as const, 'answer' as const), { minLength: n, maxLength: n }),
    values: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }), { minLength: n, maxLength: n }),
    texts: fc.array(fc.string({ maxLength: 20, unit: 'binary' }), { minLength: n, maxLength: n }),
  }),
);

/** Wrong-typed values, deep structures and odd strings a field may be replaced by. */
const badValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, '', 'n0', 'root', [], {}, [1, 2], { id: 'x' }),
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.string({ maxLength: 30, unit: 'grapheme' }),
  fc.integer({ min: 1, max: 3000 }).map((depth) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
    return v;
  }),
  fc.integer({ min: 10_000, max: 200_000 }).map((len) => 'é☃\u0000\u001b\ud800'.repeat(len / 5)),
  fc.jsonValue({ maxDepth: 4 }),
);

const NODE_FIELDS = ['id', 'parentId', 'kind', 'text', 'author', 'status', 'iteration', 'runId', 'value', 'visits', 'verified', 'originalText', 'supersededBy', 'meta', 'answer'];
const TOP_FIELDS = ['format', 'version', 'id', 'createdAt', 'problem', 'runs', 'nodes', 'events', 'usage', 'result'];

type Mutation =
  | { m: 'drop'; i: number }
  | { m: 'duplicate'; i: number; at: number }
  | { m: 'swap'; i: number; j: number }
  | { m: 'parent'; i: number; to: 'self' | 'null' | 'unknown' | number }
  | { m: 'cycle'; i: number; j: number }
  | { m: 'nodeField'; i: number; field: string; value: unknown }
  | { m: 'dropNodeField'; i: number; field: string }
  | { m: 'topField'; field: string; value: unknown }
  | { m: 'dropTopField'; field: string }
  | { m: 'event'; node: string }
  | { m: 'runId'; value: string }
  | { m: 'usage'; delta: number }
  | { m: 'best'; id: string }
  | { m: 'version'; v: unknown };

const idArb = fc.oneof(fc.constantFrom('n0', 'n1', 'n2', 'n3', 'nope', ''), fc.string({ maxLength: 6 }));
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ m: fc.constant('drop' as const), i: fc.nat(30) }),
  fc.record({ m: fc.constant('duplicate' as const), i: fc.nat(30), at: fc.nat(30) }),
  fc.record({ m: fc.constant('swap' as const), i: fc.nat(30), j: fc.nat(30) }),
  fc.record({ m: fc.constant('parent' as const), i: fc.nat(30), to: fc.oneof(fc.constantFrom('self' as const, 'null' as const, 'unknown' as const), fc.nat(30)) }),
  fc.record({ m: fc.constant('cycle' as const), i: fc.nat(30), j: fc.nat(30) }),
  fc.record({ m: fc.constant('nodeField' as const), i: fc.nat(30), field: fc.constantFrom(...NODE_FIELDS), value: badValueArb }),
  fc.record({ m: fc.constant('dropNodeField' as const), i: fc.nat(30), field: fc.constantFrom(...NODE_FIELDS) }),
  fc.record({ m: fc.constant('topField' as const), field: fc.constantFrom(...TOP_FIELDS), value: badValueArb }),
  fc.record({ m: fc.constant('dropTopField' as const), field: fc.constantFrom(...TOP_FIELDS) }),
  fc.record({ m: fc.constant('event' as const), node: idArb }),
  fc.record({ m: fc.constant('runId' as const), value: fc.constantFrom('r1', 'r2', '') }),
  fc.record({ m: fc.constant('usage' as const), delta: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ m: fc.constant('best' as const), id: idArb }),
  fc.record({ m: fc.constant('version' as const), v: fc.constantFrom(0, 1, 2, -1, 1.5, '1', null) }),
);

type TextMutation = { t: 'none' } | { t: 'cut'; at: number } | { t: 'insert'; at: number; s: string } | { t: 'bom' } | { t: 'nest'; depth: number };
const textMutationArb: fc.Arbitrary<TextMutation> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ t: 'none' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cut' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), s: fc.constantFrom('"', '{', ']', ',', '\\', '\u0000', 'x', '[[[[') }) },
  { weight: 1, arbitrary: fc.constant({ t: 'bom' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('nest' as const), depth: fc.integer({ min: 1, max: 100_000 }) }) },
);

function applyMutation(raw: Record<string, unknown>, mu: Mutation): void {
  const nodes = Array.isArray(raw.nodes) ? (raw.nodes as Record<string, unknown>[]) : undefined;
  // A node to mutate, if that slot holds an object (an earlier mutation may have put anything there).
  const at = (i: number): Record<string, unknown> | undefined => {
    const n = nodes && nodes.length ? (nodes[i % nodes.length] as unknown) : undefined;
    return typeof n === 'object' && n !== null && !Array.isArray(n) ? (n as Record<string, unknown>) : undefined;
  };
  switch (mu.m) {
    case 'drop':
      if (nodes?.length) nodes.splice(mu.i % nodes.length, 1);
      break;
    case 'duplicate': {
      const n = at(mu.i);
      if (nodes && n) nodes.splice(mu.at % (nodes.length + 1), 0, structuredClone(n));
      break;
    }
    case 'swap':
      if (nodes?.length) {
        const i = mu.i % nodes.length;
        const j = mu.j % nodes.length;
        [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
      }
      break;
    case 'parent': {
      const n = at(mu.i);
      if (!n) break;
      n.parentId = mu.to === 'self' ? n.id : mu.to === 'null' ? null : mu.to === 'unknown' ? 'no-such-node' : at(mu.to)?.id;
      break;
    }
    case 'cycle': {
      const a = at(mu.i);
      const b = at(mu.j);
      if (a && b) {
        a.parentId = b.id;
        b.parentId = a.id;
      }
      break;
    }
    case 'nodeField': {
      const n = at(mu.i);
      if (n) n[mu.field] = mu.value;
      break;
    }
    case 'dropNodeField': {
      const n = at(mu.i);
      if (n) delete n[mu.field];
      break;
    }
    case 'topField':
      raw[mu.field] = mu.value;
      break;
    case 'dropTopField':
      delete raw[mu.field];
      break;
    case 'event':
      if (Array.isArray(raw.events)) raw.events.push({ i: 0, type: 'select', node: mu.node });
      break;
    case 'runId': {
      const runs = raw.runs;
      if (Array.isArray(runs) && runs[0] && typeof runs[0] === 'object') (runs[0] as Record<string, unknown>).id = mu.value;
      break;
    }
    case 'usage': {
      const u = raw.usage;
      if (u && typeof u === 'object') {
        const usage = u as Record<string, unknown>;
        if (typeof usage.requests === 'number') usage.requests += mu.delta;
      }
      break;
    }
    case 'best':
      raw.result = { bestNodeId: mu.id, verified: true };
      break;
    case 'version':
      raw.version = mu.v;
      break;
  }
}

function applyTextMutation(text: string, mu: TextMutation): string {
  switch (mu.t) {
    case 'none':
      return text;
    case 'cut':
      return text.slice(0, Math.floor(mu.at * text.length));
    case 'insert': {
      const i = Math.floor(mu.at * text.length);
      return text.slice(0, i) + mu.s + text.slice(i);
    }
    case 'bom':
      return `\uFEFF${text}`;
    case 'nest':
      // Deep nesting as text (JSON.stringify would recurse): a node's meta holding a deep array.
      return text.replace('"nodes":[{', `"nodes":[{"meta":{"deep":${'['.repeat(mu.depth)}${']'.repeat(mu.depth)}},`);
  }
}

/**
 * Every rule of a loaded trace, checked from scratch: shapes of the fields the mutations touch, the tree's
 * structure (one root first, unique ids, every parent earlier, hence no cycles) and every cross-reference.
 */
function independentProblems(t: Trace): string[] {
  const out: string[] = [];
  const isStr = (x: unknown) => typeof x === 'string';
  const isCount = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (t.format !== 'metacot.trace' || t.version !== 1) out.push('format/version');
  if (!isStr(t.id) || t.id === '' || !isStr(t.createdAt)) out.push('id/createdAt');
  if (!t.problem || !isStr(t.problem.text)) out.push('problem');
  if (!Array.isArray(t.nodes) || t.nodes.length === 0) return [...out, 'no nodes'];
  const index = new Map<string, number>();
  const runIds = new Set<string>();
  for (const r of t.runs) {
    if (!isStr(r.id) || r.id === '' || runIds.has(r.id)) out.push(`run id ${String(r.id)}`);
    runIds.add(r.id);
  }
  t.nodes.forEach((n, i) => {
    if (!isStr(n.id) || n.id === '') out.push(`node ${i} id`);
    if (index.has(n.id)) out.push(`node ${i} duplicate id`);
    if (!isStr(n.text)) out.push(`node ${i} text`);
    if (!['root', 'step', 'answer', 'rollout', 'verification'].includes(n.kind)) out.push(`node ${i} kind`);
    if (!['model', 'human', 'imported'].includes(n.author)) out.push(`node ${i} author`);
    if (!['open', 'running', 'expanded', 'terminal', 'pruned', 'failed', 'cancelled'].includes(n.status)) out.push(`node ${i} status`);
    if (!isCount(n.iteration)) out.push(`node ${i} iteration`);
    if (n.value !== undefined && !(typeof n.value === 'number' && n.value >= 0 && n.value <= 1)) out.push(`node ${i} value`);
    if (n.visits !== undefined && !isCount(n.visits)) out.push(`node ${i} visits`);
    if (n.verified !== undefined && typeof n.verified !== 'boolean') out.push(`node ${i} verified`);
    if (n.answer !== undefined && !isStr(n.answer)) out.push(`node ${i} answer`);
    if (n.originalText !== undefined && (!isStr(n.originalText) || n.originalText === n.text)) out.push(`node ${i} originalText`);
    if (n.meta !== undefined) {
      if (typeof n.meta !== 'object' || n.meta === null || Array.isArray(n.meta)) out.push(`node ${i} meta`);
      else for (const v of Object.values(n.meta)) if (typeof v === 'object' && v !== null && !(Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'))) out.push(`node ${i} meta value`);
    }
    if (i === 0) {
      if (n.parentId !== null || n.kind !== 'root') out.push('first node is not the root');
    } else {
      if (n.kind === 'root') out.push(`node ${i} second root`);
      if (!isStr(n.parentId) || !index.has(n.parentId!)) out.push(`node ${i} parent not earlier`);
    }
    if (n.runId !== undefined && !runIds.has(n.runId)) out.push(`node ${i} runId`);
    if (n.supersededBy !== undefined && !runIds.has(n.supersededBy)) out.push(`node ${i} supersededBy`);
    if (!index.has(n.id)) index.set(n.id, i);
  });
  // No cycles, everything reachable: walking up from any node reaches the root in fewer steps than there are nodes.
  for (const n of t.nodes) {
    let cur: string | null = n.id;
    let steps = 0;
    while (cur !== null && steps <= t.nodes.length) {
      cur = t.nodes[index.get(cur)!]?.parentId ?? null;
      steps++;
    }
    if (steps > t.nodes.length) out.push(`node ${n.id} on a cycle`);
  }
  for (const e of t.events) {
    if (!index.has(e.node)) out.push(`event node ${e.node}`);
    if (e.run !== undefined && !runIds.has(e.run)) out.push(`event run ${e.run}`);
  }
  for (const r of t.runs) if (!index.has(r.startNodeId)) out.push(`run start ${r.startNodeId}`);
  if (t.result && t.result.bestNodeId !== undefined && !index.has(t.result.bestNodeId)) out.push('result.bestNodeId');
  if (t.runs.length) {
    for (const k of ['requests', 'cachedRequests', 'tokensIn', 'tokensOut'] as const) {
      if (t.runs.reduce((s, r) => s + r.usage[k], 0) !== t.usage[k]) out.push(`usage.${k}`);
    }
  }
  return out;
}

test('trace loader fuzz: valid or a TraceParseError, never another error, a hang or an invalid accept', { timeout: 240_000 }, (t) => {
  const tally = { accepted: 0, rejected: 0, slowestMs: 0 };
  fc.assert(
    fc.property(baseArb, fc.array(mutationArb, { minLength: 0, maxLength: 4 }), textMutationArb, (spec, mutations, textMutation) => {
      const raw = buildTrace(spec) as unknown as Record<string, unknown>;
      for (const mu of mutations) applyMutation(raw, mu);
      const text = applyTextMutation(JSON.stringify(raw), textMutation);
      const start = performance.now();
      let loaded: Trace;
      try {
        loaded = parseTrace(text, 'fuzz.metacot.json');
      } catch (e) {
        tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start);
        assert.ok(e instanceof TraceParseError, `not a TraceParseError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
        assert.ok(e.issues.length > 0 && e.issues.every((i) => typeof i.message === 'string' && i.message.length > 0), 'every issue has a message');
        assert.match(e.message, /^fuzz\.metacot\.json: not a valid Meta-CoT trace:\n./);
        tally.rejected++;
        return;
      }
      tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start);
      assert.deepEqual(independentProblems(loaded), [], 'accepted a trace the independent checker finds invalid');
      // An accepted trace is one the tree can wrap and walk, and it round-trips.
      const tree = TraceTree.from(loaded);
      assert.equal(tree.subtree(tree.root().id).length, loaded.nodes.length, 'every node hangs under the root');
      const again = serializeTrace(loaded);
      assert.equal(serializeTrace(parseTrace(again)), again);
      tally.accepted++;
    }),
    { numRuns: NUM_RUNS, seed: SEED },
  );
  t.diagnostic(`seed ${SEED}: ${tally.accepted} accepted, ${tally.rejected} rejected, slowest load ${tally.slowestMs.toFixed(0)} ms`);
  // Both outcomes were exercised, or the fuzzer tested nothing.
  assert.ok(tally.accepted >= 10, `only ${tally.accepted} accepted`);
  assert.ok(tally.rejected >= 10, `only ${tally.rejected} rejected`);
});

test('the base traces the fuzzer mutates are valid', () => {
  fc.assert(
    fc.property(baseArb, (spec) => {
      const text = JSON.stringify(buildTrace(spec));
      assert.deepEqual(independentProblems(parseTrace(text)), []);
    }),
    { numRuns: 50, seed: SEED },
  );
});
