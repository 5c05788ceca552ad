/**
 * The search engine against the real reference server through the real endpoint client: the fault matrix (every
 * strategy × every injected fault), revision prompts read from the server's request log, and determinism.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { EndpointConfigInput } from '../../src/core/llm/endpointConfig';
import { runSearch } from '../../src/core/search/engine';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer, ReferenceServerOptions } from '../../src/core/server/referenceServer';
import type { FaultKind } from '../../src/core/server/faults';
import { checkInvariants, serializeTrace } from '../../src/core/trace/io';
import type { Problem, StrategyName } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { fixedClock, stripTimes } from './searchFixtures';

const countdown: Problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };

async function withServer<T>(opts: ReferenceServerOptions, fn: (s: ReferenceServer) => Promise<T>): Promise<T> {
  const s = await startReferenceServer(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const endpoint = (s: ReferenceServer, over: Partial<EndpointConfigInput> = {}) =>
  createEndpointGenerator({ name: 'ref', baseUrl: s.url, model: 'sim-countdown', maxRetries: 0, retryBaseMs: 1, timeoutMs: 400, ...over });

const PARAMS: Record<Exclude<StrategyName, 'in-context'>, Record<string, number>> = {
  single: {},
  'best-of-n': { n: 4, perRequest: 2 },
  beam: { N: 2, width: 2, maxDepth: 3 },
  mcts: { b: 2, simulations: 6 },
  astar: { b: 2, maxExpansions: 4 },
  revision: { attempts: 3, window: 2 },
};

const FAULTS: [FaultKind, RegExp][] = [
  ['429', /rate-limited/],
  ['500', /server/],
  ['503', /server/],
  ['reset', /connection/],
  ['hang', /timeout/],
  ['malformed', /malformed/],
  ['bad-shape', /malformed/],
  ['stream-cut', /stream-cut/],
];

test('fault matrix: every strategy × every injected fault ends cleanly, keeps finished nodes, records the error on the failed node', async () => {
  await withServer({ seed: 1 }, async (server) => {
    for (const [strategy, params] of Object.entries(PARAMS) as [StrategyName, Record<string, number>][]) {
      for (const [fault, kind] of FAULTS) {
        // The fault hits the second request when there is one (after finished work), else the first.
        for (const sequence of [[fault], ['ok', fault]] as const) {
          const label = `${strategy} × ${sequence.join(',')}`;
          server.setFaults({ sequence: [...sequence], hangMs: 5000 });
          server.log.clear();
          const tree = TraceTree.create(countdown);
          const run = await runSearch({
            tree,
            config: { strategy, params: { ...params, concurrency: 1, seed: 3 }, verifier: { kind: 'rollout', params: { K: 2 } } },
            generator: endpoint(server, fault === 'stream-cut' ? { stream: true } : {}),
          });
          const trace = tree.toJSON();
          assert.ok(['completed', 'solved', 'failed'].includes(run.status), `${label}: status ${run.status} (${run.reason})`);
          assert.deepEqual(checkInvariants(trace), [], label);
          serializeTrace(trace);
          assert.ok(trace.nodes.every((n) => n.status !== 'running'), `${label}: a node left running`);
          const failed = trace.nodes.filter((n) => n.error !== undefined);
          const faulted = server.log.generations().filter((e) => e.fault === fault).length;
          if (faulted > 0) {
            assert.ok(failed.some((n) => kind.test(n.error!)), `${label}: no node records ${kind} (errors: ${failed.map((n) => n.error).join(' | ') || 'none'})`);
            assert.ok(trace.events.some((e) => e.type === 'error'), `${label}: error event`);
          }
          if (sequence.length === 2 && strategy !== 'single') {
            const finished = trace.nodes.filter((n) => n.parentId !== null && n.text !== '' && n.status !== 'failed');
            assert.ok(finished.length > 0, `${label}: finished nodes kept`);
          }
          await server.log.settled(3000).catch(() => undefined);
        }
      }
    }
  });
});

test('revision conditions on the last j attempts: checked on the prompts the server received', async () => {
  // 1 and 1 never make 100, so every attempt fails and all are sent.
  const hopeless: Problem = { text: 'Use the numbers 1, 1 to reach 100. Use + - * / and each number at most once.' };
  await withServer({ seed: 2 }, async (server) => {
    const tree = TraceTree.create(hopeless);
    const run = await runSearch({ tree, config: { strategy: 'revision', params: { attempts: 4, window: 2, seed: 5 }, verifier: { kind: 'countdown', params: {} } }, generator: endpoint(server) });
    assert.equal(run.status, 'completed');
    const attempts = tree.children('n0');
    assert.equal(attempts.length, 4);
    const prompts = server.log.generations().map((e) => e.promptText!);
    assert.equal(prompts.length, 4);
    assert.doesNotMatch(prompts[0]!, /Previous attempts/);
    const shown = (k: number) => prompts[k]!.split('Previous attempts:')[1] ?? '';
    assert.ok(shown(1).includes(`Attempt 1:\n${attempts[0]!.text}`));
    for (const k of [2, 3]) {
      const block = shown(k);
      assert.ok(block.includes(`Attempt 1:\n${attempts[k - 2]!.text}`), `prompt ${k} shows attempt ${k - 1} first`);
      assert.ok(block.includes(`Attempt 2:\n${attempts[k - 1]!.text}`), `prompt ${k} shows attempt ${k} second`);
      assert.doesNotMatch(block, /Attempt 3:/);
      if (k === 3) assert.ok(!block.includes(`Attempt 1:\n${attempts[0]!.text}\n`) || attempts[0]!.text === attempts[1]!.text, 'the oldest attempt left the window');
    }
  });
});

test('determinism: a seed and concurrency 1 give identical traces on the reference server (timestamps aside)', async () => {
  const once = () =>
    withServer({ seed: 9 }, async (server) => {
      const tree = TraceTree.create(countdown, { id: 'det', createdAt: '2025-01-01T00:00:00.000Z' });
      await runSearch({ tree, config: { strategy: 'mcts', params: { b: 3, simulations: 12, concurrency: 1, seed: 11, temperature: 1, stopOnSolve: false }, verifier: { kind: 'rollout', params: { K: 4 } } }, generator: endpoint(server, { timeoutMs: 10_000 }), now: fixedClock() });
      const t = stripTimes(tree.toJSON()) as { runs: { config: { endpoint: { baseUrl?: string } } }[] };
      // Each server listens on a fresh port: the only other difference allowed.
      for (const r of t.runs) delete r.config.endpoint.baseUrl;
      return t;
    });
  const a = await once();
  const b = await once();
  assert.deepEqual(a, b);
  const nodes = (a as unknown as { nodes: { text: string }[] }).nodes;
  assert.ok(nodes.length > 10);
  assert.ok(new Set(nodes.map((n) => n.text)).size > 3, 'siblings differ (seeded, not identical)');
});
