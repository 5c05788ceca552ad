// Tree diff in the search panel (real Chromium): the host's diffMarks fill the store's dense marks array and the
// label, the bar under the message bar gives the summary, ] and [ walk the changes in preorder (wrapping), the
// selected change shows A's and B's text and values, and marks for another trace are ignored.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { overlayTraces } from '../../src/core/analyse/diffOverlay';
import type { DiffOverlay } from '../../src/core/analyse/diffOverlay';
import { TraceTree } from '../../src/core/trace/tree';
import type { HostMessageInput } from '../../src/protocol/hostMessages';
import { equationTree } from '../fixtures/metacot/handTrees';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

const { open } = panelSuite();

/** A second attempt at the equation: one step reworded, one value changed, one step added, one gone. */
function equationB(): TraceTree {
  const b = TraceTree.create({ text: 'Solve for x: 2x + 3 = 11.', answer: '4' }, { id: 'eq-2', createdAt: '2026-01-02T00:00:00.000Z' });
  const b1 = b.addChild('n0', { kind: 'step', author: 'model', text: 'Subtract 3 from both sides:  2x = 8', value: 0.75 });
  b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Add 3 to both sides: 2x = 15.', value: 0.0625 });
  const b3 = b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Divide both sides by 2: x = 4.', value: 0.96875 });
  b.addChild(b3.id, { kind: 'answer', author: 'model', text: 'The answer is 4.', verified: true });
  b.addChild(b1.id, { kind: 'step', author: 'model', text: 'Halve: x = 4.', value: 1 });
  return b;
}

const marksMessage = (o: DiffOverlay): HostMessageInput => ({ type: 'diffMarks', traceId: o.trace.id, label: o.label, marks: o.marks, sameProblem: o.sameProblem });

async function comparePanel(): Promise<{ p: PanelPage; o: DiffOverlay }> {
  const o = overlayTraces(equationTree().toJSON(), equationB().toJSON(), { labelA: 'eq-1', labelB: 'eq-2' });
  const p = await open();
  await p.load(o.trace);
  await p.send(marksMessage(o));
  await p.nextFrame();
  return { p, o };
}

const barText = (p: PanelPage) => p.page.locator('#diff-view').innerText();

describe('search panel: tree diff', () => {
  it('fills the store arrays from the marks and shows the summary', async () => {
    const { p, o } = await comparePanel();
    const kinds = { same: 0, added: 1, removed: 2, changed: 3 } as const;
    const byId = new Map(o.marks.map((m) => [m.nodeId, kinds[m.kind]]));
    assert.deepEqual(
      await p.probe('p.diffMarks'),
      o.trace.nodes.map((n) => byId.get(n.id) ?? 0),
    );
    // Dense index order = the overlay's node order: n0..n5 of B, then the grafted A:n2.
    assert.deepEqual(await p.probe('p.diffMarks'), [0, 0, 3, 0, 0, 1, 2]);
    assert.equal(await p.probe('p.diffLabel'), 'eq-1 ↔ eq-2');
    assert.match(await barText(p), /1 added, 1 removed, 1 changed, 1 value changed · eq-1 ↔ eq-2/);
    assert.equal(await p.page.locator('#diff-view').isVisible(), true);
  });

  it('] and [ walk the changes in preorder, wrapping; the selected change shows A and B', async () => {
    const { p } = await comparePanel();
    await p.page.locator('#tree').focus();
    const walk: (string | null)[] = [];
    for (let k = 0; k < 5; k++) {
      await p.page.keyboard.press(']');
      walk.push(await p.probe('p.selectedId'));
    }
    // Preorder: n1's children n2 (changed), n3 (value), n5 (added), then the root's grafted child A:n2; then around.
    assert.deepEqual(walk, ['n2', 'n3', 'n5', 'A:n2', 'n2']);
    const changed = await barText(p);
    assert.match(changed, /A \(n3\)\s+Add 3 to both sides: 2x = 14\.\s+Value 0\.0625/);
    assert.match(changed, /B \(n2\)\s+Add 3 to both sides: 2x = 15\.\s+Value 0\.0625/);
    await p.page.keyboard.press('[');
    assert.equal(await p.probe('p.selectedId'), 'A:n2');
    assert.match(await barText(p), /Only in A \(n2\)\s+Divide both sides by 3: x = 11\/3\./);
    await p.page.keyboard.press('[');
    assert.equal(await p.probe('p.selectedId'), 'n5');
    assert.match(await barText(p), /Only in B \(n5\)\s+Halve: x = 4\./);
    await p.page.keyboard.press('[');
    assert.equal(await p.probe('p.selectedId'), 'n3');
    assert.match(await barText(p), /A \(n4\): same text\s+Value 0\.9375\s+B \(n3\)\s+Value 0\.9688/);
    // From an unmarked node (n4, under n3) the next change is the first one after it in preorder.
    await p.page.keyboard.press('ArrowRight');
    assert.equal(await p.probe('p.selectedId'), 'n4');
    await p.page.keyboard.press(']');
    assert.equal(await p.probe('p.selectedId'), 'n5');
  });

  it('never applies marks to another trace, and a load of another trace clears the diff', async () => {
    const { p, o } = await comparePanel();
    await p.send({ type: 'diffMarks', traceId: 'someone-else', label: 'x ↔ y', marks: [] });
    await p.nextFrame();
    // Marks for a trace not loaded (yet) are never drawn on this one: the diff goes until its own trace arrives.
    assert.equal(await p.probe('p.diffMarks'), null);
    await p.send(marksMessage(o));
    await p.nextFrame();
    assert.deepEqual(await p.probe('p.diffMarks'), [0, 0, 3, 0, 0, 1, 2]);
    await p.load(equationTree().toJSON());
    assert.equal(await p.probe('p.diffMarks'), null);
    assert.equal(await p.probe('p.diffLabel'), '');
    assert.equal(await p.page.locator('#diff-view').isVisible(), false);
    // Without a diff, ] does nothing.
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press(']');
    assert.equal(await p.probe('p.selectedId'), null);
  });

  it('identical traces: "No differences", navigation says so', async () => {
    const o = overlayTraces(equationTree().toJSON(), equationTree().toJSON());
    const p = await open();
    await p.load(o.trace);
    await p.send(marksMessage(o));
    await p.nextFrame();
    assert.deepEqual(await p.probe('p.diffMarks'), [0, 0, 0, 0, 0, 0]);
    assert.match(await barText(p), /No differences/);
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press(']');
    assert.equal(await p.probe('p.selectedId'), null);
  });
});
