import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffTraces } from '../../src/core/analyse/diff';
import { overlayRuns, overlayTraces, runSubtrace } from '../../src/core/analyse/diffOverlay';
import { checkInvariants } from '../../src/core/trace/io';
import type { Run, Trace } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { equationTree } from '../fixtures/metacot/handTrees';

/** The second attempt of analyse.test.ts's diff case: one step reworded, one value changed, one added, one gone. */
function equationB(): TraceTree {
  const b = TraceTree.create({ text: 'Solve for x: 2x + 3 = 11.', answer: '4' }, { id: 'eq-2', createdAt: '2026-01-02T00:00:00.000Z' });
  const b1 = b.addChild('n0', { kind: 'step', author: 'model', text: 'Subtract 3 from both sides:  2x = 8', value: 0.75 });
  b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Add 3 to both sides: 2x = 15.', value: 0.0625 });
  const b3 = b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Divide both sides by 2: x = 4.', value: 0.96875 });
  b.addChild(b3.id, { kind: 'answer', author: 'model', text: 'The answer is 4.', verified: true });
  b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Halve: x = 4.', value: 1 });
  return b;
}

const usage = { requests: 1, cachedRequests: 0, tokensIn: 10, tokensOut: 5, cost: 0 };
const run = (id: string, startNodeId: string, strategy: Run['config']['strategy']): Run => ({
  id,
  config: { strategy, params: {}, endpoint: { name: 'e', baseUrl: 'http://127.0.0.1', model: 'm', mode: 'chat', sampling: {} }, verifier: { kind: 'none', params: {} }, budgets: {} },
  startNodeId,
  startedAt: '2026-01-01T00:00:00.000Z',
  status: 'completed',
  usage,
});

/** run-1 searched from the root; run-2 re-ran from n1, superseding run-1's two children of n1 and rewording one. */
function twoRunTrace(): Trace {
  const t = TraceTree.create({ text: 'Solve for x: 2x + 3 = 11.' }, { id: 'two', createdAt: '2026-01-01T00:00:00.000Z' });
  t.trace.runs.push(run('run-1', 'n0', 'mcts'), run('run-2', 'n1', 'beam'));
  t.trace.usage = { ...usage, requests: 2, tokensIn: 20, tokensOut: 10 };
  const r1 = { kind: 'step' as const, author: 'model' as const, runId: 'run-1' };
  const r2 = { kind: 'step' as const, author: 'model' as const, runId: 'run-2' };
  const n1 = t.addChild('n0', { ...r1, text: 'Subtract 3: 2x = 8.', value: 0.7 }); // n1 (shared path of run-2)
  t.addChild('n0', { ...r1, text: 'Divide by 3 first.', value: 0.1 }); // n2: only run-1
  t.addChild(n1.id, { ...r1, text: 'Divide by 2: x = 4.', value: 0.5, supersededBy: 'run-2' }); // n3
  t.addChild(n1.id, { ...r1, text: 'Add 3: 2x = 14.', value: 0.1, supersededBy: 'run-2' }); // n4
  t.addChild(n1.id, { ...r2, text: 'Divide by 2: x = 4.', value: 0.9 }); // n5 ~ n3, value changed
  t.addChild(n1.id, { ...r2, text: 'Add 3: 2x = 15.', value: 0.1 }); // n6 changed from n4
  t.addChild(n1.id, { ...r2, text: 'Halve both sides.', value: 0.8 }); // n7 added
  return t.toJSON();
}

test('overlay of two traces: B plus A\'s removed nodes grafted under fresh ids; counts are the diff\'s', () => {
  const a = equationTree().toJSON();
  const b = equationB().toJSON();
  const o = overlayTraces(a, b, { labelA: 'eq-1', labelB: 'eq-2' });
  assert.deepEqual(o.counts, diffTraces(a, b).counts);
  assert.deepEqual(o.counts, { same: 3, changed: 1, removed: 1, added: 1, valueChanged: 1 });
  assert.equal(o.label, 'eq-1 ↔ eq-2');
  assert.notEqual(o.trace.id, b.id);
  assert.deepEqual(checkInvariants(o.trace), []);
  assert.equal(o.trace.nodes.length, b.nodes.length + 1);
  // The grafted node: A's text and value, a fresh id no B node has, under the root (its A parent, aligned).
  const grafted = o.trace.nodes.at(-1)!;
  assert.equal(grafted.id, 'A:n2');
  assert.equal(grafted.text, 'Divide both sides by 3: x = 11/3.');
  assert.equal(grafted.value, 0.03125);
  assert.equal(grafted.parentId, 'n0');
  assert.equal(b.nodes.filter((n) => n.id === grafted.id).length, 0);
  assert.deepEqual(
    o.marks.map((m) => [m.nodeId, m.kind, m.valueChanged, m.idA ?? null]),
    [
      ['n2', 'changed', false, 'n3'],
      ['n3', 'same', true, 'n4'],
      ['n5', 'added', false, null],
      ['A:n2', 'removed', false, 'n2'],
    ],
  );
  const changed = o.marks[0]!;
  assert.equal(changed.textA, 'Add 3 to both sides: 2x = 14.');
  assert.deepEqual([changed.valueA, changed.valueB], [0.0625, 0.0625]);
  assert.deepEqual([o.marks[1]!.valueA, o.marks[1]!.valueB], [0.9375, 0.96875]);
});

