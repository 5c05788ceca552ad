// The Experiment view's page in real Chromium: served with the HTML and CSP the extension uses
// (src/extension/experimentHtml.ts) on a loopback server, a stand-in for acquireVsCodeApi that records what the page
// posts, and the fixture experiment folder test/fixtures/experiment-view/small (3 problems × 2 cells, every outcome).
// It renders the plots (the folder's SVGs), the table and the grid; a grid cell and the re-run buttons post their
// typed requests and show the replies; errors are shown; screenshots in three themes go to test-results/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ExperimentSummarySchema } from '../../src/core/experiment/summary';
import type { ExperimentSummary } from '../../src/core/experiment/summary';
import { EXPERIMENT_SCRIPT_FILE, EXPERIMENT_STYLE_FILES, experimentHtml } from '../../src/extension/experimentHtml';
import { makeNonce } from '../../src/protocol/panelHtml';
import { ExperimentRequestSchema, parseExperimentPageMessage } from '../../src/protocol/experimentMessages';
import type { ExperimentHostMessageInput, ExperimentRequest } from '../../src/protocol/experimentMessages';
import { launchChromium } from './panelPage';

const repo = join(__dirname, '../..');
const FIXTURE = join(repo, 'test/fixtures/experiment-view/small');
const summary = (): ExperimentSummary => ExperimentSummarySchema.parse(JSON.parse(readFileSync(join(FIXTURE, 'summary.json'), 'utf8')));

