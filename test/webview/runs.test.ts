// Runs apart in the search panel (real Chromium): the run list's rows and numbers, the run filter, superseded
// subtrees faded, both kept current by deltas; the re-run form's endpoint, model, verifier and effective budgets.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';
import type { Trace, TraceNode } from '../../src/core/trace/schema';
import { startHarness } from './harness/server';
import type { Harness } from './harness/server';
import { ensureWebviewBuilt } from './ensureBuilt';
import { launchChromium, openPanel } from './panelPage';
import type { PanelPage } from './panelPage';
import { twoRunTrace } from '../unit/twoRunsFixture';

let browser: Browser;
let harness: Harness;
let trace: Trace;
const opened: PanelPage[] = [];

before(async () => {
  ensureWebviewBuilt();
  harness = await startHarness();
  browser = await launchChromium();
  trace = await twoRunTrace();
});

afterEach(async () => {
  for (const p of opened.splice(0)) {
    const problems = await p.problems();
    await p.page.close();
    assert.deepEqual(problems, [], 'CSP violations / page errors / console errors');
  }
});

after(async () => {
  await browser?.close();
  await harness?.close();
});

async function panel(width = 640, height = 720): Promise<PanelPage> {
  const p = await openPanel(browser, harness, { width, height });
  opened.push(p);
  await p.send({ type: 'config', strategies: STRATEGY_CATALOG });
  return p;
}

const fadedIds = (p: PanelPage) => p.probe<string[]>('p.fadedIds');
const sorted = (xs: Iterable<string>) => [...xs].sort();

/** Node ids that read as run `runId`: its nodes and the ancestors of them and of its start node (recounted here). */
function readsAs(t: Trace, runId: string): Set<string> {
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const run = t.runs.find((r) => r.id === runId)!;
  const out = new Set<string>();
  const up = (n: TraceNode | undefined) => {
    for (; n; n = n.parentId === null ? undefined : byId.get(n.parentId)) out.add(n.id);
  };
  up(byId.get(run.startNodeId));
  for (const n of t.nodes) if (n.runId === runId) up(n);
  return out;
}

