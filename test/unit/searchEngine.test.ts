import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointError } from '../../src/core/llm/errors';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { ParamError } from '../../src/core/search/params';
import { checkInvariants, parseTrace, readTraceFile, serializeTrace, writeTraceFile } from '../../src/core/trace/io';
import type { Trace, TraceEvent } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { branchPolicy, fixedClock, freshTree, makeGenerator, stripTimes } from './searchFixtures';

const rollout = { kind: 'rollout' as const, params: { K: 4 } };

test('maxRequests is never exceeded and ends the run with status budget and the reason', async () => {
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'mcts', params: { simulations: 100, concurrency: 4 }, verifier: rollout, budgets: { maxRequests: 13 } }, generator: makeGenerator(branchPolicy()) });
  assert.equal(run.status, 'budget');
  assert.match(run.reason!, /maxRequests reached/);
  assert.equal(run.usage.requests, 13);
  assert.equal(tree.toJSON().usage.requests, 13);
  assert.equal(checkInvariants(tree.toJSON()).length, 0);
  assert.ok(tree.toJSON().nodes.every((n) => n.status !== 'running'));
});

test('maxNodes counts nodes before they are created; maxTokens overshoots by at most the requests in flight', async () => {
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 4, width: 4 }, verifier: rollout, budgets: { maxNodes: 10 } }, generator: makeGenerator(branchPolicy()) });
  assert.equal(run.status, 'budget');
  assert.ok(tree.size - 1 <= 10, `${tree.size - 1} nodes`);
  assert.match(run.reason!, /maxNodes/);

  const tree2 = freshTree();
  const gen = makeGenerator(branchPolicy());
  const run2 = await runSearch({ tree: tree2, config: { strategy: 'mcts', params: { simulations: 200, concurrency: 3 }, verifier: rollout, budgets: { maxTokens: 500 } }, generator: gen });
  assert.equal(run2.status, 'budget');
  const used = run2.usage.tokensIn + run2.usage.tokensOut;
  assert.ok(used >= 500);
  // Largest single request here is well under 100 tokens; at most 3 were in flight.
  assert.ok(used < 500 + 3 * 100, `used ${used}`);
});

test('maxCost uses the price params; maxWallMs aborts in-flight requests, whose nodes become cancelled', async () => {
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'mcts', params: { simulations: 100, priceIn: 1000, priceOut: 1000 }, verifier: rollout, budgets: { maxCost: 0.1 } }, generator: makeGenerator(branchPolicy()) });
  assert.equal(run.status, 'budget');
  assert.ok(run.usage.cost >= 0.1 && run.usage.cost < 0.5, `cost ${run.usage.cost}`);

  const tree2 = freshTree();
  const slow = makeGenerator(branchPolicy(), { latencyMs: 5000 });
  const t0 = Date.now();
  const run2 = await runSearch({ tree: tree2, config: { strategy: 'best-of-n', params: { n: 4, perRequest: 1, concurrency: 4 }, budgets: { maxWallMs: 50 } }, generator: slow });
  assert.ok(Date.now() - t0 < 2000, 'the requests were aborted, not awaited');
  assert.equal(run2.status, 'budget');
  assert.match(run2.reason!, /maxWallMs/);
  assert.deepEqual(tree2.children('n0').map((n) => n.status), ['cancelled', 'cancelled', 'cancelled', 'cancelled']);
});

test('cancellation keeps every finished node; in-flight nodes become cancelled', async () => {
  const tree = freshTree();
  const ctl = new AbortController();
  const gen = makeGenerator(branchPolicy(), { latencyMs: 15 });
  const seen: TraceEvent[] = [];
  setTimeout(() => ctl.abort(), 100);
  const run = await runSearch({ tree, config: { strategy: 'mcts', params: { simulations: 1000, concurrency: 4 }, verifier: rollout }, generator: gen, signal: ctl.signal, onEvent: (e) => seen.push(e) });
  assert.equal(run.status, 'cancelled');
  assert.equal(run.reason, 'cancelled by the user');
  const nodes = tree.toJSON().nodes.slice(1);
  assert.ok(nodes.some((n) => n.status === 'open' || n.status === 'expanded'), 'finished nodes are kept');
  assert.ok(nodes.every((n) => n.status !== 'running'));
  assert.ok(nodes.filter((n) => n.status === 'cancelled').every((n) => n.text === ''), 'only nodes without an answer are cancelled');
  assert.ok(nodes.filter((n) => n.status !== 'cancelled').every((n) => n.text !== ''));
  assert.equal(gen.inFlight, 0);
  // onEvent saw exactly the run's events, in log order.
  assert.deepEqual(seen, tree.toJSON().events.filter((e) => e.run === run.id));
});

