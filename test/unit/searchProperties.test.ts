import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EndpointError } from '../../src/core/llm/errors';
import type { GenerateRequest, Generation, Generator } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { checkInvariants, serializeTrace } from '../../src/core/trace/io';
import type { StrategyName, VerifierConfig } from '../../src/core/trace/schema';
import { freshTree } from './searchFixtures';

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

/** A random but deterministic policy: step texts, answers, judge scores and failures all drawn from a hash. */
function randomPolicy(seed: number, pTerminal: number) {
  return (req: GenerateRequest, i: number, call: number): string => {
    const u = hash(`${seed}|${req.purpose}|${req.steps.join('|')}|${i}|${call}`);
    switch (req.purpose) {
      case 'judge':
        return `Score: ${u.toFixed(3)}`;
      case 'step':
        return u < pTerminal ? `The answer is ${u < pTerminal / 2 ? 42 : 41}` : `step ${Math.floor(u * 1000)}`;
      default:
        return `The answer is ${u < 0.5 ? 42 : 41}`;
    }
  };
}

/** Records the largest token count of one request, to bound budget overshoot by one batch. */
class Metered implements Generator {
  maxRequestTokens = 0;
  constructor(private readonly inner: Generator) {}
  async generate(req: GenerateRequest): Promise<Generation[]> {
    const gens = await this.inner.generate(req);
    const t = gens.reduce((m, g) => Math.max(m, g.tokensIn), 0) + gens.reduce((s, g) => s + g.tokensOut, 0);
    this.maxRequestTokens = Math.max(this.maxRequestTokens, t);
    return gens;
  }
  describe() {
    return this.inner.describe();
  }
}

const scenario = fc.record({
  strategy: fc.constantFrom<StrategyName>('mcts', 'beam', 'astar', 'best-of-n', 'revision', 'single'),
  seed: fc.integer({ min: 0, max: 1e6 }),
  pTerminal: fc.double({ min: 0, max: 0.5, noNaN: true }),
  pFail: fc.constantFrom(0, 0, 0.1, 0.3),
  branching: fc.integer({ min: 1, max: 4 }),
  width: fc.integer({ min: 1, max: 3 }),
  depth: fc.integer({ min: 1, max: 5 }),
  sims: fc.integer({ min: 1, max: 25 }),
  c: fc.double({ min: 0, max: 3, noNaN: true }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  verifier: fc.constantFrom<VerifierConfig>({ kind: 'judge', params: { k: 1 } }, { kind: 'rollout', params: { K: 2 } }, { kind: 'answer', params: {} }),
  maxRequests: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  maxNodes: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
  maxTokens: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function paramsFor(s: Scenario) {
  const common = { concurrency: s.concurrency, maxErrors: 1000, seed: s.seed };
  switch (s.strategy as StrategyName) {
    case 'mcts':
      return { ...common, b: s.branching, simulations: s.sims, c: s.c, maxDepth: s.depth, backup: 'mean' }; // the N·Q sums below are the mean backup's
    case 'beam':
      return { ...common, N: s.branching, width: s.width, maxDepth: s.depth };
    case 'astar':
      return { ...common, b: s.branching, maxDepth: s.depth, maxExpansions: s.sims, parallel: s.width };
    case 'best-of-n':
      return { ...common, n: s.sims, perRequest: s.branching };
    case 'revision':
      return { ...common, attempts: s.depth, window: s.width };
    default:
      return common;
  }
}

test('after any run: a valid trace, no orphans, nothing left running, N and Q consistent, budgets kept within one batch', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const tree = freshTree();
      const inner = new InProcessGenerator(randomPolicy(s.seed, s.pTerminal), {
        fail: (req, call) => (hash(`${s.seed}|fail|${call}`) < s.pFail ? new EndpointError({ kind: 'server', endpoint: 'prop', message: 'injected 500' }) : undefined),
        log: false,
      });
      const gen = new Metered(inner);
      const budgets = { ...(s.maxRequests ? { maxRequests: s.maxRequests } : {}), ...(s.maxNodes ? { maxNodes: s.maxNodes } : {}), ...(s.maxTokens ? { maxTokens: s.maxTokens } : {}) };
      const run = await runSearch({ tree, config: { strategy: s.strategy, params: paramsFor(s), verifier: s.verifier, budgets }, generator: gen });
      const trace = tree.toJSON();

      assert.deepEqual(checkInvariants(trace), []);
      serializeTrace(trace);
      assert.notEqual(run.status, 'running');
      for (const n of trace.nodes) {
        assert.notEqual(n.status, 'running', `${n.id} left running`);
        if (n.runId === run.id) assert.ok(tree.pathToRoot(n.id).some((p) => p.id === run.startNodeId), `${n.id} hangs off the start node`);
        if (n.status === 'failed') assert.ok(n.error, `${n.id} failed without an error`);
      }

      // MCTS statistics: N(x) = own backups + Σ N(children); N·Q adds up the same way.
      const prior = run.config.params.prior as number;
      for (const n of trace.nodes) {
        if (n.visits === undefined) continue;
        const ch = tree.children(n.id).filter((c) => c.visits !== undefined);
        const sumN = ch.reduce((a, c) => a + c.visits!, 0);
        const sumNQ = ch.reduce((a, c) => a + c.visits! * c.q!, 0);
        const own = n.visits - sumN;
        assert.ok(own >= 0, `${n.id}: N ${n.visits} < children ${sumN}`);
        if (n.id === run.startNodeId) assert.equal(own, 0);
        const v = n.value ?? prior;
        assert.ok(Math.abs(n.visits * n.q! - sumNQ - own * v) < 1e-6, `${n.id}: N·Q ${n.visits * n.q!} vs ${sumNQ} + ${own}·${v}`);
      }

      const created = trace.nodes.filter((n) => n.runId === run.id).length;
      if (s.maxRequests) assert.ok(run.usage.requests <= s.maxRequests);
      if (s.maxNodes) assert.ok(created <= s.maxNodes, `${created} nodes > ${s.maxNodes}`);
      if (s.maxTokens) {
        const used = run.usage.tokensIn + run.usage.tokensOut;
        assert.ok(used <= s.maxTokens + s.concurrency * gen.maxRequestTokens, `tokens ${used} > ${s.maxTokens} + ${s.concurrency}×${gen.maxRequestTokens}`);
      }
      const bounded = s.maxRequests !== undefined || s.maxNodes !== undefined || s.maxTokens !== undefined;
      if (run.status === 'budget') assert.ok(bounded, `budget status without a budget: ${run.reason}`);
    }),
    { numRuns: 150, seed: 20250101 },
  );
});
