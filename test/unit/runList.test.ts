// Runs apart: which nodes a re-run superseded, which nodes read as one run (the run filter), and the run list's rows,
// on a trace the engine wrote (beam from the root, then an MCTS re-run from a step with children) and hand-built ones.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fadedMask, indexNodes, runMask, runNodeIds, supersededIds, supersededMask } from '../../src/core/trace/supersession';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Trace, TraceNode } from '../../src/core/trace/schema';
import { fmtCost, rowSummary, runRows } from '../../webview/runListModel';
import { twoRunTrace } from './twoRunsFixture';

const ones = (mask: Uint8Array | null, t: Pick<Trace, 'nodes'>): string[] => (mask ? t.nodes.filter((_, i) => mask[i] === 1).map((n) => n.id) : []);

/** Everything below `id` (not `id` itself), by walking parentId: an independent recount. */
function below(t: Trace, id: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of t.nodes) if (n.parentId !== null && (n.parentId === id || out.has(n.parentId)) && !out.has(n.id)) out.add(n.id), (grew = true);
  }
  return out;
}

function ancestors(t: Trace, id: string): string[] {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  for (let n = byId.get(id); n; n = n.parentId === null ? undefined : byId.get(n.parentId)) out.push(n.id);
  return out;
}

describe('supersession and the run filter', () => {
  let trace: Trace;
  before(async () => {
    trace = await twoRunTrace();
  });

  it('the engine-written re-run: its start node’s old subtree is superseded, its own nodes and everything else are not', () => {
    const rerun = trace.runs[1]!;
    assert.equal(rerun.config.strategy, 'mcts');
    const old = [...below(trace, rerun.startNodeId)].filter((id) => trace.nodes.find((n) => n.id === id)!.runId === trace.runs[0]!.id);
    assert.ok(old.length >= 2, `the re-run superseded only ${old.length} nodes`);
    assert.deepEqual(supersededIds(trace).sort(), old.sort());
    for (const n of trace.nodes) if (n.runId === rerun.id) assert.ok(!supersededIds(trace).includes(n.id), `${n.id} of the re-run is superseded`);
    // No filter: the faded nodes are exactly the superseded ones.
    assert.deepEqual(ones(fadedMask(indexNodes(trace.nodes), null), trace).sort(), old.sort());
  });

  it('a run reads as its own nodes plus the path it started from; filtering fades everything else', () => {
    const [first, rerun] = trace.runs as [Trace['runs'][0], Trace['runs'][0]];
    const t = indexNodes(trace.nodes);
    const expected = new Set([...ancestors(trace, rerun.startNodeId), ...trace.nodes.filter((n) => n.runId === rerun.id).map((n) => n.id)]);
    assert.deepEqual(new Set(runNodeIds(trace, rerun.id)), expected);
    const faded = fadedMask(t, rerun);
    assert.deepEqual(new Set(ones(faded, trace)), new Set(trace.nodes.map((n) => n.id).filter((id) => !expected.has(id))));
    // Filtering to the first run brightens its superseded nodes (the filter asks to read that run) and fades the re-run's.
    const firstFaded = new Set(ones(fadedMask(t, first), trace));
    for (const id of supersededIds(trace)) assert.ok(!firstFaded.has(id), `${id} of the filtered run is faded`);
    for (const n of trace.nodes) if (n.runId === rerun.id) assert.ok(firstFaded.has(n.id), `${n.id} of the other run is bright`);
    assert.ok(!firstFaded.has('n0'));
    assert.equal(runNodeIds(trace, 'nope').length, 0);
  });

  it('a re-run started inside a superseded subtree is that run’s own work; human nodes added there stay old', () => {
    const node = (id: string, parentId: string | null, extra: Partial<TraceNode> = {}): TraceNode =>
      ({ id, parentId, kind: parentId === null ? 'root' : 'step', text: id, author: 'model', status: 'expanded', iteration: 0, ...extra }) as TraceNode;
    const nodes = [
      node('n0', null),
      node('a', 'n0', { runId: 'r1' }),
      node('b', 'a', { runId: 'r1', supersededBy: 'r2' }),
      // Out of order: a child listed before its parent.
      node('d', 'c', { runId: 'r1', supersededBy: 'r2' }),
      node('c', 'b', { runId: 'r1', supersededBy: 'r2' }),
      node('h', 'c', { author: 'human' }),
      node('x', 'c', { runId: 'r3' }),
      node('y', 'x', { runId: 'r3' }),
      node('z', 'a', { runId: 'r2' }),
    ];
    const t = indexNodes(nodes);
    assert.deepEqual(ones(supersededMask(t), { nodes }), ['b', 'd', 'c', 'h']);
    assert.deepEqual(ones(runMask(t, { id: 'r3', startNodeId: 'c' }), { nodes }), ['n0', 'a', 'b', 'c', 'x', 'y']);
    assert.equal(fadedMask(indexNodes([node('n0', null), node('a', 'n0', { runId: 'r1' })]), null), null, 'nothing superseded: no mask');
  });

  it('a parent cycle in a broken file ends the walk instead of spinning', () => {
    const nodes = [
      { id: 'a', parentId: 'b', kind: 'step', text: '', author: 'model', status: 'open', iteration: 0 },
      { id: 'b', parentId: 'a', kind: 'step', text: '', author: 'model', status: 'open', iteration: 0 },
    ] as TraceNode[];
    assert.deepEqual([...supersededMask(indexNodes(nodes))], [0, 0]);
    assert.deepEqual([...runMask(indexNodes(nodes), { id: 'r9', startNodeId: 'a' })], [1, 1]);
  });
});

