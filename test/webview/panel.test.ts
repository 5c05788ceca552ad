// The search panel in real Chromium (Debian chromium + playwright-core) through the harness page: rendering,
// selection and detail, typed action requests and their replies, keyboard, collapse, scrubber, find, state restore, read-only, and
// security (XSS payloads inert, no CSP violations).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TraceSchema } from '../../src/core/trace/schema';
import type { Trace } from '../../src/core/trace/schema';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';
import { PROTOCOL_VERSION } from '../../src/protocol/hostMessages';
import { parseWebviewMessage } from '../../src/protocol/parseMessage';
import { generateTrace } from '../fixtures/generateTrace';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';
import type { WebviewMessage } from '../../src/protocol/webviewMessages';

const fixture = (name: string): Trace => TraceSchema.parse(JSON.parse(readFileSync(join(__dirname, '../fixtures/traces', name), 'utf8')));

// Every test must leave no CSP violation, page error or console error behind (checked after each test).
const suite = panelSuite();
const panel = suite.open;

/** Clicks the middle of a node's card on the canvas. */
async function clickNode(p: PanelPage, id: string, modifier?: 'Alt' | 'Shift'): Promise<void> {
  await p.nextFrame(); // layout changes (e.g. a message bar appearing) settle first
  const pt = await p.probe<{ x: number; y: number } | null>(`p.nodeClientPoint(${JSON.stringify(id)})`);
  assert.ok(pt, `node ${id} is laid out`);
  if (modifier) await p.page.keyboard.down(modifier);
  await p.page.mouse.click(pt.x, pt.y);
  if (modifier) await p.page.keyboard.up(modifier);
  await p.nextFrame();
}

/** Polls a condition on the panel probe `p` (a function, not a string: string predicates need eval, which the CSP forbids). */
async function until(p: PanelPage, fn: (probe: { matchCount: number }) => boolean): Promise<void> {
  await p.page.waitForFunction(fn as never, undefined, { polling: 50, timeout: 10_000 }).catch(async (e) => {
    throw new Error(`condition not met: ${fn.toString()} (${e})`);
  });
}

const text = (p: PanelPage, selector: string) => p.page.locator(selector).first().innerText();

/** What the extension sends after `ready`: the strategy catalog the re-run form is built from. */
const sendCatalog = (p: PanelPage) => p.send({ type: 'config', strategies: STRATEGY_CATALOG });

