// Step importance in the search panel (real Chromium): from a trace carrying a measurement, the detail pane shows the
// formula with the step's numbers, the answers kept and resampled, and the chart (accuracy line, TV bars, ★ on the
// top steps, answer stacks); the measured path's cards carry "★ 0.50" / "Δ 0.00" marks; an edited step turns the
// result stale (notice and card marks); the "Step importance…" button sends its request, and is off on the root and
// in read-only mode.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema, type Trace } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { countdownChecker } from '../../src/core/verify/checker';
import { measureStepImportance } from '../../src/core/analyse/stepImportance';
import { withImportance } from '../../src/core/analyse/stepImportanceSchema';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

const { open } = panelSuite();

const RIGHT = 'Answer: (5 * 3) + 7 + 2 = 24';
const WRONG = 'Answer: 5 + 7 = 12';
/** Continuations per prefix length: accuracy .25, .5, 1 after 0, 1, 2 steps; the path (n1 → n5 → n9) answers 24 itself. */
const SCRIPT: Record<number, string[]> = { 0: [RIGHT, WRONG, WRONG, WRONG], 1: [RIGHT, RIGHT, WRONG, WRONG], 2: [RIGHT, RIGHT, RIGHT, RIGHT] };

async function measuredTrace(): Promise<Trace> {
  const trace = TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces/countdown-beam.metacot.json'), 'utf8')));
  const tree = TraceTree.from(trace);
  const generator = new InProcessGenerator((req, i) => SCRIPT[req.steps.length]![i]!);
  const r = await measureStepImportance({ tree, nodeId: 'n9', generator, checker: countdownChecker(), k: 4, now: () => new Date('2026-03-04T05:06:00Z') });
  trace.analyses = withImportance(undefined, r);
  return TraceSchema.parse(trace);
}

async function clickNode(p: PanelPage, id: string): Promise<void> {
  await p.nextFrame();
  const pt = await p.probe<{ x: number; y: number } | null>(`p.nodeClientPoint(${JSON.stringify(id)})`);
  assert.ok(pt, `node ${id} is laid out`);
  await p.page.mouse.click(pt.x, pt.y);
  await p.nextFrame();
}

const badges = (p: PanelPage, id: string) => p.probe<string[] | undefined>(`p.cardText(${JSON.stringify(id)})?.badges`);

