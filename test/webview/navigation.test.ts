// Navigation by convention in real Chromium: the wheel zooms around the pointer and never loses the tree, the
// keys do what the help says, Find and Best leave their target centred at a zoom where cards carry text and clear of
// the legend, and Prune / Un-prune are offered only where they mean something.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Trace } from '../../src/core/trace/schema';
import { generateTrace } from '../fixtures/generateTrace';
import { CARD_H } from '../../webview/treeLayout';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

const fixture = (name: string): Trace => TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces', name), 'utf8')));

const { open: panel } = panelSuite({ width: 1000, height: 760 });

type Cam = { tx: number; ty: number; k: number };
type Rect = { left: number; top: number; right: number; bottom: number; width: number; height: number };

const camera = (p: PanelPage) => p.probe<Cam>('p.camera');
const drawn = (p: PanelPage) => p.probe<{ lod: string; nodes: number }>('p.lastRender');
const rect = (p: PanelPage, sel: string) =>
  p.page.evaluate(`(() => { const e = document.querySelector(${JSON.stringify(sel)}); if (!e || !e.offsetParent) return null; const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height }; })()`) as Promise<Rect | null>;

async function canvasCentre(p: PanelPage): Promise<{ x: number; y: number }> {
  const r = (await rect(p, '#tree canvas'))!;
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
}

async function wheel(p: PanelPage, at: { x: number; y: number }, notches: number, o: { dy?: number; shift?: boolean } = {}): Promise<void> {
  await p.page.mouse.move(at.x, at.y);
  if (o.shift) await p.page.keyboard.down('Shift');
  for (let n = 0; n < notches; n++) {
    await p.page.mouse.wheel(0, o.dy ?? 100);
    await p.nextFrame();
  }
  if (o.shift) await p.page.keyboard.up('Shift');
}

/** The node's card, in page pixels, from the probe (left edge + middle row) and the camera. */
async function card(p: PanelPage, id: string): Promise<{ cx: number; cy: number; top: number; bottom: number } | null> {
  return p.probe(`(() => { const q = p.nodeClientPoint(${JSON.stringify(id)}); if (!q) return null; const h = ${CARD_H} * p.camera.k; return { cx: q.x, cy: q.y, top: q.y - h / 2, bottom: q.y + h / 2 }; })()`);
}

/** Where targets must be centred: the middle of the canvas minus the legend when it covers the canvas's bottom. */
async function freeCentre(p: PanelPage): Promise<{ x: number; y: number }> {
  const c = (await rect(p, '#tree canvas'))!;
  const legend = await rect(p, '#legend');
  const covers = legend && legend.bottom > c.top && legend.top < c.bottom && legend.right > c.left && legend.left < c.right;
  const bottom = covers && legend.top > c.top + c.height / 2 ? legend.top : c.bottom;
  return { x: c.left + c.width / 2, y: (c.top + bottom) / 2 };
}

function assertClearOfLegend(legend: Rect | null, box: { top: number; bottom: number; cx: number }, what: string): void {
  if (!legend) return;
  const overlapsY = box.bottom > legend.top && box.top < legend.bottom;
  const overlapsX = box.cx > legend.left && box.cx < legend.right;
  assert.ok(!(overlapsY && overlapsX), `${what} is under the legend (${JSON.stringify(box)} vs ${JSON.stringify(legend)})`);
}

