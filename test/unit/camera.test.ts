import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Camera, KEEP_VISIBLE, keepInside, overlayInsets, wheelAction, zoomFactor, ZOOM_PER_NOTCH } from '../../webview/camera';
import type { TreeExtent } from '../../webview/camera';
import { CARD_H, CARD_W, LEVEL_GAP } from '../../webview/treeLayout';

/** A 800×600 panel (or `width` wide) showing a tree 6 levels deep and 400 rows tall (world units), fitted. */
function fitted(extent: TreeExtent = { minY: 0, maxY: 400 * 36, maxDepth: 6 }, width = 800): Camera {
  const c = new Camera();
  c.width = width;
  c.height = 600;
  c.bindExtent(() => extent);
  c.fit(extent.minY, extent.maxY, extent.maxDepth);
  return c;
}

/** How much of the tree's box is on screen, per axis, in px. */
function onScreen(c: Camera): { x: number; y: number; w: number; h: number } {
  const b = c.treeBox()!;
  return {
    x: Math.min(b.x1, c.width) - Math.max(b.x0, 0),
    y: Math.min(b.y1, c.height) - Math.max(b.y0, 0),
    w: b.x1 - b.x0,
    h: b.y1 - b.y0,
  };
}

function assertKept(c: Camera, what: string): void {
  const s = onScreen(c);
  const eps = 1e-6;
  assert.ok(s.x >= Math.min(KEEP_VISIBLE * c.width, s.w) - eps, `${what}: ${s.x.toFixed(1)} px of the tree's ${s.w.toFixed(1)} px width on screen`);
  assert.ok(s.y >= Math.min(KEEP_VISIBLE * c.height, s.h) - eps, `${what}: ${s.y.toFixed(1)} px of the tree's ${s.h.toFixed(1)} px height on screen`);
}

describe('camera bounds', () => {
  test('keepInside moves a span back until min(25% of the axis, the span) is inside, and leaves it alone otherwise', () => {
    assert.equal(keepInside(100, 500, 800), 0);
    assert.equal(keepInside(-1000, -10, 800), 210); // 200 px (25%) must show: the right end goes to 200
    assert.equal(keepInside(900, 2000, 800), -300); // the left end comes back to 600
    assert.equal(keepInside(-500, -450, 800), 500); // a 50 px span: all of it, at the left edge
    assert.equal(keepInside(850, 900, 800), -100);
  });

  test('dragging far in any direction keeps a quarter of the panel filled by the tree', () => {
    for (const [dx, dy] of [[1e5, 0], [-1e5, 0], [0, 1e5], [0, -1e5], [-3e4, 7e4]] as const) {
      const c = fitted();
      c.panBy(dx, dy);
      assertKept(c, `pan ${dx},${dy}`);
    }
  });

  test('a tree smaller than a quarter of the panel stays wholly on screen', () => {
    // One card (CARD_W = 220 at k = 1) in a 1000 px panel: under a quarter of its width.
    const c = fitted({ minY: 0, maxY: 36, maxDepth: 0 }, 1000);
    assert.ok(CARD_W * c.k < KEEP_VISIBLE * c.width);
    c.panBy(5000, 5000);
    const s = onScreen(c);
    assert.ok(Math.abs(s.x - s.w) < 1e-6 && Math.abs(s.y - s.h) < 1e-6, `only ${s.x}×${s.y} of ${s.w}×${s.h} visible`);
  });

  test('zooming around an off-tree point and centring far away are bounded too; zoom-out stops at half the fit', () => {
    const c = fitted();
    const fitK = c.k;
    for (let n = 0; n < 40; n++) c.zoomAt(1 / ZOOM_PER_NOTCH, 790, 590);
    assert.ok(Math.abs(c.k - fitK / 2) < 1e-9, `k ${c.k} after zooming out; fit was ${fitK}`);
    assertKept(c, 'zoomed out');
    for (let n = 0; n < 40; n++) c.zoomAt(ZOOM_PER_NOTCH, 0, 0);
    assertKept(c, 'zoomed in at a corner');
    c.centerOn(1e6, -1e6, 1);
    assertKept(c, 'centred on a point outside the tree');
  });

  test('a restored state is bounded at the next layout', () => {
    const c = fitted();
    c.restore({ tx: -1e6, ty: 1e6, k: 0.5 });
    assert.equal(c.tx, -1e6, 'restore applies the saved state as is');
    c.setExtent(6);
    assertKept(c, 'restored');
  });

  test('without a tree the camera is unbounded', () => {
    const c = new Camera();
    c.panBy(-5000, 12);
    assert.deepEqual(c.state, { tx: -5000, ty: 12, k: 1 });
  });
});

