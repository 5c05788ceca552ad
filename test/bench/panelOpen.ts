/**
 * Benchmark in real VS Code (code-server 4.100.3 + headless Debian Chromium): "Meta-CoT: Open Trace" on generated
 * 1k / 10k / 100k-node traces, from pressing Enter on the file in the command's quick pick to the panel's first painted
 * frame (the page's `metacot:first-paint` mark, read through the webview's content frame), with the page's own marks
 * in between (first load message received, progress shown, all nodes in); then, at 10k and 100k, the main-thread
 * cost of pan / zoom / select / collapse and of live relayout while a search streams deltas in.
 * Goals (issue 17): first frame ≤ 1 s at 10k, ≤ 3 s at 100k; frames ≤ 16 ms at 10k; any interaction ≤ 50 ms at 100k.
 *   npx tsx test/bench/panelOpen.ts [--no-build] [--sizes 1000,10000] [--extension DIR] [--out NAME] [--keep]
 * `--extension`: the extension folder to load (default this repo, built with --production first); e.g. a worktree of
 * an older commit, for before / after numbers side by side. `--out`: the JSON's name (default panelOpen).
 * Prints a table and writes test-results/bench/panelOpen.json (copied to docs/bench/panelOpen.json). Not a test.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Frame, Page } from 'playwright-core';
import { serializeTrace } from '../../src/core/trace/io';
import { generateTrace } from '../fixtures/generateTrace';

const root = join(__dirname, '../..');
const argv = process.argv.slice(2);
const arg = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const SIZES = (arg('--sizes') ?? '1000,10000,100000').split(',').map(Number);
const FRAMES = 60;
const extensionDir = arg('--extension') ?? root;
const outName = arg('--out') ?? 'panelOpen';
/**
 * `--sw-events`: also log the webview service worker's life (Chrome DevTools Protocol, ServiceWorker domain) with the
 * time each event arrived, so the second before a new panel's page is fetched can be told apart (install, activate).
 */
const swEvents: { at: number; event: string }[] | null = argv.includes('--sw-events') ? [] : null;

/** The parts of scripts/lib/integrationLib.mjs used here (a plain ES module, loaded at run time). */
interface IntegrationLib {
  installCodeServer(root: string): string;
  runDirs(runDir: string): { userData: string; extensions: string; browser: string; xdg: string; workspace: string };
  userSettings(trusted: boolean): Record<string, unknown>;
  writeUserSettings(dir: string, settings: Record<string, unknown>): void;
  codeServerEnv(xdg: string, extra?: Record<string, string>): NodeJS.ProcessEnv;
  freePort(): Promise<number>;
  startCodeServer(o: { codeServerDir: string; host: string; userData: string; extensions: string; cwd: string; logFile: string; env: NodeJS.ProcessEnv }): Promise<{ stop: () => Promise<void> }>;
  launchBrowser(profileDir: string, consoleFile: string): Promise<{ page: Page; close: () => Promise<void> }>;
}

interface Stats {
  p50: number;
  p95: number;
  max: number;
  n: number;
}
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { p50: q(0.5), p95: q(0.95), max: s[s.length - 1] ?? NaN, n: s.length };
}
const r1 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10);

/** Epoch time of a performance mark inside a frame, or null. */
// Page code is written as strings: this file is type-checked without the DOM library.
const markAt = (f: Frame, name: string) =>
  f.evaluate(`(() => { const e = performance.getEntriesByName(${JSON.stringify(name)})[0]; return e ? performance.timeOrigin + e.startTime : null; })()`) as Promise<number | null>;

/** The webview content frame that shows the panel of trace `traceId` (found by its probe). */
async function panelFrame(page: Page, traceId: string, deadline: number): Promise<Frame> {
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const id = await f.evaluate('window.__metacotPanel ? window.__metacotPanel.traceId : null').catch(() => null);
      if (id === traceId) return f;
    }
    await page.waitForTimeout(20);
  }
  throw new Error(`no panel showing ${traceId}`);
}

/** Any content frame with the panel's probe (the id may not be known yet while the first chunk is on its way). */
async function anyPanelFrame(page: Page, deadline: number): Promise<Frame | null> {
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const has = await f.evaluate("'__metacotPanel' in window").catch(() => false);
      if (has) return f;
    }
    await page.waitForTimeout(20);
  }
  return null;
}

