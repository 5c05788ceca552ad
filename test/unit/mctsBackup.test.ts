import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { countdownSentence } from '../../src/core/problems/countdown';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { bestChildQ, newStat } from '../../src/core/search/strategies/mctsStats';
import type { Params, TraceNode } from '../../src/core/trace/schema';
import type { TraceTree } from '../../src/core/trace/tree';
import { countdownMoves, freshTree } from './searchFixtures';

// MCTS on Countdown with the distance-to-target heuristic: every step gets a different value, so the backups can
// be recomputed from the tree alone.
const problem = { text: countdownSentence([4, 9, 10, 13], 24) };
const heuristic = { kind: 'heuristic', params: { heuristic: 'sum' } } as const;

function proposer(req: GenerateRequest, i: number, call: number): string {
  const moves = countdownMoves(req);
  return moves[(i * 7 + call * 3) % moves.length]!;
}

async function mcts(params: Params) {
  const tree = freshTree(problem);
  const run = await runSearch({
    tree,
    config: { strategy: 'mcts', params: { b: 3, simulations: 24, concurrency: 1, stopOnSolve: false, c: 0.5, widenPenalty: 0, ...params }, verifier: heuristic },
    generator: new InProcessGenerator(proposer),
  });
  return { tree, run };
}

const kids = (tree: TraceTree, n: TraceNode) => tree.children(n.id).filter((k) => k.status !== 'failed' && k.status !== 'cancelled');

test('backup max: every expanded node\'s Q is its best child\'s Q, a leaf\'s its own value; N counts every value', async () => {
  const { tree, run } = await mcts({ backup: 'max' });
  assert.notEqual(run.status, 'failed');
  assert.equal(tree.trace.runs.at(-1)!.config.params.backup, 'max', 'recorded in the run\'s params');
  let inner = 0;
  let belowOwn = 0;
  for (const n of tree.trace.nodes) {
    const ks = kids(tree, n);
    if (ks.length === 0) {
      if (n.kind === 'root') continue;
      assert.equal(n.q, n.value, `${n.id}: a leaf keeps its own value`);
      continue;
    }
    inner++;
    const best = Math.max(...ks.map((k) => k.q!));
    assert.equal(n.q, best, `${n.id}: Q = max over its children`);
    if (n.value !== undefined && best < n.value) belowOwn++;
    // each child's first value plus everything backed up through it
    assert.equal(n.visits, ks.reduce((s, k) => s + k.visits!, n.kind === 'root' ? 0 : 1), `${n.id}: N`);
  }
  assert.ok(inner >= 5, `${inner} expanded nodes`);
  const reasons = tree.trace.nodes.filter((n) => n.selection?.uct).map((n) => n.selection!.reason);
  assert.ok(reasons.length >= 5);
  for (const r of reasons) assert.match(r, /^UCT: (highest of ([2-9]|\d\d+) children|the only child that could be chosen)$/);
  assert.ok(belowOwn > 0, 'a node whose children are all worse than it takes their best value, not its own');
});

test('backup mean (the paper\'s): Q is the mean of the node\'s own value and every value below it', async () => {
  const { tree, run } = await mcts({ backup: 'mean' });
  assert.notEqual(run.status, 'failed');
  assert.equal(tree.trace.runs.at(-1)!.config.params.backup, 'mean');
  // mean of all values in the subtree (each node's own value once), as N += 1, Q += (v − Q)/N gives
  const sumAndCount = (n: TraceNode): [number, number] => {
    let s = n.kind === 'root' ? 0 : n.value!;
    let c = n.kind === 'root' ? 0 : 1;
    for (const k of kids(tree, n)) {
      const [ks, kc] = sumAndCount(k);
      s += ks;
      c += kc;
    }
    return [s, c];
  };
  let differs = 0;
  for (const n of tree.trace.nodes) {
    if (kids(tree, n).length === 0) continue;
    const [s, c] = sumAndCount(n);
    assert.equal(n.visits, c, `${n.id}: N`);
    assert.ok(Math.abs(n.q! - s / c) < 1e-12, `${n.id}: Q ${n.q} vs mean ${s / c}`);
    if (Math.abs(n.q! - Math.max(...kids(tree, n).map((k) => k.q!))) > 1e-9) differs++;
  }
  assert.ok(differs > 0, 'the mean is not the max here');
});

test('bestChildQ leaves out children pruned by hand and keeps a childless node\'s own Q', () => {
  const node = (status: TraceNode['status']) => ({ id: 'x', parentId: 'r', kind: 'step', text: '', author: 'model', status, iteration: 0 }) as TraceNode;
  const s = newStat(node('expanded'), 1, 3, 0.4);
  assert.equal(bestChildQ(s), 0.4);
  s.kids.push(newStat(node('open'), 2, 1, 0.2), newStat(node('pruned'), 2, 1, 0.9), newStat(node('terminal'), 2, 1, 0));
  assert.equal(bestChildQ(s), 0.2);
});

