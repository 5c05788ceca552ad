// Installed-mode UI test of capability probing against a server that behaves like Ollama: the reference server
// (in this Node process) with the `ollama` profile; then, from the palette as a person does it, "Configure Endpoint"
// (saved to user settings), "Test Endpoint Connection", its notification and "Show Capabilities" (the markdown
// preview). Run by scripts/integrationInstalled.mjs after installed.ui.ts (whose tests start from a fresh install:
// this file adds an endpoint and makes it the default).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { capabilityRows } from '../../../src/core/run/capabilityTable';
import { startReferenceServer } from '../../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../../src/core/server/referenceServer';
import { expectedCapabilities } from '../../../src/core/server/profiles';
import { commandTitle, diagnostics, installedContext, shoot } from './context';
import type { InstalledContext } from './context';

const ENDPOINT = 'ollama-local';
const MODEL = 'sim-countdown';
const PROFILE = 'ollama';
/** The probe's documented bound (src/core/llm/capabilityProbe.ts): tiny requests only. */
const PROBE_MAX_TOKENS = 48;
/** Waits, not assertions on time: a loaded CI machine is slow, and a webview's first load waits for its service worker. */
const WAIT_MS = 60_000;
const ERROR_TEXT = /error|fail|cannot|could not|refused|not found/i;

const QUICK_INPUT_ROW = '.quick-input-widget .monaco-list-row';
const QUICK_INPUT_BOX = '.quick-input-widget .quick-input-box input';

/**
 * Runs a palette command by its exact title. Unlike Workbench.runCommand it does not wait for the palette to
 * close: the command's own quick input can take its place at once.
 */
async function paletteCommand(ctx: InstalledContext, title: string): Promise<void> {
  const { page, workbench } = ctx;
  const input = await workbench.openCommandPalette();
  await input.fill(`>${title}`);
  await page.locator(QUICK_INPUT_ROW, { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) }).first().click();
}

/** Waits for the quick input step whose title contains `title`. */
async function quickInputStep(ctx: InstalledContext, title: string): Promise<void> {
  const step = ctx.page.locator('.quick-input-widget .quick-input-title', { hasText: title }).first();
  try {
    await step.waitFor({ state: 'visible', timeout: WAIT_MS });
  } catch {
    const shown = await ctx.page.locator('.quick-input-widget .quick-input-title').first().textContent().catch(() => null);
    assert.fail(`no quick input "${title}" (shown: ${shown ? JSON.stringify(shown.trim()) : 'none'}; rows: ${(await ctx.workbench.quickInputLabels()).join(' | ') || '(none)'}).\n${await diagnostics(ctx)}`);
  }
}

/** In the quick pick titled `title`, picks the row labelled exactly `label`. */
async function pick(ctx: InstalledContext, title: string, label: string): Promise<void> {
  await quickInputStep(ctx, title);
  const row = ctx.page.locator(QUICK_INPUT_ROW, { has: ctx.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: WAIT_MS });
  } catch {
    assert.fail(`the quick pick "${title}" has no row "${label}"; it offers: ${(await ctx.workbench.quickInputLabels()).join(' | ') || '(nothing)'}`);
  }
  await row.click();
}

/** In the input box titled `title`, types `value` (replacing the suggestion) and accepts it. */
async function enter(ctx: InstalledContext, title: string, value: string): Promise<void> {
  await quickInputStep(ctx, title);
  const box = ctx.page.locator(QUICK_INPUT_BOX);
  await box.fill(value);
  await box.press('Enter');
}

/**
 * "Meta-CoT: Configure Endpoint" from the palette, every step answered like a person: the Ollama preset, the
 * reference server's URL, a name, no key, the model the server lists, chat mode, user settings.
 */