describe('search panel: run list and fading', () => {
  it('lists both runs with the trace’s numbers, fades the superseded subtree, and filters the tree by run', async () => {
    const p = await panel();
    await p.load(trace);
    const list = p.page.locator('#run-list');
    assert.equal(await list.evaluate((el) => (el as unknown as { open: boolean }).open), true, 'two runs: the list opens');
    const rows = p.page.locator('#run-list .run-row');
    assert.equal(await rows.count(), 2);
    for (const [k, run] of trace.runs.entries()) {
      const text = await rows.nth(k).innerText();
      const nodes = trace.nodes.filter((n) => n.runId === run.id).length;
      assert.match(text, new RegExp(`${nodes} nodes`), `${run.id}: ${text}`);
      assert.match(text, new RegExp(`${(run.usage.tokensIn + run.usage.tokensOut).toLocaleString('en-US')} tok`));
      assert.match(text, new RegExp(run.status));
      assert.match(text, new RegExp(STRATEGY_CATALOG.strategies.find((s) => s.name === run.config.strategy)!.label.replace(/[()*]/g, '\\$&')));
      assert.match(text, new RegExp(`${run.config.endpoint.name} · ${run.config.endpoint.model}`));
    }
    assert.match(await rows.nth(0).innerText(), /42/, 'the solved run shows its answer');
    assert.equal(await rows.nth(0).locator('.run-answer.ok').count(), 1, 'with the verified mark');
    assert.match((await rows.nth(1).locator('.run-warning').getAttribute('title')) ?? '', /mcts ran with no value signal/);
    assert.match(await rows.nth(1).locator('.run-warning').innerText(), /no value signal/);
    assert.equal(await rows.nth(0).locator('.run-warning').count(), 0);

    // No filter: the superseded subtree is faded, nothing else.
    const superseded = trace.nodes.filter((n) => n.supersededBy !== undefined).map((n) => n.id);
    assert.ok(superseded.length >= 2);
    assert.deepEqual(sorted(await fadedIds(p)), sorted(superseded));

    // Filter to the re-run: every node outside it (and its start path) fades.
    await rows.nth(1).click();
    await p.nextFrame();
    assert.equal(await p.probe('p.runFilter'), 'r2');
    const r2 = readsAs(trace, 'r2');
    assert.deepEqual(sorted(await fadedIds(p)), sorted(trace.nodes.map((n) => n.id).filter((id) => !r2.has(id))));
    assert.equal(await p.page.locator('#run-list .run-row.active').getAttribute('data-run'), 'r2');
    // The first run's filter brightens its superseded nodes and fades the re-run's.
    await p.page.locator('#run-list .run-row[data-run="r1"]').click();
    const r1 = readsAs(trace, 'r1');
    assert.deepEqual(sorted(await fadedIds(p)), sorted(trace.nodes.map((n) => n.id).filter((id) => !r1.has(id))));
    // "All runs" clears the filter; clicking the active row again does too.
    await p.page.locator('#run-list-all').click();
    assert.equal(await p.probe('p.runFilter'), null);
    assert.deepEqual(sorted(await fadedIds(p)), sorted(superseded));
    await p.page.locator('#run-list .run-row[data-run="r2"]').click();
    await p.page.locator('#run-list .run-row[data-run="r2"]').click();
    assert.equal(await p.probe('p.runFilter'), null);
    // Keyboard: Enter on a focused row filters.
    await p.page.locator('#run-list .run-row[data-run="r1"]').focus();
    await p.page.keyboard.press('Enter');
    assert.equal(await p.probe('p.runFilter'), 'r1');
    assert.equal(await p.page.evaluate('document.activeElement.dataset.run'), 'r1', 'focus stays on the row');
  });

  it('the list does not cover the tree at the default panel width, and follows a streamed run', async () => {
    const p = await panel(520, 700);
    await p.load(trace);
    const listBox = (await p.page.locator('#run-list').boundingBox())!;
    const canvasBox = (await p.page.locator('.canvas-wrap').first().boundingBox())!;
    assert.ok(listBox.y + listBox.height <= canvasBox.y + 0.5, `run list ${JSON.stringify(listBox)} overlaps the tree ${JSON.stringify(canvasBox)}`);
    assert.ok(canvasBox.height >= 220, `the tree keeps ${canvasBox.height} px`);
    const overflow = await p.page.locator('#run-list .run-row').evaluateAll((els) => (els as unknown as { scrollWidth: number; clientWidth: number }[]).map((e) => e.scrollWidth - e.clientWidth));
    assert.deepEqual(overflow, [0, 0], 'rows fit the width');

    // Filter to r2, then a third run streams in from the root: its nodes are outside the filter (faded), its row appears.
    await p.page.locator('#run-list .run-row[data-run="r2"]').click();
    const r1 = trace.runs[0]!;
    const r3 = { ...structuredClone(r1), id: 'r3', startNodeId: 'n0', status: 'running' as const, endedAt: undefined, result: undefined, reason: undefined };
    delete r3.endedAt;
    const added: TraceNode[] = [{ id: 'n900', parentId: 'n0', kind: 'step', text: 'a new first step', author: 'model', status: 'open', iteration: 9, runId: 'r3' }];
    await p.send({ type: 'traceDelta', traceId: trace.id, nodesAdded: added, runs: [r3] });
    await p.nextFrame();
    await p.nextFrame();
    assert.equal(await p.page.locator('#run-list .run-row').count(), 3);
    assert.match(await p.page.locator('#run-list .run-row[data-run="r3"]').innerText(), /running/);
    assert.ok((await fadedIds(p)).includes('n900'), 'a node of another run is faded under the r2 filter');
    // The run fails: its row says why.
    await p.send({ type: 'traceDelta', traceId: trace.id, runs: [{ ...r3, status: 'failed', endedAt: r1.endedAt!, reason: 'endpoint ref: 401 Unauthorized' }] });
    await p.nextFrame();
    await p.nextFrame();
    assert.match(await p.page.locator('#run-list .run-row[data-run="r3"] .run-reason').innerText(), /401 Unauthorized/);
  });
});