// ---- value-aware widening (widenPenalty): A*'s re-expansion rule inside MCTS ----

/** Unique steps (request and index); every step the judge scores 0.1, below the prior 0.5. */
const lowSteps = (req: GenerateRequest, i: number, call: number) => (req.purpose === 'judge' ? 'Score: 0.1' : `step ${call}.${i}`);

async function widening(widenPenalty: number) {
  const tree = freshTree();
  const run = await runSearch({
    tree,
    config: { strategy: 'mcts', params: { b: 2, simulations: 8, concurrency: 1, widenK: 0, widenPenalty, stopOnSolve: false }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(lowSteps),
  });
  const sims = tree.toJSON().events.filter((e) => e.type === 'select' && e.data?.simulation !== undefined);
  return { tree, run, sims };
}

test('widenPenalty: the start node is sampled again while its best child is below the prior minus the penalty per sampling', async () => {
  const { tree, run, sims } = await widening(0.1);
  assert.equal(run.config.params.widenPenalty, 0.1);
  // 0.1 < 0.5 − 0.1·1, < 0.5 − 0.1·2, < 0.5 − 0.1·3; not < 0.5 − 0.1·4: three widenings, then the search descends
  assert.deepEqual(sims.slice(0, 5).map((e) => [e.node, e.data!.leaf]), [['n0', 'expand'], ['n0', 'widen'], ['n0', 'widen'], ['n0', 'widen'], [sims[4]!.node, 'expand']]);
  assert.notEqual(sims[4]!.node, 'n0');
  assert.deepEqual(sims.slice(1, 4).map((e) => [e.data!.bestQ, Number((e.data!.bar as number).toFixed(9))]), [[0.1, 0.4], [0.1, 0.3], [0.1, 0.2]]);
  const root = tree.root();
  assert.equal(root.meta?.widenings, 3);
  assert.equal(root.meta?.widened, 'widened by value at N = 6: best child Q 0.1 < the prior 0.5 − 0.1·3 = 0.2, 2 more asked');
  assert.equal(tree.children('n0').length, 8);
  // a step valued 0.1 never widens by value: 0.1 − 0.1 leaves nothing below it
  assert.ok(sims.slice(4).every((e) => e.data!.leaf === 'expand'));
});

test('widenPenalty 0: no widening by value', async () => {
  const { tree, sims } = await widening(0);
  assert.equal(sims.filter((e) => e.node === 'n0').length, 1);
  assert.equal(tree.children('n0').length, 2);
});

test('widenPenalty below the start node: the bar is the node\'s own value minus the penalty, and the reason says so', async () => {
  // First steps are worth 0.9 to the judge, everything under them 0.45: an expanded first step's best child is far
  // below its value, so it is sampled again; the start node's best child (0.45 at worst) stays above 0.5 − 0.1.
  const steps = (req: GenerateRequest, i: number, call: number) => (req.purpose === 'judge' ? (req.steps.length <= 1 ? 'Score: 0.9' : 'Score: 0.45') : `step ${call}.${i}`);
  const tree = freshTree();
  await runSearch({
    tree,
    config: { strategy: 'mcts', params: { b: 2, simulations: 12, concurrency: 1, widenK: 0, widenPenalty: 0.1, backup: 'max', stopOnSolve: false }, verifier: { kind: 'judge', params: { k: 1 } } },
    generator: new InProcessGenerator(steps),
  });
  const widened = tree.children('n0').filter((n) => n.meta?.widened !== undefined);
  assert.ok(widened.length > 0, 'a first step was widened by value');
  for (const n of widened) {
    assert.equal(n.value, 0.9);
    const m = /^widened by value at N = \d+: best child Q 0\.45 < its value 0\.9 − 0\.1·(\d+) = ([\d.]+), 2 more asked$/.exec(String(n.meta!.widened));
    assert.ok(m, String(n.meta!.widened));
    const k = Number(m[1]);
    assert.equal(n.meta!.widenings, k, 'every widening of this node was by value');
    assert.ok(Math.abs(Number(m[2]) - (0.9 - 0.1 * k)) < 1e-4, `bar ${m[2]} = 0.9 − 0.1·${k}`);
    assert.ok(0.45 < 0.9 - 0.1 * k + 1e-9, 'widened only while the best child was below the bar');
    assert.equal(tree.children(n.id).length, 2 * (k + 1));
  }
  assert.equal(tree.root().meta?.widened, undefined, 'the start node\'s best child stays above the prior 0.5 − 0.1');
});
