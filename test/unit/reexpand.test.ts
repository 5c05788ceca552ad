/**
 * Re-expansion (issue 16): A* re-queues an expanded node with its priority lowered by reexpandPenalty per
 * expansion; beam resamples the last step's beams when every candidate finished; with both, a larger token
 * budget always builds a larger tree on a Countdown problem nobody can solve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { countdownSentence } from '../../src/core/problems/countdown';
import type { Params, Problem, TraceEvent } from '../../src/core/trace/schema';
import { countdownMoves, freshTree } from './searchFixtures';

/** Depth 0: distinct steps judged 0.7; deeper: wrong final answers (refuted, never pushed). Judge: the step's "v=". */
function deadEndPolicy(req: GenerateRequest, i: number, call: number): string {
  if (req.purpose === 'judge') return `Score: ${/v=([\d.]+)/.exec(req.steps[req.steps.length - 1] ?? '')?.[1] ?? '0'}`;
  if (req.steps.length === 0) return `v=0.7 first step ${call}.${i}`;
  return `The answer is 41 (attempt ${call}.${i})`;
}

const selects = (events: TraceEvent[]) => events.filter((e) => e.type === 'select');

test('A* re-queues an expanded node at value − penalty·k: the popped priority and the reason say so', async () => {
  const tree = freshTree();
  const run = await runSearch({
    tree,
    config: { strategy: 'astar', params: { b: 2, maxExpansions: 8, concurrency: 1, reexpandPenalty: 0.1 }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(deadEndPolicy),
  });
  const pops = selects(tree.toJSON().events);
  assert.equal(pops.length, 8, 'maxExpansions still bounds');
  const [kid1, kid2] = tree.children('n0').map((n) => n.id);
  // root 0.5; its two children 0.7; each comes back at 0.7 − 0.1·k (FIFO at equal priority); root at 0.5 − 0.1.
  const expected: [string, number, number][] = [
    ['n0', 0.5, 0],
    [kid1!, 0.7, 0],
    [kid2!, 0.7, 0],
    [kid1!, 0.7 - 0.1 * 1, 1],
    [kid2!, 0.7 - 0.1 * 1, 1],
    [kid1!, 0.7 - 0.1 * 2, 2],
    [kid2!, 0.7 - 0.1 * 2, 2],
    ['n0', 0.5 - 0.1 * 1, 1],
  ];
  pops.forEach((e, i) => {
    const [node, priority, k] = expected[i]!;
    assert.equal(e.node, node, `pop ${i + 1}`);
    assert.ok(Math.abs((e.data!.priority as number) - priority) < 1e-12, `pop ${i + 1}: ${e.data!.priority} vs ${priority}`);
    assert.equal(e.data!.order, i + 1);
    if (k > 0) {
      assert.equal(e.data!.reexpansion, k);
      assert.equal(e.data!.penalty, 0.1);
    } else assert.equal(e.data!.reexpansion, undefined);
  });
  const again = tree.node(kid1!).selection!;
  assert.match(again.reason, /^popped #6 again for expansion 3: priority 0\.5 = 0\.7 − 0\.1·2 \(re-expansion penalty\)/);
  assert.ok(Math.abs(again.priority! - 0.5) < 1e-12);
  // Each re-expansion asked for new children: kid1 was expanded 3 times, 2 new answers each.
  assert.equal(tree.children(kid1!).length, 6);
  assert.equal(tree.children('n0').length, 4, 'the root, popped again, got 2 more children');
  assert.equal(run.status, 'completed');
});

test('A* with reexpandPenalty 0 expands each node once: the frontier runs dry as before', async () => {
  const tree = freshTree();
  await runSearch({
    tree,
    config: { strategy: 'astar', params: { b: 2, maxExpansions: 8, concurrency: 1, reexpandPenalty: 0 }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(deadEndPolicy),
  });
  const pops = selects(tree.toJSON().events);
  assert.deepEqual(pops.map((e) => e.data!.priority), [0.5, 0.7, 0.7]);
  assert.equal(new Set(pops.map((e) => e.node)).size, 3);
});

/** Every answer wrong, except from call `solveAt` on (when given). */
function answersPolicy(solveAt?: number) {
  return (_req: GenerateRequest, i: number, call: number): string =>
    solveAt !== undefined && call >= solveAt && i === 0 ? 'The answer is 42' : `The answer is 4${call % 2} (try ${call}.${i})`;
}

const rootRequests = (gen: InProcessGenerator) => gen.requests.filter((r) => r.purpose === 'step' && r.steps.length === 0).length;

test('beam resamples the last beams when every candidate finished, and ends unsolved without resample', async () => {
  const off = new InProcessGenerator(answersPolicy(2));
  const offTree = freshTree();
  const offRun = await runSearch({ tree: offTree, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1, resample: false } }, generator: off });
  assert.equal(rootRequests(off), 1);
  assert.notEqual(offRun.status, 'solved');

  const on = new InProcessGenerator(answersPolicy(2));
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1 } }, generator: on });
  assert.equal(rootRequests(on), 3, 'the root sampled again twice');
  assert.equal(run.status, 'solved');
  const resampled = tree.toJSON().events.filter((e) => e.type === 'select' && e.node === 'n0');
  assert.deepEqual(resampled.map((e) => e.data!.resample), [1, 2]);
  assert.match(String(resampled[0]!.data!.reason), /^beam: resampled \(1 of at most 2 at depth 1\): every candidate of this step was finished or pruned/);
  assert.equal(tree.trace.nodes.find((n) => n.verified === true)?.parentId, 'n0');
});

