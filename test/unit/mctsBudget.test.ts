import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { fallbackLeaf, newStat, widenAt, widenLimit } from '../../src/core/search/strategies/mctsStats';
import type { Params, TraceEvent, TraceNode } from '../../src/core/trace/schema';
import type { TraceTree } from '../../src/core/trace/tree';
import { freshTree } from './searchFixtures';

// The problem is "What is 6 * 7?" (answer 42) with the `answer` verifier: "The answer is 41" is a finished,
// refuted leaf (value 0); other steps are open and valued at the prior (no estimator).
const answer = { kind: 'answer', params: {} } as const;

/** Unique open steps (request number and sibling index), except where `leafFor` says otherwise. */
function policy(leafFor: (depth: number, i: number) => string | undefined = () => undefined) {
  return (req: GenerateRequest, i: number, call: number): string => leafFor(req.steps.length, i) ?? `step ${call}.${i}`;
}

const ofRun = (tree: TraceTree) => tree.toJSON().events;
const selects = (events: TraceEvent[]) => events.filter((e) => e.type === 'select' && e.data?.simulation !== undefined);
const kidsOf = (tree: TraceTree, id: string) => tree.children(id).filter((n) => n.kind !== 'rollout');

async function mcts(params: Params, leafFor?: (depth: number, i: number) => string | undefined, latencyMs = 0) {
  const tree = freshTree();
  const gen = new InProcessGenerator(policy(leafFor), { latencyMs });
  const run = await runSearch({ tree, config: { strategy: 'mcts', params: { backup: 'mean', qNormalize: 'none', widenPenalty: 0, ...params }, verifier: answer }, generator: gen });
  return { tree, gen, run, events: ofRun(tree), result: tree.toJSON().result };
}

test('parallel 8 with a dead-end child: every counted simulation is one expansion that values new children', async () => {
  const { tree, gen, run, events } = await mcts({ b: 4, simulations: 60, parallel: 8, concurrency: 8 }, (d, i) => (d === 0 && i === 0 ? 'The answer is 41' : undefined), 3);
  assert.equal(run.status, 'completed');
  const sims = selects(events);
  // The whole budget went to expansions: none was spent re-backing-up the dead end.
  assert.equal(sims.length, 60);
  assert.deepEqual(sims.map((e) => e.data!.simulation), Array.from({ length: 60 }, (_, k) => k + 1));
  assert.equal(run.usage.requests, 60);
  const expands = events.filter((e) => e.type === 'expand');
  assert.deepEqual(expands.map((e) => e.node).sort(), sims.map((e) => e.node).sort(), 'each simulation expanded the node it selected');
  const fresh = events.filter((e) => e.type === 'backup' && e.data?.reback !== true);
  assert.equal(fresh.length, 60, 'each simulation backed up new values');
  assert.ok(fresh.every((e) => (e.data!.values as number) >= 1));
  const dead = kidsOf(tree, 'n0').find((n) => n.text === 'The answer is 41')!;
  assert.equal(dead.verified, false);
  assert.ok(!sims.some((e) => e.node === dead.id), 'the dead end is never a simulation');
  // Its visits are its own value plus the uncounted re-backups, all in the reback events.
  const rebacks = events.filter((e) => e.type === 'backup' && e.data?.reback === true && e.node === dead.id);
  assert.equal(dead.visits, 1 + rebacks.reduce((s, e) => s + (e.data!.values as number), 0));
  assert.ok(gen.maxInFlight >= 4, `requests overlapped: ${gen.maxInFlight}`);
  assert.ok(events.length < 10 * tree.toJSON().nodes.length, `${events.length} events for ${tree.toJSON().nodes.length} nodes`);
  // N and Q still add up at the root: every value backed up is in a backup event.
  const root = tree.root();
  let count = 0;
  let sum = 0;
  for (const e of events) {
    if (e.type !== 'backup') continue;
    count += e.data!.values as number;
    sum += (e.data!.values as number) * (e.data!.mean as number);
  }
  assert.equal(root.visits, count);
  assert.ok(Math.abs(root.q! - sum / count) < 1e-9);
});