test('an already-aborted signal ends the run before any request', async () => {
  const tree = freshTree();
  const gen = makeGenerator(branchPolicy());
  const run = await runSearch({ tree, config: { strategy: 'beam' }, generator: gen, signal: AbortSignal.abort() });
  assert.equal(run.status, 'cancelled');
  assert.equal(gen.requests.length, 0);
  assert.equal(tree.size, 1);
});

test('failed requests are recorded on the failed nodes; the run goes on until maxErrors, fatal kinds end it at once', async () => {
  const server = (call: number) => new EndpointError({ kind: 'server', endpoint: 'test', message: `500 on call ${call}` });
  const tree = freshTree();
  const gen = new InProcessGenerator(branchPolicy(), { fail: (req, call) => (call === 1 ? server(call) : undefined) });
  const run = await runSearch({ tree, config: { strategy: 'best-of-n', params: { n: 4, perRequest: 1, concurrency: 1 } }, generator: gen });
  assert.equal(run.status, 'solved');
  const failed = tree.children('n0').filter((n) => n.status === 'failed');
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.error!, /server: .*500 on call 1/);
  assert.ok(tree.toJSON().events.some((e) => e.type === 'error' && e.node === failed[0]!.id));

  const tree2 = freshTree();
  const always = new InProcessGenerator(branchPolicy(), { fail: (_r, call) => server(call) });
  const run2 = await runSearch({ tree: tree2, config: { strategy: 'mcts', params: { maxErrors: 3, concurrency: 1 }, verifier: rollout }, generator: always });
  assert.equal(run2.status, 'failed');
  assert.match(run2.reason!, /3 failed requests \(maxErrors 3\)/);
  assert.equal(always.requests.length, 3);

  const tree3 = freshTree();
  const auth = new InProcessGenerator(branchPolicy(), { fail: () => new EndpointError({ kind: 'auth', endpoint: 'test', message: '401: check the API key' }) });
  const run3 = await runSearch({ tree: tree3, config: { strategy: 'beam', params: { concurrency: 1 } }, generator: auth });
  assert.equal(run3.status, 'failed');
  assert.match(run3.reason!, /auth: .*check the API key/);
  assert.equal(auth.requests.length, 1);
  assert.equal(checkInvariants(tree3.toJSON()).length, 0);
});

test('a failing value estimator marks the node failed with the error and the search skips it', async () => {
  const tree = freshTree();
  const gen = new InProcessGenerator(branchPolicy(), {
    fail: (req) => (req.purpose === 'rollout' && req.steps[0] === 'branch B' ? new EndpointError({ kind: 'timeout', endpoint: 't', message: 'no answer in 5 s' }) : undefined),
  });
  const run = await runSearch({ tree, config: { strategy: 'mcts', params: { b: 2, simulations: 6, maxErrors: 10, concurrency: 1 }, verifier: rollout }, generator: gen });
  const b = tree.children('n0').find((n) => n.text === 'branch B')!;
  assert.equal(b.status, 'failed');
  assert.match(b.error!, /^value: timeout/);
  assert.equal(b.visits, undefined);
  assert.notEqual(run.status, 'failed');
});

test('bad params and unknown start nodes are caller errors, thrown before the trace changes', async () => {
  const tree = freshTree();
  await assert.rejects(runSearch({ tree, config: { strategy: 'beam', params: { widht: 3 } }, generator: makeGenerator(branchPolicy()) }), (e: Error) => e instanceof ParamError && /unknown parameter "widht"/.test(e.message));
  await assert.rejects(runSearch({ tree, config: { strategy: 'beam', params: { width: 'wide' } }, generator: makeGenerator(branchPolicy()) }), /width: expected a number/);
  await assert.rejects(runSearch({ tree, config: { strategy: 'beam' }, startNodeId: 'n99', generator: makeGenerator(branchPolicy()) }), /n99/);
  assert.equal(tree.toJSON().runs.length, 0);
});

test('checkpoints: written every interval while running and once at the end, never two at a time', async () => {
  const tree = freshTree();
  const writes: number[] = [];
  let writing = 0;
  let overlap = false;
  const run = await runSearch({
    tree,
    config: { strategy: 'mcts', params: { simulations: 12, concurrency: 2 }, verifier: rollout },
    generator: makeGenerator(branchPolicy(), { latencyMs: 10 }),
    checkpoint: {
      intervalMs: 20,
      async write(t: Trace) {
        if (writing++) overlap = true;
        writes.push(t.nodes.length);
        serializeTrace(t); // a checkpoint is always a valid trace
        await new Promise((r) => setTimeout(r, 5));
        writing--;
      },
    },
  });
  assert.ok(writes.length >= 3, `${writes.length} writes`);
  assert.equal(overlap, false);
  assert.equal(writes[writes.length - 1], tree.size);
  assert.ok(writes[0]! < tree.size, 'an early checkpoint holds the work done so far');
  assert.notEqual(run.status, 'running');
});

