// The panel at its real sizes, in real Chromium: at 631×860 (what VS Code gives the panel beside the editor in a
// 1400×900 window) and 800×860 the detail pane goes below the tree, at 1440×900 beside it within its clamp; splitter
// sizes are kept per orientation across a reload and re-clamped on resize; a new trace opens with the root card
// wholly in view, no text card cut by the canvas's edges, and best-path cards carrying a readable amount of text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Trace } from '../../src/core/trace/schema';
import { generateTrace } from '../fixtures/generateTrace';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

const suite = panelSuite();

async function panel(width: number, height: number, theme: 'dark' | 'light' | 'high-contrast' = 'dark'): Promise<PanelPage> {
  const p = await suite.open({ width, height, theme });
  return p;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const box = async (p: PanelPage, sel: string): Promise<Box> => {
  const b = await p.page.locator(sel).boundingBox();
  assert.ok(b, `${sel} is laid out`);
  return b;
};
const stacked = (p: PanelPage) => p.page.evaluate(`document.querySelector('.main').classList.contains('stacked')`) as Promise<boolean>;

/** Root → best node, by id. */
function bestPath(t: Trace): string[] {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  for (let n = byId.get(t.result?.bestNodeId ?? ''); n; n = n.parentId === null ? undefined : byId.get(n.parentId)) out.unshift(n.id);
  return out;
}

/** Waits until the saved state (the harness keeps it in sessionStorage) has `key` equal to `value`. */
async function savedState(p: PanelPage, key: string, value: number): Promise<void> {
  await p.page.waitForFunction(
    ({ key, value }) => {
      const raw = (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('metacot.harness.state');
      return raw !== null && (JSON.parse(raw) as Record<string, unknown>)[key] === value;
    },
    { key, value },
  );
}

async function reload(p: PanelPage, trace: Trace): Promise<void> {
  await p.page.reload();
  await p.page.waitForFunction(() => (globalThis as unknown as { __posted?: { type: string }[] }).__posted?.some((m) => m.type === 'ready'));
  await p.load(trace);
}

/** Drags the splitter's middle by (dx, dy) with the mouse. */
async function dragSplitter(p: PanelPage, dx: number, dy: number): Promise<void> {
  const s = await box(p, '#splitter');
  const x = s.x + s.width / 2;
  const y = s.y + s.height / 2;
  await p.page.mouse.move(x, y);
  await p.page.mouse.down();
  await p.page.mouse.move(x + dx / 2, y + dy / 2);
  await p.page.mouse.move(x + dx, y + dy);
  await p.page.mouse.up();
  await p.nextFrame();
}

describe('search panel: layout at its real sizes', () => {
  it('at 631×860 the detail pane is below the tree, which gets the whole width and most of the height', async () => {
    const p = await panel(631, 860);
    await p.load(generateTrace({ nodes: 300, seed: 3 }));
    assert.equal(await stacked(p), true);
    const canvas = await box(p, '.tree-canvas');
    const detail = await box(p, '#detail');
    const main = await box(p, '.main');
    assert.ok(canvas.width >= 600, `tree canvas ${canvas.width} px wide`);
    assert.ok(detail.y >= canvas.y + canvas.height, `detail at y ${detail.y}, canvas ends at ${canvas.y + canvas.height}`);
    assert.ok(Math.abs(detail.width - 631) <= 1, `detail ${detail.width} px wide`);
    const treeShare = (main.height - detail.height) / main.height;
    assert.ok(treeShare >= 0.55, `the tree column keeps ${(treeShare * 100).toFixed(0)} % of the height`);
    assert.ok(detail.height >= 200, `detail ${detail.height} px tall`);
    assert.equal(await p.page.getAttribute('#splitter', 'aria-orientation'), 'horizontal');
  });

  it('at 1440×900 the detail pane is beside the tree, its width within clamp(300 px, 32 %, 440 px)', async () => {
    const p = await panel(1440, 900);
    await p.load(generateTrace({ nodes: 300, seed: 3 }));
    assert.equal(await stacked(p), false);
    const canvas = await box(p, '.tree-canvas');
    const detail = await box(p, '#detail');
    assert.ok(detail.width >= 300 && detail.width <= 440, `detail ${detail.width} px wide`);
    assert.ok(Math.abs(detail.height - (await box(p, '.main')).height) <= 1, 'the pane runs the full height');
    assert.ok(detail.x >= canvas.x + canvas.width, 'right of the tree');
    assert.ok(canvas.width >= 1440 - 440 - 6, `tree canvas ${canvas.width} px wide`);
    assert.equal(await p.page.getAttribute('#splitter', 'aria-orientation'), 'vertical');
  });

  it('a dragged splitter survives a reload, one size per orientation; the keys resize; sizes are re-clamped', async () => {
    const p = await panel(1440, 900);
    const trace = generateTrace({ nodes: 300, seed: 3 });
    await p.load(trace);
    const w0 = (await box(p, '#detail')).width;
    await dragSplitter(p, -100, 0);
    const w1 = (await box(p, '#detail')).width;
    assert.ok(Math.abs(w1 - (w0 + 100)) <= 1, `dragged from ${w0} to ${w1}`);
    await savedState(p, 'detailWidth', Math.round(w1));
    // Stacked: its own default, then its own dragged size.
    await p.page.setViewportSize({ width: 631, height: 860 });
    await p.nextFrame();
    assert.equal(await stacked(p), true);
    const h0 = (await box(p, '#detail')).height;
    await dragSplitter(p, 0, 60);
    const h1 = (await box(p, '#detail')).height;
    assert.ok(Math.abs(h1 - (h0 - 60)) <= 1, `dragged from ${h0} to ${h1} px tall`);
    await savedState(p, 'detailHeight', Math.round(h1));
    await reload(p, trace);
    assert.equal(await stacked(p), true);
    assert.ok(Math.abs((await box(p, '#detail')).height - h1) <= 1, 'the stacked height came back');
    await p.page.setViewportSize({ width: 1440, height: 900 });
    await p.nextFrame();
    assert.ok(Math.abs((await box(p, '#detail')).width - w1) <= 1, 'the width beside came back');
    // Keyboard: Left grows the pane beside the tree by 24 px, Right shrinks it.
    await p.page.locator('#splitter').focus();
    await p.page.keyboard.press('ArrowLeft');
    await p.nextFrame();
    assert.ok(Math.abs((await box(p, '#detail')).width - (w1 + 24)) <= 1, 'ArrowLeft: 24 px wider');
    assert.equal(Number(await p.page.getAttribute('#splitter', 'aria-valuenow')), Math.round(w1 + 24));
    // Dragged far: the tree keeps 240 px, the pane 200 px.
    await dragSplitter(p, -2000, 0);
    assert.ok(Math.abs((await box(p, '.tree-column')).width - 240) <= 1, 'the tree keeps its minimum');
    await dragSplitter(p, 3000, 0);
    assert.ok(Math.abs((await box(p, '#detail')).width - 200) <= 1, 'the pane keeps its minimum');
    // A saved size larger than a narrower panel allows is re-clamped to it (and comes back when there is room).
    await dragSplitter(p, -500, 0);
    const wide = (await box(p, '#detail')).width;
    assert.ok(wide > 650, `pane ${wide} px`);
    await p.page.setViewportSize({ width: 920, height: 900 });
    await p.nextFrame();
    assert.ok(Math.abs((await box(p, '#detail')).width - (920 - 5 - 240)) <= 1, 'clamped to leave the tree 240 px');
    await p.page.setViewportSize({ width: 1440, height: 900 });
    await p.nextFrame();
    assert.ok(Math.abs((await box(p, '#detail')).width - wide) <= 1, 'and back');
  });

  for (const [width, height] of [
    [631, 860],
    [800, 860],
  ] as const) {
    for (const nodes of [300, 10_000]) {
      it(`at ${width}×${height} a ${nodes}-node trace opens with the root card in view and readable best-path cards`, async () => {
        const p = await panel(width, height);
        const trace = generateTrace({ nodes, seed: 3 });
        await p.load(trace);
        await p.nextFrame();
        const canvas = await box(p, '.tree-canvas');
        const inside = (b: { left: number; top: number; right: number; bottom: number }) =>
          b.left >= canvas.x - 0.5 && b.right <= canvas.x + canvas.width + 0.5 && b.top >= canvas.y - 0.5 && b.bottom <= canvas.y + canvas.height + 0.5;
        const path = bestPath(trace);
        const rootBox = await p.probe<{ left: number; top: number; right: number; bottom: number }>(`p.nodeClientBox(${JSON.stringify(path[0])})`);
        assert.ok(inside(rootBox), `root card ${JSON.stringify(rootBox)} inside the canvas ${JSON.stringify(canvas)}`);
        const r = await p.probe<{ lod: string; minTextPx: number }>('p.lastRender');
        assert.equal(r.lod, 'text');
        assert.ok(r.minTextPx >= 11, `smallest text ${r.minTextPx} px`);
        // No text card is cut by an edge of the canvas.
        const drawn = await p.probe<string[]>('p.textCardIds');
        for (const id of drawn) {
          const b = await p.probe<{ left: number; top: number; right: number; bottom: number }>(`p.nodeClientBox(${JSON.stringify(id)})`);
          assert.ok(inside(b), `${id}'s card ${JSON.stringify(b)} cut by the canvas's edge`);
        }
        // The best path from its root: its first cards drawn, each with ≥ 30 characters or the node's whole text.
        const onPath = path.filter((id) => drawn.includes(id));
        assert.deepEqual(onPath, path.slice(0, onPath.length), 'the path is drawn from the root on');
        assert.ok(onPath.length >= Math.min(3, path.length), `${onPath.length} of ${path.length} path cards drawn`);
        for (const id of onPath) {
          const t = await p.probe<{ text: string; cut: boolean }>(`p.cardText(${JSON.stringify(id)})`);
          assert.ok(t, `${id} drew text`);
          assert.ok(t.text.length >= 30 || !t.cut, `${id}: "${t.text}" (${t.text.length} characters, cut)`);
        }
      });
    }
  }
});