test('an exhausted tree ends at once with reason exhausted, a bounded event count and an unrefuted answer', async () => {
  // One open first step and one dead end; everything below the open step is a wrong answer.
  const leaves = (d: number, i: number) => (d === 0 ? (i === 1 ? 'The answer is 41' : undefined) : `The answer is ${40 - i}`);
  for (const parallel of [1, 8]) {
    const { tree, run, events, result } = await mcts({ b: 2, simulations: 150, parallel, concurrency: 8, widenK: 0 }, leaves, parallel === 8 ? 2 : 0);
    assert.equal(run.status, 'completed', `parallel ${parallel}`);
    assert.equal(run.reason, 'exhausted: every leaf is finished after 4 nodes (2 of 150 simulations used)');
    const nodes = tree.toJSON().nodes.length;
    assert.equal(nodes, 5);
    assert.ok(events.length < 10 * nodes, `${events.length} events for ${nodes} nodes`);
    assert.equal(run.usage.requests, 2);
    const best = tree.node(result!.bestNodeId!);
    assert.equal(best.status, 'expanded', 'the fallback is the unrefuted inner step, not a refuted leaf');
    assert.notEqual(best.verified, false);
  }
});

test('exhaustion: depth-limited leaves, no unrefuted node (no answer), a verified node without stopOnSolve (solved)', async () => {
  const deep = await mcts({ b: 2, simulations: 50, maxDepth: 2, widenK: 0 });
  assert.equal(deep.run.reason, 'exhausted: every leaf is finished after 6 nodes (3 of 50 simulations used)');
  assert.equal(deep.run.status, 'completed');
  assert.equal(deep.tree.stepsTo(deep.result!.bestNodeId!).length, 2, 'the answer is a leaf at maxDepth');

  const dead = await mcts({ b: 3, simulations: 50, widenK: 0 }, (d, i) => `The answer is ${40 - i}`);
  assert.equal(dead.run.reason, 'exhausted: every leaf is finished after 3 nodes (1 of 50 simulations used)');
  assert.equal(dead.result?.bestNodeId, undefined, 'every node is refuted: no answer');

  const found = await mcts({ b: 2, simulations: 50, widenK: 0, stopOnSolve: false }, (d, i) => (d === 0 ? undefined : `The answer is ${42 - i}`));
  assert.equal(found.run.status, 'solved');
  assert.match(found.run.reason!, /^exhausted: every leaf is finished after 6 nodes \(3 of 50 simulations used\)$/);
  assert.equal(found.tree.node(found.result!.bestNodeId!).verified, true);
});

test('with widening on, a tree of dead ends keeps buying children at the root and writes few events', async () => {
  const { tree, run, events } = await mcts({ b: 2, simulations: 30 }, (d, i) => (d === 0 && i === 0 ? undefined : 'The answer is 41'));
  assert.equal(run.status, 'completed');
  assert.equal(selects(events).length, 30, 'every simulation was spent');
  const nodes = tree.toJSON().nodes.length;
  assert.ok(events.length < 10 * nodes, `${events.length} events for ${nodes} nodes`);
  const best = tree.node(tree.toJSON().result!.bestNodeId!);
  assert.notEqual(best.verified, false);
});

