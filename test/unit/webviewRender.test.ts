// Panel pure modules for drawing, no DOM: colour scale, camera and text formatting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceNode } from '../../src/core/trace/schema';
import { Camera, MAX_K, MIN_K } from '../../webview/camera';
import { AUTHOR_COLORS, COLOR_KEYS, NO_VALUE, STATUS_COLORS, VALUE_BUCKETS, categoricalLegend, colorKey, colorOf, FULL_SPAN, luminance, spanLabel, spanPosition, valueBucket, valueSpanOf, viridis } from '../../webview/colorScale';
import { copiesLabel, metaNotes, fmt, fmtInt, fmtMs, nodeTitle, oneLine, plainMath, valueLabel, valueSourceText } from '../../webview/format';
import { CARD_W, LEVEL_GAP } from '../../webview/treeLayout';

const node = (o: Partial<TraceNode>): TraceNode => ({ id: 'n1', parentId: 'n0', kind: 'step', text: '', author: 'model', status: 'open', iteration: 1, ...o }) as TraceNode;

describe('webview colour scale', () => {
  it('viridis runs from its first to its last stop and clamps outside [0, 1]', () => {
    assert.equal(viridis(0), '#440154');
    assert.equal(viridis(1), '#fde725');
    assert.equal(viridis(-3), '#440154');
    assert.equal(viridis(7), '#fde725');
    assert.ok(luminance(viridis(1)) > luminance(viridis(0.5)) && luminance(viridis(0.5)) > luminance(viridis(0)), 'brighter with value');
  });

  it('buckets values and keys each encoding to its own colour', () => {
    assert.deepEqual([0, 0.5, 0.999, 1, 1.5, -1].map((v) => valueBucket(v)), [0, 16, 31, 31, 31, 0]);
    assert.equal(colorKey(node({ value: 0.5 }), 'value'), 16);
    assert.equal(colorKey(node({}), 'value'), NO_VALUE);
    assert.equal(colorOf(NO_VALUE, '#123456'), '#123456');
    assert.equal(colorOf(colorKey(node({ status: 'pruned' }), 'status'), ''), STATUS_COLORS.pruned);
    assert.equal(colorOf(colorKey(node({ author: 'human' }), 'author'), ''), AUTHOR_COLORS.human);
    const keys = new Set([colorKey(node({ status: 'failed' }), 'status'), colorKey(node({ author: 'imported' }), 'author'), colorKey(node({ value: 1 }), 'value')]);
    assert.equal(keys.size, 3);
    for (const k of keys) assert.ok(k >= 0 && k < COLOR_KEYS);
    assert.equal(VALUE_BUCKETS, 32);
  });

  it('stretches the value scale over the trace\'s own values: linear, log when they span 20× and crowd its bottom, else 0–1', () => {
    // PRM-like scores 0.2–0.9: linear from the lowest to the highest.
    const lin = valueSpanOf([node({ value: 0.2 }), node({}), node({ value: 0.9 }), node({ value: 0.55 })]);
    assert.deepEqual(lin, { lo: 0.2, hi: 0.9, log: false });
    assert.deepEqual([0.2, 0.9, 0.56, 0.1].map((v) => valueBucket(v, lin)), [0, 31, 16, 0]);
    assert.deepEqual([0.2, 0.9].map((v) => valueBucket(v, FULL_SPAN)), [6, 28]);
    // Calibrated estimates beside verifier 0s and a verified 1 (the demo's trace): log from the smallest positive.
    const log = valueSpanOf([0, 0, 0.004, 0.01, 0.02, 0.03, 0.095, 1].map((value) => node({ value })));
    assert.deepEqual(log, { lo: 0.004, hi: 1, log: true });
    assert.deepEqual([0, 0.004, 0.02, 0.095, 1].map((v) => valueBucket(v, log)), [0, 0, 9, 18, 31]);
    // On the fixed 0–1 scale all but the 1 were one colour.
    assert.deepEqual([0, 0.004, 0.02, 0.095].map((v) => valueBucket(v, FULL_SPAN)), [0, 0, 0, 3]);
    assert.equal(colorKey(node({ value: 1 }), 'value', log), 31);
    assert.equal(spanPosition(0.02, log), Math.log(5) / Math.log(250));
    // Values 20× apart but spread evenly (the beam fixture's 0–1): linear.
    assert.deepEqual(valueSpanOf([0, 0.05, 0.12, 0.35, 0.41, 0.55, 0.6, 0.82, 0.9, 1].map((value) => node({ value }))), { lo: 0, hi: 1, log: false });
    assert.deepEqual(valueSpanOf([node({ value: 0.4 }), node({ value: 0.4 }), node({})]), FULL_SPAN);
    assert.deepEqual(valueSpanOf([]), FULL_SPAN);
    assert.deepEqual(valueSpanOf([node({ value: 0 }), node({ value: 0 })]), FULL_SPAN);
    assert.deepEqual([0, 0.003, 0.0456, 0.1, 1].map(spanLabel), ['0.00', '0.0030', '0.05', '0.10', '1.00']);
  });

  it('legends list every category of the encoding', () => {
    assert.deepEqual(categoricalLegend('author').map((e) => e.label), ['model', 'human', 'imported']);
    assert.deepEqual(categoricalLegend('status').map((e) => e.label), Object.keys(STATUS_COLORS));
  });

  it('luminance follows WCAG for black and white', () => {
    assert.equal(luminance('#000000'), 0);
    assert.equal(luminance('#ffffff'), 1);
  });
});

