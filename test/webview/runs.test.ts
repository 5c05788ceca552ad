// Runs apart in the search panel (real Chromium): the run list's rows and numbers, the run filter, superseded
// subtrees faded, both kept current by deltas; the re-run form's endpoint, model, verifier and effective budgets.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';
import { VerifierConfigSchema } from '../../src/core/trace/schema';
import type { Budgets, Trace, TraceNode } from '../../src/core/trace/schema';
import { VERIFIER_PARAMS } from '../../src/core/verify/verifier';
import type { RerunOptions } from '../../src/protocol/hostMessages';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';
import { twoRunTrace } from '../unit/twoRunsFixture';

let trace: Trace;
const suite = panelSuite();

before(async () => {
  trace = await twoRunTrace();
});

async function panel(width = 640, height = 720): Promise<PanelPage> {
  const p = await suite.open({ width, height });
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
    const p = await panel(800, 900);
    await p.load(trace);
    const list = p.page.locator('#run-list');
    assert.equal(await list.evaluate((el) => (el as unknown as { open: boolean }).open), true, 'two runs on a tall page: the list opens');
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
    // A short page keeps the list folded; its summary still names each run's state.
    const list = p.page.locator('#run-list');
    assert.equal(await list.evaluate((el) => (el as unknown as { open: boolean }).open), false);
    assert.match(await p.page.locator('#run-list summary').innerText(), /Runs \(2\)\s+r1\s+r2/);
    assert.equal(await p.page.locator('#run-list summary .run-chip.status-solved').count(), 1);
    await p.page.locator('#run-list summary').click();
    assert.equal(await list.evaluate((el) => (el as unknown as { open: boolean }).open), true);
    await p.nextFrame();
    const listBox = (await p.page.locator('#run-list').boundingBox())!;
    const canvasBox = (await p.page.locator('.canvas-wrap').first().boundingBox())!;
    assert.ok(listBox.y + listBox.height <= canvasBox.y + 0.5, `run list ${JSON.stringify(listBox)} overlaps the tree ${JSON.stringify(canvasBox)}`);
    assert.ok(canvasBox.height >= 150, `the tree keeps ${canvasBox.height} px`);
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
    // Usage streaming in (same status) is shown by the trailing rebuild, a few hundred ms later at most.
    const usage = { ...r3.usage, tokensIn: 4000, tokensOut: 321 };
    await p.send({ type: 'traceDelta', traceId: trace.id, runs: [{ ...r3, usage }] });
    await p.page.locator('#run-list .run-row[data-run="r3"]', { hasText: '4,321 tok' }).waitFor({ timeout: 2000 });
    // The run fails: its row says why.
    await p.send({ type: 'traceDelta', traceId: trace.id, runs: [{ ...r3, usage, status: 'failed', endedAt: r1.endedAt!, reason: 'endpoint ref: 401 Unauthorized' }] });
    await p.nextFrame();
    await p.nextFrame();
    assert.match(await p.page.locator('#run-list .run-row[data-run="r3"] .run-reason').innerText(), /401 Unauthorized/);
  });
});

/** The budgets VS Code's settings give when the user set none: metacot.budgets' default in the manifest. */
function manifestBudgets(): Budgets {
  type Section = { properties: Record<string, { default?: unknown }> };
  const c = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { contributes: { configuration: Section | Section[] } }).contributes.configuration;
  const section = (Array.isArray(c) ? c : [c]).find((x) => x.properties['metacot.budgets']);
  return section!.properties['metacot.budgets']!.default as Budgets;
}

/** The re-run options the host sends (its endpoints, the core's verifiers, the effective budgets). */
function rerunOptions(t: Trace): RerunOptions {
  const e = t.runs[0]!.config.endpoint;
  return {
    endpoints: [
      { name: 'embedded', model: 'countdown-embedded', baseUrl: '', modelFixed: true },
      { name: e.name, model: e.model, baseUrl: e.baseUrl },
      { name: 'lab', model: 'qwen-7b', baseUrl: 'http://10.0.0.2:8000/v1' },
    ],
    defaultEndpoint: 'embedded',
    verifiers: VerifierConfigSchema.shape.kind.options.map((kind) => ({ kind, params: VERIFIER_PARAMS[kind] })),
    settingsVerifier: 'auto',
    effectiveBudgets: manifestBudgets(),
  };
}

