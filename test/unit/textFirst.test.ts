// Text-first panel, pure parts (no DOM): the reading path and its collapse set, summary slots in the layout and their
// hit test, the readable-fit decision and camera, legible-text thresholds, the root's author, theme contrast.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Trace } from '../../src/core/trace/schema';
import { generateTrace } from '../fixtures/generateTrace';
import { Camera } from '../../webview/camera';
import { contrastRatio, noValueColor } from '../../webview/colorScale';
import { hitTest } from '../../webview/hitTest';
import { isHumanEdit } from '../../webview/nodeMarks';
import { MIN_TEXT_PX, TEXT_CARD_PX, TEXT_K, cardFontPx, cardLines, lodFor } from '../../webview/lod';
import { READING_K, READING_K_MAX, fitReading, readingColumns, wholeTreeReadable } from '../../webview/readingFit';
import { readingCollapse, readingPath } from '../../webview/readingPath';
import { TraceModel } from '../../webview/traceModel';
import { CARD_H, CARD_W, LEVEL_GAP, ROW_GAP, layoutTree } from '../../webview/treeLayout';

const beam = (): Trace => TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));
const ids = (m: TraceModel, list: Iterable<number>) => [...list].map((i) => m.nodes[i].id);

describe('reading path and collapse', () => {
  it('reads root → best node, and collapses only the alternatives that have children', () => {
    const m = TraceModel.fromTrace(beam());
    const path = readingPath(m);
    assert.deepEqual(ids(m, path), ['n0', 'n1', 'n5', 'n9']);
    // n0's children n2 (with children), n3, n4 (leaves); n1's n6 and n5's n11 are leaves.
    assert.deepEqual(ids(m, readingCollapse(m, path)), ['n2']);
  });

  it('without a best node follows the highest value at each step', () => {
    const t = beam();
    t.result = null;
    t.nodes = t.nodes.map((n) => (n.id === 'n2' ? { ...n, value: 0.95 } : n));
    const m = TraceModel.fromTrace(t);
    // n2 (0.95) beats n1 (0.82); under n2, n7 (0.6) beats the unvalued failed n8; then n7's only child.
    assert.deepEqual(ids(m, readingPath(m)), ['n0', 'n2', 'n7', 'n10']);
    assert.deepEqual(ids(m, readingCollapse(m, readingPath(m))).sort(), ['n1']);
  });

  it('at 100k nodes the collapse leaves the path and its siblings, in well under a frame', () => {
    const m = TraceModel.fromTrace(generateTrace({ nodes: 100_000, seed: 3, validate: false }));
    const t0 = performance.now();
    const path = readingPath(m);
    const collapsed = readingCollapse(m, path);
    const ms = performance.now() - t0;
    assert.ok(ms < 16, `collapse set in ${ms.toFixed(2)} ms`);
    const L = layoutTree(m, collapsed);
    const shown = new Set([...m.roots, ...path, ...path.flatMap((v) => m.children[v])]);
    assert.equal(L.visibleCount, shown.size, 'the path, every path node’s children, the roots');
    const hidden = [...L.hiddenCount.values()].reduce((a, b) => a + b, 0);
    assert.equal(L.visibleCount + hidden, m.size, 'every node is either shown or counted by a summary');
  });
});

describe('summary slots', () => {
  it('a collapsed node gets a summary (count, best value, verified, failed) and a free slot one column right', () => {
    const m = TraceModel.fromTrace(beam());
    const n2 = m.index.get('n2') as number;
    const L = layoutTree(m, new Set([n2]));
    assert.equal(L.visibleCount, 9);
    assert.deepEqual(L.hiddenSummary.get(n2), { count: 3, best: 0.6, verified: 0, failed: 1 });
    assert.equal(L.hiddenCount.get(n2), 3);
    assert.deepEqual(ids(m, L.summaryLevels[1]), ['n2']);
    assert.equal(L.summaryLevelY[1][0], L.y[n2]);
    // No depth-2 card sits in the summary's row.
    for (const y of L.levelY[2]) assert.ok(Math.abs(y - L.y[n2]) >= ROW_GAP - 1e-9, `depth-2 card at ${y} vs summary at ${L.y[n2]}`);
  });

  it('a click on the summary card hits its collapsed owner; the gap before it hits nothing', () => {
    const m = TraceModel.fromTrace(beam());
    const n2 = m.index.get('n2') as number;
    const L = layoutTree(m, new Set([n2]));
    const cam = new Camera();
    cam.width = 1000;
    cam.height = 600;
    cam.fit(L.minY, L.maxY, L.maxDepth);
    const sy = cam.toScreenY(L.y[n2]);
    const sumX = cam.toScreenX(L.x[n2] + LEVEL_GAP + CARD_W / 2);
    assert.equal(hitTest(L, cam, sumX, sy, () => true), n2);
    assert.equal(hitTest(L, cam, cam.toScreenX(L.x[n2] + CARD_W + 20), sy, () => true), -1);
    assert.equal(hitTest(L, cam, sumX, sy, () => false), -1, 'hidden by the scrubber');
  });
});

