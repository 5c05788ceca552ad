// The panel at its real sizes, pure parts: where the detail pane goes and how big it is (paneSizes.ts), and how much
// text a card holds at the zooms the panel opens on (lod.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_DETAIL_PX, MIN_TREE_PX, SPLITTER_PX, STACK_BELOW_PX, clampDetailSize, defaultDetailSize, detailSizeFor, orientationFor } from '../../webview/paneSizes';
import { MIN_TEXT_PX, TEXT_K, cardFontPx, cardLines, lodFor } from '../../webview/lod';
import { READING_K } from '../../webview/readingFit';
import { CARD_H, CARD_W } from '../../webview/treeLayout';

describe('detail pane placement', () => {
  it('goes below the tree under 900 px, beside it from there', () => {
    assert.equal(orientationFor(631), 'stacked');
    assert.equal(orientationFor(800), 'stacked');
    assert.equal(orientationFor(STACK_BELOW_PX - 1), 'stacked');
    assert.equal(orientationFor(STACK_BELOW_PX), 'beside');
    assert.equal(orientationFor(1440), 'beside');
  });

  it('beside, the default width is clamp(300, 32 %, 440) px', () => {
    assert.equal(defaultDetailSize('beside', 900), 300);
    assert.equal(defaultDetailSize('beside', 1200), 384);
    assert.equal(defaultDetailSize('beside', 1440), 440);
    assert.equal(defaultDetailSize('beside', 2560), 440);
  });

  it('stacked, the tree keeps at least 55 % of the height by default', () => {
    for (const h of [420, 600, 765, 1000]) {
      const d = defaultDetailSize('stacked', h);
      assert.ok(h - d - SPLITTER_PX >= 0.55 * h - 1e-9, `${h}: detail ${d}`);
      assert.ok(h - d - SPLITTER_PX >= MIN_TREE_PX, `${h}: detail ${d}`);
      if (h >= 600) assert.ok(d >= MIN_DETAIL_PX, `${h}: detail ${d}`);
    }
    assert.equal(defaultDetailSize('stacked', 765), 306);
  });

  it('a dragged size is clamped: tree ≥ 240 px, detail ≥ 200 px, the tree first when both do not fit', () => {
    assert.equal(clampDetailSize(50, 1000), MIN_DETAIL_PX);
    assert.equal(clampDetailSize(900, 1000), 1000 - SPLITTER_PX - MIN_TREE_PX);
    assert.equal(clampDetailSize(500, 1000), 500);
    assert.equal(clampDetailSize(300, 400), 400 - SPLITTER_PX - MIN_TREE_PX, 'room for the tree only: it gets its minimum');
  });

  it('remembers one size per orientation and re-clamps it to the panel', () => {
    const saved = { detailWidth: 600, detailHeight: 250 };
    assert.equal(detailSizeFor('beside', 1440, saved), 600);
    assert.equal(detailSizeFor('beside', 900, saved), 600);
    assert.equal(detailSizeFor('beside', 700, saved), 700 - SPLITTER_PX - MIN_TREE_PX, 'narrowed: re-clamped');
    assert.equal(detailSizeFor('stacked', 765, saved), 250);
    assert.equal(detailSizeFor('stacked', 765, { detailWidth: 600 }), defaultDetailSize('stacked', 765), 'no height saved: the default');
  });
});

describe('text on cards', () => {
  it('opens on two lines of legible text; text starts at one line on a card wide enough for a phrase', () => {
    assert.equal(cardLines(READING_K), 2);
    assert.ok(cardFontPx(READING_K) >= MIN_TEXT_PX);
    assert.equal(lodFor(TEXT_K), 'text');
    assert.equal(cardLines(TEXT_K), 1);
    assert.ok(CARD_W * TEXT_K >= 132 - 1e-9, `text cards are ${(CARD_W * TEXT_K).toFixed(0)} px wide`);
    assert.equal(cardLines(TEXT_K * 0.99), 0);
    // Two lines of 11 px at READING_K: ~45 characters of 5.6 px beside a 33 px value.
    const chars = (2 * (CARD_W * READING_K - 20) - 33) / 5.6;
    assert.ok(chars >= 40, `${chars.toFixed(0)} characters`);
    assert.ok(CARD_H * READING_K >= 2 * cardFontPx(READING_K) * 1.3 + 4);
  });
});
