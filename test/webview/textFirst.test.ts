// Text first, in real Chromium at the panel's default area (800×860): a new trace opens on its best path with every
// path node's alternatives as text cards and the rest in summary cards; no card under the legible size shows text;
// reading mode reads the path with values and offers the next steps; the legend takes its own strip; store.faded and
// store.diffMarks change what is drawn; the root is never drawn as a human edit.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Trace } from '../../src/core/trace/schema';
import { generateTrace } from '../fixtures/generateTrace';
import { TEXT_K } from '../../webview/lod';
import { VALUE_BUCKETS, VALUE_COLORS } from '../../webview/colorScale';
import { CARD_H, CARD_W } from '../../webview/treeLayout';
import { twoRunTrace } from '../unit/twoRunsFixture';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

const { open: panel } = panelSuite({ width: 800, height: 860 });

interface Stats {
  lod: string;
  nodes: number;
  summaries: number;
  textDraws: number;
  minTextPx: number | null;
}
const stats = (p: PanelPage) => p.probe<Stats>('({ ...p.lastRender, minTextPx: Number.isFinite(p.lastRender.minTextPx) ? p.lastRender.minTextPx : null })');
const beam = (): Trace => TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));

/** Root → best node, by id. */
function bestPath(t: Trace): string[] {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const out: string[] = [];
  for (let n = byId.get(t.result?.bestNodeId ?? ''); n; n = n.parentId === null ? undefined : byId.get(n.parentId)) out.unshift(n.id);
  return out;
}
const childrenOf = (t: Trace, id: string) => t.nodes.filter((n) => n.parentId === id).map((n) => n.id);

/** RGB of the canvas pixel at page coordinates (device pixel ratio 1 in the harness). */
function pixel(p: PanelPage, x: number, y: number): Promise<[number, number, number]> {
  return p.page.evaluate(`(() => {
    const c = document.querySelector('.tree-canvas');
    const r = c.getBoundingClientRect();
    const d = c.getContext('2d').getImageData(Math.round(${x} - r.left), Math.round(${y} - r.top), 1, 1).data;
    return [d[0], d[1], d[2]];
  })()`) as Promise<[number, number, number]>;
}
const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

/** Card geometry on the page from the probe: nodeClientPoint is 40 px right of the card's left edge at text zoom. */
async function cardBox(p: PanelPage, id: string): Promise<{ left: number; top: number; w: number; h: number; cy: number }> {
  const pt = await p.probe<{ x: number; y: number } | null>(`p.nodeClientPoint(${JSON.stringify(id)})`);
  assert.ok(pt, `${id} is laid out`);
  const h = CARD_H * (await p.probe<{ k: number }>('p.camera')).k;
  return { left: pt.x - 40, top: pt.y - h / 2, w: 80, h, cy: pt.y };
}