test('re-backups that reach nothing to expand are bounded: the run ends exhausted and says when widening would come', async () => {
  // Every leaf is a wrong answer; ⌊N^0.2⌋ lets the root widen past its 4 children only at N = 5^5 = 3125.
  const { tree, run, events } = await mcts({ b: 4, simulations: 150, widenAlpha: 0.2 }, (d, i) => (d >= 1 ? `The answer is ${30 + i}` : undefined));
  assert.equal(run.status, 'completed');
  assert.match(run.reason!, /^exhausted: \d+ re-backups of finished leaves in a row reached nothing to expand or widen after 20 nodes \(5 of 150 simulations used\); the start node widens next at N = 3125 \(now \d+\)$/);
  const nodes = tree.toJSON().nodes.length;
  assert.ok(events.length < 10 * nodes, `${events.length} events for ${nodes} nodes`);
  const rebacks = events.filter((e) => e.data?.reback === true).reduce((s, e) => s + (e.data!.values as number), 0);
  assert.ok(rebacks <= 1000 + 10 * 20, `${rebacks} re-backups`);
  assert.equal(tree.root().visits, 20 + rebacks, 'the root counts every value (5 expansions of 4), re-backups included');
  assert.equal(widenAt(1, 0.2, 4), 3125);
  assert.equal(widenAt(1, 0.5, 2), 9);
  assert.equal(widenAt(0, 0.5, 2), Infinity);
  assert.equal(widenAt(0.05, 0.1, 2), Infinity, 'beyond any budget');
});

/** N at each widening of each node, from the select events (`leaf: 'widen'`). */
function widenings(events: TraceEvent[]): Map<string, { visits: number; children: number; limit: number; n: number }[]> {
  const out = new Map<string, { visits: number; children: number; limit: number; n: number }[]>();
  for (const e of selects(events)) {
    if (e.data!.leaf !== 'widen') continue;
    const d = e.data as { visits: number; children: number; limit: number; n: number };
    out.set(e.node, [...(out.get(e.node) ?? []), { visits: d.visits, children: d.children, limit: d.limit, n: d.n }]);
  }
  return out;
}

test('progressive widening adds a child exactly when ⌊k·N^α⌋ passes the child count', async () => {
  // b = 1 at parallel 1: every simulation backs up one value, so N(root) is the number of simulations before it.
  const { tree, events } = await mcts({ b: 1, simulations: 40, maxDepth: 40, concurrency: 1, widenK: 1, widenAlpha: 0.5 });
  const w = widenings(events);
  assert.deepEqual(w.get('n0')!.map((x) => x.visits), [4, 9, 16, 25, 36]);
  assert.equal(kidsOf(tree, 'n0').length, 6);
  assert.equal(tree.root().meta?.widened, 'widened at N = 36: ⌊1·36^0.5⌋ = 6 > 5 children, 1 more asked');
  assert.equal(tree.root().meta?.widenings, 5);
  for (const [id, list] of w) {
    // Each node: one child from its expansion, one per widening.
    assert.equal(kidsOf(tree, id).length, 1 + list.length, id);
    for (const x of list) {
      assert.equal(x.limit, Math.floor(Math.sqrt(x.visits)));
      assert.ok(x.limit > x.children && Math.floor(Math.sqrt(x.visits - 1)) <= x.children, `${id} widened at N ${x.visits} with ${x.children} children`);
    }
  }

  // Another k and α: the N of each root widening is the first N at which ⌊1.5·N^0.6⌋ exceeds the samples drawn.
  const other = await mcts({ b: 1, simulations: 40, maxDepth: 40, concurrency: 1, widenK: 1.5, widenAlpha: 0.6 });
  const expected: number[] = [];
  let drawn = 1;
  for (let n = 1; n < 40; n++) {
    // 32^0.6 is 8 exactly: ⌊1.5·8⌋ = 12 at N = 32 (floating point alone says 11.999…).
    const limit = Math.floor(1.5 * n ** 0.6 + 1e-9);
    if (limit > drawn) {
      expected.push(n);
      drawn += 1;
    }
  }
  assert.ok(expected.length >= 5);
  const rootW = widenings(other.events).get('n0')!;
  assert.deepEqual(rootW.map((x) => x.visits).slice(0, expected.length), expected.slice(0, rootW.length));
  assert.equal(rootW.length, expected.filter((n) => n < selects(other.events).length).length);
  assert.equal(widenLimit(1.5, 0.6, 32), 12);
  assert.equal(widenLimit(1, 0.5, 24), 4);

  // b caps a widening request; widenK = 0 never widens.
  const wide = await mcts({ b: 2, simulations: 30, concurrency: 1, widenK: 3, widenAlpha: 0.5 });
  for (const list of widenings(wide.events).values()) for (const x of list) assert.equal(x.n, Math.min(2, x.limit - x.children));
  const off = await mcts({ b: 2, simulations: 30, concurrency: 1, widenK: 0 });
  assert.equal(widenings(off.events).size, 0);
  assert.equal(kidsOf(off.tree, 'n0').length, 2);
});