test('grafted subtrees keep their shape; ids stay unique when B already has an A: id', () => {
  const a = TraceTree.create({ text: 'q' }, { id: 'a', createdAt: 'now' });
  const x = a.addChild('n0', { kind: 'step', author: 'model', text: 'only in A, first step' });
  a.addChild(x.id, { kind: 'step', author: 'model', text: 'only in A, under it' });
  const b = TraceTree.create({ text: 'q' }, { id: 'b', createdAt: 'now' });
  b.addChild('n0', { kind: 'step', author: 'model', text: 'something else entirely' });
  const bt = b.toJSON();
  bt.nodes[1]!.id = 'A:n1'; // a B node that happens to look like a grafted id
  bt.events = [];
  const o = overlayTraces(a.toJSON(), bt);
  const ids = o.trace.nodes.map((n) => n.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(checkInvariants(o.trace), []);
  const removed = o.marks.filter((m) => m.kind === 'removed').map((m) => o.trace.nodes.find((n) => n.id === m.nodeId)!);
  assert.deepEqual(
    removed.map((n) => [n.text, n.parentId]),
    [
      ['only in A, first step', 'n0'],
      ['only in A, under it', removed[0]!.id],
    ],
  );
  assert.equal(removed[0]!.id, 'A:n1~2');
  assert.deepEqual(o.counts, { same: 0, changed: 0, removed: 2, added: 1, valueChanged: 0 });
});

test('identical traces: every node the same, no marks, the overlay holds B\'s nodes only', () => {
  const a = equationTree().toJSON();
  const o = overlayTraces(a, equationTree().toJSON());
  assert.deepEqual(o.counts, { same: 5, changed: 0, removed: 0, added: 0, valueChanged: 0 });
  assert.deepEqual(o.marks, []);
  assert.equal(o.trace.nodes.length, a.nodes.length);
});

test('a run\'s part: its nodes plus the path it shares from the root, with that run alone', () => {
  const t = twoRunTrace();
  const s2 = runSubtrace(t, 'run-2');
  assert.deepEqual(s2.nodes.map((n) => n.id), ['n0', 'n1', 'n5', 'n6', 'n7']);
  assert.deepEqual(s2.runs.map((r) => r.id), ['run-2']);
  assert.equal(s2.nodes[1]!.runId, undefined); // n1 is run-1's: the link goes with the other run
  assert.deepEqual(checkInvariants(s2), []);
  const s1 = runSubtrace(t, 'run-1');
  assert.deepEqual(s1.nodes.map((n) => n.id), ['n0', 'n1', 'n2', 'n3', 'n4']);
  assert.equal(s1.nodes[3]!.supersededBy, undefined);
  assert.deepEqual(checkInvariants(s1), []);
  assert.throws(() => runSubtrace(t, 'run-9'), /no run "run-9"/);
});

test('two runs of one trace diff their own parts; removed nodes keep their real ids', () => {
  const t = twoRunTrace();
  const o = overlayRuns(t, 'run-1', 'run-2');
  assert.deepEqual(o.counts, diffTraces(runSubtrace(t, 'run-1'), runSubtrace(t, 'run-2')).counts);
  // n1 shared (same); n5 ~ n3 same text, value 0.5 → 0.9; n6 changed from n4; n7 added; n2 only in run-1.
  assert.deepEqual(o.counts, { same: 2, changed: 1, removed: 1, added: 1, valueChanged: 1 });
  assert.deepEqual(
    o.marks.map((m) => [m.nodeId, m.kind, m.valueChanged]),
    [
      ['n5', 'same', true],
      ['n6', 'changed', false],
      ['n7', 'added', false],
      ['n2', 'removed', false],
    ],
  );
  assert.equal(o.marks[1]!.textA, 'Add 3: 2x = 14.');
  assert.deepEqual(o.trace.nodes.map((n) => n.id), ['n0', 'n1', 'n5', 'n6', 'n7', 'n2']);
  assert.equal(o.label, 'run-1 (mcts) ↔ run-2 (beam)');
  assert.deepEqual(checkInvariants(o.trace), []);
  assert.throws(() => overlayRuns(t, 'run-1', 'run-1'), /two different runs/);
  // The other way round, the run-2-only nodes are the removed ones.
  const back = overlayRuns(t, 'run-2', 'run-1');
  assert.deepEqual(back.counts, { same: 2, changed: 1, removed: 1, added: 1, valueChanged: 1 });
  assert.deepEqual(back.marks.filter((m) => m.kind === 'removed').map((m) => m.nodeId), ['n7']);
});

test('10,000 nodes a side: counts match the diff, the overlay is a valid trace', () => {
  const big = (id: string, salt: number) => {
    const t = TraceTree.create({ text: 'q' }, { id, createdAt: 'now' });
    const ids = ['n0'];
    for (let i = 1; i < 10_000; i++) {
      const parent = ids[Math.floor((i - 1) / 4)]!;
      // Every 50th step is worded differently in B; every 97th exists only on one side.
      const text = i % 97 === 0 ? (salt ? `zebra quokka ${i + 1}` : `alpha branch ${i}`) : `step ${i}${salt && i % 50 === 0 ? ' (again)' : ''}`;
      ids.push(t.addChild(parent, { kind: 'step', author: 'model', text, value: (i % 10) / 10 }).id);
    }
    return t.toJSON();
  };
  const a = big('a', 0);
  const b = big('b', 1);
  const o = overlayTraces(a, b);
  assert.deepEqual(o.counts, diffTraces(a, b).counts);
  assert.ok(o.counts.removed > 0 && o.counts.added > 0 && o.counts.changed > 0);
  assert.deepEqual(checkInvariants(o.trace), []);
  assert.equal(o.trace.nodes.length, b.nodes.length + o.counts.removed);
});