describe('run list rows', () => {
  it('one row per run with the numbers recounted from the trace, the verified answer and the no-value-signal warning', async () => {
    const trace = await twoRunTrace();
    const { runs, nodes, ...header } = trace;
    const rows = runRows({ runs, nodes, header }, STRATEGY_CATALOG, Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(rows.length, 2);
    for (const [k, row] of rows.entries()) {
      const run = runs[k]!;
      assert.equal(row.id, run.id);
      assert.equal(row.nodes, nodes.filter((n) => n.runId === run.id).length);
      assert.equal(row.tokens, run.usage.tokensIn + run.usage.tokensOut);
      assert.equal(row.cost, run.usage.cost);
      assert.equal(row.timeMs, Date.parse(run.endedAt!) - Date.parse(run.startedAt));
      assert.equal(row.endpoint, `${run.config.endpoint.name} · ${run.config.endpoint.model}`);
    }
    assert.equal(rows[0]!.strategy, STRATEGY_CATALOG.strategies.find((s) => s.name === 'beam')!.label);
    assert.equal(rows[0]!.status, 'solved');
    assert.equal(rows[0]!.answer, '42');
    assert.equal(rows[0]!.verified, true);
    assert.equal(rows[0]!.warning, undefined, 'the beam run had rollout values that differ');
    assert.equal(rows[1]!.status, 'budget');
    assert.match(rows[1]!.reason ?? '', /maxNodes/);
    // The re-run's rollouts (pA = 0.5, K = 2) scored every step alike: MCTS had nothing to rank by.
    assert.match(rows[1]!.warning ?? '', /mcts ran with no value signal.*set a verifier/);
    assert.match(rowSummary(rows[0]!), /^r1: .* on in-process · .*, solved, answer 42 \(verified\), \d+ nodes, [\d,]+ tokens, cost \$0\.000\d+, \d+ ms$/);
  });

  it('a failed run keeps its reason, a running run is timed to now, a run without an answer says so', () => {
    const base = TraceSchema.parse({
      format: 'metacot.trace', version: 1, id: 't', createdAt: '', problem: { text: 'p' },
      nodes: [{ id: 'n0', parentId: null, kind: 'root', text: 'p', author: 'imported', status: 'expanded', iteration: 0 }],
      events: [], usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 }, result: null,
      runs: ['failed', 'running'].map((status, k) => ({
        id: `r${k + 1}`, startNodeId: 'n0', startedAt: '2026-01-01T00:00:00.000Z', status,
        ...(status === 'failed' ? { endedAt: '2026-01-01T00:00:02.500Z', reason: 'endpoint ref: 401 Unauthorized' } : {}),
        usage: { requests: 1, cachedRequests: 0, tokensIn: 3, tokensOut: 4, cost: 0 },
        config: { strategy: 'single', params: {}, budgets: {}, verifier: { kind: 'answer', params: {} }, endpoint: { name: 'ref', baseUrl: 'http://x/v1', model: 'ref', mode: 'chat', sampling: {} } },
      })),
    });
    const { runs, nodes, ...header } = base;
    const rows = runRows({ runs, nodes, header }, null, Date.parse('2026-01-01T00:00:07Z'));
    assert.equal(rows[0]!.reason, 'endpoint ref: 401 Unauthorized');
    assert.equal(rows[0]!.timeMs, 2500);
    assert.equal(rows[0]!.endpoint, 'ref', 'a model named like its endpoint is not repeated');
    assert.equal(rows[0]!.strategy, 'single', 'no catalog: the strategy name');
    assert.equal(rows[1]!.timeMs, 7000);
    assert.match(rowSummary(rows[1]!), /running, no answer, 0 nodes, 7 tokens, cost —, 7\.00 s$/);
    assert.equal(fmtCost(1.254), '$1.25');
    assert.equal(fmtCost(0.000358), '$0.000358');
  });
});