describe('readable fit', () => {
  it('collapses only when fitting the whole tree would not draw text', () => {
    const small = TraceModel.fromTrace(beam());
    assert.equal(wholeTreeReadable(small, 1000, 600), true);
    assert.equal(wholeTreeReadable(small, 400, 600), false, 'three depth columns do not fit 400 px at text zoom');
    assert.equal(wholeTreeReadable(TraceModel.fromTrace(generateTrace({ nodes: 300, seed: 3 })), 1440, 900), false);
  });

  it('frames the collapsed tree with two-line cards, the root at the left edge and no card cut by an edge', () => {
    const m = TraceModel.fromTrace(generateTrace({ nodes: 300, seed: 3 }));
    const path = readingPath(m);
    const L = layoutTree(m, readingCollapse(m, path));
    assert.ok(L.maxDepth >= 4, `the collapsed tree is ${L.maxDepth + 1} columns deep`);
    for (const [width, height] of [[415, 700], [631, 400], [800, 560], [995, 700]]) {
      const cam = new Camera();
      cam.width = width;
      cam.height = height;
      fitReading(cam, L, path);
      const what = `${width}×${height} at k ${cam.k.toFixed(3)}`;
      // Fitted when the collapsed tree already fits with two-line cards, else READING_K or a little more.
      assert.ok(cam.k <= READING_K_MAX, what);
      assert.ok(cardLines(cam.k) >= 2, `${what}: two lines of text`);
      assert.equal(lodFor(cam.k), 'text');
      const w = CARD_W * cam.sx;
      const h = CARD_H * cam.k;
      // The root card wholly inside.
      const rx = cam.toScreenX(L.x[path[0]]);
      const ry = cam.toScreenY(L.y[path[0]]);
      assert.ok(rx >= 0 && rx + w <= width && ry - h / 2 >= 0 && ry + h / 2 <= height, `${what}: root card at ${rx.toFixed(0)},${ry.toFixed(0)}`);
      // Every laid-out card is either wholly inside or wholly outside the canvas, left to right.
      let inside = 0;
      for (let i = 0; i < m.size; i++) {
        if (!L.visible[i]) continue;
        const x0 = cam.toScreenX(L.x[i]);
        assert.ok(x0 + w <= width || x0 >= width, `${what}: ${m.nodes[i].id} cut at the right edge (${x0.toFixed(0)}–${(x0 + w).toFixed(0)})`);
        if (x0 + w <= width) inside++;
      }
      assert.ok(inside > 0);
      // The path's nodes in the columns that show are on screen, in order from the root.
      const shown = path.filter((i) => cam.toScreenX(L.x[i]) + w <= width);
      assert.deepEqual(shown, path.slice(0, shown.length), `${what}: the path from its root`);
      assert.ok(shown.length >= Math.min(path.length, 2), `${what}: ${shown.length} path nodes in view`);
      for (const i of shown) {
        const y = cam.toScreenY(L.y[i]);
        assert.ok(y - h / 2 >= 0 && y + h / 2 <= height, `${what}: path node ${m.nodes[i].id} at y ${y.toFixed(0)}`);
      }
    }
  });

  it('picks the smallest zoom with whole columns only; falls back to the root at the left edge', () => {
    // 631 px: three columns at k ≈ 0.77 (column 3 starts past the edge).
    const c = readingColumns(631, 8);
    assert.equal(c.shown, 3);
    assert.ok(c.k >= READING_K && c.k < 0.8, `k ${c.k}`);
    assert.ok(c.tx + (2 * LEVEL_GAP + CARD_W) * c.k <= 631 && c.tx + 3 * LEVEL_GAP * c.k >= 631);
    // Already whole at READING_K: it is kept.
    const d = readingColumns(995, 8);
    assert.equal(d.k, READING_K);
    assert.equal(d.shown, 5);
    // A panel too narrow for one column: READING_K, root at the padding.
    assert.deepEqual(readingColumns(120, 8), { k: READING_K, tx: 24, shown: 1 });
  });
});

describe('legible text', () => {
  it('text cards start at TEXT_CARD_PX and never use a font under MIN_TEXT_PX', () => {
    assert.equal(lodFor(TEXT_K), 'text');
    assert.equal(lodFor(TEXT_K * 0.99), 'card');
    assert.ok(CARD_H * TEXT_K >= TEXT_CARD_PX - 1e-9);
    for (const k of [TEXT_K, 0.7, 0.8, 1, 2, 4]) assert.ok(cardFontPx(k) >= MIN_TEXT_PX, `k ${k}`);
    assert.equal(cardFontPx(1), 12);
    assert.ok(cardFontPx(TEXT_K) * 1.15 <= TEXT_CARD_PX, 'one line fits the smallest text card');
  });

  it('the root is never a human edit, whoever typed it', () => {
    const m = TraceModel.fromTrace(beam());
    assert.equal(m.nodes[0].author, 'human');
    assert.equal(isHumanEdit(m.nodes[0]), false);
    assert.equal(isHumanEdit(m.nodes[m.index.get('n7') as number]), true);
    assert.equal(isHumanEdit(m.nodes[m.index.get('n1') as number]), false);
  });
});

describe('theme contrast', () => {
  const css = readFileSync(join(__dirname, '../webview/harness/themes.css'), 'utf8');
  const bg = (theme: string) => {
    const block = css.slice(css.indexOf(`body.vscode-${theme} {`));
    const m = /--vscode-editor-background:\s*(#[0-9a-f]{6})/i.exec(block.slice(0, block.indexOf('}')));
    assert.ok(m, `editor background of ${theme}`);
    return m[1];
  };

  it('unvalued nodes have at least 3:1 against the editor background in light, dark and high contrast', () => {
    const cases = [
      ['light', bg('light')],
      ['dark', bg('dark')],
      ['high-contrast', bg('high-contrast')],
      ['dark', '#1e1e1e'], // Dark+ (the older default)
      ['high-contrast-light', '#ffffff'],
    ] as const;
    for (const [kind, background] of cases) {
      const r = contrastRatio(noValueColor(kind), background);
      assert.ok(r >= 3, `${kind}: ${noValueColor(kind)} on ${background} is ${r.toFixed(2)}:1`);
    }
  });
});