test('the fallback answer is never refuted: most visited unrefuted path; none → no answer', () => {
  const node = (id: string, verified?: boolean): TraceNode => ({ id, parentId: 'n0', kind: 'step', text: id, status: verified === false ? 'terminal' : 'open', runId: 'r1', ...(verified !== undefined ? { verified } : {}) }) as TraceNode;
  const root = newStat(node('n0'), 0, 0, 0);
  const wrong = newStat(node('n1', false), 1, 10, 0);
  const weak = newStat(node('n2'), 1, 3, 0.2);
  const strong = newStat(node('n3'), 1, 3, 0.4);
  root.kids.push(wrong, weak, strong);
  assert.equal(fallbackLeaf(root)?.node.id, 'n3', 'the refuted node has the most visits; ties go to the higher Q');
  const below = newStat(node('n4', false), 2, 2, 0);
  strong.kids.push(below);
  assert.equal(fallbackLeaf(root)?.node.id, 'n3', 'a refuted child is not descended into');
  const only = newStat(node('n0'), 0, 0, 0);
  only.kids.push(newStat(node('n5', false), 1, 4, 0));
  assert.equal(fallbackLeaf(only), undefined);
});

test('budget-stopped runs with many wrong answers never answer with a refuted node', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const leafFor = (d: number, i: number) => ((d * 7 + i * 3 + seed) % 3 === 0 ? `The answer is ${40 + ((i + seed) % 2)}` : undefined);
    const tree = freshTree();
    const run = await runSearch({
      tree,
      config: { strategy: 'mcts', params: { b: 3, simulations: 40, concurrency: 1 + (seed % 4), c: 0.5 + seed / 4 }, verifier: answer, budgets: { maxRequests: 3 + seed } },
      generator: new InProcessGenerator(policy(leafFor)),
    });
    const id = tree.toJSON().result?.bestNodeId;
    if (id !== undefined) assert.notEqual(tree.node(id).verified, false, `seed ${seed}: ${run.reason}`);
  }
});

test('stopOnSolve at parallel 8 ends solved; UCT terms are recorded; virtual loss spreads the first selections', async () => {
  const solved = await mcts({ b: 4, simulations: 100, parallel: 8, concurrency: 8 }, (d, i) => (d === 2 && i === 3 ? 'The answer is 42' : undefined), 2);
  assert.equal(solved.run.status, 'solved');
  assert.match(solved.run.reason!, /^node n\d+ verified$/);
  assert.equal(solved.tree.node(solved.result!.bestNodeId!).verified, true);

  const { tree, events } = await mcts({ b: 4, simulations: 20, parallel: 4, concurrency: 4, c: 1.4 }, undefined, 3);
  const first = selects(events).slice(1, 5);
  assert.equal(new Set(first.map((e) => e.node)).size, 4, 'the 4 simulations after the root expansion went to 4 different children');
  let recorded = 0;
  for (const n of tree.toJSON().nodes) {
    const uct = n.selection?.uct;
    if (!uct) continue;
    recorded++;
    assert.equal(uct.c, 1.4);
    assert.ok(Math.abs(uct.score - (uct.q + uct.explore)) < 1e-12);
    assert.ok(Math.abs(uct.explore - 1.4 * Math.sqrt(Math.log(Math.max(1, uct.parentVisits)) / uct.visits)) < 1e-12);
  }
  assert.ok(recorded >= 4);
});
