/**
 * Duplicate siblings across requests (mergeDuplicates): a node sampled again (A* re-expansion, MCTS widening)
 * folds samples that repeat one of its children from this run into that child; only new steps become nodes,
 * valued once; a failed request still shows as a failed node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { foldIntoSiblings, runSiblings } from '../../src/core/search/expansionFill';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import type { Params, TraceNode } from '../../src/core/trace/schema';
import type { TraceTree } from '../../src/core/trace/tree';
import { freshTree } from './searchFixtures';

/**
 * The start node's first expansion answers a, b, a; its second b, a (white space aside), c: two repeats, one new.
 * Every step is judged 0.1, below the start node's re-queued priority 0.5 − 0.3, so A* expands the start node again
 * second. Below the steps: wrong answers.
 */
function againPolicy() {
  let starts = 0;
  return (req: GenerateRequest, i: number): string => {
    if (req.purpose === 'judge') return 'Score: 0.1';
    if (req.steps.length > 0) return `The answer is ${40 - i}`;
    if (i === 0) starts++;
    return (starts === 1 ? ['step a', 'step b', 'step a'] : starts === 2 ? ['step b', ' step  a', 'step c'] : ['step a', 'step a', 'step a'])[i]!;
  };
}

const stepsUnder = (tree: TraceTree, id: string) => tree.children(id).filter((n) => n.kind === 'step');

async function astarAgain(params: Params, fail?: (req: GenerateRequest, call: number) => Error | undefined) {
  const tree = freshTree();
  const gen = new InProcessGenerator(againPolicy(), fail ? { fail } : {});
  const run = await runSearch({
    tree,
    config: { strategy: 'astar', params: { b: 3, maxExpansions: 3, concurrency: 1, reexpandPenalty: 0.3, stopOnSolve: false, ...params }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: gen,
  });
  return { tree, gen, run, events: tree.toJSON().events };
}

test('a node expanded again: repeats of its children add copies, not nodes; only the new step is valued', async () => {
  const { tree, gen, events } = await astarAgain({});
  const pops = events.filter((e) => e.type === 'select').map((e) => e.node);
  const kids = stepsUnder(tree, 'n0');
  assert.equal(pops.filter((id) => id === 'n0').length, 2, `the start node was expanded twice: ${pops.join(' ')}`);
  // first answer: 'step a' ×2 ('step a' for the third sample too), 'step b'; second: b, a (repeats), c (new)
  assert.deepEqual(kids.map((n) => [n.text, n.copies]), [
    ['step a', 3],
    ['step b', 2],
    ['step c', undefined],
  ]);
  // Each step node was judged once: three judge requests for the three steps of the start node.
  const judged = gen.requests.filter((r) => r.purpose === 'judge' && r.steps.length === 1).map((r) => r.steps[0]);
  assert.deepEqual(judged.sort(), ['step a', 'step b', 'step c']);
  // The fold is said on the older children, with the samples it added.
  const folds = events.filter((e) => e.type === 'status' && e.data?.merged !== undefined && e.i === 2).map((e) => [e.node, e.data!.merged, e.data!.copies]);
  assert.deepEqual(folds, [
    [kids[1]!.id, 1, 2],
    [kids[0]!.id, 1, 3],
  ]);
  // No placeholder was added for the second request: the adds are the five nodes the tree holds.
  assert.equal(events.filter((e) => e.type === 'add').length, tree.size - 1);
});

test('the folded tokens stay on the nodes: they add up to every sample billed', async () => {
  const { tree, gen, run } = await astarAgain({});
  const judges = gen.requests.filter((r) => r.purpose === 'judge').length;
  const nodesOut = tree.trace.nodes.reduce((s, n) => s + (n.tokensOut ?? 0), 0);
  // each judge reply 'Score: 0.1' is 3 tokens out (InProcessGenerator: ⌈characters / 4⌉)
  assert.equal(nodesOut, run.usage.tokensOut - 3 * judges);
  assert.equal(gen.requests.filter((r) => r.purpose === 'step').reduce((s, r) => s + r.n, 0), 9);
});

test('mergeDuplicates off: a node expanded again gets one new node per sample', async () => {
  const { tree } = await astarAgain({ mergeDuplicates: false });
  assert.deepEqual(stepsUnder(tree, 'n0').map((n) => n.text), ['step a', 'step b', 'step a', 'step b', ' step  a', 'step c']);
});

test('a failed re-expansion still shows as a failed node under the node it was for', async () => {
  let starts = 0;
  const second = (req: GenerateRequest) => req.purpose === 'step' && req.steps.length === 0 && ++starts === 2;
  const { tree, run } = await astarAgain({ maxErrors: 5 }, (req) => (second(req) ? new Error('HTTP 500: upstream died') : undefined));
  const failed = tree.children('n0').filter((n) => n.status === 'failed');
  assert.equal(failed.length, 1, 'one failed node for the failed request');
  assert.match(failed[0]!.error!, /upstream died/);
  assert.notEqual(run.status, 'failed');
});

test('runSiblings: this run\'s step children by key, not failed, cancelled or running ones; fold keeps order', () => {
  const node = (id: string, text: string, status: TraceNode['status'], runId = 'r1', kind: TraceNode['kind'] = 'step') => ({ id, parentId: 'n0', kind, text, author: 'model', status, runId, iteration: 0, tokensIn: 10, tokensOut: 2 }) as TraceNode;
  const sibs = runSiblings([node('n1', 'x', 'open'), node('n2', 'y', 'failed'), node('n3', 'z', 'open', 'r0'), node('n4', 'w', 'running'), node('n5', 'v', 'terminal', 'r1', 'answer'), node('n6', ' x ', 'pruned')], 'r1');
  assert.deepEqual([...sibs.entries()].map(([k, n]) => [k, n.id]), [['x', 'n1']]);
  const g = (text: string) => ({ g: { text, tokensIn: 5, tokensOut: 1, latencyMs: 1, finishReason: 'stop', cached: false }, cut: undefined, copies: 2 });
  const { fresh, grown } = foldIntoSiblings([g('q'), g('x'), g('r')], sibs);
  assert.deepEqual(fresh.map((f) => f.g.text), ['q', 'r']);
  assert.deepEqual(grown.map((x) => [x.node.id, x.merged]), [['n1', 2]]);
  assert.equal(sibs.get('x')!.copies, 3);
  assert.equal(sibs.get('x')!.tokensIn, 15);
  assert.equal(sibs.get('x')!.tokensOut, 3);
});
