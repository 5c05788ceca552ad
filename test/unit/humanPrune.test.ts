import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TraceTree } from '../../src/core/trace/tree';
import { pruneBlocker, pruneByHand, unprune, unpruneBlocker } from '../../src/core/trace/humanPrune';
import { parseTrace, serializeTrace } from '../../src/core/trace/io';

/** n0 root → a (expanded) → { b (terminal answer), c (open) }, plus d (open) under the root. */
function sample() {
  const tree = TraceTree.create({ text: 'q' }, { id: 't', createdAt: 'now' });
  const a = tree.addChild('n0', { kind: 'step', text: 'a', author: 'model', status: 'expanded' });
  const b = tree.addChild(a.id, { kind: 'answer', text: 'b', author: 'model', status: 'terminal' });
  const c = tree.addChild(a.id, { kind: 'step', text: 'c', author: 'model' });
  const d = tree.addChild('n0', { kind: 'step', text: 'd', author: 'model' });
  return { tree, a: a.id, b: b.id, c: c.id, d: d.id };
}

const statuses = (tree: TraceTree) => tree.trace.nodes.map((n) => `${n.id}:${n.status}`);

describe('prune by hand and un-prune', () => {
  test('un-prune restores each node of the subtree to the status it had, and clears the prune records', () => {
    const { tree, a, b, c } = sample();
    const before = statuses(tree);
    const pruned = pruneByHand(tree, a, 'dead end');
    assert.deepEqual(pruned.map((n) => n.id), [a, b, c]);
    assert.deepEqual([a, b, c].map((id) => tree.node(id).status), ['pruned', 'pruned', 'pruned']);
    assert.deepEqual(tree.node(a).prune, { reason: 'dead end', by: 'human', restore: 'expanded' });
    assert.deepEqual(tree.node(b).prune, { reason: `ancestor ${a} pruned`, by: 'human', restore: 'terminal', ancestor: a });
    const restored = unprune(tree, a);
    assert.deepEqual(restored.map((n) => n.id), [a, b, c]);
    assert.deepEqual(statuses(tree), before);
    for (const id of [a, b, c]) assert.equal(tree.node(id).prune, undefined, `${id} keeps a prune record`);
    const last = tree.trace.events.at(-1)!;
    assert.equal(last.type, 'status');
    assert.deepEqual(last.data, { status: 'expanded', unpruned: 3 });
  });

  test('the recorded status survives serialization, so a saved file can be un-pruned after reopening', () => {
    const { tree, a, c } = sample();
    pruneByHand(tree, a, 'dead end');
    const reopened = TraceTree.from(parseTrace(serializeTrace(tree.trace)));
    assert.equal(reopened.node(c).prune?.restore, 'open');
    unprune(reopened, a);
    assert.equal(reopened.node(a).status, 'expanded');
    assert.equal(reopened.node(c).status, 'open');
  });

  test('an engine prune inside the subtree is kept by the prune and by the un-prune', () => {
    const { tree, a, b, c } = sample();
    tree.prune(c, { reason: 'beam rank 3 > width 2', by: 'engine', rank: 3, score: 0.2, cutoff: 0.4 });
    const enginePrune = tree.node(c).prune;
    const pruned = pruneByHand(tree, a, 'dead end');
    assert.deepEqual(pruned.map((n) => n.id), [a, b], 'the already-pruned node is not counted as pruned by hand');
    assert.deepEqual(tree.node(c).prune, enginePrune);
    unprune(tree, a);
    assert.equal(tree.node(a).status, 'expanded');
    assert.equal(tree.node(b).status, 'terminal');
    assert.equal(tree.node(c).status, 'pruned');
    assert.deepEqual(tree.node(c).prune, enginePrune);
  });

  test('engine prunes, nodes pruned with an ancestor, legacy human prunes and unpruned nodes are refused, with the reason', () => {
    const { tree, a, b, c, d } = sample();
    tree.prune(d, { reason: 'score 0.1 below cutoff 0.5', by: 'engine' });
    assert.match(unpruneBlocker(tree.node(d)) ?? '', /the search pruned n4 \(score 0\.1 below cutoff 0\.5\).*re-run from its parent/);
    assert.throws(() => unprune(tree, d), /cannot un-prune: the search pruned/);
    assert.equal(tree.node(d).status, 'pruned');

    pruneByHand(tree, a, 'dead end');
    assert.match(unpruneBlocker(tree.node(b)) ?? '', new RegExp(`pruned together with ${a}; un-prune ${a} instead`));
    assert.throws(() => unprune(tree, b), /un-prune n1 instead/);
    assert.equal(unpruneBlocker(tree.node(a)), undefined);

    // A prune written before `restore` existed: what to restore is unknown.
    tree.update(c, { status: 'pruned', prune: { reason: 'old', by: 'human' } });
    assert.match(unpruneBlocker(tree.node(c)) ?? '', /earlier status was not recorded/);
    assert.match(unpruneBlocker(tree.node('n0')) ?? '', /not pruned/);
  });

  test('pruning means nothing on the root or an already pruned node', () => {
    const { tree, a } = sample();
    assert.match(pruneBlocker(tree.node('n0')) ?? '', /root/);
    assert.throws(() => pruneByHand(tree, 'n0', 'x'), /root/);
    assert.equal(pruneBlocker(tree.node(a)), undefined);
    pruneByHand(tree, a, 'x');
    assert.match(pruneBlocker(tree.node(a)) ?? '', /already pruned/);
    const events = tree.trace.events.length;
    assert.throws(() => pruneByHand(tree, a, 'again'), /already pruned/);
    assert.equal(tree.trace.events.length, events, 'a refused prune logged an event');
  });
});