describe('navigation', () => {
  it('12 wheel notches in any direction keep the tree on screen, and zooming out stops at half the fit', async () => {
    const p = await panel();
    await p.load(generateTrace({ nodes: 300, seed: 7 }));
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('0');
    await p.nextFrame();
    const c = await canvasCentre(p);
    const fitted = await camera(p);
    await wheel(p, { x: c.x + 300, y: c.y + 250 }, 12); // out, at a corner
    const out = await camera(p);
    assert.ok(out.k < fitted.k, 'scrolling down zoomed out');
    assert.ok(out.k >= fitted.k / 2 - 1e-9, `zoomed out to ${out.k}, under half the fit ${fitted.k}`);
    assert.ok((await drawn(p)).nodes > 0, 'no node drawn after 12 notches out');
    await wheel(p, { x: c.x - 350, y: c.y - 250 }, 12, { dy: -100 }); // in, at the other corner
    assert.ok((await drawn(p)).nodes > 0, 'no node drawn after 12 notches in');
    await wheel(p, c, 40, { shift: true }); // 40 notches of horizontal pan
    assert.ok((await drawn(p)).nodes > 0, 'no node drawn after panning with Shift+wheel');
    // A drag far off-screen is bounded the same way.
    await p.page.mouse.move(c.x, c.y);
    await p.page.mouse.down();
    await p.page.mouse.move(c.x + 3000, c.y + 3000, { steps: 6 });
    await p.page.mouse.up();
    await p.nextFrame();
    assert.ok((await drawn(p)).nodes > 0, 'no node drawn after dragging the tree away');
  });

  it('the wheel zooms around the pointer: the card under it stays under it, ×1.2 per notch', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('0');
    await p.nextFrame();
    const before = (await card(p, 'n5'))!;
    const k0 = (await camera(p)).k;
    await wheel(p, { x: before.cx, y: before.cy }, 1, { dy: -100 });
    const after = (await card(p, 'n5'))!;
    const k1 = (await camera(p)).k;
    assert.ok(Math.abs(k1 / k0 - 1.2) < 1e-6, `zoom factor ${k1 / k0}`);
    assert.ok(Math.abs(after.cy - before.cy) < 1, `the card moved from y ${before.cy} to ${after.cy}`);
    // nodeClientPoint's x is the card's left edge + min(40, half the card), which grows with the zoom: the card's
    // left edge may move left by at most that growth while the point under the pointer stays put.
    assert.ok(Math.abs(after.cx - before.cx) < 40, `the card moved from x ${before.cx} to ${after.cx}`);
    await wheel(p, { x: before.cx, y: before.cy }, 1, { dy: 100 });
    const back = (await card(p, 'n5'))!;
    assert.ok(Math.abs(back.cy - before.cy) < 1 && Math.abs(back.cx - before.cx) < 1, 'zooming back out returns the card where it was');
  });

  it('keys: Home root, End the end of the current path (the best node from the root), + / − zoom, 0 fit, . zoom to node', async () => {
    const p = await panel();
    const trace = fixture('countdown-beam.metacot.json');
    await p.load(trace);
    // The whole tree laid out (at this size it opens on its reading path, n2's branch in a summary card).
    await p.page.locator('#tool-expand-all').click();
    await p.page.locator('#tree').focus();
    const key = async (k: string) => {
      await p.page.keyboard.press(k);
      await p.nextFrame();
    };
    await key('0');
    const fitted = await camera(p);
    await key('End');
    assert.equal(await p.probe('p.selectedId'), trace.result!.bestNodeId, 'End from the root follows the best path to the best node');
    await key('Home');
    assert.equal(await p.probe('p.selectedId'), 'n0');
    await key('ArrowDown'); // n0 has no siblings: stays; walk to n2, off the best path
    await key('ArrowRight');
    await key('ArrowDown');
    assert.equal(await p.probe('p.selectedId'), 'n2');
    await key('End');
    assert.equal(await p.probe('p.selectedId'), 'n10', 'End from n2 goes down its own branch (n7, then n10)');
    await key('0');
    const k0 = (await camera(p)).k;
    await key('+');
    assert.ok(Math.abs((await camera(p)).k / k0 - 1.5) < 1e-6, '+ zooms in ×1.5');
    await key('-');
    assert.ok(Math.abs((await camera(p)).k / k0 - 1) < 1e-6, '− zooms back out');
    await key('+');
    await key('+');
    await key('0');
    assert.deepEqual(await camera(p), fitted, '0 fits again');
    await key('.');
    assert.ok((await camera(p)).k >= 1, '. zooms to at least 1');
    const target = (await card(p, 'n10'))!;
    const free = await freeCentre(p);
    assert.ok(Math.abs(target.cy - free.y) < 2, `. centred the node at y ${target.cy}, free centre ${free.y}`);
    assert.equal((await drawn(p)).lod, 'text');
  });

  it('Find and Best centre the target at text zoom, clear of the legend', async () => {
    const p = await panel({ width: 800, height: 860 });
    const trace = generateTrace({ nodes: 300, seed: 3 });
    await p.load(trace);
    const best = trace.result?.bestNodeId;
    assert.ok(best, 'the generated trace has a best node');
    // A deep node far from the best one, found by its text.
    const target = trace.nodes.filter((n) => n.kind !== 'root' && n.id !== best && !trace.nodes.some((m) => m.parentId === n.id)).at(-1)!;
    const needle = target.text.slice(0, 24);
    const unique = trace.nodes.filter((n) => n.text.toLowerCase().includes(needle.toLowerCase())).length;
    await p.page.locator('#find-text').click();
    await p.page.keyboard.type(needle);
    await p.page.keyboard.press('Enter');
    await p.page.waitForFunction(() => (globalThis as unknown as { __metacotPanel: { selectedId: string | null } }).__metacotPanel.selectedId !== null, undefined, { polling: 50 });
    await p.nextFrame();
    const found = (await p.probe<string>('p.selectedId'))!;
    if (unique === 1) assert.equal(found, target.id);
    await assertCentredReadable(p, 'find', found);
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('0');
    await p.page.keyboard.press('b');
    await p.nextFrame();
    assert.equal(await p.probe('p.selectedId'), best);
    await assertCentredReadable(p, 'best', best);
  });

  it('Prune is disabled on the root and on pruned nodes; Un-prune is offered for a person\'s prune and sends unpruneNode', async () => {
    const p = await panel();
    const trace = fixture('countdown-beam.metacot.json');
    // n2's branch pruned by hand with the statuses it had recorded (as the host's pruneByHand writes it).
    for (const n of trace.nodes) {
      if (n.id === 'n2') Object.assign(n, { status: 'pruned', prune: { reason: 'pruned in the search panel', by: 'human', restore: 'expanded' } });
      if (['n7', 'n8', 'n10'].includes(n.id)) Object.assign(n, { prune: { reason: 'ancestor n2 pruned', by: 'human', restore: n.status, ancestor: 'n2' }, status: 'pruned' });
    }
    await p.load(TraceSchema.parse(trace));
    await p.page.evaluate(`window.__replyWith.unpruneNode = { ok: true, result: { restored: ['n2', 'n7', 'n8', 'n10'], message: 'un-pruned 4 nodes from n2' } }`);
    const show = async (id: string) => {
      await p.send({ type: 'revealNode', nodeId: id, select: true });
      // The message is handled in a task of its own: wait for the selection, not only for a frame (flaky under load).
      await p.page.waitForFunction((want) => (globalThis as unknown as { __metacotPanel: { selectedId: string | null } }).__metacotPanel.selectedId === want, id, { polling: 20 });
      await p.nextFrame();
    };
    const state = (sel: string) =>
      p.page.evaluate(`(() => { const b = document.querySelector(${JSON.stringify(sel)}); return b ? { disabled: !!b.disabled, title: b.getAttribute('title') } : null; })()`) as Promise<{ disabled: boolean; title: string } | null>;

    await show('n0');
    const root = await state('#action-prune');
    assert.ok(root?.disabled, 'Prune is enabled on the root');
    assert.match(root.title, /root cannot be pruned/);
    await show('n3');
    assert.equal(await state('#action-prune'), null, 'an engine-pruned node still offers Prune');
    const engine = await state('#action-unprune');
    assert.ok(engine?.disabled, 'Un-prune is enabled on an engine prune');
    assert.match(engine.title, /the search pruned n3 .*re-run from its parent/);
    await show('n7');
    const withAncestor = await state('#action-unprune');
    assert.ok(withAncestor?.disabled);
    assert.match(withAncestor.title, /un-prune n2 instead/);
    await show('n11');
    assert.match((await state('#action-unprune'))?.title ?? '', /earlier status was not recorded/);
    await show('n1');
    assert.equal((await state('#action-prune'))?.disabled, false, 'Prune is disabled on an unpruned step');

    await p.clearPosted();
    await show('n2');
    assert.equal((await state('#action-unprune'))?.disabled, false, 'Un-prune is disabled on a person\'s prune');
    await p.page.click('#action-unprune');
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string; method?: string }[] }).__posted.some((m) => m.method === 'unpruneNode'));
    const [req] = await p.requests('unpruneNode');
    assert.deepEqual(req?.params, { nodeId: 'n2' });
    await p.page.waitForFunction(() => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes('un-pruned 4 nodes from n2'), undefined, { polling: 50 });

    // Delete follows the same rules: nothing is sent for the root or a pruned node, and the reason is shown.
    await p.clearPosted();
    await p.page.locator('#tree').focus();
    await show('n0');
    await p.page.keyboard.press('Delete');
    await show('n3');
    await p.page.keyboard.press('Delete');
    await p.page.keyboard.press('u');
    await p.nextFrame();
    assert.deepEqual(await p.requests(), [], 'a request was sent for a prune that means nothing');
    assert.match(await p.page.locator('body').innerText(), /Cannot un-prune: the search pruned n3/);
    await show('n1');
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('Delete');
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { method?: string }[] }).__posted.some((m) => m.method === 'pruneNode'));
    assert.deepEqual((await p.requests('pruneNode')).map((r) => r.params.nodeId), ['n1']);
  });
});

async function assertCentredReadable(p: PanelPage, what: string, id: string): Promise<void> {
  const r = await drawn(p);
  assert.equal(r.lod, 'text', `${what}: cards drawn at LOD ${r.lod}`);
  const box = await card(p, id);
  assert.ok(box, `${what}: ${id} is not laid out`);
  const free = await freeCentre(p);
  const c = (await rect(p, '#tree canvas'))!;
  assert.ok(Math.abs(box.cy - free.y) < 2, `${what}: ${id} at y ${box.cy.toFixed(1)}, the free area's centre is ${free.y.toFixed(1)}`);
  assert.ok(box.cx > c.left + c.width * 0.2 && box.cx < c.left + c.width * 0.8, `${what}: ${id} at x ${box.cx.toFixed(1)}, canvas ${c.left}–${c.right}`);
  assertClearOfLegend(await rect(p, '#legend'), box, `${what}: ${id}`);
}