interface OpenResult {
  firstFrameMs: number | null;
  firstMessageMs: number | null;
  progressShownMs: number | null;
  allNodesMs: number | null;
  nodes: number;
  stages: Record<string, number | null>;
  serviceWorkerEvents?: string[];
  error?: string;
}

/** Runs Open Trace on `file` and waits for the panel; times are ms after Enter in the quick pick. */
type Bench = { openCommandPalette(): Promise<import('playwright-core').Locator>; notifications(): Promise<string[]>; screenshot(name: string): Promise<string> };

async function openTrace(page: Page, workbench: Bench, file: string, traceId: string, nodes: number): Promise<OpenResult> {
  // Open Trace replaces the palette with its own pick of the workspace's traces; the row is chosen by its label.
  // Until the extension host has registered the contributions, the palette does not list the command: retry.
  const entry = page.locator('.quick-input-widget .monaco-list-row .label-name', { hasText: /^Meta-CoT: Open Trace$/ }).first();
  for (let attempt = 0; ; attempt++) {
    const palette = await workbench.openCommandPalette();
    await palette.fill('>Meta-CoT: Open Trace');
    if (await entry.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false)) break;
    if (attempt > 20) throw new Error('the command palette never listed "Meta-CoT: Open Trace"');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1000);
  }
  // Clicked, not Enter: the fuzzy match ranks "Open the Latest Trace in the Search Panel" first at times.
  await entry.click();
  // The first call activates the extension: its pick can take a few seconds to come.
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: '.metacot.json' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.fill(file);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: file }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  const t0 = Date.now();
  await page.keyboard.press('Enter');
  const deadline = t0 + 60_000;
  const frame = await anyPanelFrame(page, deadline);
  if (!frame) {
    // What VS Code showed instead (e.g. its 50 MB limit on documents given to extensions).
    const said = await workbench.notifications().catch(() => []);
    await workbench.screenshot(`panelOpen-${nodes}-no-panel`).catch(() => undefined);
    return { firstFrameMs: null, firstMessageMs: null, progressShownMs: null, allNodesMs: null, nodes: 0, stages: {}, error: `no panel frame within 60 s; VS Code said: ${said.join(' | ') || '(nothing)'}` };
  }
  let allAt: number | null = null;
  let count = 0;
  let error: string | undefined;
  while (Date.now() < deadline) {
    const st = (await frame
      .evaluate(`(() => {
        const p = window.__metacotPanel;
        const e = document.querySelector('.message-bar .error, .message.error');
        return { n: p ? p.nodeCount : 0, id: p ? p.traceId : '', err: e ? e.textContent : null, painted: performance.getEntriesByName('metacot:first-paint').length > 0 };
      })()`)
      .catch(() => null)) as { n: number; id: string; err: string | null; painted: boolean } | null;
    if (st) {
      count = st.id === traceId ? st.n : 0;
      if (st.err) error = st.err;
      if (count >= nodes && st.painted) {
        allAt = Date.now();
        break;
      }
      if (error) break;
    }
    await page.waitForTimeout(10);
  }
  const fp = await markAt(frame, 'metacot:first-paint');
  const sw = swEvents?.filter((e) => e.at >= t0 && e.at <= (allAt ?? Date.now())).map((e) => `${e.at - t0} ${e.event}`);
  const msg = await markAt(frame, 'metacot:load-received');
  const prog = await markAt(frame, 'metacot:progress-shown');
  const done = (await markAt(frame, 'metacot:load-complete')) ?? allAt;
  const hostTiming = (await frame.evaluate('window.__metacotPanel.loadTiming ?? null').catch(() => null)) as Record<string, number> | null;
  const rel = (x: number | null | undefined) => (x === null || x === undefined ? null : x - t0);
  // Where the time went, each stage as ms after Enter: the host's marks (same machine clock), the webview
  // document's start, the webview service worker taking its request, VS Code's fake.html ready (the page is written into
  // it next), the script bundle's request and arrival, the styles' arrival and the panel's start.
  const web = (await frame.evaluate(`(() => {
    const js = performance.getEntriesByType('resource').find((e) => /main\\.js/.test(e.name));
    const start = performance.getEntriesByName('metacot:panel-start')[0];
    const css = performance.getEntriesByType('resource').filter((e) => /\\.css/.test(e.name));
    const at = (x) => (x ? performance.timeOrigin + x : null);
    // The content frame's own navigation (VS Code's fake.html, into which the page is written): workerStart is when
    // the webview service worker got the request; the time before it is Chromium and VS Code, not this extension.
    const nav = performance.getEntriesByType('navigation')[0];
    return { documentStart: performance.timeOrigin, serviceWorkerStart: nav && nav.workerStart ? at(nav.workerStart) : null, fakeFrameReady: nav ? at(nav.domInteractive) : null, scriptRequested: js ? at(js.startTime) : null, scriptFirstByte: js ? at(js.responseStart) : null, scriptLoaded: js ? at(js.responseEnd) : null,
      stylesLoaded: css.length ? at(Math.max(...css.map((e) => e.responseEnd))) : null, panelStart: start ? at(start.startTime) : null };
  })()`)) as { documentStart: number; serviceWorkerStart: number | null; fakeFrameReady: number | null; scriptRequested: number | null; scriptFirstByte: number | null; scriptLoaded: number | null; stylesLoaded: number | null; panelStart: number | null };
  const stages = {
    hostOpened: rel(hostTiming?.openedAt), webviewDocument: rel(web.documentStart), serviceWorkerStart: rel(web.serviceWorkerStart), fakeFrameReady: rel(web.fakeFrameReady), scriptRequested: rel(web.scriptRequested), scriptFirstByte: rel(web.scriptFirstByte), scriptLoaded: rel(web.scriptLoaded), stylesLoaded: rel(web.stylesLoaded), panelStart: rel(web.panelStart),
    parseMs: hostTiming?.parseMs ?? null, encodeMs: hostTiming?.encodeMs ?? null, posted: rel(hostTiming?.postedAt), received: rel(hostTiming?.receivedAt),
  };
  return { firstFrameMs: rel(fp), firstMessageMs: rel(msg), progressShownMs: rel(prog), allNodesMs: rel(done), nodes: count, stages, ...(sw ? { serviceWorkerEvents: sw } : {}), ...(error ? { error } : {}) };
}

