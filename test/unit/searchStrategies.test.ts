import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import type { TraceNode } from '../../src/core/trace/schema';
import type { TraceTree } from '../../src/core/trace/tree';
import { branchPolicy, freshTree, makeGenerator, mathProblem } from './searchFixtures';

const byId = (tree: TraceTree, id: string) => tree.node(id);
const kids = (tree: TraceTree, id: string) => tree.children(id).filter((n) => n.kind !== 'rollout');

/**
 * Steps carry their own judge score: "v=0.9". The (real) judge estimator asks the same in-process policy,
 * which answers "Score: <v of the last step>". Depth-1 scores by sibling index: 0.3, 0.9, 0.6; depth 2 scales
 * the parent's score by 0.5, 1, 0.2.
 */
function scoredStepPolicy(req: GenerateRequest, i: number): string {
  const last = req.steps[req.steps.length - 1];
  if (req.purpose === 'judge') return `Score: ${/v=([\d.]+)/.exec(last ?? '')?.[1] ?? '0'}`;
  if (req.steps.length === 0) return `v=${[0.3, 0.9, 0.6][i % 3]}`;
  const p = Number(/v=([\d.]+)/.exec(last!)![1]);
  return `v=${+(p * [0.5, 1, 0.2][i % 3]!).toFixed(6)}`;
}

