// Panel pure modules, no DOM: trace model, tree layout, replay index, hit test, navigation and find.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Trace } from '../../src/core/trace/schema';
import { TraceDeltaMessageSchema } from '../../src/protocol/hostMessages';
import { Camera } from '../../webview/camera';
import { findMatches } from '../../webview/findMatches';
import { hitTest } from '../../webview/hitTest';
import { navigate } from '../../webview/navigation';
import { buildReplayIndex } from '../../webview/replayIndex';
import { TraceModel } from '../../webview/traceModel';
import { CARD_H, CARD_W, LEVEL_GAP, ROW_GAP, layoutSteps, layoutTree, lowerBound } from '../../webview/treeLayout';
import type { TreeLayout } from '../../webview/treeLayout';
import { generateTrace } from '../fixtures/generateTrace';

const beam = (): Trace => TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));
const ids = (m: TraceModel, list: Iterable<number>) => [...list].map((i) => m.nodes[i].id);

describe('webview trace model', () => {
  it('indexes nodes, parents, children, depth and the best path', () => {
    const m = TraceModel.fromTrace(beam());
    assert.equal(m.size, 12);
    assert.deepEqual(ids(m, m.roots), ['n0']);
    const n5 = m.index.get('n5') as number;
    assert.equal(m.nodes[m.parent[n5]].id, 'n1');
    assert.deepEqual(ids(m, m.children[n5]), ['n9', 'n11']);
    assert.equal(m.depth[m.index.get('n9') as number], 3);
    assert.deepEqual(ids(m, m.bestPath).sort(), ['n0', 'n1', 'n5', 'n9']);
    assert.deepEqual(ids(m, m.pathTo(m.index.get('n9') as number)), ['n0', 'n1', 'n5', 'n9']);
    assert.deepEqual(ids(m, m.subtree(m.index.get('n2') as number)).sort(), ['n10', 'n2', 'n7', 'n8']);
    assert.equal(m.maxIteration, 3);
    assert.equal(m.runOf(n5)?.id, 'beam-1');
    assert.match(m.searchText(m.index.get('n9') as number), /answer/);
  });

  it('applies deltas: added nodes are structural, value patches are not, removals drop whole subtrees', () => {
    const m = TraceModel.fromTrace(beam());
    const v0 = m.dataVersion;
    const delta = (d: object) => TraceDeltaMessageSchema.parse({ type: 'traceDelta', traceId: m.id, ...d });
    const added = m.applyDelta(delta({ nodesAdded: [{ id: 's1', parentId: 'n9', kind: 'step', text: 'more', author: 'model', status: 'open', iteration: 5 }] }));
    assert.equal(added, true);
    assert.equal(m.size, 13);
    assert.equal(m.maxIteration, 5);
    assert.equal(m.depth[m.index.get('s1') as number], 4);
    const patched = m.applyDelta(delta({ nodesUpdated: [{ id: 'n1', value: 0.25 }] }));
    assert.equal(patched, false);
    assert.equal(m.nodes[m.index.get('n1') as number].value, 0.25);
    assert.ok(m.dataVersion > v0);
    assert.equal(m.applyDelta({ ...delta({ nodesRemoved: ['n5'] }), traceId: 'another-trace' }), false, 'a delta for another trace is ignored');
    assert.equal(m.applyDelta(delta({ nodesRemoved: ['n5'] })), true);
    assert.equal(m.size, 9, 'n5, n9, n11 and s1 removed');
    assert.equal(m.index.get('s1'), undefined);
  });

  it('gives nodes that arrive before their parents their real depth, and keeps orphans as roots', () => {
    const m = TraceModel.fromTrace(beam());
    const node = (id: string, parentId: string) => ({ id, parentId, kind: 'step', text: id, author: 'model', status: 'open', iteration: 1 });
    // Great-grandchild first, then grandchild, child (under n9, depth 3), and one node whose parent never comes.
    m.applyDelta(TraceDeltaMessageSchema.parse({ type: 'traceDelta', traceId: m.id, nodesAdded: [node('c', 'b'), node('b', 'a'), node('orphan', 'missing'), node('a', 'n9')] }));
    const depthOf = (id: string) => m.depth[m.index.get(id) as number];
    assert.deepEqual(['a', 'b', 'c'].map(depthOf), [4, 5, 6]);
    assert.deepEqual(ids(m, m.pathTo(m.index.get('c') as number)), ['n0', 'n1', 'n5', 'n9', 'a', 'b', 'c']);
    assert.equal(depthOf('orphan'), 0);
    assert.deepEqual(ids(m, m.roots), ['n0', 'orphan']);
    // The same without an orphan in the delta (nothing left waiting).
    m.applyDelta(TraceDeltaMessageSchema.parse({ type: 'traceDelta', traceId: m.id, nodesAdded: [node('z', 'y'), node('y', 'x'), node('x', 'n1')] }));
    assert.deepEqual(['x', 'y', 'z'].map(depthOf), [2, 3, 4]);
  });
});