describe('search panel', () => {
  it('says ready with the protocol version, then renders a fixture tree with every node drawn', async () => {
    const p = await panel();
    const ready = await p.postedOfType('ready');
    assert.equal(ready.length, 1);
    assert.equal(ready[0].protocolVersion, PROTOCOL_VERSION);
    const trace = fixture('countdown-beam.metacot.json');
    await p.load(trace);
    assert.equal(await p.probe('p.nodeCount'), 12);
    assert.equal(await p.probe('p.visibleCount'), 12);
    const r = await p.probe<{ lod: string; nodes: number; edges: number }>('p.lastRender');
    assert.equal(r.nodes, 12, 'all nodes on screen after fit');
    assert.equal(r.edges, 11);
    assert.equal(r.lod, 'text', 'a small tree is fitted at a zoom where labels are readable');
    // The canvas really has content: count pixels that differ from the background.
    const painted = await p.page.evaluate(`(() => {
      const c = document.querySelector('canvas'); const g = c.getContext('2d');
      const d = g.getImageData(0, 0, c.width, c.height).data; const bg = [d[0], d[1], d[2]]; let n = 0;
      for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - bg[0]) + Math.abs(d[i + 1] - bg[1]) + Math.abs(d[i + 2] - bg[2]) > 30) n++;
      return n; })()`);
    assert.ok((painted as number) > 20000, `painted pixels: ${painted}`);
    // The overview names the problem, result and run.
    const overview = await text(p, '#detail');
    assert.match(overview, /Use the numbers 3, 5, 7, 2 to reach 24/);
    assert.match(overview, /\(5 \* 3\) \+ 7 \+ 2 = 24/);
    assert.match(overview, /beam/);
    assert.match(await text(p, '#run-status'), /12 nodes/);
  });

  it('renders a generated 10k-node trace sent in columns and culls to what is on screen', async () => {
    const p = await panel();
    const trace = generateTrace({ nodes: 10_000, seed: 5 });
    await p.load(trace);
    assert.equal(await p.probe('p.nodeCount'), 10_000);
    // A new trace opens on its best path (the rest folded into summary cards); Expand All lays out every node.
    assert.ok((await p.probe<number>('p.visibleCount')) < 100, 'opens folded to the best path');
    await p.page.locator('#tool-expand-all').click();
    await p.page.locator('#tool-fit').click();
    await p.nextFrame();
    assert.equal(await p.probe('p.visibleCount'), 10_000);
    const r = await p.probe<{ lod: string; nodes: number }>('p.lastRender');
    assert.equal(r.lod, 'dense');
    assert.ok(r.nodes > 500 && r.nodes < 10_000, `drawn ${r.nodes}: culled to pixel rows, not every node`);
    // Zooming in far enough shows readable cards for a handful of nodes only.
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('Home');
    await p.page.keyboard.press('.');
    await p.nextFrame();
    const zoomed = await p.probe<{ lod: string; nodes: number }>('p.lastRender');
    assert.equal(zoomed.lod, 'text');
    assert.ok(zoomed.nodes < 200, `drawn when zoomed in: ${zoomed.nodes}`);
  });

  it('selecting a node fills the detail pane: Markdown + KaTeX text, path, metrics, why', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await clickNode(p, 'n9');
    assert.equal(await p.probe('p.selectedId'), 'n9');
    assert.deepEqual((await p.postedOfType('selectNode')).at(-1), { type: 'selectNode', nodeId: 'n9' });
    const d = await text(p, '#detail');
    assert.match(d, /^Answer\s+n9/);
    assert.match(d, /verified/);
    assert.match(d, /best path/);
    assert.match(d, /Value\s+1 \(verifier countdown\)/);
    assert.match(d, /Beam rank\s+1 of 2/);
    assert.match(d, /Tokens in \/ out\s+131 \/ 16/);
    assert.match(d, /Latency\s+350 ms/);
    const path = await p.page.locator('.path-list li').allInnerTexts();
    assert.equal(path.length, 4);
    assert.match(path[0], /Use the numbers/);
    assert.match(path[1], /5 \* 3 = 15/);
    assert.match(path[3], /Answer/);

    // Pruned by the engine: the reason with rank, score and cutoff.
    await p.send({ type: 'revealNode', nodeId: 'n3' });
    await p.nextFrame();
    const pruned = await text(p, '#detail');
    assert.match(pruned, /Pruned by the engine: beam rank 3 of 2: below the cutoff/);
    assert.match(pruned, /Cutoff\s+0\.55/);
    // Failed: the error, prominently.
    await p.send({ type: 'revealNode', nodeId: 'n8' });
    await p.nextFrame();
    assert.match(await text(p, '#detail .notice.error'), /request timed out after 30 s/);
    // Math renders through KaTeX, with its inline styles applied through CSSOM (no CSP violation, see afterEach).
    await p.send({ type: 'revealNode', nodeId: 'n4' });
    await p.nextFrame();
    assert.equal(await p.page.locator('#node-text .katex').count(), 2);
    const styled = await p.page.evaluate(`[...document.querySelectorAll('#node-text .katex [style]')].length`);
    assert.ok((styled as number) > 0, 'KaTeX layout styles applied');
    // A human edit keeps the model's original text.
    await p.send({ type: 'revealNode', nodeId: 'n7' });
    await p.nextFrame();
    assert.match(await text(p, '#detail'), /human edit/);
    assert.match(await text(p, 'details.original'), /Original model text/);
  });

  it('shows the UCT terms of an MCTS node', async () => {
    const p = await panel();
    const trace = fixture('mcts-30.metacot.json');
    const node = trace.nodes.find((n) => n.selection?.uct);
    assert.ok(node?.selection?.uct);
    await p.load(trace);
    await p.send({ type: 'revealNode', nodeId: node.id });
    await p.nextFrame();
    const u = node.selection.uct;
    const formula = await text(p, '.formula');
    assert.match(formula, /UCT = Q \+ c·√\(ln N\s*parent\s*\/ N\)/);
    assert.ok(formula.includes(`√(ln ${u.parentVisits} / ${u.visits})`), formula);
    assert.ok(formula.includes(String(Math.round(u.score * 1000) / 1000)), formula);
    assert.ok(!formula.includes('qNormalize'), 'no range line without a range');
  });

  it('says how Q was scaled when the search normalized it (qNormalize minmax)', async () => {
    const p = await panel();
    const trace = fixture('mcts-30.metacot.json');
    const node = trace.nodes.find((n) => n.selection?.uct);
    assert.ok(node?.selection?.uct);
    node.selection.uct.range = [0.0125, 0.2125];
    await p.load(trace);
    await p.send({ type: 'revealNode', nodeId: node.id });
    await p.nextFrame();
    const formula = await text(p, '.formula');
    assert.match(formula, /Q scaled to \[0, 1\] \(qNormalize minmax\) by the search's Q range \[0\.0125, 0\.2125\]: \(Q − 0\.0125\) \/ 0\.2/);
  });

  it('edit, save as sibling, prune, mark and re-run send typed requests', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await sendCatalog(p);
    await clickNode(p, 'n5');
    await p.clearPosted();

    await p.page.click('#action-edit');
    const area = p.page.locator('#edit-text textarea');
    await area.fill('15 + 7 = 22, then 22 + 2 = 24 (left: 24)');
    await p.page.click('#edit-replace');
    await p.page.click('#action-edit');
    await p.page.locator('#edit-text textarea').fill('Alternatively, 7 - 2 = 5');
    await p.page.keyboard.press('Control+Shift+Enter');
    await p.page.click('#action-prune');
    await p.page.click('#action-correct');
    await p.page.click('#action-rerun');
    await p.page.locator('#rerun-strategy').click();
    await p.page.locator('#rerun-strategy vscode-option[value="mcts"]').click();
    await p.page.locator('#rerun-c input').fill('2.5');
    await p.page.locator('#rerun-simulations input').fill('80');
    await p.page.locator('#rerun-budget-maxTokens input').fill('50000');
    await p.page.click('#rerun-submit');

    const msgs = (await p.posted()).filter((m) => m.type !== 'selectNode' && m.type !== 'log');
    for (const m of msgs) assert.equal(parseWebviewMessage(m).ok, true, JSON.stringify(m));
    const ids = new Set<string>();
    const strip = (m: WebviewMessage) => {
      assert.equal(m.type, 'request');
      if (m.type !== 'request') return m;
      assert.match(m.requestId, /^r\d+$/);
      ids.add(m.requestId);
      return { method: m.method, params: m.params };
    };
    assert.deepEqual(msgs.map(strip), [
      { method: 'editNode', params: { nodeId: 'n5', text: '15 + 7 = 22, then 22 + 2 = 24 (left: 24)', mode: 'replace' } },
      { method: 'editNode', params: { nodeId: 'n5', text: 'Alternatively, 7 - 2 = 5', mode: 'sibling' } },
      { method: 'pruneNode', params: { nodeId: 'n5', reason: 'pruned in the search panel' } },
      { method: 'markNode', params: { nodeId: 'n5', label: 'correct' } },
      {
        method: 'rerunFromNode',
        // The catalog's MCTS parameters: the two typed in, the rest at the catalog defaults.
        params: { nodeId: 'n5', strategy: 'mcts', params: { simulations: 80, b: 4, c: 2.5, maxDepth: 12, parallel: 0, virtualLoss: 1, backup: 'max', qNormalize: 'minmax', widenK: 1, widenAlpha: 0.5, widenPenalty: 0.1, stopOnSolve: true }, budgets: { maxTokens: 50000 } },
      },
    ]);
    assert.equal(ids.size, 5, 'every request has its own id');
    // Every reply is shown; the last one is the re-run's.
    await p.page.locator('#message-bar .message.success').filter({ hasText: 'Started mcts from n5' }).waitFor({ timeout: 5000 });
  });

  it('a pruned node shows the reply; a refused prune shows the host error in the message bar', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await clickNode(p, 'n5');
    await p.clearPosted();
    await p.page.click('#action-prune');
    const ok = p.page.locator('#message-bar .message.success');
    await ok.filter({ hasText: 'Pruned n5' }).waitFor({ timeout: 5000 });
    assert.equal(await p.page.locator('#message-bar .message.error').count(), 0);
    // The announcer sets its text on the next animation frame (clear first, so a repeat is announced): wait for it.
    await p.page.locator('#live-region', { hasText: 'Pruned n5' }).waitFor({ state: 'attached', timeout: 5000 });
    const [req] = await p.requests('pruneNode');
    assert.deepEqual(req.params, { nodeId: 'n5', reason: 'pruned in the search panel' });

    await p.replyWith('pruneNode', { ok: false, error: { message: 'n5 is already pruned', detail: 'pruned by the engine at iteration 2' } });
    await p.page.click('#action-prune');
    const err = p.page.locator('#message-bar .message.error');
    await err.waitFor({ timeout: 5000 });
    assert.equal(await err.locator('.message-text').innerText(), 'n5 is already pruned — pruned by the engine at iteration 2');
    // The error replaces the earlier success: one reply line at a time.
    assert.equal(await p.page.locator('#message-bar .message.success').count(), 0);
    assert.equal((await p.requests('pruneNode')).length, 2);
  });

  it('the re-run form waits for the host’s strategy list, then offers the catalog’s strategies', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await clickNode(p, 'n5');
    await p.page.click('#action-rerun');
    assert.match(await text(p, '.rerun-form'), /Waiting for the host’s strategy list/);
    assert.equal(await p.page.locator('#rerun-submit').count(), 0);
    await sendCatalog(p);
    await p.page.locator('#rerun-submit').waitFor({ timeout: 5000 });
    const offered = await p.page.locator('#rerun-strategy vscode-option').evaluateAll((els) => els.map((e) => e.getAttribute('value')));
    assert.deepEqual(offered, STRATEGY_CATALOG.strategies.map((s) => s.name));
    // The node's beam run: the form opens on beam with the catalog's beam parameters.
    const params = await p.page.locator('.rerun-form [data-param]').evaluateAll((els) => els.map((e) => e.getAttribute('data-param')));
    assert.deepEqual(params, STRATEGY_CATALOG.strategies.find((s) => s.name === 'beam')?.params.map((x) => x.name));
  });

  it('the re-run form refuses bad numbers and starts from the run’s own parameters', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await sendCatalog(p);
    await clickNode(p, 'n5');
    await p.page.click('#action-rerun');
    // The node came from a beam run with width 2: the form starts there.
    assert.equal(await p.page.locator('#rerun-width').evaluate((e) => (e as unknown as { value: string }).value), '2');
    await p.page.locator('#rerun-width input').fill('two');
    await p.clearPosted();
    await p.page.click('#rerun-submit');
    assert.match(await text(p, '.form-error'), /Beam width: expected a whole number ≥ 1/);
    assert.deepEqual(await p.requests('rerunFromNode'), []);
    await p.page.keyboard.press('Escape');
    assert.equal(await p.page.locator('.rerun-form').count(), 0);
  });

  it('re-running an MCTS node starts from its run’s parameters, common ones included', async () => {
    const p = await panel();
    const trace = fixture('mcts-30.metacot.json');
    const run = trace.runs[0].config.params;
    await p.load(trace);
    await sendCatalog(p);
    await p.send({ type: 'revealNode', nodeId: 'n4' });
    await p.nextFrame();
    await p.clearPosted();
    await p.page.click('#action-rerun');
    await p.page.click('#rerun-submit');
    const [{ params: m }] = await p.requests('rerunFromNode');
    assert.equal(m.strategy, 'mcts');
    // The run's own values, catalog defaults for what the run did not save, and its common temperature.
    assert.deepEqual(m.params, { c: run.c, simulations: run.simulations, b: run.b, maxDepth: run.maxDepth, parallel: 0, virtualLoss: 1, backup: 'max', qNormalize: 'minmax', widenK: 1, widenAlpha: 0.5, widenPenalty: 0.1, stopOnSolve: true, temperature: run.temperature });
    assert.deepEqual(m.budgets, { maxNodes: 30 });
  });

  it('keyboard: arrows walk parent / child / sibling, Enter opens details, the proxy item describes the node', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.page.locator('#tree').focus();
    const key = async (k: string) => {
      await p.page.keyboard.press(k);
      await p.nextFrame();
      return p.probe<string>('p.selectedId');
    };
    assert.equal(await key('Home'), 'n0');
    assert.equal(await key('ArrowRight'), 'n1', 'right goes to the child on the best path');
    assert.equal(await key('ArrowDown'), 'n2');
    assert.equal(await key('ArrowDown'), 'n3');
    assert.equal(await key('ArrowUp'), 'n2');
    assert.equal(await key('ArrowRight'), 'n7');
    assert.equal(await key('ArrowDown'), 'n8');
    assert.equal(await key('ArrowLeft'), 'n2');
    assert.equal(await key('ArrowLeft'), 'n0');
    const tree = p.page.locator('#tree');
    assert.equal(await tree.getAttribute('role'), 'tree');
    assert.equal(await tree.getAttribute('aria-activedescendant'), 'tree-active-item');
    await key('ArrowRight');
    const item = p.page.locator('#tree-active-item');
    assert.equal(await item.getAttribute('role'), 'treeitem');
    assert.equal(await item.getAttribute('aria-level'), '2');
    assert.equal(await item.getAttribute('aria-posinset'), '1');
    assert.equal(await item.getAttribute('aria-setsize'), '4');
    assert.equal(await item.getAttribute('aria-expanded'), 'true');
    assert.match((await item.textContent()) ?? '', /^Step n1, depth 1, value 0\.82 \(PRM math-shepherd-7b \(last\)\), expanded, on the best path, 2 children\. 5 \* 3 = 15/);
    await p.page.keyboard.press('Enter');
    assert.equal(await p.page.evaluate('document.activeElement.id'), 'detail');
    await p.page.keyboard.press('Escape');
    assert.equal(await p.page.evaluate('document.activeElement.id'), 'tree');
    // Tab reaches the toolbar controls and the tree in a sensible order.
    const labels: string[] = [];
    await p.page.locator('#tool-fit').focus();
    for (let i = 0; i < 14; i++) {
      labels.push(await p.page.evaluate(`document.activeElement.getAttribute('aria-label') || document.activeElement.id`));
      await p.page.keyboard.press('Tab');
    }
    assert.ok(labels.includes('Fit the tree (0)') && labels.includes('Find nodes by text') && labels.includes('Search tree, 12 nodes'), labels.join(' | '));
  });

  it('collapse and expand with Space, Alt+click and the hidden-count badge', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('Home');
    await p.page.keyboard.press('ArrowRight'); // n1: children n5, n6; grandchildren n9, n11
    await p.page.keyboard.press(' ');
    await p.nextFrame();
    assert.equal(await p.probe('p.visibleCount'), 8);
    assert.equal(await p.page.locator('#tree-active-item').getAttribute('aria-expanded'), 'false');
    assert.match((await p.page.locator('#tree-active-item').textContent()) ?? '', /collapsed, 4 hidden nodes/);
    await p.page.keyboard.press(' ');
    await p.nextFrame();
    assert.equal(await p.probe('p.visibleCount'), 12);
    await clickNode(p, 'n2', 'Alt');
    assert.equal(await p.probe('p.visibleCount'), 9);
    // Selecting a hidden node (e.g. from the host) expands its ancestors.
    await p.send({ type: 'revealNode', nodeId: 'n10' });
    await p.nextFrame();
    assert.equal(await p.probe('p.visibleCount'), 12);
    assert.equal(await p.probe('p.selectedId'), 'n10');
  });

  it('the scrubber replays growth from the event log; Live returns to the latest iteration', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    const scrub = async (v: number) => {
      await p.page.evaluate(`(() => { const e = document.getElementById('scrubber'); e.value = '${v}'; e.dispatchEvent(new Event('input', { bubbles: true })); })()`);
      await p.nextFrame();
    };
    assert.equal(await p.page.locator('#scrubber').getAttribute('max'), '3');
    await scrub(1);
    assert.equal(await p.probe('p.iteration'), 1);
    assert.equal((await p.probe<{ nodes: number }>('p.lastRender')).nodes, 5, 'root + the 4 nodes of iteration 1');
    assert.match(await text(p, '#scrub-label'), /Iteration 1 \/ 3 · 5 nodes touched/);
    assert.equal(await p.page.evaluate(`document.getElementById('live-toggle').checked`), false);
    await scrub(2);
    assert.equal((await p.probe<{ nodes: number }>('p.lastRender')).nodes, 9);
    await p.page.locator('#live-toggle').click();
    await p.nextFrame();
    assert.equal(await p.probe('p.iteration'), null);
    assert.equal((await p.probe<{ nodes: number }>('p.lastRender')).nodes, 12);
    // Play replays from the start and ends at the latest iteration.
    await p.page.click('#scrub-play');
    const seen = new Set<number | null>();
    for (let t = 0; t < 60 && !(seen.size > 1 && seen.has(null)); t++) {
      seen.add(await p.probe<number | null>('p.iteration'));
      await p.page.waitForTimeout(50);
    }
    assert.ok([...seen].some((v) => v !== null && v >= 0 && v < 3), `iterations seen while playing: ${[...seen].join(',')}`);
    assert.equal(await p.probe('p.iteration'), null);
  });

  it('live mode: streamed deltas add nodes in batches, value patches do not relayout', async () => {
    const p = await panel();
    const trace = fixture('countdown-beam.metacot.json');
    trace.runs[0] = { ...trace.runs[0], status: 'running' };
    await p.load(trace);
    assert.match(await text(p, '#run-status'), /beam running/);
    for (let k = 0; k < 5; k++) {
      await p.send({
        type: 'traceDelta',
        traceId: trace.id,
        nodesAdded: [{ id: `s${k}`, parentId: 'n9', kind: 'step', text: `streamed ${k}`, author: 'model', status: 'open', iteration: 4 + k, value: 0.5 }],
        events: [{ i: 4 + k, type: 'add', node: `s${k}` }],
      });
    }
    await p.nextFrame();
    assert.equal(await p.probe('p.nodeCount'), 17);
    assert.equal(await p.probe('p.visibleCount'), 17);
    assert.equal(await p.page.locator('#scrubber').getAttribute('max'), '8');
    // While a run is live, Cancel is offered and posts cancelRun for every running run.
    await p.clearPosted();
    await p.page.click('#cancel-run');
    const cancels = await p.requests('cancelRun');
    assert.equal(cancels.length, 1);
    assert.deepEqual(cancels[0].params, {}, 'no runId: every running run');
    await p.send({ type: 'traceDelta', traceId: trace.id, nodesUpdated: [{ id: 's0', value: 0.9, status: 'expanded' }], runs: [{ ...trace.runs[0], status: 'solved' }] });
    await p.nextFrame();
    assert.match(await text(p, '#run-status'), /17 nodes/);
    // Cancel is offered while running only. "17 nodes" also matches the running text, so wait for the update.
    await p.page.locator('#cancel-run').waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
    assert.equal(await p.page.locator('#cancel-run').count(), 0);
  });

  it('find: text and status filters, Enter walks matches in tree order', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.page.locator('#find-text input').fill('answer');
    await until(p, () => (globalThis as unknown as { __metacotPanel: { matchCount: number } }).__metacotPanel.matchCount === 2);
    await p.page.locator('#find-text input').press('Enter');
    await p.nextFrame();
    assert.equal(await p.probe('p.selectedId'), 'n9');
    assert.equal(await text(p, '#find-count'), '1 of 2');
    await p.page.locator('#find-text input').press('Enter');
    assert.equal(await p.probe('p.selectedId'), 'n10');
    await p.page.locator('#find-text input').press('Shift+Enter');
    assert.equal(await p.probe('p.selectedId'), 'n9');
    await p.page.locator('#find-text input').fill('');
    await p.page.locator('#find-status').click();
    await p.page.locator('#find-status vscode-option[value="pruned"]').click();
    await until(p, () => (globalThis as unknown as { __metacotPanel: { matchCount: number } }).__metacotPanel.matchCount === 4);
    await p.page.locator('#find-status').click();
    await p.page.locator('#find-status vscode-option[value="human"]').click();
    await until(p, () => (globalThis as unknown as { __metacotPanel: { matchCount: number } }).__metacotPanel.matchCount === 2);
  });

  it('read-only mode disables every editing action and says why', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.send({ type: 'readOnly', readOnly: true, reason: 'Restricted Mode: trust the workspace to edit traces' });
    await clickNode(p, 'n5');
    for (const id of ['#action-edit', '#action-rerun', '#action-prune', '#action-correct', '#action-incorrect']) {
      assert.equal(await p.page.evaluate(`document.querySelector('${id}').disabled`), true, id);
    }
    assert.match(await text(p, '#message-bar'), /Restricted Mode/);
    await p.clearPosted();
    await p.page.locator('#tree').focus();
    for (const k of ['Delete', 'c', 'x', 'e', 'r']) await p.page.keyboard.press(k);
    await p.page.locator('#action-prune').click({ force: true });
    const actions = (await p.posted()).filter((m) => !['selectNode', 'log'].includes(m.type));
    assert.deepEqual(actions, []);
    assert.equal(await p.page.locator('#edit-text').count(), 0);
    await p.send({ type: 'readOnly', readOnly: false });
    await p.nextFrame();
    assert.equal(await p.page.evaluate(`document.querySelector('#action-prune').disabled`), false);
  });

  it('a reloaded panel comes back with its viewport, selection, collapsed nodes and colouring', async () => {
    const p = await panel();
    const trace = fixture('mcts-30.metacot.json');
    await p.load(trace);
    await p.page.locator('#color-by').click();
    await p.page.locator('#color-by vscode-option[value="status"]').click();
    await clickNode(p, 'n2');
    await p.page.keyboard.press(' ');
    await p.page.keyboard.press('+');
    await p.nextFrame();
    const before = { cam: await p.probe<{ k: number }>('p.camera'), visible: await p.probe<number>('p.visibleCount') };
    assert.ok(before.visible < 30);
    await p.page.waitForFunction(() => (globalThis as unknown as { __stateWrites: number }).__stateWrites > 0 && JSON.parse((globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('metacot.harness.state') ?? '{}').selectedId === 'n2');
    await p.page.reload();
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted?: { type: string }[] }).__posted?.some((m) => m.type === 'ready'));
    const ready = await p.postedOfType('ready');
    assert.equal(ready[0].restoredTraceId, trace.id);
    await p.load(trace);
    assert.equal(await p.probe('p.selectedId'), 'n2');
    assert.equal(await p.probe('p.visibleCount'), before.visible);
    assert.equal(await p.probe('p.colorBy'), 'status');
    const cam = await p.probe<{ k: number; tx: number; ty: number }>('p.camera');
    assert.deepEqual(cam, before.cam);
  });

  it('XSS payloads in node text, reasoning, errors, answers and run metadata stay inert text', async () => {
    const p = await panel();
    const trace = fixture('xss-payloads.metacot.json');
    await p.load(trace);
    for (const n of trace.nodes) {
      await p.send({ type: 'revealNode', nodeId: n.id });
      await p.nextFrame();
      await p.page.evaluate(`document.querySelectorAll('#detail details').forEach((d) => (d.open = true))`);
      // Hover and click everything clickable inside the rendered text, as a curious user would.
      for (const a of await p.page.locator('#node-text a, #node-text .katex').all()) {
        await a.hover().catch(() => undefined);
        await a.click({ force: true }).catch(() => undefined);
      }
      assert.match(await text(p, '#node-text'), /Payload|Answer|Problem/);
    }
    await p.send({ type: 'revealNode', nodeId: 'x0' });
    await p.page.locator('#tree').focus();
    await p.page.keyboard.press('Escape'); // back to the overview, which shows the problem and run metadata
    await p.nextFrame();
    await p.page.waitForTimeout(200);
    assert.equal(await p.page.evaluate('window.__pwned'), undefined);
    assert.equal(await p.page.evaluate(`document.querySelectorAll('#app script, #app img, #app iframe, #app svg:not(.katex svg), #app [onerror], #app [onload], #app [onmouseover]').length`), 0);
    assert.equal(await p.page.evaluate(`[...document.querySelectorAll('#app a[href]')].filter((a) => !/^(https?:|mailto:)/.test(a.getAttribute('href'))).length`), 0);
    assert.equal(p.page.url(), suite.harness().url('dark'));
    // The payloads are visible as text, so a reader can see what the model wrote.
    await p.send({ type: 'revealNode', nodeId: 'x1' });
    await p.nextFrame();
    assert.match(await text(p, '#node-text'), /<script>window\.__pwned = 'script'<\/script>/);
  });

  it('overview actions, colour encodings and the legend', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.clearPosted();
    await p.page.getByRole('button', { name: 'Open the trace file as text' }).click();
    await p.page.getByRole('button', { name: 'Export the linearized search (Meta-CoT training text)' }).click();
    const reqs = await p.requests();
    assert.deepEqual(reqs.map((m) => [m.method, m.params]), [
      ['openAsText', {}],
      ['exportTrace', { format: 'linearized' }],
    ]);
    assert.match(await text(p, '#legend'), /value 0\.00\s*1\.00\s*no value/); // the fixture's values span 0–1
    await p.page.locator('#color-by').click();
    await p.page.locator('#color-by vscode-option[value="author"]').click();
    await p.nextFrame();
    assert.equal(await p.probe('p.colorBy'), 'author');
    assert.match(await text(p, '#legend'), /model\s*human\s*imported/);
    // The config message from the host switches the encoding too.
    await p.send({ type: 'config', colorBy: 'status' });
    await p.nextFrame();
    assert.match(await text(p, '#legend'), /open\s*running\s*expanded\s*terminal\s*pruned\s*failed\s*cancelled/);
  });

  it('invalid host messages are reported, not applied', async () => {
    const p = await panel();
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.clearPosted();
    await p.page.evaluate(`window.__hostSend({ type: 'traceDelta', traceId: 'countdown-beam-small', nodesUpdated: [{ id: 'n1', value: 7 }] })`);
    await p.nextFrame();
    const logs = await p.postedOfType('log');
    assert.equal(logs.length, 1);
    assert.equal(logs[0].level, 'error');
    assert.match(logs[0].detail ?? '', /nodesUpdated\.0\.value/);
    assert.match(await text(p, '#message-bar'), /Ignored a message from the extension/);
    await clickNode(p, 'n1');
    assert.match(await text(p, '#detail'), /Value\s+0\.82/);
  });

  it('follows the theme: light, dark and high contrast repaint with the theme background', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      const p = await panel({ theme });
      await p.load(fixture('countdown-beam.metacot.json'));
      const bg = await p.page.evaluate(`(() => { const d = document.querySelector('canvas').getContext('2d').getImageData(2, 2, 1, 1).data; return [d[0], d[1], d[2]]; })()`);
      assert.deepEqual(bg, { light: [255, 255, 255], dark: [31, 31, 31], 'high-contrast': [0, 0, 0] }[theme]);
    }
    const p = await panel({ theme: 'dark' });
    await p.load(fixture('countdown-beam.metacot.json'));
    await p.page.evaluate(`document.body.className = 'vscode-light'`);
    await p.nextFrame();
    await p.nextFrame();
    assert.deepEqual(await p.page.evaluate(`(() => { const d = document.querySelector('canvas').getContext('2d').getImageData(2, 2, 1, 1).data; return [d[0], d[1], d[2]]; })()`), [255, 255, 255]);
  });
});