test('beam keeps exactly the top width and prunes the rest with rank, score and cutoff', async () => {
  const tree = freshTree();
  const run = await runSearch({
    tree,
    config: { strategy: 'beam', params: { N: 3, width: 2, maxDepth: 2, concurrency: 1 }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(scoredStepPolicy),
  });
  assert.equal(run.status, 'completed');
  const d1 = kids(tree, 'n0');
  assert.deepEqual(d1.map((n) => n.value), [0.3, 0.9, 0.6]);
  const [low, high, mid] = d1 as [TraceNode, TraceNode, TraceNode];
  assert.deepEqual(high.selection?.beam, { rank: 1, width: 2, score: 0.9, cutoff: 0.6 });
  assert.deepEqual(mid.selection?.beam, { rank: 2, width: 2, score: 0.6, cutoff: 0.6 });
  assert.equal(low.status, 'pruned');
  assert.equal(low.prune?.rank, 3);
  assert.equal(low.prune?.score, 0.3);
  assert.equal(low.prune?.cutoff, 0.6);
  assert.equal(low.prune?.by, 'engine');
  assert.equal(kids(tree, low.id).length, 0, 'a pruned beam is not expanded');
  // Depth 2: 6 candidates ranked together.
  const d2 = [...kids(tree, high.id), ...kids(tree, mid.id)];
  assert.equal(d2.length, 6);
  const ranked = [...d2].sort((a, b) => (a.selection?.beam?.rank ?? a.prune!.rank!) - (b.selection?.beam?.rank ?? b.prune!.rank!));
  assert.deepEqual(ranked.map((n) => n.value), [0.9, 0.6, 0.45, 0.3, 0.18, 0.12]);
  assert.deepEqual(ranked.map((n) => n.status), ['open', 'open', 'pruned', 'pruned', 'pruned', 'pruned']);
  assert.deepEqual(ranked.slice(2).map((n) => n.prune!.rank), [3, 4, 5, 6]);
  assert.ok(ranked.slice(2).every((n) => n.prune!.cutoff === 0.6));
  assert.equal(tree.toJSON().result?.bestNodeId, ranked[0]!.id);
});

test('beam aggregation min ranks by the weakest step of the path', async () => {
  const tree = freshTree();
  await runSearch({
    tree,
    config: { strategy: 'beam', params: { N: 3, width: 1, maxDepth: 2, aggregation: 'min', concurrency: 1 }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(scoredStepPolicy),
  });
  const keptAt2 = tree.toJSON().nodes.filter((n) => n.selection?.beam && tree.depth(n.id) === 2);
  assert.equal(keptAt2.length, 1);
  // Under 0.9, the children are 0.45, 0.9, 0.18: min(0.9, 0.9) = 0.9 wins.
  assert.equal(keptAt2[0]!.selection!.beam!.score, 0.9);
});

test('A* pops in priority order: each pop is the best of the frontier at that moment, ties first-in first-out', async () => {
  const tree = freshTree();
  await runSearch({
    tree,
    config: { strategy: 'astar', params: { b: 3, maxDepth: 3, maxExpansions: 6, concurrency: 1, reexpandPenalty: 0 }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(scoredStepPolicy),
  });
  const trace = tree.toJSON();
  const pops = trace.events.map((e, i) => ({ e, i })).filter(({ e }) => e.type === 'select');
  assert.equal(pops.length, 6);
  assert.deepEqual(pops.map(({ e }) => e.data?.order), [1, 2, 3, 4, 5, 6]);
  const addedAt = new Map(trace.events.map((e, i) => [e, i] as const).filter(([e]) => e.type === 'add').map(([e, i]) => [e.node, i]));
  const poppedAt = new Map(pops.map(({ e, i }) => [e.node, i]));
  const pushed = trace.nodes.filter((n) => n.selection?.priority !== undefined && /^(pushed|popped)/.test(n.selection.reason));
  for (const { e, i } of pops) {
    const p = e.data!.priority as number;
    for (const n of pushed) {
      const waiting = (addedAt.get(n.id) ?? -1) < i && (poppedAt.get(n.id) ?? Infinity) > i;
      if (!waiting) continue;
      assert.ok(n.selection!.priority! <= p, `pop ${e.data?.order} (${p}) while ${n.id} (${n.selection!.priority}) waited`);
      if (n.selection!.priority === p) assert.ok((addedAt.get(n.id) ?? 0) > (addedAt.get(e.node) ?? -1), 'ties pop first-in first-out');
    }
  }
  // Hand-computed: root (prior 0.5); 0.9; its child 0.9 (whose children sit at depth 3 = maxDepth: not pushed);
  // 0.6 at depth 1; its child 0.6 (newer, same priority: second); then 0.45.
  assert.deepEqual(pops.map(({ e }) => e.data!.priority), [0.5, 0.9, 0.9, 0.6, 0.6, 0.45]);
});

test('A* stops as soon as a proposed step verifies', async () => {
  const tree = freshTree();
  const gen = makeGenerator(branchPolicy({ terminalAt: 2 }));
  const run = await runSearch({ tree, config: { strategy: 'astar', params: { b: 2, concurrency: 1 }, verifier: { kind: 'answer', params: {} } }, generator: gen });
  assert.equal(run.status, 'solved');
  const best = byId(tree, tree.toJSON().result!.bestNodeId!);
  assert.equal(best.verified, true);
  assert.equal(best.answer, '42');
});

test('MCTS: visits concentrate on the branch whose rollouts verify more often; Q is the mean of the values backed up', async () => {
  const tree = freshTree();
  const gen = makeGenerator(branchPolicy({ pA: 0.8, pB: 0.2 }));
  const run = await runSearch({
    tree,
    config: { strategy: 'mcts', params: { b: 2, c: 1, simulations: 40, maxDepth: 8, concurrency: 1, backup: 'mean', qNormalize: 'none', widenPenalty: 0 }, verifier: { kind: 'rollout', params: { K: 10 } } },
    generator: gen,
  });
  assert.equal(run.status, 'completed');
  const [a, b] = kids(tree, 'n0') as [TraceNode, TraceNode];
  assert.equal(a.text, 'branch A');
  assert.equal(b.text, 'branch B');
  assert.deepEqual(a.valueSource, { kind: 'rollouts', k: 8, K: 10 });
  assert.equal(a.value, 0.8);
  assert.equal(b.value, 0.2);
  // Progressive widening samples more first steps as N(root) grows; this fixture answers "branch A" to each of
  // them, which is merged into the branch A the root has (its copies grow), so the root keeps two children.
  const visitsOf = (text: string) => kids(tree, 'n0').reduce((sum, k) => sum + (k.text === text ? k.visits! : 0), 0);
  assert.ok(visitsOf('branch A') > 4 * visitsOf('branch B'), `visits A ${visitsOf('branch A')} vs B ${visitsOf('branch B')}`);
  assert.ok(Number(tree.root().meta?.widenings) > 0, 'the root was widened');
  assert.equal(kids(tree, 'n0').length, 2);
  assert.equal(a.copies, 1 + Number(tree.root().meta?.widenings), 'each widening sample repeated branch A');
  assert.ok(Math.abs(a.q! - 0.8) < 1e-9 && Math.abs(b.q! - 0.2) < 1e-9, `Q(A) ${a.q}, Q(B) ${b.q}`);
  // The root's Q is the plain mean of every value backed up (from the backup events).
  let sum = 0;
  let count = 0;
  for (const e of tree.toJSON().events) {
    if (e.type !== 'backup') continue;
    sum += (e.data!.mean as number) * (e.data!.values as number);
    count += e.data!.values as number;
  }
  const root = tree.root();
  assert.equal(root.visits, count);
  assert.ok(Math.abs(root.q! - sum / count) < 1e-9);
  // The UCT terms of the last decision are on the chosen node.
  const uct = a.selection!.uct!;
  assert.equal(uct.c, 1);
  assert.ok(Math.abs(uct.score - (uct.q + uct.explore)) < 1e-12);
  assert.ok(Math.abs(uct.explore - uct.c * Math.sqrt(Math.log(uct.parentVisits) / uct.visits)) < 1e-12);
});

test('MCTS with c = 0 never revisits the weaker branch; a large c spreads visits', async () => {
  const visits = async (c: number) => {
    const tree = freshTree();
    await runSearch({
      tree,
      config: { strategy: 'mcts', params: { b: 2, c, simulations: 30, concurrency: 1 }, verifier: { kind: 'rollout', params: { K: 10 } } },
      generator: makeGenerator(branchPolicy({ pA: 0.8, pB: 0.2 })),
    });
    const [a, b] = kids(tree, 'n0');
    return [a!.visits!, b!.visits!];
  };
  const [, greedyB] = await visits(0);
  assert.equal(greedyB, 1);
  const [wideA, wideB] = await visits(10);
  assert.ok(wideB > 5 && wideA > 5, `c = 10 explores both: ${wideA} / ${wideB}`);
});

test('MCTS stops on a verified terminal node', async () => {
  const tree = freshTree();
  const run = await runSearch({
    tree,
    config: { strategy: 'mcts', params: { b: 2, simulations: 50, concurrency: 2 }, verifier: { kind: 'rollout', params: { K: 4 } } },
    generator: makeGenerator(branchPolicy({ terminalAt: 3 })),
  });
  assert.equal(run.status, 'solved');
  const best = byId(tree, tree.toJSON().result!.bestNodeId!);
  assert.equal(best.verified, true);
  assert.equal(best.value, 1);
});

test('best-of-n majority matches a hand count; argmax and weighted vote use values', async () => {
  const answers = ['The answer is 42', 'The answer is 41', '\\boxed{42}', 'The answer is 7', 'so the answer is 41.', 'the answer is 42.0', 'The answer is 7', 'The answer is $41$'];
  // Hand count over the 8: 42 ×3 (42, \boxed{42}, 42.0), 41 ×3, 7 ×2 → tie 3 : 3, the first group (42) wins.
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'best-of-n', params: { n: 8, selection: 'majority' }, verifier: { kind: 'answer', params: {} } }, generator: makeGenerator(branchPolicy({ answers })) });
  const best = byId(tree, tree.toJSON().result!.bestNodeId!);
  assert.equal(best.answer, '42');
  assert.equal(best.meta?.votes, 3);
  assert.equal(run.status, 'solved');
  assert.match(best.selection!.reason, /majority: answer 42 with 3 votes of 8/);
  const loser = kids(tree, 'n0').find((n) => n.answer === '7')!;
  assert.match(loser.selection!.reason, /answer 7 got 2 votes < 3/);

  // Without 2 of the 42s, 41 wins 3 : 1.
  const tree2 = freshTree();
  const run2 = await runSearch({ tree: tree2, config: { strategy: 'best-of-n', params: { n: 6 }, verifier: { kind: 'answer', params: {} } }, generator: makeGenerator(branchPolicy({ answers: ['The answer is 41', 'The answer is 42', '41', 'answer is 41', 'The answer is 7', 'The answer is 8'] })) });
  assert.equal(tree2.toJSON().result!.finalAnswer, '41');
  assert.equal(run2.status, 'completed');
  assert.match(run2.reason!, /1 node verified, but the chosen answer/);

  // argmax with an oracle value picks the verified one.
  const tree3 = freshTree();
  await runSearch({ tree: tree3, config: { strategy: 'best-of-n', params: { n: 4, selection: 'argmax', perRequest: 1 }, verifier: { kind: 'oracle', params: {} } }, generator: makeGenerator(branchPolicy({ answers: ['The answer is 1', 'The answer is 2', 'The answer is 42', 'The answer is 3'] })) });
  assert.equal(tree3.toJSON().result!.finalAnswer, '42');
  assert.equal(tree3.toJSON().result!.verified, true);
  assert.equal(tree3.children('n0').length, 4);
});

