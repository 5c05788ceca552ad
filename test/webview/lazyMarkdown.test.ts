// The panel's first script leaves markdown-it and KaTeX out (issue 17, "big traces open fast"): they are an ES-module
// chunk of their own, fetched only after the first frame is painted, under the same nonce-only CSP; a node selected
// before the chunk is in shows its text as plain text and is rendered in place when it arrives.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateTrace } from '../fixtures/generateTrace';
import { panelSuite } from './panelPage';
import type { PanelPage } from './panelPage';

const repo = join(__dirname, '../..');
const suite = panelSuite();
const { open } = suite;

/** Resource timing of the page's scripts: name → [fetch start, response end] in page ms. */
const scripts = (p: PanelPage) =>
  p.page.evaluate(`Object.fromEntries(performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).map((e) => [e.name.split('/').pop(), [e.startTime, e.responseEnd]]))`) as Promise<Record<string, [number, number]>>;

describe('webview: markdown and KaTeX load after the first frame', () => {
  it('main.js holds neither library; the page loads their chunk as a module after first paint and renders math with it', async () => {
    const main = readFileSync(join(repo, 'media/webview/main.js'), 'utf8');
    assert.doesNotMatch(main, /renderToString|katex-mathml|markdown-it/i, 'KaTeX and markdown-it are not in the first script');
    assert.ok(statSync(join(repo, 'media/webview/chunks/markdownRender.js')).size > 200_000, 'their chunk exists');
    const p = await open();
    const html = (await p.page.content()) as string;
    assert.match(html, /<script nonce="[^"]+" type="module" src="[^"]+\/main\.js"><\/script>/);
    const trace = generateTrace({ nodes: 30, seed: 5, validate: false });
    trace.nodes[3]!.text = 'Take $\\frac{a}{b}$ and **keep** it';
    await p.load(trace);
    await p.page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/chunks/markdownRender.js') && (e as unknown as { responseEnd: number }).responseEnd > 0), undefined, { timeout: 10_000 });
    const paint = (await p.page.evaluate(`performance.getEntriesByName('metacot:first-paint')[0].startTime`)) as number;
    const loaded = await scripts(p);
    assert.ok(loaded['markdownRender.js']![0] >= paint, `the chunk was fetched after the first frame (${loaded['markdownRender.js']![0]} ms vs paint ${paint} ms)`);
    await p.send({ type: 'revealNode', nodeId: trace.nodes[3]!.id });
    await p.page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#node-text .katex').length === 1, undefined, { timeout: 10_000 });
    assert.equal(await p.page.locator('#node-text strong').innerText(), 'keep');
    const styled = (await p.page.evaluate(`document.querySelectorAll('#node-text .katex [style]').length`)) as number;
    assert.ok(styled > 0, 'KaTeX layout styles applied through CSSOM');
  });

  it('text shown before the chunk is in is plain text, then rendered in place', async () => {
    // Block the chunk until the node is shown, so the plain-text stage is observable.
    const page = await suite.browser().newPage({ viewport: { width: 1280, height: 800 } });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await page.route('**/chunks/markdownRender.js', async (route) => {
      await gate;
      await route.continue();
    });
    const p = await open({ page });
    const trace = generateTrace({ nodes: 30, seed: 6, validate: false });
    trace.nodes[2]!.text = 'So **x** = $y^2$';
    await p.load(trace);
    await p.send({ type: 'revealNode', nodeId: trace.nodes[2]!.id });
    await p.nextFrame();
    assert.equal(await p.page.locator('#node-text').innerText(), 'So **x** = $y^2$', 'the text itself while the renderer loads');
    assert.equal(await p.page.locator('#node-text .katex').count(), 0);
    release();
    await p.page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#node-text .katex').length === 1, undefined, { timeout: 10_000 });
    assert.equal(await p.page.locator('#node-text strong').innerText(), 'x');
  });
});