describe('search panel: step importance', () => {
  it('the detail pane shows the formula, this step’s numbers and the chart; the path’s cards carry the marks', async () => {
    const trace = await measuredTrace();
    const p = await open();
    await p.load(trace);
    await clickNode(p, 'n5');
    const section = p.page.locator('#importance');
    await section.waitFor();
    const text = await section.innerText();
    assert.match(text, /^Step importance/i);
    assert.match(text, /TV_i = ½ Σ_a \|p_i\(a\) − p_\{i−1\}\(a\)\|,\s+Δacc_i = acc_i − acc_\{i−1\}/);
    assert.equal(await p.page.locator('#imp-tv-values').innerText(), 'TV_2 = ½ Σ_a |p_2(a) − p_1(a)| = 0.50');
    assert.equal(await p.page.locator('#imp-acc-values').innerText(), 'Δacc_2 = acc_2 − acc_1 = 100% − 50% = +0.50');
    assert.match(text, /Step\s+2 of 3 — a top step/);
    assert.match(text, /Kept \(p_2\)\s+24 ×4 ✓ — accuracy 100%/);
    assert.match(text, /Resampled \(p_1\)\s+12 ×2 ✗, 24 ×2 ✓ — accuracy 50%/);
    assert.match(text, /Top steps\s+2 \(TV 0\.50\), 1 \(TV 0\.25\)/);
    assert.match(text, /Measured\s+K = 4 · in-process-policy · checker countdown · 3 requests/);
    assert.doesNotMatch(text, /Stale/);

    // The chart: 3 TV bars (step 2 outlined as current), ★ over the two top steps, an accuracy line and 4 answer stacks.
    const chart = section.locator('svg.imp-chart');
    assert.equal(await chart.locator('rect.imp-tv').count(), 3);
    assert.equal(await chart.locator('rect.imp-tv.current').getAttribute('data-step'), '2');
    assert.equal(await chart.locator('text.imp-star').count(), 2);
    assert.equal(await chart.locator('polyline.imp-acc').count(), 1);
    assert.equal(await chart.locator('circle.imp-acc-dot').count(), 4);
    assert.equal(await chart.locator('g.imp-dist').count(), 4);
    // After 0 steps: 12 ×3 (not verified) over 24 ×1 (verified).
    assert.deepEqual(await chart.locator('g.imp-dist[data-steps="0"] rect').evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('class'))), ['imp-seg bad', 'imp-seg ok']);
    assert.match(await chart.getAttribute('aria-label') ?? '', /0: 25%, 1: 50%, 2: 100%, 3: 100%.*top steps 1, 2/);
    // Bars have theme colours: the orange chart variable, not the default black.
    const fill = await chart.locator('rect.imp-tv').first().evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { fill: string } }).getComputedStyle(e).fill);
    assert.notEqual(fill, 'rgb(0, 0, 0)');

    // Cards on the measured path: ★ with TV on top steps, Δ on the others; a card off the path has none.
    assert.ok((await badges(p, 'n5'))?.includes('★ 0.50'));
    assert.ok((await badges(p, 'n1'))?.includes('★ 0.25'));
    assert.ok((await badges(p, 'n9'))?.includes('Δ 0.00'));
    const off = trace.nodes.find((n) => n.parentId !== null && !['n1', 'n5', 'n9'].includes(n.id))!;
    assert.ok(!(await badges(p, off.id))?.some((b) => /^[★Δ] /.test(b)));

    // Clicking a step's bar shows that step's node.
    await chart.locator('rect.imp-tv[data-step="1"]').click();
    await p.nextFrame();
    assert.equal(await p.probe('p.selectedId'), 'n1');
    assert.equal(await p.page.locator('#imp-tv-values').innerText(), 'TV_1 = ½ Σ_a |p_1(a) − p_0(a)| = 0.25');
  });

  it('an edited step makes the result stale: a notice in the pane, "stale" on the cards', async () => {
    const trace = await measuredTrace();
    const n5 = trace.nodes.find((n) => n.id === 'n5')!;
    n5.originalText = n5.text;
    n5.text = '15 - 7 = 8 (left: 2, 8)';
    n5.author = 'human';
    const p = await open({ theme: 'light' });
    await p.load(trace);
    await clickNode(p, 'n9');
    const notice = p.page.locator('#importance .imp-stale');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Stale: step 2 \(n5\) was edited after the measurement/);
    assert.ok((await badges(p, 'n9'))?.includes('stale'));
    assert.ok(!(await badges(p, 'n5'))?.some((b) => /^[★Δ] /.test(b)), 'no numbers shown as if current');
  });

  it('"Step importance…" sends measureImportance for the node; off on the root and in read-only mode', async () => {
    const p = await open();
    await p.load(await measuredTrace());
    await clickNode(p, 'n4');
    assert.equal(await p.page.locator('#importance').count(), 0, 'n4 is not on the measured path');
    await p.clearPosted();
    await p.page.locator('#action-importance').click();
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string; method?: string }[] }).__posted.some((m) => m.type === 'request' && m.method === 'measureImportance'));
    const [req] = await p.requests('measureImportance');
    assert.deepEqual(req!.params, { nodeId: 'n4' });
    await p.page.locator('#message-bar .message', { hasText: 'Measured the step importance of n4' }).waitFor();

    await clickNode(p, 'n0');
    assert.equal(await p.page.locator('#action-importance').getAttribute('disabled'), '');
    await clickNode(p, 'n4');
    await p.send({ type: 'readOnly', readOnly: true, reason: 'Restricted Mode: trust the workspace to edit traces' });
    await p.nextFrame();
    const b = p.page.locator('#action-importance');
    assert.equal(await b.getAttribute('disabled'), '');
    assert.match((await b.getAttribute('title')) ?? '', /Restricted Mode/);
  });
});