describe('search panel: re-run form with endpoint, model, verifier and effective budgets', () => {
  it('lists the endpoints and verifiers, shows the effective budgets, and posts the choices', async () => {
    const p = await panel();
    const options = rerunOptions(trace);
    await p.send({ type: 'config', rerunOptions: options });
    await p.load(trace);
    const rerun = trace.runs[1]!;
    const start = trace.nodes.find((n) => n.runId === rerun.id && n.kind === 'step')!;
    await p.send({ type: 'revealNode', nodeId: start.id, select: true });
    await p.nextFrame();
    await p.page.click('#action-rerun');
    const form = p.page.locator('.rerun-form');
    await form.waitFor({ timeout: 5000 });
    const values = (sel: string) => p.page.locator(sel).evaluateAll((els) => (els as unknown as { getAttribute(n: string): string | null }[]).map((e) => e.getAttribute('value')));
    assert.deepEqual(await values('#rerun-endpoint vscode-option'), options.endpoints.map((e) => e.name));
    const value = (sel: string) => p.page.locator(sel).evaluate((e) => (e as unknown as { value: string }).value);
    assert.equal(await value('#rerun-endpoint'), rerun.config.endpoint.name, 'opens on the run’s endpoint');
    assert.equal(await value('#rerun-model'), rerun.config.endpoint.model);
    assert.deepEqual(await values('#rerun-verifier vscode-option'), [...VerifierConfigSchema.shape.kind.options]);
    assert.equal(await value('#rerun-verifier'), rerun.config.verifier.kind, 'opens on the run’s verifier');
    assert.equal(await value('#rerun-verifier-K'), String(rerun.config.verifier.params.K));
    // The run capped nodes at 6: prefilled, and the help says what clearing it gives; an empty one shows the default.
    const budgets = manifestBudgets();
    assert.equal(await value('#rerun-budget-maxNodes'), '6');
    assert.match(await form.innerText(), new RegExp(`empty: ${budgets.maxNodes} \\(default\\)`));
    assert.equal(await p.page.locator('#rerun-budget-maxTokens').getAttribute('placeholder'), `${budgets.maxTokens} (default)`);
    // "No limit" only where the settings set none either.
    assert.equal(await p.page.locator('#rerun-budget-maxRequests').getAttribute('placeholder'), budgets.maxRequests === undefined ? 'no limit' : `${budgets.maxRequests} (default)`);

    // Another endpoint (its model follows), a model override, another verifier with a param, a node budget.
    await p.page.locator('#rerun-endpoint').click();
    await p.page.locator('#rerun-endpoint vscode-option[value="lab"]').click();
    assert.equal(await value('#rerun-model'), 'qwen-7b');
    await p.page.locator('#rerun-model input').fill('qwen-14b');
    await p.page.locator('#rerun-verifier').click();
    await p.page.locator('#rerun-verifier vscode-option[value="heuristic"]').click();
    await p.page.locator('#rerun-verifier-heuristic').click();
    await p.page.locator('#rerun-verifier-heuristic vscode-option[value="mult"]').click();
    await p.page.locator('#rerun-budget-maxNodes input').fill('40');
    await p.clearPosted();
    await p.page.click('#rerun-submit');
    const [req] = await p.requests('rerunFromNode');
    assert.ok(req, 'no rerunFromNode request');
    assert.equal(req.params.nodeId, start.id);
    assert.equal(req.params.endpoint, 'lab');
    assert.equal(req.params.model, 'qwen-14b');
    assert.deepEqual(req.params.verifier, { kind: 'heuristic', params: { check: 'auto', exactlyOnce: false, heuristic: 'mult' } });
    assert.equal(req.params.budgets?.maxNodes, 40);
  });

  it('an untouched verifier is left to the host; the embedded endpoint offers no model override', async () => {
    const p = await panel();
    await p.send({ type: 'config', rerunOptions: rerunOptions(trace) });
    await p.load(trace);
    await p.send({ type: 'revealNode', nodeId: 'n1', select: true });
    await p.nextFrame();
    await p.page.click('#action-rerun');
    await p.page.locator('#rerun-endpoint').click();
    await p.page.locator('#rerun-endpoint vscode-option[value="embedded"]').click();
    assert.equal(await p.page.locator('#rerun-model').evaluate((e) => (e as unknown as { disabled: boolean }).disabled), true);
    await p.clearPosted();
    await p.page.click('#rerun-submit');
    const [req] = await p.requests('rerunFromNode');
    assert.equal(req!.params.endpoint, 'embedded');
    assert.equal('model' in req!.params, false);
    assert.equal('verifier' in req!.params, false, 'same settings: the host applies the origin run’s verifier');
  });
});