describe('webview tree layout', () => {
  it('places depth in columns, keeps each level sorted by y, and leaves no two cards of a level overlapping', () => {
    const m = TraceModel.fromTrace(beam());
    const L = layoutTree(m, new Set());
    assert.equal(L.visibleCount, 12);
    assert.equal(L.maxDepth, 3);
    for (let i = 0; i < m.size; i++) assert.equal(L.x[i], m.depth[i] * LEVEL_GAP, m.nodes[i].id);
    for (const ys of L.levelY) for (let j = 1; j < ys.length; j++) assert.ok(ys[j] - ys[j - 1] >= ROW_GAP - 1e-9, `rows ${ys[j - 1]} and ${ys[j]}`);
    assert.equal(L.levels[1].length, 4);
    assert.ok(L.minY <= Math.min(...L.y) && L.maxY >= Math.max(...L.y));
    // A parent sits within the span of its children.
    const n1 = m.index.get('n1') as number;
    const kids = m.children[n1].map((c) => L.y[c]);
    assert.ok(L.y[n1] >= Math.min(...kids) && L.y[n1] <= Math.max(...kids));
  });

  it('hides the subtree of a collapsed node and counts what it hides', () => {
    const m = TraceModel.fromTrace(beam());
    const n1 = m.index.get('n1') as number;
    const L = layoutTree(m, new Set([n1]));
    assert.equal(L.visibleCount, 8);
    assert.equal(L.hiddenCount.get(n1), 4);
    assert.equal(L.visible[m.index.get('n9') as number], 0);
    assert.ok(Number.isNaN(L.x[m.index.get('n9') as number]));
  });

  it('lays out in slices (layoutSteps) exactly as at once, of the nodes there were when it started', () => {
    const trace = generateTrace({ nodes: 20_000, seed: 5, validate: false });
    const m = TraceModel.fromTrace(trace);
    const collapsed = new Set([m.children[m.roots[0]][1]]);
    const whole = layoutTree(m, collapsed);
    const steps = layoutSteps(m, collapsed);
    let pauses = 0;
    let r = steps.next();
    // A streamed delta lands between two slices: 300 nodes under old parents, one under a collapsed node.
    const added = Array.from({ length: 300 }, (_, k) => ({ id: `late${k}`, parentId: `n${(k * 61) % 20_000}`, kind: 'step', text: 'late', author: 'model', status: 'open', iteration: 9 }));
    added.push({ ...added[0], id: 'hidden-late', parentId: m.nodes[[...collapsed][0]].id, value: 0.99 } as (typeof added)[number]);
    m.applyDelta(TraceDeltaMessageSchema.parse({ type: 'traceDelta', traceId: m.id, nodesAdded: added }));
    while (!r.done) {
      pauses++;
      r = steps.next();
    }
    const sliced: TreeLayout = r.value;
    assert.ok(pauses >= 5, `a 20k layout pauses (${pauses} times)`);
    assert.equal(m.size, 20_301);
    assert.equal(sliced.x.length, 20_000, 'sized for the nodes it started with');
    assert.deepEqual([sliced.visibleCount, sliced.maxDepth, sliced.minY, sliced.maxY], [whole.visibleCount, whole.maxDepth, whole.minY, whole.maxY]);
    assert.deepEqual(sliced.y, whole.y);
    assert.deepEqual(sliced.levels, whole.levels);
    assert.deepEqual([...sliced.hiddenSummary], [...whole.hiddenSummary], 'the late node under the collapsed one is not counted');
    // Laid out again, the new nodes are in.
    const after = layoutTree(m, collapsed);
    const shownUnder = added.slice(0, 300).filter((a) => {
      const p = m.index.get(a.parentId) as number;
      return whole.visible[p] === 1 && !collapsed.has(p);
    }).length;
    assert.ok(shownUnder > 250);
    assert.equal(after.visibleCount, whole.visibleCount + shownUnder);
    assert.equal(after.hiddenCount.get([...collapsed][0]), (whole.hiddenCount.get([...collapsed][0]) ?? 0) + 1 + (300 - shownUnder));
  });

  it('lowerBound finds the first index not below a value', () => {
    const a = Float64Array.from([1, 3, 3, 7]);
    assert.deepEqual([0, 1, 3, 4, 8].map((v) => lowerBound(a, v)), [0, 0, 1, 3, 4]);
  });
});