test('beam resamples the same beams at most resampleLimit times', async () => {
  const gen = new InProcessGenerator(answersPolicy());
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1, resampleLimit: 3 } }, generator: gen });
  assert.equal(rootRequests(gen), 1 + 3);
  assert.equal(run.status, 'completed');
  const last = tree.children('n0').slice(-2);
  for (const n of last) assert.match(n.selection!.reason, /^beam: rank \d of 2, kept \(top 2\); resample 3 of depth 1: the last step left no live beam$/);
});

test('beams resampled resampleLimit times hand over to the step above, whose new beams get their own count', async () => {
  // depth 1: a step; depth 2: a wrong answer, always
  const gen = new InProcessGenerator((req, i, call) => (req.steps.length === 0 ? `Step ${call}.${i}: think` : `The answer is 4${call % 2}`));
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1 } }, generator: gen });
  assert.equal(run.status, 'completed');
  const resamples = tree.toJSON().events.filter((e) => e.type === 'select' && e.data?.resample !== undefined);
  const atDepth = (d: number) => resamples.filter((e) => String(e.data!.reason).includes(`at depth ${d})`));
  // the root twice; each of its three sets of children twice, each resample naming both parents
  assert.deepEqual([...new Set(atDepth(1).map((e) => e.data!.resample))], [1, 2]);
  assert.equal(atDepth(1).length, 2);
  assert.deepEqual(atDepth(2).map((e) => e.data!.resample), [1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2]);
  assert.equal(rootRequests(gen), 3);
  assert.match(String(atDepth(1)[0]!.data!.reason), /every candidate of step 2 was finished or pruned and its beams were resampled 2 times$/);
});

test('a beam resample whose samples all repeat the candidates it had counts as exhausted: resampled again, up to the limit', async () => {
  // The same two Countdown dead ends every time: a resample adds copies to the two old children, no candidate.
  const gen = new InProcessGenerator((_req, i) => (i === 0 ? '9 - 4 = 5' : '9 + 4 = 13'));
  const tree = freshTree({ text: countdownSentence([4, 9], 24) });
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1 }, verifier: { kind: 'countdown', params: {} } }, generator: gen });
  assert.equal(run.status, 'completed');
  assert.equal(rootRequests(gen), 3, 'the first request and both resamples of the start node');
  assert.deepEqual(tree.children('n0').map((n) => [n.text, n.status, n.copies]), [['9 - 4 = 5', 'terminal', 3], ['9 + 4 = 13', 'terminal', 3]]);
  const resampled = tree.toJSON().events.filter((e) => e.type === 'select' && e.node === 'n0' && e.data?.resample !== undefined);
  assert.deepEqual(resampled.map((e) => e.data!.resample), [1, 2]);
});

test('a beam resample whose request fails ends the beam: a failure is not an exhausted step', async () => {
  // The first resample (call 1) fails; without the failure the start node would be resampled twice.
  const gen = new InProcessGenerator(answersPolicy(), { fail: (_req, call) => (call === 1 ? new Error('HTTP 500: upstream died') : undefined) });
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'beam', params: { N: 2, width: 2, maxDepth: 3, concurrency: 1, maxErrors: 5 } }, generator: gen });
  assert.equal(rootRequests(gen), 2, 'no resample after the failed one');
  assert.notEqual(run.status, 'solved');
  const failed = tree.children('n0').filter((n) => n.status === 'failed');
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.error ?? '', /upstream died/);
});

// ---- A larger budget explores more: an in-process Countdown proposer on a problem with no solution ----

function rng(seedText: string): () => number {
  let h = 2166136261;
  for (let i = 0; i < seedText.length; i++) h = Math.imul(h ^ seedText.charCodeAt(i), 16777619);
  return () => {
    h = (h + 0x6d2b79f5) | 0;
    let t = Math.imul(h ^ (h >>> 15), 1 | h);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random legal Countdown step from the numbers left (seeded by request seed, index and path). */
function countdownStepPolicy(req: GenerateRequest, i: number): string {
  const moves = countdownMoves(req);
  const r = rng(`${req.seed}|${i}|${req.steps.join('|')}`);
  return moves[Math.floor(r() * moves.length)]!;
}

// 3·7·11·13 = 3003: 9999 cannot be reached, so no run is solved and each can only spend its budget.
const unsolvable: Problem = { text: countdownSentence([3, 7, 11, 13], 9999) };

async function nodesWithin(strategy: 'astar' | 'beam', maxTokens: number): Promise<{ nodes: number; status: string }> {
  const tree = freshTree(unsolvable);
  const params: Params = strategy === 'astar' ? { maxExpansions: 100_000, seed: 7, concurrency: 1 } : { seed: 7, concurrency: 1 };
  const run = await runSearch({ tree, config: { strategy, params, budgets: { maxTokens } }, generator: new InProcessGenerator(countdownStepPolicy) });
  return { nodes: tree.size, status: run.status };
}

for (const strategy of ['astar', 'beam'] as const) {
  test(`${strategy}: a larger token budget (1k < 2k < 4k) builds strictly more nodes on Countdown`, async () => {
    const sizes: number[] = [];
    for (const budget of [1000, 2000, 4000]) {
      const r = await nodesWithin(strategy, budget);
      assert.equal(r.status, 'budget', `${strategy} at ${budget} tokens ends on its budget, not out of tree`);
      sizes.push(r.nodes);
    }
    assert.ok(sizes[0]! < sizes[1]! && sizes[1]! < sizes[2]!, `nodes ${sizes.join(' < ')}`);
  });
}