/** Page-side script: one kind of interaction, `frames` times, each followed by a frame; handler + frame work per step. */
async function interact(frame: Frame, kind: 'pan' | 'zoom' | 'select' | 'collapse' | 'stream', frames: number) {
  const KIND = JSON.stringify(kind);
  return frame.evaluate(`(async () => {
      const KIND = ${KIND}, FRAMES = ${frames};
      const p = window.__metacotPanel;
      const tree = document.getElementById('tree');
      const r = tree.getBoundingClientRect();
      const cx = r.left + r.width / 2;
      const cy = r.top + r.height / 2;
      const work = [];
      const total = [];
      const key = (k) => tree.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
      if (KIND === 'collapse') {
        // The worst case: every node laid out (Expand All), then the root's best child, a large subtree, folded and
        // unfolded.
        document.getElementById('tool-expand-all').click();
        await p.nextFrame();
        tree.focus();
        key('Home');
        key('ArrowRight');
        await p.nextFrame();
      }
      // Streamed nodes go under nodes the trace had (a search extends its own tree).
      const size0 = p.nodeCount;
      let layoutFrames = 0;
      const shown = [];
      while (p.layoutPending) await p.nextFrame();
      for (let f = 0; f < FRAMES; f++) {
        const t0 = performance.now();
        if (KIND === 'pan') {
          const dir = Math.floor(f / 15) % 2 === 0 ? 1 : -1;
          tree.dispatchEvent(new WheelEvent('wheel', { deltaX: 37 * dir, deltaY: 53 * dir, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
        } else if (KIND === 'zoom') {
          const dir = f < FRAMES / 2 ? -1 : 1;
          tree.dispatchEvent(new WheelEvent('wheel', { deltaY: 110 * dir, ctrlKey: true, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
        } else if (KIND === 'select') {
          // Keyboard navigation: each step selects another node and updates the detail pane.
          tree.focus();
          key(f % 4 < 2 ? 'ArrowRight' : 'ArrowDown');
        } else if (KIND === 'collapse') {
          // Space toggles the focused node (the root's best child): collapse, expand, and so on.
          tree.focus();
          key(' ');
        } else {
          // A search streaming in: 100 new nodes under existing ones per frame, through the host message path.
          const nodesAdded = [];
          for (let k = 0; k < 100; k++) {
            const id = 'stream-' + f + '-' + k;
            nodesAdded.push({ id, parentId: 'n' + Math.floor((size0 * ((k * 7919 + f * 104729) % 1000)) / 1000), kind: 'step', text: 'streamed ' + f + '.' + k, author: 'model', status: 'expanded', iteration: 1 });
          }
          window.postMessage({ type: 'traceDelta', traceId: p.traceId, nodesAdded }, '*');
          await new Promise((res) => setTimeout(res, 0));
        }
        const handler = performance.now() - t0;
        await p.nextFrame();
        work.push(handler + p.frameMs);
        total.push(performance.now() - t0);
        if (KIND === 'collapse') {
          // A fold in a big tree is laid out in slices: each later frame's work too, and when the new layout shows.
          while (p.layoutPending) {
            await p.nextFrame();
            work.push(p.frameMs);
          }
          shown.push(performance.now() - t0);
        }
        if (p.layoutFrames > layoutFrames) layoutFrames = p.layoutFrames;
      }
      // A streamed relayout of a big tree runs in slices: how long after the last delta its nodes are all laid out.
      const t1 = performance.now();
      while (p.layoutPending) await p.nextFrame();
      return { work, total, layoutFrames, settleMs: performance.now() - t1, shown };
    })()`) as Promise<{ work: number[]; total: number[]; layoutFrames: number; settleMs: number; shown: number[] }>;
}