describe('webview replay index', () => {
  it('records when nodes were pruned and valued and which nodes each iteration touched', () => {
    const m = TraceModel.fromTrace(beam());
    const r = buildReplayIndex(m);
    const at = (id: string) => m.index.get(id) as number;
    assert.equal(r.prunedAt[at('n3')], 1);
    assert.equal(r.prunedAt[at('n6')], 2);
    assert.equal(r.prunedAt[at('n11')], 3);
    assert.equal(r.prunedAt[at('n1')], Infinity);
    assert.equal(r.valuedAt[at('n5')], 2);
    assert.equal(r.valuedAt[at('n8')], Infinity, 'a failed node never got a value');
    assert.deepEqual(r.iterations, [0, 1, 2, 3]);
    assert.deepEqual(ids(m, r.touched.get(1) ?? []).sort(), ['n0', 'n1', 'n2', 'n3', 'n4']);
    assert.equal(r.dataVersion, m.dataVersion);
  });
});

describe('webview hit test and navigation', () => {
  it('maps a screen point to the card under it, respecting the scrubber filter', () => {
    const m = TraceModel.fromTrace(beam());
    const L = layoutTree(m, new Set());
    const cam = new Camera();
    cam.width = 1000;
    cam.height = 600;
    cam.setExtent(L.maxDepth);
    cam.fit(L.minY, L.maxY, L.maxDepth);
    const n9 = m.index.get('n9') as number;
    const px = cam.toScreenX(L.x[n9]) + (CARD_W * cam.sx) / 2;
    const py = cam.toScreenY(L.y[n9]);
    assert.equal(hitTest(L, cam, px, py, () => true), n9);
    assert.equal(hitTest(L, cam, px, py + (CARD_H / 2) * cam.k - 1, () => true), n9, 'inside the card edge');
    assert.equal(hitTest(L, cam, px, py, (i) => m.nodes[i].iteration <= 2), -1, 'a node after the scrubber is not hit');
    assert.equal(hitTest(L, cam, cam.toScreenX(L.x[n9]) + CARD_W * cam.sx + 40, py, () => true), -1, 'the gap between columns');
  });

  it('walks parent, best child, siblings, and expands a collapsed node on Right', () => {
    const m = TraceModel.fromTrace(beam());
    const L = layoutTree(m, new Set());
    const at = (id: string) => m.index.get(id) as number;
    const go = (from: string, key: Parameters<typeof navigate>[5], collapsed = new Set<number>()) => {
      const s = navigate(m, L, collapsed, () => true, at(from), key);
      return `${s.kind}:${m.nodes[s.i].id}`;
    };
    assert.equal(go('n0', 'ArrowRight'), 'focus:n1', 'the child on the best path');
    assert.equal(go('n1', 'ArrowDown'), 'focus:n2');
    assert.equal(go('n2', 'ArrowUp'), 'focus:n1');
    assert.equal(go('n2', 'ArrowRight'), 'focus:n7');
    assert.equal(go('n8', 'ArrowLeft'), 'focus:n2');
    assert.equal(go('n0', 'ArrowLeft'), 'focus:n0', 'the root has no parent');
    assert.equal(go('n1', 'ArrowRight', new Set([at('n1')])), 'toggle:n1');
    assert.equal(go('n9', 'Home'), 'focus:n0');
    assert.equal(go('n6', 'ArrowDown'), 'focus:n7', 'past the last sibling: the next card in the column');
  });

  it('finds by text and by status, in tree order', () => {
    const m = TraceModel.fromTrace(beam());
    assert.equal(findMatches(m, '  ', 'any'), null, 'no filter, no find');
    const answers = findMatches(m, 'ANSWER', 'any');
    assert.deepEqual(ids(m, answers?.list ?? []), ['n9', 'n10']);
    assert.equal(answers?.marks[m.index.get('n9') as number], 1);
    assert.equal(answers?.marks[m.index.get('n1') as number], 0);
    assert.deepEqual(ids(m, findMatches(m, '', 'pruned')?.list ?? []), ['n11', 'n6', 'n3', 'n4']);
    assert.deepEqual(ids(m, findMatches(m, '', 'human')?.list ?? []), ['n0', 'n7']);
    assert.deepEqual(ids(m, findMatches(m, '', 'verified')?.list ?? []), ['n9']);
  });
});
