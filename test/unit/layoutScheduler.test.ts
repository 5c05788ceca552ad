// When the panel lays the tree out: at once, or in slices across frames (webview/layoutScheduler.ts). Budgets of 0 ms
// make each run() one pause-to-pause step of layoutSteps, so the frame count is the algorithm's, not the clock's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TraceDeltaMessageSchema } from '../../src/protocol/hostMessages';
import { LayoutScheduler } from '../../webview/layoutScheduler';
import { TraceModel } from '../../webview/traceModel';
import { layoutTree } from '../../webview/treeLayout';
import type { TreeLayout } from '../../webview/treeLayout';
import { generateTrace } from '../fixtures/generateTrace';

const ZERO = { slicedAboveMs: 6, sliceMs: 0, actionSlicedAboveMs: 20, actionSliceMs: 0 };
const model = () => TraceModel.fromTrace(generateTrace({ nodes: 20_000, seed: 8, validate: false }));
const add = (m: TraceModel, tag: string, n: number) =>
  m.applyDelta(TraceDeltaMessageSchema.parse({ type: 'traceDelta', traceId: m.id, nodesAdded: Array.from({ length: n }, (_, k) => ({ id: `${tag}${k}`, parentId: m.nodes[0].id, kind: 'step', text: tag, author: 'model', status: 'open', iteration: 1 })) }));

/** Runs frames until a layout comes out; returns it and the frames it took. */
function drain(s: LayoutScheduler, m: TraceModel, collapsed: ReadonlySet<number>): { layout: TreeLayout; frames: number } {
  for (let f = 1; f < 10_000; f++) {
    const r = s.run(m, collapsed, true);
    if (r.layout) return { layout: r.layout, frames: f };
    assert.equal(r.again, true, 'asks for another frame while work is left');
  }
  throw new Error('no layout');
}

describe('layout scheduler', () => {
  it('lays out at once when nothing is drawn, and does nothing when nothing changed', () => {
    const m = model();
    const s = new LayoutScheduler(ZERO);
    const first = s.run(m, new Set(), false);
    assert.ok(first.layout);
    assert.equal(first.again, false);
    assert.equal(s.layoutFrames, 1);
    assert.deepEqual(s.run(m, new Set(), true), { layout: null, again: false });
  });

  it('lays a streamed delta out in slices once a layout is slow, of the nodes there were when it started', () => {
    const m = model();
    const s = new LayoutScheduler(ZERO);
    s.run(m, new Set(), false);
    s.layoutMs = 7; // a layout over 6 ms
    add(m, 'a', 50);
    s.deltasChangedShape();
    const first = s.run(m, new Set(), true);
    assert.deepEqual(first, { layout: null, again: true });
    assert.equal(s.inSlices, true);
    add(m, 'b', 30); // comes while it runs
    s.deltasChangedShape();
    let r = s.run(m, new Set(), true);
    let frames = 2;
    while (!r.layout) {
      r = s.run(m, new Set(), true);
      frames++;
    }
    assert.equal(r.again, true, 'the second delta is still to lay out');
    assert.equal(s.layoutFrames, frames);
    assert.ok(frames >= 5);
    assert.equal(r.layout.x.length, 20_050);
    m.applyDelta(TraceDeltaMessageSchema.parse({ type: 'traceDelta', traceId: m.id })); // nothing structural
    const next = drain(s, m, new Set());
    assert.equal(next.layout.x.length, 20_080);
    assert.deepEqual(next.layout.y, layoutTree(m, new Set()).y);
  });

  it('a small streamed tree, a plain action and a fold of a fast tree lay out at once', () => {
    const m = model();
    const s = new LayoutScheduler(ZERO);
    s.run(m, new Set(), false);
    s.layoutMs = 5;
    add(m, 'a', 5);
    s.deltasChangedShape();
    assert.ok(s.run(m, new Set(), true).layout, 'a layout under 6 ms: at once');
    s.layoutMs = 50;
    s.request();
    assert.ok(s.run(m, new Set(), true).layout, 'an action other than a fold: at once however slow');
    s.layoutMs = 19;
    s.request(true);
    assert.equal(s.actionWouldSlice(true), false);
    assert.ok(s.run(m, new Set([0]), true).layout, 'a fold in a tree laid out in under 20 ms: at once');
  });

  it('a fold in a slow tree runs in slices; an action or a rebuilt model drops a sliced layout', () => {
    const m = model();
    const s = new LayoutScheduler(ZERO);
    s.run(m, new Set(), false);
    s.layoutMs = 30;
    const fold = new Set([m.children[0][0]]);
    s.request(true);
    assert.equal(s.actionWouldSlice(true), true);
    assert.equal(s.actionWouldSlice(false), false, 'nothing drawn: at once');
    assert.deepEqual(s.run(m, fold, true), { layout: null, again: true });
    fold.add(m.children[0][1]); // changed while it runs: the caller asks again
    s.request(true);
    const { layout } = drain(s, m, fold);
    assert.deepEqual(layout.y, layoutTree(m, fold).y, 'the layout of the latest fold');
    // Streamed, then an Expand All: at once, the slices dropped.
    s.layoutMs = 30;
    add(m, 'c', 10);
    s.deltasChangedShape();
    assert.equal(s.run(m, fold, true).layout, null);
    s.request();
    const now = s.run(m, new Set(), true);
    assert.ok(now.layout);
    assert.equal(s.inSlices, false);
    assert.equal(now.layout.visibleCount, m.size);
    // A removal rebuilds the model's indices: a sliced layout of the old ones is dropped and started again.
    s.layoutMs = 30;
    add(m, 'd', 10);
    s.deltasChangedShape();
    s.run(m, new Set(), true);
    m.applyDelta(TraceDeltaMessageSchema.parse({ type: 'traceDelta', traceId: m.id, nodesRemoved: ['d0'] }));
    s.deltasChangedShape();
    const rebuilt = drain(s, m, new Set());
    assert.equal(rebuilt.layout.x.length, m.size);
    assert.deepEqual(rebuilt.layout.y, layoutTree(m, new Set()).y);
  });
});