/** The page's stand-in for the VS Code webview host: records posts; the test answers requests itself. */
const FAKE_API = `(function () {
  window.__posted = [];
  let acquired = false;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({ postMessage(m) { window.__posted.push(structuredClone(m)); }, getState() { return undefined; }, setState(s) { return s; } });
  };
  window.__hostSend = function (m) { window.postMessage(m, '*'); };
})();`;

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Rebuilds when media/webview/experiment.js is older than the page's sources (never tests stale code). */
function ensureBuilt(): void {
  const bundle = join(repo, 'media/webview', EXPERIMENT_SCRIPT_FILE);
  const sources = Math.max(newest(join(repo, 'webview')), newest(join(repo, 'src/protocol')), newest(join(repo, 'src/core/experiment')));
  if (existsSync(bundle) && existsSync(join(repo, 'media/webview/experiment.css')) && statSync(bundle).mtimeMs >= sources) return;
  const r = spawnSync(process.execPath, [join(repo, 'scripts/build.mjs')], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`webview build failed:\n${r.stdout}\n${r.stderr}`);
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.svg': 'image/svg+xml', '.map': 'application/json', '.json': 'application/json' };
const ROOTS: Record<string, string> = { '/media/webview/': join(repo, 'media/webview'), '/harness/': join(repo, 'test/webview/harness'), '/fixture/': FIXTURE };

async function startServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = `http://${req.headers.host}`;
    try {
      if (url.pathname === '/experiment') {
        const theme = url.searchParams.get('theme') ?? 'dark';
        const nonce = makeNonce();
        const html = experimentHtml({
          cspSource: origin,
          nonce,
          scriptUri: `${origin}/media/webview/${EXPERIMENT_SCRIPT_FILE}`,
          styleUris: EXPERIMENT_STYLE_FILES.map((f) => `${origin}/media/webview/${f}`),
          title: 'Experiment',
        })
          // What VS Code adds around a webview's HTML: the theme class, its variables, acquireVsCodeApi.
          .replace('<body>', `<body class="vscode-${theme}" data-vscode-theme-kind="vscode-${theme}">`)
          .replace('</head>', `  <link rel="stylesheet" href="${origin}/harness/themes.css">\n  </head>`)
          .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${origin}/fake-api.js"></script>\n    <script nonce="${nonce}"`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
        return;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      if (url.pathname === '/fake-api.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(FAKE_API);
        return;
      }
      const prefix = Object.keys(ROOTS).find((p) => url.pathname.startsWith(p));
      if (!prefix) {
        res.writeHead(404).end();
        return;
      }
      const base = ROOTS[prefix]!;
      const file = normalize(join(base, decodeURIComponent(url.pathname.slice(prefix.length))));
      if (!file.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface ExpPage {
  page: Page;
  problems: string[];
  send(m: ExperimentHostMessageInput): Promise<void>;
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  requests(method?: string): Promise<ExperimentRequest[]>;
  /** Sends the fixture (or `s`) as the host does, and waits until the page has drawn it (plots decoded). */
  load(s?: ExperimentSummary, plots?: boolean): Promise<void>;
}

let browser: Browser;
let server: { origin: string; close(): Promise<void> };
const pages: Page[] = [];

async function open(theme: 'dark' | 'light' | 'high-contrast' = 'dark', width = 1280): Promise<ExpPage> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  pages.push(page);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  await page.addInitScript(`window.__csp = []; document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)')));`);
  await page.goto(`${server.origin}/experiment?theme=${theme}`);
  await page.waitForFunction(() => (globalThis as unknown as { __posted?: { type: string }[] }).__posted?.some((m) => m.type === 'ready'));
  const p: ExpPage = {
    page,
    problems,
    send: async (m) => {
      await page.evaluate(`window.__hostSend(${JSON.stringify(m)})`);
    },
    posted: () => page.evaluate('window.__posted') as Promise<{ type: string }[]>,
    requests: async (method) => (await p.posted()).filter((m) => m.type === 'request' && (!method || m.method === method)) as unknown as ExperimentRequest[],
    load: async (s = summary(), plots = true) => {
      const before = (await p.posted()).filter((m) => m.type === 'rendered').length;
      const plotUris = plots ? Object.fromEntries(s.plots.map((x) => [x.svg, `${server.origin}/fixture/${x.svg}`])) : {};
      await p.send({ type: 'experiment', folder: 'experiments/small', summary: s, plotUris });
      await page.waitForFunction((n) => ((globalThis as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'rendered').length > n), before, { timeout: 10_000 });
    },
  };
  return p;
}

const texts = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

/** Polls the status line until it reads `want` (in Node: an in-page string predicate would need eval, which the CSP forbids). */
async function statusIs(page: Page, want: string | RegExp): Promise<void> {
  let last = '';
  for (let i = 0; i < 200; i++) {
    last = await page.locator('#x-status').innerText();
    if (typeof want === 'string' ? last === want : want.test(last)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`status line is "${last}", not ${String(want)}`);
}

before(async () => {
  ensureBuilt();
  server = await startServer();
  browser = await launchChromium();
});

after(async () => {
  for (const p of pages) await p.close().catch(() => undefined);
  await browser?.close();
  await server?.close();
});

describe('Experiment view page', () => {
  it('renders the plots, the table of cells and the problem × cell grid from the fixture summary', async () => {
    const p = await open();
    await p.load();
    const s = summary();
    // The page says what it drew: every plot decoded, one grid entry per problem × cell.
    const rendered = (await p.posted()).filter((m) => m.type === 'rendered').pop()!;
    assert.ok(parseExperimentPageMessage(rendered).ok);
    assert.deepEqual({ ...rendered, type: undefined }, { type: undefined, updatedAt: s.updatedAt, cells: 2, problems: 3, gridCells: 6, plots: 3, plotsLoaded: 3 });
    const sizes = (await p.page.evaluate(`[...document.querySelectorAll('.x-plot img')].map((i) => [i.naturalWidth, i.alt])`)) as [number, string][];
    assert.equal(sizes.length, 3);
    for (const [w] of sizes) assert.ok((w as number) > 100, `plot drawn (${w} px wide)`);
    assert.deepEqual(sizes.map(([, alt]) => alt), s.plots.map((x) => x.title));

    // Table: one row per cell with the summary's numbers, written out.
    const rows = (await p.page.evaluate(`[...document.querySelectorAll('#x-cell-table tbody tr')].map((tr) => [...tr.children].map((c) => c.innerText))`)) as string[][];
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.slice(0, 7), ['beam-1000', 'beam', 'defaults', '1,000', '33.3% (6.1–79.2%)', '1 / 3 of 3', '1']);
    assert.deepEqual(rows[1]!.slice(0, 7), ['mcts-1000', 'mcts', 'simulations=100000', '1,000', '33.3% (6.1–79.2%)', '1 / 2 of 3', '1']);
    assert.equal(rows[0]![7], '1.1k', 'mean tokens of beam-1000 ((1686 + 1686 + 0) / 3)');
    assert.equal(rows[1]![9], '$0.06');

    // Grid: problems down, cells across; outcome as class, icon and word, with tokens.
    assert.deepEqual(await texts(p.page, '#x-grid-table thead th'), ['Problem', 'beam-1000', 'mcts-1000']);
    assert.deepEqual(await texts(p.page, '#x-grid-table tbody th'), ['1. countdown-3-5-7-2', '2. countdown-4-6-8-1', '3. countdown-2-9-5-3']);
    const entries = (await p.page.evaluate(
      `[...document.querySelectorAll('#x-grid-table button.x-entry')].map((b) => ({ cell: b.dataset.cell, index: b.dataset.index, outcome: b.dataset.outcome, icon: b.querySelector('.codicon').className, text: b.innerText.replace(/\\s+/g, ' ').trim(), label: b.getAttribute('aria-label') }))`,
    )) as { cell: string; index: string; outcome: string; icon: string; text: string; label: string }[];
    assert.deepEqual(
      entries.map((e) => [e.cell, e.index, e.outcome, e.text]),
      [
        ['beam-1000', '0', 'solved', 'solved 1.7k'],
        ['mcts-1000', '0', 'solved', 'solved 243k'],
        ['beam-1000', '1', 'unsolved', 'unsolved 1.7k'],
        ['mcts-1000', '1', 'failed', 'failed 0'],
        ['beam-1000', '2', 'failed', 'failed 0'],
        ['mcts-1000', '2', 'missing', 'not run'],
      ],
    );
    assert.deepEqual([...new Set(entries.map((e) => `${e.outcome}:${e.icon}`))], ['solved:codicon codicon-pass-filled', 'unsolved:codicon codicon-circle-slash', 'failed:codicon codicon-error', 'missing:codicon codicon-circle-large-outline']);
    assert.match(entries[3]!.label!, /^problem 2 \(countdown-4-6-8-1\) in mcts-1000: failed, 0 tokens, endpoint error: connect ECONNREFUSED/);
    // Colour differs by outcome too (the left border), and the header says the totals.
    const colours = (await p.page.evaluate(`[...document.querySelectorAll('#x-grid-table button.x-entry')].map((b) => getComputedStyle(b).borderLeftColor)`)) as string[];
    assert.notEqual(colours[0], colours[3]);
    assert.notEqual(colours[2], colours[3]);
    assert.match(await p.page.locator('.x-totals').innerText(), /^2 solved, 2 failed, 1 not run of 6 entries · 247k tokens · \$0\.08 · 57 s · incomplete/);
    assert.deepEqual(p.problems, []);
    assert.deepEqual(await p.page.evaluate('window.__csp'), []);
  });

  it('a grid cell posts the typed openCell request and shows the reply (or its error)', async () => {
    const p = await open();
    await p.load();
    await p.page.locator('button.x-entry[data-cell="beam-1000"][data-index="1"]').click();
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'request'));
    const [req] = await p.requests('openCell');
    assert.ok(ExperimentRequestSchema.safeParse(req).success, 'the request matches its schema');
    assert.deepEqual(req!.params, { cellId: 'beam-1000', index: 1 });
    await p.send({ type: 'reply', requestId: req!.requestId, method: 'openCell', ok: true, result: { uri: 'file:///x/beam-1000/countdown-4-6-8-1.metacot.json', message: 'Opened beam-1000, problem 2' } });
    await statusIs(p.page, 'Opened beam-1000, problem 2');
    // The keyboard reaches the grid: Enter on a focused entry opens it.
    await p.page.locator('button.x-entry[data-cell="mcts-1000"][data-index="2"]').focus();
    await p.page.keyboard.press('Enter');
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'request').length === 2);
    const second = (await p.requests('openCell'))[1]!;
    assert.deepEqual(second.params, { cellId: 'mcts-1000', index: 2 });
    await p.send({ type: 'reply', requestId: second.requestId, method: 'openCell', ok: false, error: { message: 'problem 3 (countdown-2-9-5-3) has no trace in mcts-1000 yet: no trace' } });
    await p.page.waitForSelector('#x-status.x-status-error');
    assert.equal(await p.page.locator('#x-status').innerText(), 'problem 3 (countdown-2-9-5-3) has no trace in mcts-1000 yet: no trace');
    // A reply whose result does not match the method's schema is an error, not a success.
    await p.page.locator('button.x-entry[data-cell="beam-1000"][data-index="0"]').click();
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.filter((m) => m.type === 'request').length === 3);
    const third = (await p.requests('openCell'))[2]!;
    await p.send({ type: 'reply', requestId: third.requestId, method: 'openCell', ok: true, result: { uri: 42 } } as never);
    await statusIs(p.page, /invalid 'openCell' reply/);
  });

  it('"Re-run failures" posts rerunFailures, shows progress with Cancel while it runs, then the outcome', async () => {
    const p = await open();
    await p.load();
    const rerun = p.page.locator('#x-rerun');
    const cancel = p.page.locator('#x-cancel');
    const disabled = () => p.page.evaluate(`document.getElementById('x-rerun').disabled`) as Promise<boolean>;
    // The fixture has an entry not run yet: the re-run leaves it for a resume, and the note says so.
    assert.equal(await disabled(), false);
    assert.equal(await rerun.getAttribute('title'), 'Run again only the 2 entries whose run failed');
    assert.equal(await p.page.locator('.x-rerun-note').innerText(), '1 entry is not run yet: it stays so (resume the experiment with `metacot experiment` and the same options to run it).');
    // Finished (the missing entry ran out of budget): only the two failures.
    const done = summary();
    Object.assign(done.cells[1]!.results[2]!, { status: 'budget', tokens: 1000 });
    done.cells[1]!.finished = 3;
    done.totals = { ...done.totals, finished: 6, missing: 0 };
    done.complete = true;
    done.updatedAt = '2026-12-01T10:06:00.000Z';
    await p.load(done);
    assert.equal(await disabled(), false);
    assert.equal(await p.page.locator('.x-rerun-note').innerText(), '');
    assert.equal(await cancel.isVisible(), false);
    assert.equal(await rerun.getAttribute('title'), 'Run again only the 2 entries whose run failed');
    await rerun.click();
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string; method?: string }[] }).__posted.some((m) => m.method === 'rerunFailures'));
    const [req] = await p.requests('rerunFailures');
    assert.deepEqual(req!.params, {});
    assert.equal(await cancel.isVisible(), true);
    assert.equal(await disabled(), true);
    await p.send({ type: 'rerunState', state: { running: true, done: 1, total: 2, message: 'Re-ran 1 of 2: beam-1000, problem 3 (countdown-2-9-5-3) solved' } });
    await statusIs(p.page, /Re-ran 1 of 2/);
    await cancel.click();
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { method?: string }[] }).__posted.some((m) => m.method === 'cancelRerun'));
    const [c] = await p.requests('cancelRerun');
    await p.send({ type: 'reply', requestId: c!.requestId, method: 'cancelRerun', ok: true, result: { cancelled: true, message: 'Cancelling the re-run…' } });
    await p.send({ type: 'reply', requestId: req!.requestId, method: 'rerunFailures', ok: true, result: { ran: 1, stillFailed: 1, cancelled: true, message: 'Cancelled after 1 of 2 failed entries; 1 still failed.' } });
    await statusIs(p.page, 'Cancelled after 1 of 2 failed entries; 1 still failed.');
    assert.equal(await cancel.isVisible(), false);
    assert.equal(await disabled(), false);
    // The host's refreshed summary with no failure left: nothing to re-run.
    const s = done;
    for (const cell of s.cells) for (const r of cell.results) if (r.status === 'failed') Object.assign(r, { status: 'solved', solved: true, tokens: 900 });
    s.totals.failed = 0;
    s.updatedAt = '2026-12-01T10:09:00.000Z';
    await p.load(s);
    assert.equal(await disabled(), true);
    assert.equal(await rerun.getAttribute('title'), 'No entry failed: nothing to re-run');
    assert.equal(await p.page.locator('button.x-entry[data-outcome="failed"]').count(), 0);
    assert.deepEqual(p.problems, []);
  });

  it('shows the error of a folder that is not an experiment, drops an invalid summary, names missing plots', async () => {
    const p = await open();
    await p.send({ type: 'experimentError', folder: 'notes', message: 'notes has no summary.json: an experiment folder is what `metacot experiment --out DIR` writes (summary.json, traces/, plots/).' });
    await p.page.waitForSelector('.x-error[role="alert"]');
    assert.match(await p.page.locator('.x-error').innerText(), /notes has no summary\.json/);
    assert.equal(await p.page.locator('.x-title').innerText(), 'Experiment: notes');
    // A summary that is not one (a rate above 1) never reaches the view: the page logs what it dropped.
    const bad = summary() as unknown as { cells: { solveRate: number }[] };
    bad.cells[0]!.solveRate = 3;
    await p.send({ type: 'experiment', folder: 'x', summary: bad, plotUris: {} } as never);
    await p.page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'log'));
    const log = (await p.posted()).find((m) => m.type === 'log')!;
    assert.match(String(log.message), /dropped invalid 'experiment' message: summary\.cells\.0\.solveRate/);
    assert.equal(await p.page.locator('.x-error').count(), 1, 'the error view stays');
    // Plots not written yet (an experiment still running) are named, not shown broken.
    await p.load(summary(), false);
    assert.equal(await p.page.locator('.x-plot img').count(), 0);
    assert.deepEqual(await texts(p.page, '.x-plot .x-note'), summary().plots.map((x) => `${x.svg} is not written yet (plots are drawn when the experiment ends)`));
    assert.deepEqual(p.problems, []);
  });

  it('screenshots in light, dark and high contrast (test-results/experiment-view/)', async () => {
    const dir = join(repo, 'test-results/experiment-view');
    mkdirSync(dir, { recursive: true });
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      const p = await open(theme, 1100);
      await p.load();
      const file = join(dir, `experiment-${theme}.png`);
      await p.page.screenshot({ path: file, fullPage: true });
      assert.ok(statSync(file).size > 10_000, `${file} written`);
      // Every outcome word is visible text in every theme (not colour alone).
      const words = await texts(p.page, '#x-grid-table .x-entry-word');
      assert.deepEqual(words, ['solved', 'solved', 'unsolved', 'failed', 'failed', 'not run']);
      assert.deepEqual(p.problems, []);
    }
  });
});