describe('camera zoom and centring', () => {
  test('zoomAt keeps the world point under the cursor fixed', () => {
    const c = fitted();
    c.zoomAt(3, 400, 300); // away from the depth floor, so x scales with k
    for (const [px, py] of [[300, 250], [420, 120], [610, 480]] as const) {
      const wx = c.toWorldX(px);
      const wy = c.toWorldY(py);
      c.zoomAt(1.2, px, py);
      assert.ok(Math.abs(c.toScreenX(wx) - px) < 1e-6 && Math.abs(c.toScreenY(wy) - py) < 1e-6, `point at ${px},${py} moved`);
      c.zoomAt(1 / 1.2, px, py);
      assert.ok(Math.abs(c.toScreenX(wx) - px) < 1e-6 && Math.abs(c.toScreenY(wy) - py) < 1e-6, `point at ${px},${py} moved zooming out`);
    }
  });

  test('centerOn puts the card in the middle of the area the insets leave, zoomed to at least minK', () => {
    const c = fitted();
    const wx = 3 * LEVEL_GAP;
    const wy = 200 * 36;
    c.centerOn(wx, wy, 0.7, { top: 0, right: 0, bottom: 100, left: 0 });
    assert.ok(c.k >= 0.7);
    assert.ok(Math.abs(c.toScreenX(wx + CARD_W / 2) - 400) < 1e-6);
    assert.ok(Math.abs(c.toScreenY(wy) - 250) < 1e-6, `card at y ${c.toScreenY(wy)}; the free area's middle is 250`);
    assert.ok(c.toScreenY(wy) + (CARD_H * c.k) / 2 < 500, 'the card reaches under the bottom inset');
    c.centerOn(wx, wy, 0.1);
    assert.ok(c.k >= 0.7, 'centring never zooms out');
  });
});

describe('wheel', () => {
  const ev = (o: Partial<Parameters<typeof wheelAction>[0]>) => ({ deltaX: 0, deltaY: 0, deltaMode: 0, ctrlKey: false, metaKey: false, shiftKey: false, ...o });

  test('a notch zooms by ×1.2 (out when scrolling down), lines count like pixels', () => {
    assert.deepEqual(wheelAction(ev({ deltaY: 100 }), 600), { kind: 'zoom', factor: 1 / 1.2 });
    assert.deepEqual(wheelAction(ev({ deltaY: -100 }), 600), { kind: 'zoom', factor: 1.2 });
    const lines = wheelAction(ev({ deltaY: 3, deltaMode: 1 }), 600);
    assert.ok(lines.kind === 'zoom' && Math.abs(lines.factor - Math.pow(1.2, -0.99)) < 1e-9);
  });

  test('shift+wheel and horizontal swipes pan; ctrl+wheel (pinch) zooms, capped per event', () => {
    assert.deepEqual(wheelAction(ev({ deltaY: 100, shiftKey: true }), 600), { kind: 'pan', dx: -100, dy: 0 });
    assert.deepEqual(wheelAction(ev({ deltaX: 100, shiftKey: true }), 600), { kind: 'pan', dx: -100, dy: 0 });
    assert.deepEqual(wheelAction(ev({ deltaX: 40, deltaY: 5 }), 600), { kind: 'pan', dx: -40, dy: -5 });
    const pinch = wheelAction(ev({ deltaY: -4, ctrlKey: true }), 600);
    assert.ok(pinch.kind === 'zoom' && pinch.factor > 1 && pinch.factor < 1.2);
    assert.deepEqual(wheelAction(ev({ deltaY: 500, ctrlKey: true }), 600), { kind: 'zoom', factor: 0.5 });
    assert.deepEqual(wheelAction(ev({}), 600), { kind: 'none' });
    assert.equal(zoomFactor(-1e4), 2);
  });
});

describe('overlay insets', () => {
  const canvas = { left: 100, top: 50, right: 900, bottom: 650 };
  test('an overlay at the bottom left of the canvas takes the bottom; one outside takes nothing', () => {
    assert.deepEqual(overlayInsets(canvas, [{ left: 110, top: 600, right: 500, bottom: 640 }]), { top: 0, right: 0, bottom: 50, left: 0 });
    assert.deepEqual(overlayInsets(canvas, [{ left: 100, top: 650, right: 900, bottom: 690 }]), { top: 0, right: 0, bottom: 0, left: 0 });
  });
  test('a tall strip on the right takes the right edge, and several overlays combine per side', () => {
    const r = overlayInsets(canvas, [
      { left: 860, top: 60, right: 900, bottom: 640 },
      { left: 110, top: 55, right: 400, bottom: 80 },
    ]);
    assert.deepEqual(r, { top: 30, right: 40, bottom: 0, left: 0 });
  });
});