test('revision conditions each attempt on the last j attempts (oldest first) and stops when one verifies', async () => {
  const tree = freshTree();
  const replies = ['The answer is 1', 'The answer is 2', 'The answer is 3', 'The answer is 4', 'The answer is 42'];
  let k = 0;
  const gen = new InProcessGenerator(() => replies[k++]!);
  const run = await runSearch({ tree, config: { strategy: 'revision', params: { attempts: 8, window: 2 }, verifier: { kind: 'answer', params: {} } }, generator: gen });
  assert.equal(run.status, 'solved');
  assert.deepEqual(gen.requests.map((r) => r.purpose), ['revision', 'revision', 'revision', 'revision', 'revision']);
  assert.deepEqual(gen.requests.map((r) => r.context), [[], ['The answer is 1'], ['The answer is 1', 'The answer is 2'], ['The answer is 2', 'The answer is 3'], ['The answer is 3', 'The answer is 4']]);
  const attempts = kids(tree, 'n0');
  assert.equal(attempts.length, 5);
  assert.deepEqual(attempts[3]!.meta?.conditionedOn, [attempts[1]!.id, attempts[2]!.id]);
  assert.equal(tree.toJSON().result?.bestNodeId, attempts[4]!.id);
});

test('single: one full solution, checked and valued', async () => {
  const tree = freshTree();
  const run = await runSearch({ tree, config: { strategy: 'single', verifier: { kind: 'answer', params: {} } }, generator: makeGenerator(branchPolicy()) });
  assert.equal(run.status, 'solved');
  assert.equal(tree.size, 2);
  const n1 = byId(tree, 'n1');
  assert.equal(n1.kind, 'answer');
  assert.equal(n1.value, 1);
  assert.deepEqual(n1.valueSource, { kind: 'verifier', verifier: 'answer' });
  assert.equal(run.usage.requests, 1);
  assert.deepEqual(run.config.params, { concurrency: 8, seed: null, temperature: null, maxTokens: null, maxErrors: 3, mergeDuplicates: true, prior: 0.5, priceIn: 0, priceOut: 0 });
  assert.deepEqual(tree.toJSON().problem, mathProblem);
});