test('a failed final checkpoint rejects (the caller must know the file is stale)', async () => {
  const tree = freshTree();
  await assert.rejects(
    runSearch({ tree, config: { strategy: 'single' }, generator: makeGenerator(branchPolicy()), checkpoint: { write: () => Promise.reject(new Error('disk full')) } }),
    /disk full/,
  );
});

test('re-run from an edited node changes only that subtree (asserted on the written file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'metacot-rerun-'));
  try {
    const file = join(dir, 'rerun.metacot.json');
    const tree = freshTree();
    const write = (t: Trace) => writeTraceFile(file, t);
    await runSearch({ tree, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1 }, verifier: rollout }, generator: makeGenerator(branchPolicy()), checkpoint: { write }, now: fixedClock() });
    const before = await readTraceFile(file);
    const start = before.nodes.find((n) => n.parentId !== null && n.text === 'branch A' && tree.childIdsOf(n.id).length > 0)!;
    const oldSubtree = new Set(tree.subtree(start.id).map((n) => n.id));

    const edited = TraceTree.from(await readTraceFile(file));
    edited.editText(start.id, 'branch A, but carefully');
    const run2 = await runSearch({ tree: edited, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 2, concurrency: 1 }, verifier: rollout }, startNodeId: start.id, generator: makeGenerator(branchPolicy()), checkpoint: { write }, now: fixedClock() });
    assert.equal(run2.startNodeId, start.id);
    const after = await readTraceFile(file);

    const beforeById = new Map(before.nodes.map((n) => [n.id, n]));
    for (const n of after.nodes) {
      const old = beforeById.get(n.id);
      if (!old) {
        // New: a descendant of the start node, from the new run.
        assert.equal(n.runId, run2.id);
        assert.ok(edited.pathToRoot(n.id).some((p) => p.id === start.id), `${n.id} is under ${start.id}`);
      } else if (oldSubtree.has(n.id) && n.id !== start.id) {
        assert.deepEqual({ ...n, supersededBy: undefined }, { ...old, supersededBy: undefined }, `${n.id} kept as it was`);
        assert.equal(n.supersededBy, run2.id);
      } else if (n.id !== start.id) {
        assert.deepEqual(n, old, `${n.id} outside the subtree is unchanged`);
      }
    }
    assert.equal(after.nodes.find((n) => n.id === start.id)!.text, 'branch A, but carefully');
    assert.equal(after.nodes.find((n) => n.id === start.id)!.originalText, 'branch A');
    // The new run's prompts continue the edited text.
    assert.equal(after.runs.length, 2);
    assert.deepEqual(after.events.slice(0, before.events.length), before.events);

    // replaceSubtree deletes the old descendants instead.
    const replaced = TraceTree.from(await readTraceFile(file));
    const gen3 = makeGenerator(branchPolicy());
    await runSearch({ tree: replaced, config: { strategy: 'single' }, startNodeId: start.id, replaceSubtree: true, generator: gen3, checkpoint: { write } });
    const final = await readTraceFile(file);
    assert.deepEqual(final.nodes.filter((n) => n.parentId === start.id).map((n) => n.runId), ['r3']);
    assert.deepEqual(gen3.requests[0]!.steps, ['branch A, but carefully']);
    assert.equal(checkInvariants(final).length, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('seeded runs at concurrency 1 give identical traces (in-process policy)', async () => {
  const once = async () => {
    const tree = freshTree();
    const policy = (req: GenerateRequest, i: number) => `step seeded ${req.seed} ${i} ${req.steps.length}${req.steps.length >= 3 ? ' The answer is 42' : ''}`;
    await runSearch({ tree, config: { strategy: 'mcts', params: { seed: 7, concurrency: 1, simulations: 10 }, verifier: rollout }, generator: new InProcessGenerator(policy), now: fixedClock() });
    return serializeTrace(tree.toJSON());
  };
  const a = await once();
  const b = await once();
  assert.equal(a, b);
  assert.deepEqual(stripTimes(parseTrace(a)), stripTimes(parseTrace(b)));
  assert.match(a, /step seeded \d+ 0 0/);
});