async function main(): Promise<void> {
  const lib = (await import(pathToFileURL(join(root, 'scripts/lib/integrationLib.mjs')).href)) as IntegrationLib;
  if (!argv.includes('--no-build')) {
    const b = spawnSync(process.execPath, [join(extensionDir, 'scripts/build.mjs'), '--production'], { cwd: extensionDir, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('node scripts/build.mjs failed');
  }
  const codeServerDir = lib.installCodeServer(root);
  const runDir = mkdtempSync(join(tmpdir(), 'metacot-bench-open-'));
  const dirs = lib.runDirs(runDir);
  lib.writeUserSettings(dirs.userData, lib.userSettings(true));
  const files: { n: number; file: string; id: string; mb: number }[] = [];
  for (const n of SIZES) {
    const trace = generateTrace({ nodes: n, seed: 17, validate: false });
    const file = `bench-${n}.metacot.json`;
    writeFileSync(join(dirs.workspace, file), serializeTrace(trace));
    files.push({ n, file, id: trace.id, mb: statSync(join(dirs.workspace, file)).size / 1e6 });
  }
  const host = `127.0.0.1:${await lib.freePort()}`;
  const server = await lib.startCodeServer({
    codeServerDir, host, userData: dirs.userData, extensions: dirs.extensions, cwd: dirs.workspace, logFile: join(runDir, 'code-server.log'), env: lib.codeServerEnv(dirs.xdg),
  });
  const browser = await lib.launchBrowser(dirs.browser, join(runDir, 'browser-console.log'));
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    // The load average says how shared the cores were (other work on this machine inflates every time here).
    machine: { cpus: cpus().length, model: cpus()[0]?.model, codeServer: '4.100.3', loadAverage: loadavg().map((x) => Math.round(x * 10) / 10) },
    goals: { firstFrame10kMs: 1000, firstFrame100kMs: 3000, progressAfterMs: 300, frame10kMs: 16, interaction100kMs: 50 },
    open: {} as Record<string, unknown>,
    interaction: {} as Record<string, unknown>,
  };
  const rows: string[][] = [];
  try {
    const { page } = browser;
    if (swEvents) {
      const cdp = await page.context().newCDPSession(page);
      const id = (url: string) => /[?&]id=([^&]+)/.exec(url)?.[1]?.slice(0, 8) ?? '';
      cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
        for (const v of e.versions) swEvents.push({ at: Date.now(), event: `version ${v.versionId} (id ${id(v.scriptURL)}) ${v.status} / ${v.runningStatus}` });
      });
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
        for (const r of e.registrations) swEvents.push({ at: Date.now(), event: `registration ${r.registrationId}${r.isDeleted ? ' deleted' : ''}` });
      });
      await cdp.send('ServiceWorker.enable');
    }
    const payload = [['extensionDevelopmentPath', `vscode-remote://${host}${extensionDir}`]];
    await page.goto(`http://${host}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    const { Workbench } = (await import(join(root, 'test/integration/ui/workbench.ts'))) as typeof import('../integration/ui/workbench');
    const workbench = new Workbench(page, { screenshotsDir: join(root, 'test-results/bench') });
    await workbench.ready(60_000);
    // Warm-up: the extension activates and the webview bundle is cached, as on any open after the first.
    const warm = files[0]!;
    await openTrace(page, workbench, warm.file, warm.id, warm.n);
    await workbench.runCommand('View: Close All Editors');
    for (const f of files) {
      const o = await openTrace(page, workbench, f.file, f.id, f.n);
      (result.open as Record<string, unknown>)[f.n] = { fileMB: r1(f.mb), ...o };
      const st = Object.entries(o.stages).map(([k, v]) => `${k} ${r1(v) ?? '—'}`).join(', ');
      rows.push([`  stages ${f.n.toLocaleString('en-US')}`, 'ms after Enter', '', st]);
      rows.push([`open ${f.n.toLocaleString('en-US')}`, `${r1(f.mb)} MB`, `${r1(o.firstFrameMs) ?? '—'} ms`,
        `first message ${r1(o.firstMessageMs) ?? '—'} ms; progress ${r1(o.progressShownMs) ?? 'not shown'}; all ${o.nodes.toLocaleString('en-US')} nodes ${r1(o.allNodesMs) ?? '—'} ms${o.error ? `; ERROR ${o.error.slice(0, 120)}` : ''}`]);
      if (f.n >= 10_000 && o.firstFrameMs !== null && !o.error) {
        const frame = await panelFrame(page, f.id, Date.now() + 10_000);
        for (const kind of ['pan', 'zoom', 'select', 'collapse', 'stream'] as const) {
          const m = await interact(frame, kind, kind === 'collapse' ? 10 : FRAMES);
          const w = stats(m.work);
          const shown = m.shown.length ? stats(m.shown) : null;
          (result.interaction as Record<string, unknown>)[`${kind}-${f.n}`] = {
            workMs: w, untilNextFrameMs: stats(m.total), layoutFramesMax: m.layoutFrames,
            ...(kind === 'stream' ? { settleMs: m.settleMs } : {}), ...(shown ? { newLayoutShownMs: shown } : {}),
          };
          const sliced = kind === 'stream' && m.layoutFrames > 1 ? `; layouts over up to ${m.layoutFrames} frames, all in ${r1(m.settleMs)} ms after the last step`
            : shown ? `; new layout drawn p50 ${r1(shown.p50)} / p95 ${r1(shown.p95)} ms after the key (layouts over up to ${m.layoutFrames} frames)` : '';
          rows.push([`${kind} ${f.n.toLocaleString('en-US')}`, `${w.n} ${kind === 'collapse' ? 'frames' : 'steps'}`, `${r1(w.p50)} / ${r1(w.p95)} ms`, `max ${r1(w.max)} ms (until next frame p50 ${r1(stats(m.total).p50)} ms)${sliced}`]);
        }
      }
      await workbench.runCommand('View: Close All Editors');
    }
  } catch (e) {
    mkdirSync(join(root, 'test-results/bench'), { recursive: true });
    await browser.page.screenshot({ path: join(root, 'test-results/bench/panelOpen-failure.png') }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await server.stop();
    if (!argv.includes('--keep')) rmSync(runDir, { recursive: true, force: true });
    else console.log(`kept ${runDir}`);
  }
  const header = ['measure', 'detail', 'first frame / work p50 / p95', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const outDir = join(root, 'test-results/bench');
  mkdirSync(outDir, { recursive: true });
  result.extension = extensionDir === root ? 'this repo' : extensionDir;
  writeFileSync(join(outDir, `${outName}.json`), JSON.stringify(result, null, 2) + '\n');
  mkdirSync(join(root, 'docs/bench'), { recursive: true });
  copyFileSync(join(outDir, `${outName}.json`), join(root, `docs/bench/${outName}.json`));
  console.log(`\nwrote test-results/bench/${outName}.json and docs/bench/${outName}.json (times from Enter in the Open Trace pick; work = handler + frame main-thread ms)`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