describe('search panel: text first', () => {
  it('a 300-node trace opens on the best path with its alternatives as text cards, the rest summarized', async () => {
    const p = await panel();
    const trace = generateTrace({ nodes: 300, seed: 3 });
    await p.load(trace);
    const path = bestPath(trace);
    assert.ok(path.length >= 3, `best path ${path.join(' → ')}`);
    // Laid out: the path and every path node's children; everything else is under a collapsed node's summary.
    const expected = new Set([...path, ...path.flatMap((id) => childrenOf(trace, id))]);
    assert.equal(await p.probe('p.visibleCount'), expected.size);
    const collapsed = await p.probe<string[]>('p.collapsedIds');
    assert.deepEqual(collapsed.sort(), [...expected].filter((id) => !path.includes(id) && childrenOf(trace, id).length > 0).sort());
    const s = await stats(p);
    assert.equal(s.lod, 'text');
    assert.ok(s.minTextPx !== null && s.minTextPx >= 11, `smallest text ${s.minTextPx} px`);
    assert.ok(s.summaries > 0, 'summary cards drawn');
    // The path's end (the answer) and its siblings are on screen as text cards.
    const drawn = new Set(await p.probe<string[]>('p.textCardIds'));
    const end = path[path.length - 1];
    const parent = path[path.length - 2];
    for (const id of childrenOf(trace, parent)) assert.ok(drawn.has(id), `${id} (the answer or a sibling) drawn as text`);
    assert.ok(drawn.has(parent), 'the step before the answer too');
    const endPt = await p.probe<{ x: number; y: number }>(`p.nodeClientPoint(${JSON.stringify(end)})`);
    const canvas = (await p.page.locator('.tree-canvas').boundingBox())!;
    assert.ok(endPt.x > canvas.x && endPt.x < canvas.x + canvas.width && endPt.y > canvas.y && endPt.y < canvas.y + canvas.height, 'the answer is on screen');
  });

  it('wide enough, the whole reading path and every alternative are text cards; a summary card expands on click', async () => {
    const p = await panel({ width: 1440, height: 900 });
    const trace = generateTrace({ nodes: 300, seed: 3 });
    await p.load(trace);
    const path = bestPath(trace);
    const drawn = new Set(await p.probe<string[]>('p.textCardIds'));
    for (const id of new Set([...path, ...path.flatMap((v) => childrenOf(trace, v))])) assert.ok(drawn.has(id), `${id} drawn as text`);
    const collapsed = await p.probe<string[]>('p.collapsedIds');
    const owner = collapsed.find((id) => childrenOf(trace, id).length > 0)!;
    const before = await p.probe<number>('p.visibleCount');
    const pt = await p.probe<{ x: number; y: number }>(`p.summaryClientPoint(${JSON.stringify(owner)})`);
    assert.ok(pt, 'the summary card is laid out');
    await p.page.mouse.click(pt.x, pt.y);
    await p.nextFrame();
    assert.ok(!(await p.probe<string[]>('p.collapsedIds')).includes(owner), 'clicking the summary expanded its node');
    const subtree = (id: string): number => childrenOf(trace, id).reduce((n, c) => n + subtree(c), 1);
    assert.equal(await p.probe('p.visibleCount'), before + subtree(owner) - 1, 'its whole subtree is laid out again');
    // Expand All shows the rest.
    await p.page.locator('#tool-expand-all').click();
    await p.nextFrame();
    assert.equal(await p.probe('p.visibleCount'), 300);
  });

  it('no card smaller than the legible size carries text; zoomed out, summaries are empty boxes', async () => {
    const p = await panel();
    await p.load(generateTrace({ nodes: 300, seed: 3 }));
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('-');
    await p.nextFrame();
    const zoomed = await stats(p);
    const k = (await p.probe<{ k: number }>('p.camera')).k;
    assert.ok(k < TEXT_K, `cards ${(CARD_H * k).toFixed(1)} × ${(CARD_W * k).toFixed(1)} px`);
    assert.notEqual(zoomed.lod, 'text');
    assert.equal(zoomed.textDraws, 0, 'no text on box cards');
    assert.ok(zoomed.nodes > 0);
    await p.page.locator('#tool-expand-all').click();
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('0');
    await p.nextFrame();
    const fitted = await stats(p);
    assert.notEqual(fitted.lod, 'text', 'the fitted 300-node tree is boxes or bars');
    assert.equal(fitted.textDraws, 0);
    // Back in to text: every string at least 11 px.
    for (let i = 0; i < 12 && (await stats(p)).lod !== 'text'; i++) {
      await p.page.keyboard.press('+');
      await p.nextFrame();
    }
    const text = await stats(p);
    assert.equal(text.lod, 'text');
    assert.ok(text.textDraws > 0 && text.minTextPx !== null && text.minTextPx >= 11, `smallest text ${text.minTextPx}`);
  });

  it('reading mode lists the path with values, offers the last step’s children, and a click extends the reading', async () => {
    const p = await panel();
    const trace = generateTrace({ nodes: 300, seed: 3 });
    await p.load(trace);
    const byId = new Map(trace.nodes.map((n) => [n.id, n]));
    const path = bestPath(trace);
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('m');
    await p.nextFrame();
    assert.equal(await p.page.locator('#reading').isVisible(), true);
    assert.equal(await p.page.locator('#tree').isVisible(), false);
    assert.equal(await p.page.locator('#tool-reading').getAttribute('aria-pressed'), 'true');
    const steps = p.page.locator('#reading .reading-step');
    assert.deepEqual(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id'))), path);
    const margins = await p.page.locator('#reading .reading-step .reading-value').allInnerTexts();
    assert.deepEqual(margins, path.map((id) => {
      const n = byId.get(id)!;
      return n.value !== undefined ? n.value.toFixed(2) : n.visits ? `N${n.visits.toLocaleString('en-US')}` : '—';
    }));
    // The best node is a leaf: nothing to choose.
    assert.equal(await p.page.locator('#reading .reading-choice').count(), 0);
    // Back to step 1: its children are the choices.
    await steps.nth(1).click();
    await p.nextFrame();
    assert.equal(await p.probe('p.selectedId'), path[1]);
    const kids = childrenOf(trace, path[1]);
    const choices = p.page.locator('#reading .reading-choice');
    assert.deepEqual(await choices.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id'))), kids);
    const pick = kids.find((id) => id !== path[2]) ?? kids[0];
    await p.page.locator(`#reading .reading-choice[data-node-id="${pick}"]`).click();
    await p.nextFrame();
    assert.equal(await p.probe('p.selectedId'), pick);
    assert.deepEqual(await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id'))), [path[0], path[1], pick]);
    assert.match(await p.page.locator('#reading .reading-step.last').innerText(), new RegExp(byId.get(pick)!.value!.toFixed(2)));
    assert.deepEqual(await choices.evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id'))), childrenOf(trace, pick));
    // M again: the tree is back.
    await p.page.keyboard.press('m');
    await p.nextFrame();
    assert.equal(await p.page.locator('#tree').isVisible(), true);
    assert.equal(await p.page.locator('#reading').isVisible(), false);
  });

  it('the legend is a strip of its own: it never overlaps the canvas, and folds to a button', async () => {
    const p = await panel();
    await p.load(generateTrace({ nodes: 300, seed: 3 }));
    const legend = (await p.page.locator('#legend').boundingBox())!;
    const canvas = (await p.page.locator('.tree-canvas').boundingBox())!;
    assert.ok(legend.y >= canvas.y + canvas.height - 0.5, `legend top ${legend.y} below canvas bottom ${canvas.y + canvas.height}`);
    for (const id of await p.probe<string[]>('p.textCardIds')) {
      const pt = await p.probe<{ x: number; y: number }>(`p.nodeClientPoint(${JSON.stringify(id)})`);
      assert.ok(pt.y < legend.y, `${id} above the legend`);
    }
    const tall = canvas.height;
    await p.page.locator('#legend-toggle').click();
    await p.nextFrame();
    assert.equal(await p.page.locator('#legend-items').isVisible(), false);
    assert.ok((await p.page.locator('.tree-canvas').boundingBox())!.height > tall, 'folding gives the rows back to the tree');
  });

  it('faded nodes and diff marks change the drawn colours; the legend lists the diff', async () => {
    const p = await panel({ width: 1440, height: 900 });
    await p.send({ type: 'config', strategies: STRATEGY_CATALOG });
    const trace = await twoRunTrace();
    await p.load(trace);
    await p.page.locator('#run-list').evaluate((el) => ((el as unknown as { open: boolean }).open = true));
    const fadedBefore = new Set(await p.probe<string[]>('p.fadedIds'));
    const bg = await pixel(p, 5, (await p.page.locator('.tree-canvas').boundingBox())!.y + 5);
    // A drawn node that the r2 filter fades.
    const row = p.page.locator('#run-list .run-row[data-run="r2"]');
    await row.click();
    await p.nextFrame();
    const fadedAfter = await p.probe<string[]>('p.fadedIds');
    const drawn = new Set(await p.probe<string[]>('p.textCardIds'));
    const target = fadedAfter.find((id) => !fadedBefore.has(id) && drawn.has(id));
    assert.ok(target, 'some drawn node is faded by the filter');
    const box = await cardBox(p, target);
    const stripAfter = await pixel(p, box.left + 2, box.cy);
    await row.click(); // clears the filter
    await p.nextFrame();
    const stripBefore = await pixel(p, box.left + 2, box.cy);
    assert.ok(dist(stripAfter, bg) < dist(stripBefore, bg) - 20, `faded strip ${stripAfter} is nearer the background ${bg} than ${stripBefore}`);

    // Diff marks: an outline in the theme's git colours just outside the card, and legend entries with the label.
    // Read where the outline goes (2 px, centred 2 px outside the card), wherever the camera is then.
    const above = async () => {
      // The diff bar appearing above the tree resizes the canvas (which clears it): read after the frame that follows.
      await p.nextFrame();
      await p.nextFrame();
      const b = await cardBox(p, target);
      return pixel(p, b.left + 60, b.top - 2);
    };
    const plain = await above();
    await p.send({ type: 'diffMarks', traceId: trace.id, label: 'run A ↔ run B', marks: [{ nodeId: target, kind: 'added' }] });
    await p.nextFrame();
    assert.equal(await p.probe(`p.diffMarks[${JSON.stringify(trace.nodes.findIndex((n) => n.id === target))}]`), 1);
    const marked = await above();
    assert.ok(dist(marked, plain) > 60, `outline ${marked} vs ${plain}`);
    // Dark theme's gitDecoration added colour #81b88b: green dominates.
    assert.ok(marked[1] > marked[0] && marked[1] > marked[2], `added outline is green: ${marked}`);
    const legend = await p.page.locator('#legend').innerText();
    assert.match(legend, /diff run A ↔ run B/);
    assert.match(legend, /added/);
    assert.match(legend, /removed/);
    assert.match(legend, /changed/);
  });

  it('the root is never drawn as a human edit: no orange outline, while an edited step has one', async () => {
    const p = await panel({ width: 1280, height: 800 });
    const t = beam();
    t.result = null; // no best path, whose gold outline would cover the root's
    await p.load(t);
    assert.equal(t.nodes[0].author, 'human');
    assert.equal((await stats(p)).lod, 'text');
    // How orange the card's top edge is: the largest red-minus-blue over the rows the 1-px border may fall on
    // (the human-edit colour #e69f00 is 230 − 0; the ordinary card border is a neutral grey).
    const orangeness = async (id: string) => {
      const b = await cardBox(p, id);
      let best = -Infinity;
      for (const dy of [-1, 0, 1, 2]) {
        const [r, , bl] = await pixel(p, b.left + 60, b.top + dy);
        best = Math.max(best, r - bl);
      }
      return best;
    };
    const edited = await orangeness('n7');
    const root = await orangeness('n0');
    assert.ok(edited > 80, `n7's border is the human-edit orange (red − blue ${edited})`);
    assert.ok(root < 30, `the root's border is not (red − blue ${root})`);
    // Reading mode marks the edit on n7 and not on the root.
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('m');
    await p.nextFrame();
    assert.equal(await p.page.locator('#reading .reading-step[data-node-id="n0"] .reading-flag.human').count(), 0);
  });

  it('a merged node\'s ×k count is a chip apart from its text, in every theme', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      const p = await panel({ width: 631, height: 860, theme });
      const t = beam();
      // n1's text wraps to two lines beside its badges: the count once read as a word of it ("(left: 7, ×3 0.12").
      const n1 = t.nodes.find((n) => n.id === 'n1');
      assert.ok(n1);
      n1.copies = 3;
      await p.load(t, 'n1');
      const drawn = await p.probe<{ text: string; badges: string[]; pills: string[]; badgeGap: number } | null>('p.cardText("n1")');
      assert.ok(drawn, `${theme}: n1 is drawn as a text card`);
      assert.ok(drawn.badges.includes('×3'), `${theme}: the count is drawn (${drawn.badges.join(', ')})`);
      assert.deepEqual(drawn.pills, ['×3'], `${theme}: on a chip`);
      assert.ok(!drawn.text.includes('×'), `${theme}: not part of the text`);
      assert.ok(drawn.badgeGap >= 3, `${theme}: the first line ends ${drawn.badgeGap.toFixed(1)} px before the badges`);
    }
  });

  it('the value colours span the trace\'s own values, linearly or on a log scale, the legend printing both ends', async () => {
    const p = await panel({ width: 800, height: 860 });
    const path = bestPath(beam()).slice(1);
    assert.ok(path.length >= 3);
    const [low, mid, high] = path;
    const hex = (c: string) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    /** Loads the beam fixture with every value `rest` but the three path nodes', and checks their colour strips. */
    const check = async (rest: number, values: [number, number, number], buckets: [number, number, number], legend: RegExp) => {
      const t = beam();
      const set = new Map([low, mid, high].map((id, k) => [id, values[k]]));
      for (const n of t.nodes) if (n.value !== undefined) n.value = set.get(n.id) ?? rest;
      await p.load(t);
      assert.equal((await stats(p)).lod, 'text');
      assert.match(await p.page.locator('#legend').innerText(), legend);
      for (const [k, id] of [low, mid, high].entries()) {
        const b = await cardBox(p, id);
        const got = await pixel(p, b.left + 2, b.cy); // the colour strip on the card's left edge
        const want = VALUE_COLORS[buckets[k]];
        assert.ok(dist(got, hex(want)) < 40, `${id} (value ${values[k]}) is drawn ${got} ≈ ${want} (bucket ${buckets[k]})`);
      }
    };
    // Estimates of 0.003–0.1, evenly spread: linear from the lowest to the highest (on 0–1 they were all bucket 0–3).
    await check(0.05, [0.003, 0.0515 + 0.003 / 2, 0.1], [0, 16, VALUE_BUCKETS - 1], /value 0\.0030\s*0\.10\s*no value/);
    // Calibrated estimates crowding the bottom beside a verified 1 (the embedded default's traces): a log scale.
    // 0.03 sits at ln(10) / ln(333.3) = 0.397 of it, bucket 12.
    await check(0.01, [0.003, 0.03, 1], [0, 12, VALUE_BUCKETS - 1], /value ≤0\.0030\s*1\.00 \(log\)\s*no value/);
  });
});
