/** Solve-rate intervals (Wilson, paired bootstrap) and the SVG line chart the benchmarks plot with. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pairedDifference, wilson } from '../../src/core/analyse/intervals';
import { lineChartSvg, wrapTitle } from '../../src/core/analyse/lineChart';

test('Wilson intervals: known values, sound at 0 and n', () => {
  const a = wilson(50, 100);
  assert.ok(Math.abs(a.low - 0.4038) < 1e-3 && Math.abs(a.high - 0.5962) < 1e-3, JSON.stringify(a));
  const zero = wilson(0, 100);
  assert.equal(zero.low, 0);
  assert.ok(Math.abs(zero.high - 0.037) < 1e-3, JSON.stringify(zero));
  const all = wilson(100, 100);
  assert.equal(all.high, 1);
  assert.ok(all.low > 0.96 && all.low < 0.97);
  assert.deepEqual(wilson(0, 0), { low: 0, high: 1 });
});

test('paired bootstrap: the difference, an interval around it, zero width when the pairs agree', () => {
  const a = Array.from({ length: 100 }, (_, i) => (i < 60 ? 1 : 0));
  const b = Array.from({ length: 100 }, (_, i) => (i < 40 ? 1 : 0));
  const d = pairedDifference(a, b, { seed: 3 });
  assert.ok(Math.abs(d.diff - 0.2) < 1e-12);
  assert.ok(d.low > 0.1 && d.low < 0.2 && d.high > 0.2 && d.high < 0.3, JSON.stringify(d));
  assert.deepEqual(pairedDifference(a, a), { diff: 0, low: 0, high: 0 });
  assert.deepEqual(pairedDifference(a, b, { seed: 3 }), d, 'seeded: the same interval again');
  assert.throws(() => pairedDifference([1], [1, 0]), /equal, non-zero lengths/);
});

test('line chart: one marker per point, doublings evenly spaced on a log-2 axis, text escaped', () => {
  const svg = lineChartSvg({
    title: 'rate <vs> budget & more',
    xLabel: 'tokens',
    yLabel: '%',
    xScale: 'log2',
    panels: [{ title: 'A', series: [{ name: 's1', points: [1000, 2000, 4000, 8000].map((x, i) => ({ x, y: 10 * i, low: 10 * i - 5, high: 10 * i + 5 })) }, { name: 's2', points: [{ x: 1000, y: 50 }, { x: 8000, y: 60 }] }] }],
  });
  assert.match(svg, /^<svg /);
  assert.ok(svg.includes('rate &lt;vs&gt; budget &amp; more'));
  assert.equal(svg.match(/<circle /g)?.length, 6);
  const cx = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].slice(0, 4).map((m) => Number(m[1]));
  const gaps = cx.slice(1).map((x, i) => x - cx[i]!);
  for (const g of gaps) assert.ok(Math.abs(g - gaps[0]!) < 0.2, `uneven gaps ${gaps.join(', ')}`);
  assert.ok(svg.includes('>s1</text>') && svg.includes('>s2</text>'));
});

test('line chart: a title wider than the chart wraps into lines that fit (at most 3, the rest cut), the plot moves down', () => {
  const long = 'Solve rate vs token budget (3 problems of test/fixtures/experiment-view/problems.jsonl, 95 % Wilson intervals)';
  const lines = wrapTitle(long, 500);
  assert.deepEqual(lines.join(' '), long);
  assert.deepEqual(lines, ['Solve rate vs token budget (3 problems of', 'test/fixtures/experiment-view/problems.jsonl, 95 %', 'Wilson intervals)']);
  for (const l of lines) assert.ok(l.length <= Math.floor((500 - 16) / 9), l);
  assert.deepEqual(wrapTitle('short', 500), ['short']);
  const cut = wrapTitle(Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '), 300);
  assert.equal(cut.length, 3);
  assert.ok(cut[2]!.endsWith('…'));
  const chart = (title: string) => lineChartSvg({ title, xLabel: 'x', yLabel: 'y', panels: [{ title: 'p', series: [{ name: 's', points: [{ x: 1, y: 1 }, { x: 2, y: 2 }] }] }] });
  const one = chart('short');
  const two = chart(long);
  assert.equal(two.match(/font-weight="bold"/g)?.length, 3);
  const h = (svg: string) => Number(/height="(\d+)"/.exec(svg)![1]);
  assert.equal(h(two) - h(one), 38, 'two more title lines, 19 px each');
});
