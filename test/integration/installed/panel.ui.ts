// Installed-mode UI tests of the search panel at the default window size (1400×900, the runner's viewport), read
// through the page as a person sees it and through the panel's probe (window.__metacotPanel, webview/panelProbe.ts):
// the webview bundle's split chunks are in the package; "Run the Sample Problem" opens the panel beside the editor
// and wider than it; the opening view draws legible text cards with the root on the canvas, and B brings the best node into view on the
// canvas, with the overview on screen; reading mode shows the path; the run list shows the run solved; the panel in
// Default Light Modern, Default Dark Modern and Default High Contrast (screenshots installed-panel-light / -dark /
// -high-contrast); a run against a closed port shows the failed state in the panel and an error notification with
// actions (also installed-panel-reading / -failed, in test-results only); an MCTS run's UCT formula with its Q range in
// the three themes (installed-panel-mcts-*, test-results only). Runs after installed.ui.ts and
// capabilities.ui.ts (the runner's order); restores the settings and the theme it changes.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { closedPort } from '../../unit/helpers/closedPort';
import { shortNumber } from '../../../src/core/shortNumber';
import { spanLabel, valueSpanOf } from '../../../webview/colorScale';
import { commandTitle, diagnostics, installedContext, shoot } from './context';
import type { InstalledContext } from './context';
import { patchUserSettings } from './userSettings';

const SEARCH_TAB = /^Search: /;
/** The first run also starts the embedded model's runtime; a loaded 2-core machine is slow. */
const RUN_TIMEOUT_MS = 90_000;
/** The renderer's floor for text (webview/lod.ts): below it a card carries no text. */
const MIN_TEXT_PX = 11;
const THEMES = [
  { label: 'Default Light Modern', name: 'light', workbench: 'light', body: 'vscode-light' },
  { label: 'Default Dark Modern', name: 'dark', workbench: 'dark', body: 'vscode-dark' },
  { label: 'Default High Contrast', name: 'high-contrast', workbench: 'hc-black', body: 'vscode-high-contrast' },
] as const;
const FAILING_ENDPOINT = 'uicheck-closed-port';

interface ProbeState {
  nodeCount: number;
  frames: number;
  lod: string | null;
  minTextPx: number | null;
  textDraws: number;
  textCardIds: string[];
  selectedId: string | null;
  /** [id, parentId] by dense index. */
  nodes: [string, string | null][];
}

// A string, not a function: tsx's esbuild would wrap a named function in a __name helper the page lacks.
const READ_PROBE = `(() => {
  const p = window.__metacotPanel;
  if (!p) return null;
  const r = p.lastRender;
  const nodes = [];
  for (let i = 0; i < p.nodeCount; i++) { const n = p.nodeAt(i); nodes.push([n.id, n.parentId]); }
  return { nodeCount: p.nodeCount, frames: p.frames, lod: r ? r.lod : null, minTextPx: r ? r.minTextPx : null,
    textDraws: r ? r.textDraws : 0, textCardIds: p.textCardIds, selectedId: p.selectedId, nodes };
})()`;

async function probe(frame: Frame): Promise<ProbeState> {
  const s = (await frame.evaluate(READ_PROBE)) as ProbeState | null;
  assert.ok(s, 'the panel page has no window.__metacotPanel probe');
  return s;
}

/**
 * Where a node's card is against the tree canvas (both in the page's coordinates): whether its middle is on the
 * canvas, so a person sees it, not just a sliver of it at an edge.
 */
async function cardOnCanvas(frame: Frame, id: string): Promise<{ inside: boolean; point: { x: number; y: number } | null; canvas: { x: number; y: number; width: number; height: number } }> {
  return (await frame.evaluate(`(() => {
    const p = window.__metacotPanel.nodeClientPoint(${JSON.stringify(id)});
    const r = document.getElementById('tree').getBoundingClientRect();
    const inside = !!p && p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom;
    return { inside, point: p, canvas: { x: r.left, y: r.top, width: r.width, height: r.height } };
  })()`)) as { inside: boolean; point: { x: number; y: number } | null; canvas: { x: number; y: number; width: number; height: number } };
}

