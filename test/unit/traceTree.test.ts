import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TraceTree } from '../../src/core/trace/tree';
import { checkInvariants, parseTrace, serializeTrace } from '../../src/core/trace/io';

type Op =
  | { op: 'add'; parent: number; text: string }
  | { op: 'edit'; node: number; text: string }
  | { op: 'prune'; node: number }
  | { op: 'supersede'; node: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), parent: fc.nat(), text: fc.string({ maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('edit' as const), node: fc.nat(), text: fc.string({ maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('prune' as const), node: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('supersede' as const), node: fc.nat() }) },
);

function apply(ops: Op[]): TraceTree {
  const tree = TraceTree.create({ text: 'q' }, { id: 't', createdAt: 'now' });
  tree.trace.runs.push({
    id: 'r1',
    config: { strategy: 'single', params: {}, endpoint: { name: 'e', baseUrl: 'http://127.0.0.1', model: 'm', mode: 'chat', sampling: {} }, verifier: { kind: 'none', params: {} }, budgets: {} },
    startNodeId: 'n0', startedAt: 'now', status: 'completed', usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 },
  });
  for (const o of ops) {
    const nodes = tree.trace.nodes;
    if (o.op === 'add') tree.addChild(nodes[o.parent % nodes.length]!.id, { kind: 'step', text: o.text, author: 'model' });
    else if (o.op === 'edit') tree.editText(nodes[o.node % nodes.length]!.id, o.text);
    else if (o.op === 'prune') {
      const n = nodes[o.node % nodes.length]!;
      if (n.kind !== 'root') tree.prune(n.id, { reason: 'test', by: 'human' });
    } else tree.supersede(nodes[o.node % nodes.length]!.id, 'r1');
  }
  return tree;
}

describe('tree operations keep the invariants', () => {
  test('any sequence of add / edit / prune / supersede yields a valid, round-tripping trace', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const tree = apply(ops);
        assert.deepEqual(checkInvariants(tree.toJSON()), []);
        const text = serializeTrace(tree.toJSON());
        const back = TraceTree.from(parseTrace(text));
        assert.equal(back.size, tree.size);
        // Indexes rebuilt from the file agree with the live ones.
        for (const n of tree.trace.nodes) assert.deepEqual(back.childIdsOf(n.id), tree.childIdsOf(n.id));
      }),
      { numRuns: 200 },
    );
  });

  test('subtree sizes add up and every path ends at the root', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const tree = apply(ops);
        const root = tree.root();
        assert.equal(tree.subtree(root.id).length, tree.size);
        for (const n of tree.trace.nodes) {
          const path = tree.pathToRoot(n.id);
          assert.equal(path[0]!.id, 'n0');
          assert.equal(path.at(-1)!.id, n.id);
          assert.equal(path.length - 1, tree.depth(n.id));
          const kids = tree.children(n.id);
          assert.equal(tree.subtree(n.id).length, 1 + kids.reduce((s, k) => s + tree.subtree(k.id).length, 0));
        }
      }),
      { numRuns: 100 },
    );
  });

  test('edits keep the first original text; editing back removes it', () => {
    const tree = TraceTree.create({ text: 'q' });
    const a = tree.addChild('n0', { kind: 'step', text: 'model words', author: 'model' });
    tree.editText(a.id, 'first edit');
    tree.editText(a.id, 'second edit');
    assert.equal(tree.node(a.id).originalText, 'model words');
    assert.equal(tree.node(a.id).text, 'second edit');
    tree.editText(a.id, 'model words');
    assert.equal(tree.node(a.id).originalText, undefined);
    assert.deepEqual(tree.trace.events.filter((e) => e.type === 'edit').map((e) => e.node), [a.id, a.id, a.id]);
  });

  test('prune marks the whole subtree and records the reason on its top', () => {
    const tree = TraceTree.create({ text: 'q' });
    const a = tree.addChild('n0', { kind: 'step', text: 'a', author: 'model' });
    const b = tree.addChild(a.id, { kind: 'step', text: 'b', author: 'model' });
    const c = tree.addChild('n0', { kind: 'step', text: 'c', author: 'model' });
    tree.prune(a.id, { reason: 'dead end', by: 'human', score: 0.1 });
    assert.equal(tree.node(a.id).status, 'pruned');
    assert.equal(tree.node(b.id).status, 'pruned');
    assert.equal(tree.node(c.id).status, 'open');
    assert.deepEqual(tree.node(a.id).prune, { reason: 'dead end', by: 'human', score: 0.1 });
    assert.equal(tree.node(b.id).prune?.reason, `ancestor ${a.id} pruned`);
    assert.throws(() => tree.prune('n0', { reason: 'x', by: 'human' }), /root cannot be pruned/);
  });

  test('stepsTo gives the prefix a re-run continues, without the root', () => {
    const tree = TraceTree.create({ text: 'q' });
    const a = tree.addChild('n0', { kind: 'step', text: 's1', author: 'model' });
    const b = tree.addChild(a.id, { kind: 'step', text: 's2', author: 'model' });
    assert.deepEqual(tree.stepsTo(b.id), ['s1', 's2']);
    assert.deepEqual(tree.stepsTo('n0'), []);
    assert.throws(() => tree.node('n77'), /unknown node "n77"/);
  });
});