async function configureEndpoint(ctx: InstalledContext, baseUrl: string): Promise<void> {
  await paletteCommand(ctx, commandTitle(ctx, 'metacot.configureEndpoint'));
  await pick(ctx, 'Configure Endpoint (1/5)', 'Ollama');
  await enter(ctx, 'Configure Endpoint (2/5)', baseUrl);
  await enter(ctx, 'Configure Endpoint (3/5)', ENDPOINT);
  await enter(ctx, 'Configure Endpoint (4/5)', '');
  await pick(ctx, 'Configure Endpoint (5/5)', MODEL);
  await pick(ctx, 'How should partial solutions be continued?', 'chat');
  await pick(ctx, 'Save the endpoint to', 'User settings');
  const saved = ctx.page.locator('.notifications-toasts .notification-toast', { hasText: `endpoint "${ENDPOINT}" saved` }).first();
  try {
    await saved.waitFor({ state: 'visible', timeout: WAIT_MS });
  } catch {
    assert.fail(`Configure Endpoint did not say the endpoint was saved.\n${await diagnostics(ctx)}`);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The text a cell shows, whitespace collapsed. */
const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

describe('installed .vsix: endpoint capabilities', function () {
  this.timeout(180_000);
  let server: ReferenceServer | undefined;
  let notification = '';

  before(async () => {
    server = await startReferenceServer({ profile: PROFILE });
  });
  after(async () => {
    await server?.close();
  });

  it('"Test Endpoint Connection" on an Ollama-like server names the endpoint and model; Show Capabilities opens the probed table', async () => {
    const ctx = installedContext();
    const { workbench, page } = ctx;
    assert.ok(server);
    // The whole editor area for the screenshot: no editors, panel (the Output of an earlier test) or toasts left over.
    await workbench.runCommand('View: Close All Editors').catch(() => undefined);
    if (await page.locator('.part.panel').first().isVisible()) {
      await workbench.runCommand('View: Hide Panel').catch(() => workbench.runCommand('View: Close Panel').catch(() => undefined));
    }
    await workbench.runCommand('Notifications: Clear All Notifications').catch(() => undefined);

    await configureEndpoint(ctx, server.url);
    // Saved to the user's settings.json (what Restricted Mode honours), with no key in it.
    const settingsFile = path.join(ctx.userDataDir, 'User', 'settings.json');
    const saved = (JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>)['metacot.endpoints'];
    assert.deepEqual(saved, [{ name: ENDPOINT, provider: 'ollama', baseUrl: server.url, model: MODEL, mode: 'chat' }], `metacot.endpoints in ${settingsFile}`);
    await workbench.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    server.log.clear(); // from here on: only what Test Endpoint Connection sends

    const title = commandTitle(ctx, 'metacot.testConnection');
    await paletteCommand(ctx, title);
    await pick(ctx, 'Meta-CoT: Test Connection', ENDPOINT);

    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: /answered:/ }).first();
    const toastDeadline = Date.now() + WAIT_MS;
    while (!(await toast.isVisible())) {
      const errors = (await workbench.notifications()).filter((n) => ERROR_TEXT.test(n));
      if (errors.length) assert.fail(`"${title}" showed an error instead of the capabilities.\n${await diagnostics(ctx)}`);
      if (Date.now() > toastDeadline) assert.fail(`no "answered:" notification within ${WAIT_MS / 1000} s of picking ${ENDPOINT}.\n${await diagnostics(ctx)}`);
      await page.waitForTimeout(250);
    }
    notification = norm(await toast.locator('.notification-list-item-message').textContent());
    console.log(`    notification: ${notification}`);
    assert.match(notification, new RegExp(`^Meta-CoT: endpoint ${ENDPOINT} \\(model ${MODEL}\\) answered: `));
    // Ollama ignores n (one choice whatever is asked) and reports no cached tokens.
    assert.match(notification, /\bn ✗/);
    assert.match(notification, /cached tokens ✗/);
    await toast.locator('.monaco-button', { hasText: /^Show Capabilities$/ }).first().click();

    const previewTitle = `Preview ${ENDPOINT} capabilities.md`;
    const tabDeadline = Date.now() + WAIT_MS;
    while (!(await workbench.editorTabs()).includes(previewTitle)) {
      if (Date.now() > tabDeadline) assert.fail(`no "${previewTitle}" tab after Show Capabilities; tabs: ${(await workbench.editorTabs()).join(' | ') || '(none)'}.\n${await diagnostics(ctx)}`);
      await page.waitForTimeout(250);
    }
    const frame = await workbench.webview(previewTitle, WAIT_MS);
    const table = await previewTable(frame);

    // Before the checks, so a failed one still leaves the picture of what a person saw.
    await page.waitForTimeout(500);
    const file = await shoot('capabilities');
    console.log(`    screenshot: ${path.relative(ctx.repoRoot, file)}`);

    // "Probed <time> with N requests." — N is what the server saw.
    const probed = norm(await frame.locator('p', { hasText: /^Probed / }).first().textContent());
    const m = /^Probed (\S+) with (\d+) requests?\.$/.exec(probed);
    assert.ok(m, `the preview's probe line reads "${probed}"`);
    assert.ok(!Number.isNaN(Date.parse(m[1]!)), `probe time "${m[1]}" is not a date`);
    assert.equal(Number(m[2]), server.log.generations().length, `the preview says ${m[2]} requests; the server logged ${server.log.generations().length} generation requests`);

    assert.equal(norm(await frame.locator('h1').first().textContent()), `Endpoint ${ENDPOINT} (model ${MODEL}, chat mode)`);
    assert.deepEqual(table.header, ['capability', 'found', 'what the client does']);
    // The profile's documented behaviour, as the table words it (src/core/run/capabilityTable.ts).
    const expected = capabilityRows({ ...expectedCapabilities(PROFILE), probedAt: '', requests: 0 }, 'chat').map((r) => [
      r.capability,
      `${r.lacking ? '✗ ' : r.found === 'yes' ? '✓ ' : ''}${r.found}`,
      r.client,
    ]);
    assert.deepEqual(table.rows[0]?.slice(0, 2), ['n (several choices in one request)', '✗ no']);
    // Every cell as the preview renders it: text the markdown takes for HTML (e.g. a bare <think>) would be missing.
    assert.deepEqual(table.rows, expected);
  });

  it('the server logged the listing and the probe\'s tiny requests for the endpoint\'s model', () => {
    assert.ok(server && notification, 'the connection test above did not finish');
    const paths = server.log.entries.map((e) => `${e.method} ${e.path}`);
    assert.ok(paths.includes('GET /v1/models'), `no model listing; the server saw: ${paths.join(', ')}`);
    const generations = server.log.generations();
    assert.ok(generations.length >= 1 && generations.length <= 8, `the probe sent ${generations.length} generation requests (expected 1–8): ${paths.join(', ')}`);
    for (const g of generations) {
      const body = g.body as { model?: unknown; max_tokens?: unknown };
      assert.equal(body.model, MODEL, `request ${g.index} (${g.path}) asked for model ${String(body.model)}`);
      assert.equal(typeof body.max_tokens, 'number', `request ${g.index} (${g.path}) has no max_tokens`);
      assert.ok((body.max_tokens as number) <= PROBE_MAX_TOKENS, `request ${g.index} (${g.path}) asked for max_tokens ${String(body.max_tokens)}`);
    }
    // Ollama answers one choice whatever n asks: the log shows the n the probe sent and the one choice it got.
    const askedN = generations.filter((g) => g.n > 1);
    assert.ok(askedN.length >= 1, 'the probe never asked for n > 1');
    for (const g of askedN) assert.equal(g.choices, 1, `request ${g.index} asked n=${g.n} and got ${g.choices} choices`);
  });
});

/** The header cells and body rows (cell texts) of the first table the markdown preview renders. */
async function previewTable(frame: Frame): Promise<{ header: string[]; rows: string[][] }> {
  const table = frame.locator('table').first();
  await table.waitFor({ state: 'visible', timeout: WAIT_MS });
  // No named functions in the page-side callbacks: tsx's esbuild wraps them in a __name helper the page lacks.
  const header = (await table.locator('thead th').allTextContents()).map(norm);
  const cells = await table.locator('tbody tr').evaluateAll((rs) => rs.map((r) => Array.from(r.querySelectorAll('td'), (c) => (c as { textContent: string | null }).textContent ?? '')));
  return { header, rows: cells.map((r) => r.map(norm)) };
}