/** Resolves after the panel drew at least one more frame than `since` (the probe's frame counter). */
async function frameAfter(frame: Frame, since: number, timeoutMs = 10_000): Promise<ProbeState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await probe(frame);
    if (s.frames > since) return s;
    if (Date.now() > deadline) assert.fail(`the panel drew no frame within ${timeoutMs} ms (frames: ${s.frames})`);
    await frame.page().waitForTimeout(100);
  }
}

interface TraceFile {
  runs: { id: string; status: string; endedAt?: string; reason?: string }[];
  nodes: { id: string; parentId: string | null; value?: number; selection?: { uct?: { range?: [number, number] } } }[];
  result: { bestNodeId?: string; finalAnswer?: string; verified: boolean } | null;
}

/** The trace a "Search: <stem> · mark" tab shows (the file name is the stem). */
function traceOfTab(ctx: InstalledContext, tabTitle: string): { file: string; read: () => TraceFile | undefined } {
  const stem = tabTitle.replace(SEARCH_TAB, '').split(' · ')[0]!;
  const file = path.join(ctx.workspaceDir, '.metacot', 'traces', `${stem}.metacot.json`);
  return {
    file,
    read: () => {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8')) as TraceFile;
      } catch {
        return undefined; // not written yet, or caught mid-write
      }
    },
  };
}