describe('webview camera', () => {
  const cam = () => {
    const c = new Camera();
    c.width = 800;
    c.height = 600;
    return c;
  };

  it('screen and world coordinates are inverse, and zoomAt keeps the point under the cursor', () => {
    const c = cam();
    c.tx = 30;
    c.ty = -20;
    c.k = 0.5;
    c.floorX = 0.1;
    assert.equal(c.toWorldX(c.toScreenX(123)), 123);
    assert.equal(c.toWorldY(c.toScreenY(-45)), -45);
    const before = { x: c.toWorldX(400), y: c.toWorldY(300) };
    c.zoomAt(2, 400, 300);
    assert.equal(c.k, 1);
    assert.ok(Math.abs(c.toWorldX(400) - before.x) < 1e-9 && Math.abs(c.toWorldY(300) - before.y) < 1e-9);
    c.zoomAt(1e9, 0, 0);
    assert.equal(c.k, MAX_K);
    c.zoomAt(1e-12, 0, 0);
    assert.equal(c.k, MIN_K);
  });

  it('fit shows the whole tree without zooming in past 1', () => {
    const c = cam();
    c.fit(-500, 500, 3);
    const span = 3 * LEVEL_GAP + CARD_W;
    assert.ok(c.k <= 1);
    assert.ok(c.toScreenY(-500) >= 0 && c.toScreenY(500) <= 600, 'top and bottom rows in view');
    assert.ok(c.toScreenX(0) >= 0 && c.toScreenX(span) <= 800 + 1e-9, 'all columns in view');
    const small = cam();
    small.fit(0, 10, 1);
    assert.equal(small.k, 1, 'a tiny tree is not magnified');
  });

  it('ensureVisible pans an off-screen card into view; restore ignores broken state', () => {
    const c = cam();
    c.k = 1;
    c.ensureVisible(2000, 900);
    assert.ok(c.toScreenX(2000 + CARD_W) <= 800 && c.toScreenY(900) <= 600);
    const s = c.state;
    c.restore({ tx: Number.NaN, ty: 0, k: 1 });
    assert.deepEqual(c.state, s);
    c.restore({ tx: 1, ty: 2, k: 99 });
    assert.deepEqual(c.state, { tx: 1, ty: 2, k: MAX_K });
  });
});

describe('webview format', () => {
  it('formats numbers, counts and durations', () => {
    assert.equal(fmt(0.123456), '0.123');
    assert.equal(fmt(2.5), '2.5');
    assert.equal(fmt(1234), '1,234');
    assert.equal(fmt(0.0001), '1.00e-4');
    assert.equal(fmt(undefined), '—');
    assert.equal(fmt(Number.NaN), '—');
    assert.equal(fmtInt(10_000), '10,000');
    assert.equal(fmtMs(350), '350 ms');
    assert.equal(fmtMs(1500), '1.50 s');
  });

  it('prints values in two decimals, never rounding a tiny estimate to a verifier\'s 0 or a near-1 to 1', () => {
    assert.deepEqual([0, 0.00043, 0.0049, 0.005, 0.0234, 0.5, 0.994, 0.995, 0.9999, 1].map(valueLabel), ['0.00', '<0.01', '<0.01', '0.01', '0.02', '0.50', '0.99', '>0.99', '>0.99', '1.00']);
  });

  it('renders simple TeX as plain text and leaves dollar amounts alone', () => {
    assert.equal(plainMath('$\\frac{1}{2} \\times 3$'), '1/2 × 3');
    assert.equal(plainMath('\\sqrt{x^2}'), '√(x²)');
    assert.equal(plainMath('costs $5 and $6'), 'costs $5 and $6');
    assert.equal(oneLine('a\n\n b   c', 90), 'a b c');
    assert.equal(oneLine('abcdefghij', 5), 'abcd…');
  });

  it('names node kinds and value sources', () => {
    assert.equal(nodeTitle(node({ kind: 'root' })), 'Problem');
    assert.equal(nodeTitle(node({ kind: 'answer' })), 'Answer');
    assert.equal(nodeTitle(node({})), 'Step');
    assert.equal(valueSourceText({ kind: 'verifier', verifier: 'countdown' } as never), 'verifier countdown');
    assert.equal(valueSourceText({ kind: 'rollouts', k: 3, K: 8 } as never), '3/8 rollouts verified');
    assert.equal(valueSourceText(undefined), '');
  });
});

it('a merged node shows ×k on its card; a single sample shows nothing', () => {
  assert.equal(copiesLabel({ copies: 3 }), '×3');
  assert.equal(copiesLabel({}), '');
  assert.equal(copiesLabel({ copies: 1 }), '');
});

it('the detail pane says what the engine noted on a node: widening, client cuts, the cache', () => {
  assert.deepEqual(metaNotes(undefined), []);
  assert.deepEqual(metaNotes({ widened: 'widened at N = 36: ⌊1·36^0.5⌋ = 6 > 5 children, 1 more asked', cached: true, other: 1 }), [
    'Widened (progressive widening): widened at N = 36: ⌊1·36^0.5⌋ = 6 > 5 children, 1 more asked',
    'Served from the replay cache',
  ]);
  assert.deepEqual(metaNotes({ stepCut: 'kept 20 of 90 characters' }), ['Step cut by the client (the server ran past the step delimiter): kept 20 of 90 characters']);
});