/** Polls until the trace file's every run has ended; returns it. */
async function endedTrace(ctx: InstalledContext, tabTitle: string): Promise<TraceFile> {
  const t = traceOfTab(ctx, tabTitle);
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (;;) {
    const trace = t.read();
    if (trace && trace.runs.length && trace.runs.every((r) => r.endedAt)) return trace;
    if (Date.now() > deadline) assert.fail(`the run of ${t.file} did not end within ${RUN_TIMEOUT_MS / 1000} s.\n${await diagnostics(ctx)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits for a "Search: …" tab and returns its title (it changes once the run ends: read it again then). */
async function searchTabTitle(ctx: InstalledContext, timeoutMs = RUN_TIMEOUT_MS): Promise<string> {
  const { page, workbench } = ctx;
  const label = page.locator('.tabs-container .tab .label-name', { hasText: SEARCH_TAB }).first();
  const useSettings = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: /^Use settings/ }) }).first();
  const deadline = Date.now() + timeoutMs;
  while (!(await label.isVisible())) {
    // askStrategy is off here; should a strategy pick still come, take the settings.
    if (await useSettings.isVisible()) await useSettings.click().catch(() => undefined);
    if (Date.now() > deadline) assert.fail(`no "Search: …" panel opened within ${timeoutMs / 1000} s; tabs: ${(await workbench.editorTabs()).join(' | ')}.\n${await diagnostics(ctx)}`);
    await page.waitForTimeout(200);
  }
  return ((await label.textContent()) ?? '').trim();
}

/** Ids on the path root → id, from the probe's [id, parentId] pairs. */
function pathTo(nodes: [string, string | null][], id: string): string[] {
  const parent = new Map(nodes);
  const out: string[] = [];
  for (let v: string | null | undefined = id; v; v = parent.get(v)) out.unshift(v);
  return out;
}

/** The webview's body classes carry VS Code's theme kind (vscode-light / vscode-dark / vscode-high-contrast). */
async function bodyClasses(frame: Frame): Promise<string[]> {
  return ((await frame.locator('body').getAttribute('class')) ?? '').split(/\s+/).filter(Boolean);
}

async function cleanSlate(ctx: InstalledContext): Promise<void> {
  const { page, workbench } = ctx;
  await workbench.runCommand('View: Close All Editors').catch(() => undefined);
  if (await page.locator('.part.panel').first().isVisible()) await workbench.runCommand('View: Hide Panel').catch(() => undefined);
  await workbench.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
}

/**
 * The content frame of the panel titled `title` once its page started (the probe is there: the bundle and every chunk
 * it imports loaded). Looked up again each round: the host can set the page's HTML again while it boots, and VS Code
 * then replaces the content frame.
 */
async function panelFrame(ctx: InstalledContext, title: RegExp, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const f = await ctx.workbench.webview(title, Math.max(1_000, deadline - Date.now()));
    if (await f.evaluate('window.__metacotPanel !== undefined').catch(() => false)) return f;
    if (Date.now() > deadline) {
      assert.fail(`the panel page never started (no window.__metacotPanel within ${timeoutMs / 1000} s): its script or a chunk it imports did not load.\n${await diagnostics(ctx)}`);
    }
    await ctx.page.waitForTimeout(200);
  }
}

/** Files the installed webview bundle imports (esbuild's split chunks), relative to media/webview. */
function bundleImports(ctx: InstalledContext): string[] {
  const main = fs.readFileSync(path.join(ctx.extensionDir, 'media/webview/main.js'), 'utf8');
  const out = new Set<string>();
  for (const m of main.matchAll(/(?:from\s*|import\s*\(\s*|import\s*)["']\.\/([^"']+\.js)["']/g)) out.add(m[1]!);
  return [...out];
}

/** From a clean slate: opens countdown.txt, selects its first line and runs "Run Search on Selection" from the palette. */
async function runOnSampleLine(ctx: InstalledContext): Promise<void> {
  await cleanSlate(ctx);
  await ctx.workbench.quickOpen('countdown.txt');
  await ctx.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await ctx.page.keyboard.press('Control+Home');
  await ctx.page.keyboard.press('Shift+End');
  await ctx.workbench.runCommand(commandTitle(ctx, 'metacot.runSearchOnSelection'));
}

describe('installed .vsix: the search panel at the default window size', function () {
  this.timeout(240_000);
  let panelTitle = SEARCH_TAB as RegExp;
  let frame: Frame | undefined;
  let trace: TraceFile | undefined;
  let rootId = '';
  let bestId = '';
  let restore: Record<string, unknown> = {};
  let initialTheme = '';

  before(async () => {
    const ctx = installedContext();
    initialTheme = await ctx.workbench.themeType();
    // No strategy question for palette runs (the sample asks none anyway).
    restore = await patchUserSettings(ctx, { 'metacot.search.askStrategy': false });
  });

  after(async () => {
    const ctx = installedContext();
    await patchUserSettings(ctx, restore);
    const theme = THEMES.find((t) => t.workbench === initialTheme);
    if (theme && (await ctx.workbench.themeType()) !== initialTheme) await ctx.workbench.pickColorTheme(theme.label).catch(() => undefined);
    await cleanSlate(ctx).catch(() => undefined);
  });

  it('the installed webview bundle\'s imports (its split chunks) are all in the installed folder', () => {
    const ctx = installedContext();
    const imports = bundleImports(ctx);
    const missing = imports.filter((f) => !fs.existsSync(path.join(ctx.extensionDir, 'media/webview', f)));
    console.log(`    media/webview/main.js imports: ${imports.join(', ') || '(nothing)'}`);
    assert.deepEqual(missing, [], `the .vsix lacks what the panel's script imports (add them to .vscodeignore and scripts/packageFiles.mjs): ${missing.map((f) => `media/webview/${f}`).join(', ')}`);
  });

  it('"Run the Sample Problem" opens the panel beside the editor, wider than it, and the opening view draws legible text cards with the root and the best node', async () => {
    const ctx = installedContext();
    const { workbench } = ctx;
    await cleanSlate(ctx);
    await workbench.runCommand(commandTitle(ctx, 'metacot.runSample'));
    const first = await searchTabTitle(ctx);
    trace = await endedTrace(ctx, first);
    assert.equal(trace.result?.verified, true, `the sample run ended without a verified answer: ${JSON.stringify(trace.runs)}`);
    assert.ok(trace.result.bestNodeId, 'the sample trace names no best node');
    bestId = trace.result.bestNodeId;
    rootId = trace.nodes.find((n) => n.parentId === null)!.id;
    // Once the run ended the title carries the mark; match the stem from here on.
    const stem = first.split(' · ')[0]!;
    panelTitle = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( · |$)`);
    frame = await panelFrame(ctx, panelTitle);
    const chip = frame.locator('#run-status .chip.ok');
    await chip.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(((await chip.textContent()) ?? '').trim(), new RegExp(`${trace.result.finalAnswer ?? 'solved'}`));

    // Beside: two editor groups side by side, the text editor on the left, the panel on the right and wider.
    const groups = await workbench.editorGroups();
    const editor = groups.find((g) => g.tabs.includes('sample-problem.txt'));
    const panel = groups.find((g) => g.tabs.some((t) => SEARCH_TAB.test(t)));
    assert.ok(editor && panel, `editor groups: ${JSON.stringify(groups)}`);
    assert.notEqual(editor, panel, 'the panel opened in the editor\'s own group, not beside it');
    assert.ok(Math.abs(panel.y - editor.y) < 2 && panel.x >= editor.x + editor.width - 2, `the panel is not right of the editor: editor ${JSON.stringify(editor)}, panel ${JSON.stringify(panel)}`);
    assert.ok(panel.width > editor.width, `the panel (${panel.width} px) is not wider than the editor (${editor.width} px)`);
    // The webview fills its group: the page's own width is what the layout works with.
    const pageWidth = (await frame.evaluate('document.documentElement.clientWidth')) as number;
    assert.ok(pageWidth >= panel.width - 4, `the panel page is ${pageWidth} px wide in a ${panel.width} px group`);
    console.log(`    editor ${Math.round(editor.width)} px | panel ${Math.round(panel.width)} px (page ${pageWidth} px) in a 1400×900 window`);

    // The opening view: text cards, none under the floor, the root and the best node among them and on the canvas;
    // the detail pane has room for the overview. Every shortfall is named at once (a person sees them together).
    const s = await frameAfter(frame, 0);
    assert.equal(s.nodeCount, trace.nodes.length, 'the panel holds another node count than the trace file');
    console.log(`    opening view: ${s.nodeCount} nodes, lod ${s.lod}, ${s.textCardIds.length} text cards, ${s.textDraws} strings, smallest font ${s.minTextPx} px`);
    const problems: string[] = [];
    if (!s.textCardIds.length) problems.push(`the opening view draws no text card (level of detail ${s.lod})`);
    if (s.minTextPx === null || s.minTextPx < MIN_TEXT_PX) problems.push(`the smallest text drawn is ${s.minTextPx} px (floor ${MIN_TEXT_PX})`);
    // Reading starts at the root: it is on the canvas with text. A best path longer than the panel's width of columns
    // (the sample's is five deep, three columns fit at 631 px) continues to the right; B (best node) brings its end
    // into view, readable, without hiding the rest of the path behind anything.
    const onCanvas = async (what: string, id: string, drawn: string[]) => {
      if (!drawn.includes(id)) problems.push(`the ${what} ${id} is not drawn with text (text cards: ${drawn.join(', ')})`);
      const c = await cardOnCanvas(frame!, id);
      if (!c.inside) problems.push(`the ${what} ${id}'s card is off the canvas: its middle is at ${JSON.stringify(c.point)}, the canvas ${JSON.stringify(c.canvas)}`);
    };
    await onCanvas('root', rootId, s.textCardIds);
    if (!s.textCardIds.includes(bestId) || !(await cardOnCanvas(frame, bestId)).inside) {
      await frame.locator('#tree').focus();
      await ctx.page.keyboard.press('b');
      const after = await frameAfter(frame, s.frames);
      await onCanvas('best node (after B)', bestId, after.textCardIds);
      await ctx.page.keyboard.press('Escape');
    }
    // Its Verified row on screen, not clipped or covered: what is at the row's middle is the row.
    const seen = (await frame.evaluate(`(() => {
      const th = [...document.querySelectorAll('table.kv th')].find((t) => t.textContent.trim() === 'Verified');
      if (!th) return null;
      const tr = th.closest('tr');
      const r = tr.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 40), r.top + r.height / 2);
      return { value: tr.querySelector('td')?.textContent.trim() ?? '', top: Math.round(r.top), height: Math.round(r.height), pageHeight: innerHeight, hit: !!hit && tr.contains(hit), at: hit ? hit.tagName + '.' + hit.className : 'nothing' };
    })()`)) as { value: string; top: number; height: number; pageHeight: number; hit: boolean; at: string } | null;
    if (!seen) problems.push('the detail pane has no overview with a Verified row');
    else if (!seen.hit || seen.height <= 0) problems.push(`the overview's Verified row is not on screen (row at y=${seen.top}, ${seen.height} px high, page ${seen.pageHeight} px; at its middle: ${seen.at})`);
    else if (seen.value !== 'yes') problems.push(`the overview's Verified row says "${seen.value}"`);
    // The value colours span the trace's values (the default's calibrated estimates crowd the bottom: a log scale).
    const span = valueSpanOf(trace.nodes);
    const legend = (await frame.locator('#legend').innerText()).replace(/\s+/g, ' ');
    const want = `value ${span.log ? '≤' : ''}${spanLabel(span.lo)} ${spanLabel(span.hi)}${span.log ? ' (log)' : ''}`;
    console.log(`    legend: ${legend.slice(0, 60)}…`);
    if (!legend.includes(want)) problems.push(`the legend does not print the trace's value span "${want}": ${legend}`);
    assert.deepEqual(problems, [], `at the default window size:\n  ${problems.join('\n  ')}`);
  });

  it('reading mode (the book button, M) shows the path as text, root first, and M goes back to the tree', async () => {
    const ctx = installedContext();
    assert.ok(frame && trace, 'the sample run\'s panel did not start (see the first test)');
    frame = await panelFrame(ctx, panelTitle);
    const reading = frame.locator('#reading');
    const tree = frame.locator('#tree');
    await frame.locator('#tool-reading').click();
    await reading.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await frame.locator('#tool-reading').getAttribute('aria-pressed'), 'true');
    assert.equal(await tree.isVisible(), false, 'the tree stays on screen in reading mode');
    const s = await probe(frame);
    // With nothing selected the reading runs to the best node; else to the selection.
    const target = s.selectedId ?? bestId;
    const steps = await frame.locator('#reading .reading-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-id') ?? ''));
    assert.deepEqual(steps, pathTo(s.nodes, target), `reading mode shows another path than root → ${target}`);
    const text = ((await frame.locator('#reading .reading-step .reading-text').first().textContent()) ?? '').trim();
    assert.ok(text.length > 0, 'the first step of the reading has no text');
    const head = ((await frame.locator('#reading .reading-title').textContent()) ?? '').trim();
    assert.match(head, new RegExp(`^Path to ${target} · ${steps.length} steps?$`));
    await ctx.workbench.screenshot('panel-reading'); // test-results only: the README shows the theme shots
    // M on the reading returns to the tree; M on the tree opens the reading again.
    await reading.focus();
    await ctx.page.keyboard.press('m');
    await tree.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await reading.isVisible(), false);
    await tree.focus();
    await ctx.page.keyboard.press('m');
    await reading.waitFor({ state: 'visible', timeout: 10_000 });
    await ctx.page.keyboard.press('m');
    await tree.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await frame.locator('#tool-reading').getAttribute('aria-pressed'), 'false');
  });

  it('the run list shows the sample run with status solved, its strategy and answer', async () => {
    const ctx = installedContext();
    assert.ok(frame && trace, 'the sample run\'s panel did not start (see the first test)');
    frame = await panelFrame(ctx, panelTitle);
    const run = trace.runs[0]!;
    assert.equal(run.status, 'solved');
    const chip = frame.locator(`#run-list .run-chip.status-solved`, { hasText: run.id }).first();
    await chip.waitFor({ state: 'visible', timeout: 10_000 });
    const list = frame.locator('#run-list');
    if ((await list.getAttribute('open')) === null) await list.locator('summary').first().click();
    const row = frame.locator(`#run-list .run-row[data-run="${run.id}"]`);
    await row.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await row.getAttribute('class')) ?? '', /\bstatus-solved\b/);
    const state = ((await row.locator('.run-state').first().textContent()) ?? '').trim();
    assert.equal(state, 'solved');
    const label = (await row.getAttribute('aria-label')) ?? '';
    const m = new RegExp(`^${run.id}: .+ on .+, solved, answer ${trace.result?.finalAnswer} \\(verified\\), ([\\d,]+) nodes`).exec(label);
    assert.ok(m, `the row reads "${label}"`);
    const nodes = Number(m[1]!.replace(/,/g, ''));
    assert.ok(nodes > 0 && nodes <= trace.nodes.length, `the row counts ${nodes} nodes; the trace has ${trace.nodes.length}`);
    console.log(`    run list row: ${label}`);
    // Opened by hand it takes room from the canvas; folded again the tree gets it back.
    await frameAfter(frame, 0);
    const openRoot = (await cardOnCanvas(frame, rootId)).inside;
    const since = (await probe(frame)).frames;
    await list.locator('summary').first().click();
    await row.waitFor({ state: 'hidden', timeout: 10_000 });
    const folded = await frameAfter(frame, since);
    console.log(`    root card on the canvas: run list open ${openRoot}, folded again ${(await cardOnCanvas(frame, rootId)).inside} (drawn with text: ${folded.textCardIds.includes(rootId)})`);
  });

  for (const theme of THEMES) {
    it(`in ${theme.label} the panel follows the theme and still draws legible text (screenshot installed-panel-${theme.name})`, async () => {
      const ctx = installedContext();
      const { workbench, page } = ctx;
      assert.ok(frame, 'the sample run\'s panel did not start (see the first test)');
      await workbench.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
      frame = await panelFrame(ctx, panelTitle);
      const before = await probe(frame);
      const changes = (await workbench.themeType()) !== theme.workbench;
      await workbench.pickColorTheme(theme.label);
      const f = frame;
      const deadline = Date.now() + 10_000;
      while ((await workbench.themeType()) !== theme.workbench || !(await bodyClasses(f)).includes(theme.body)) {
        if (Date.now() > deadline) assert.fail(`after picking ${theme.label} the workbench is ${await workbench.themeType()} and the panel page's body ${(await bodyClasses(f)).join(' ')} (expected ${theme.workbench}, ${theme.body})`);
        await page.waitForTimeout(100);
      }
      // The canvas repaints with the theme's colours (treeView watches the body's class and style), and a theme
      // changes colours only: the same cards carry text, none under the floor.
      const s = changes ? await frameAfter(frame, before.frames) : await probe(frame);
      assert.deepEqual([...s.textCardIds].sort(), [...before.textCardIds].sort(), `${theme.label} changed which cards carry text`);
      assert.ok(s.textCardIds.length > 0 && s.minTextPx !== null && s.minTextPx >= MIN_TEXT_PX, `${s.textCardIds.length} text cards, smallest text ${s.minTextPx} px`);
      await page.mouse.move(550, 700); // over the text editor's empty lines: no hover tooltip in the picture
      await page.waitForTimeout(600);
      const file = await shoot(`panel-${theme.name}`);
      console.log(`    screenshot: ${path.relative(ctx.repoRoot, file)}`);
    });
  }

  it('an MCTS run (metacot.search.strategy) shows a chosen node\'s UCT formula with the Q range qNormalize scaled by, readable in every theme (screenshots installed-panel-mcts-*)', async () => {
    const ctx = installedContext();
    const { workbench, page } = ctx;
    // The embedded default endpoint (capabilities.ui.ts may have left another as the default).
    const old = await patchUserSettings(ctx, { 'metacot.search.strategy': 'mcts', 'metacot.defaultEndpoint': '' });
    restore = { ...old, ...restore };
    await runOnSampleLine(ctx);
    const tab = await searchTabTitle(ctx);
    const ended = await endedTrace(ctx, tab);
    const run = ended.runs.at(-1)!;
    assert.notEqual(run.status, 'failed', `the MCTS run failed: ${run.reason}`);
    const stem = tab.split(' · ')[0]!;
    const f = await panelFrame(ctx, new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( · |$)`));
    // The start node's child on the best path (or its first): chosen by UCT after the first values came back.
    await f.locator('#tree').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    const id = (await probe(f)).selectedId;
    const node = ended.nodes.find((n) => n.id === id);
    const uct = node?.selection?.uct;
    assert.ok(uct?.range, `the selected node ${id} records no UCT range: ${JSON.stringify(node?.selection)}`);
    const line = f.locator('.formula-values', { hasText: /^Q scaled to \[0, 1\] \(qNormalize minmax\)/ }).first();
    await line.waitFor({ state: 'visible', timeout: 10_000 });
    const text = ((await line.textContent()) ?? '').trim();
    assert.equal(text, `Q scaled to [0, 1] (qNormalize minmax) by the search's Q range [${shortNumber(uct.range[0])}, ${shortNumber(uct.range[1])}]: (Q − ${shortNumber(uct.range[0])}) / ${shortNumber(uct.range[1] - uct.range[0])}`);
    await line.scrollIntoViewIfNeeded();
    for (const theme of THEMES) {
      await workbench.pickColorTheme(theme.label);
      const deadline = Date.now() + 10_000;
      while (!(await bodyClasses(f)).includes(theme.body)) {
        if (Date.now() > deadline) assert.fail(`the panel page did not follow ${theme.label}`);
        await page.waitForTimeout(100);
      }
      // Legible: the line's text is drawn at a readable size and in a colour apart from its background.
      const look = (await f.evaluate(`(() => {
        const el = [...document.querySelectorAll('.formula-values')].find((e) => e.textContent.startsWith('Q scaled'));
        const cs = getComputedStyle(el);
        let bg = 'rgba(0, 0, 0, 0)';
        for (let e = el; e && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg); e = e.parentElement) bg = getComputedStyle(e).backgroundColor;
        return { px: parseFloat(cs.fontSize), color: cs.color, bg };
      })()`)) as { px: number; color: string; bg: string };
      assert.ok(look.px >= MIN_TEXT_PX, `${theme.label}: the range line is ${look.px} px`);
      assert.notEqual(look.color, look.bg, `${theme.label}: the range line's colour is its background's`);
      await page.mouse.move(550, 700);
      await page.waitForTimeout(400);
      console.log(`    ${theme.label}: ${look.px} px, ${look.color} on ${look.bg}; screenshot ${path.relative(ctx.repoRoot, await shoot(`panel-mcts-${theme.name}`))}`);
    }
  });

  it('a run against a closed port shows the failed state in the panel and an error notification with Configure Endpoint and Show Log', async () => {
    const ctx = installedContext();
    const { workbench, page } = ctx;
    const port = await closedPort();
    // The run's own failure: no probe first (a failed probe refuses the run instead); quick retries.
    const old = await patchUserSettings(ctx, {
      'metacot.endpoints': [
        { name: FAILING_ENDPOINT, baseUrl: `http://127.0.0.1:${port}/v1`, model: 'sim-countdown', mode: 'chat', maxRetries: 1, retryBaseMs: 10, retryMaxMs: 20, timeoutMs: 5_000 },
      ],
      'metacot.defaultEndpoint': FAILING_ENDPOINT,
      'metacot.probeEndpoints': false,
    });
    restore = { ...old, ...restore };
    await runOnSampleLine(ctx);

    const first = await searchTabTitle(ctx);
    const failed = await endedTrace(ctx, first);
    const run = failed.runs.at(-1)!;
    assert.equal(run.status, 'failed', `the run against port ${port} ended ${run.status}: ${run.reason}`);
    assert.match(run.reason ?? '', new RegExp(`127\\.0\\.0\\.1:${port}.*connection refused`));

    // The notification: an error naming the cause, with the actions that fix it.
    const deadline = Date.now() + 15_000;
    let toast: { message: string; actions: string[] } | undefined;
    while (!(toast = (await workbench.notificationToasts()).find((t) => /search failed/.test(t.message)))) {
      if (Date.now() > deadline) assert.fail(`no "search failed" notification.\n${await diagnostics(ctx)}`);
      await page.waitForTimeout(200);
    }
    console.log(`    notification: ${toast.message} [${toast.actions.join(' | ')}]`);
    assert.match(toast.message, /connection refused/);
    assert.ok(toast.actions.includes('Configure Endpoint') && toast.actions.includes('Show Log'), `actions: ${toast.actions.join(', ')}`);
    const icon = page.locator('.notifications-toasts .notification-toast', { hasText: /search failed/ }).locator('.codicon-error').first();
    assert.ok(await icon.isVisible(), 'the notification is not an error (no error icon)');

    // The panel: the toolbar badge in the failed state with the reason; the run list says failed.
    const stem = first.split(' · ')[0]!;
    const f = await panelFrame(ctx, new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( · |$)`));
    const badge = f.locator('#run-status-badge.run-failed');
    await badge.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(((await badge.textContent()) ?? '').trim(), 'failed');
    assert.match((await badge.getAttribute('title')) ?? '', new RegExp(`^Run ${run.id} failed: .*connection refused`));
    await f.locator(`#run-list .run-chip.status-failed`, { hasText: run.id }).first().waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`    tabs: ${(await workbench.editorTabs()).join(' | ')}`);
    await page.waitForTimeout(500);
    await ctx.workbench.screenshot('panel-failed'); // test-results only
  });
});
