// Installed-mode UI tests: the .vsix as a user installs it, driven from the command palette like a person would.
// Run by scripts/integrationInstalled.mjs (mocha in Node, Playwright on the live code-server page), in file order:
// the installed folder, the Traces view's welcome, a search on the selection with the embedded default model, its
// trace file, the walkthrough, the activation time VS Code reports.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import { commandTitle, diagnostics, installedContext, shoot } from './context';
import type { InstalledContext } from './context';

const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
/** A finished search on this problem takes ~2 s; the first one also loads the WebAssembly runtime and the model. */
const ANSWER_TIMEOUT_MS = 60_000;
/**
 * Activation as VS Code reports it: the goal is ≤ 50 ms (measured 5–34 ms on an idle machine, 113 ms while other
 * jobs loaded it). The test fails only past 250 ms, a regression guard (e.g. the runtime loaded at activation),
 * so machine load alone does not fail it; the figure and whether the goal was met are printed and recorded.
 */
const ACTIVATION_GOAL_MS = 50;
const ACTIVATION_LIMIT_MS = 250;
/** Notification text that means something went wrong (the extension's errors and VS Code's own). */
const ERROR_TEXT = /error|fail|cannot|could not|not found/i;

function walk(dir: string, visit: (p: string, isDir: boolean) => void): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    visit(p, e.isDirectory());
    if (e.isDirectory()) walk(p, visit);
  }
}

/** Files of the installed folder matching `re` (relative paths). */
function installedFiles(ctx: InstalledContext, re: RegExp): string[] {
  const out: string[] = [];
  walk(ctx.extensionDir, (p, isDir) => {
    const rel = path.relative(ctx.extensionDir, p).split(path.sep).join('/');
    if (!isDir && re.test(rel)) out.push(rel);
  });
  return out;
}

describe('installed .vsix', function () {
  let searchTitle: string | undefined;

  it('the installed folder holds the bundles, the embedded model and its WebAssembly runtime, and no node_modules', () => {
    const ctx = installedContext();
    const missing: string[] = [];
    for (const f of ['package.json', 'dist/extension.js', 'dist/extensionHost.js', 'media/webview/main.js', 'media/webview/main.css']) {
      if (!fs.existsSync(path.join(ctx.extensionDir, f))) missing.push(f);
    }
    const models = installedFiles(ctx, /^model\/[^/]+\.onnx$/);
    if (!models.length) missing.push('model/*.onnx');
    for (const m of models) if (!fs.existsSync(path.join(ctx.extensionDir, `${m}.sha256`))) missing.push(`${m}.sha256`);
    if (!fs.existsSync(path.join(ctx.extensionDir, 'model/vocab.json'))) missing.push('model/vocab.json');
    // The embedded reasoners in-context runs on (shipped.json names their files), and the held-out sets.
    const shipped = JSON.parse(fs.readFileSync(path.join(ctx.repoRoot, 'src/core/embedded/shipped.json'), 'utf8')) as { modelFolder: string; reasonerFiles: Record<string, Record<string, string>> };
    for (const files of Object.values(shipped.reasonerFiles)) {
      for (const f of Object.values(files)) if (!fs.existsSync(path.join(ctx.extensionDir, shipped.modelFolder, f))) missing.push(`${shipped.modelFolder}/${f}`);
    }
    if (!fs.existsSync(path.join(ctx.extensionDir, 'model/heldout.json'))) missing.push('model/heldout.json');
    if (!installedFiles(ctx, /^dist\/ort\/[^/]+\.wasm$/).length) missing.push('dist/ort/*.wasm (the embedded model\'s WebAssembly runtime)');
    assert.deepEqual(missing, [], `the installed extension (${ctx.extensionDir}) lacks: ${missing.join(', ')}`);

    const nodeModules: string[] = [];
    walk(ctx.extensionDir, (p, isDir) => {
      if (isDir && path.basename(p) === 'node_modules') nodeModules.push(p);
    });
    // Node resolves a bare require through every parent folder too.
    for (let d = path.dirname(ctx.extensionDir); ; d = path.dirname(d)) {
      if (fs.existsSync(path.join(d, 'node_modules'))) nodeModules.push(path.join(d, 'node_modules'));
      if (path.dirname(d) === d) break;
    }
    assert.deepEqual(nodeModules, [], 'a node_modules folder is on the installed extension\'s module path');
    assert.ok(path.relative(ctx.repoRoot, ctx.extensionDir).startsWith('..'), `the installed folder ${ctx.extensionDir} is inside the repo`);
  });

  it('a fresh install shows the Traces view with its welcome buttons', async () => {
    const ctx = installedContext();
    const { page, manifest } = ctx;
    const welcome = manifest.contributes?.viewsWelcome?.find((w) => w.view === 'metacot.traces');
    assert.ok(welcome, 'the installed package.json has no viewsWelcome for metacot.traces');
    // A line that is only a command link is rendered as a button; links inside text stay links.
    const buttons = welcome.contents.split('\n').flatMap((l) => /^\[([^\]]+)\]\(command:[^)]+\)$/.exec(l.trim())?.[1] ?? []);
    assert.ok(buttons.length > 0, `the welcome content has no button line: ${welcome.contents}`);
    await page.locator(`.part.activitybar .action-item a[aria-label^="${manifest.displayName.split(' ')[0]}"]`).first().click();
    const content = page.locator('.part.sidebar .welcome-view-content').first();
    await content.waitFor({ state: 'visible', timeout: 15_000 });
    const shown = await content.locator('.monaco-button').evaluateAll((bs) => bs.map((b) => (b.textContent ?? '').trim()));
    for (const b of buttons) assert.ok(shown.includes(b), `the welcome view lacks the button "${b}"; it shows: ${shown.join(' | ') || '(none)'}`);
    await shoot('welcome');
  });

  it('"Run Search on Selection" from the palette on the sample problem shows a verified answer in the search panel', async () => {
    const ctx = installedContext();
    const { workbench, page } = ctx;
    await workbench.closeQuickInput();
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').fill('countdown.txt');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'countdown.txt' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await workbench.activateTab('countdown.txt');
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End');
    const line = await page.locator('.editor-group-container.active .monaco-editor .view-line').first().textContent();
    assert.equal((line ?? '').replace(/\u00a0/g, ' ').trim(), PROBLEM);

    const title = commandTitle(ctx, 'metacot.runSearchOnSelection');
    const input = await workbench.openCommandPalette();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${title}$`) }) }).first().click();

    // The run may first ask for a strategy (quick pick, first item "Use settings (…)"): take the settings.
    const tab = page.locator('.tabs-container .tab .label-name', { hasText: /^Search: / }).first();
    const useSettings = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: /^Use settings/ }) }).first();
    const tabDeadline = Date.now() + 30_000;
    while (!(await tab.isVisible())) {
      if (await useSettings.isVisible()) await useSettings.click().catch(() => undefined);
      const errors = (await workbench.notifications()).filter((n) => ERROR_TEXT.test(n));
      if (errors.length) assert.fail(`"${title}" showed an error instead of the search panel.\n${await diagnostics(ctx)}`);
      if (Date.now() > tabDeadline) assert.fail(`no "Search: …" panel opened within 30 s of running "${title}".\n${await diagnostics(ctx)}`);
      await page.waitForTimeout(200);
    }
    searchTitle = ((await tab.textContent()) ?? '').trim();
    const frame = await workbench.webview(searchTitle, 30_000);
    const answer = await waitForVerifiedAnswer(ctx, frame);
    // The overview beside the tree says the same (the detail pane shows it while no node is selected).
    const verifiedRow = frame.locator('table.kv tr', { has: frame.locator('th', { hasText: /^Verified$/ }) }).first();
    await verifiedRow.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(((await verifiedRow.locator('td').textContent()) ?? '').trim(), 'yes');
    console.log(`    the panel shows the verified answer: ${answer}`);
    await page.waitForTimeout(1000);
    await shoot('search-panel');
  });

  it('the run wrote its trace under .metacot/traces with result.verified === true', async () => {
    const ctx = installedContext();
    const dir = path.join(ctx.workspaceDir, '.metacot', 'traces');
    const deadline = Date.now() + 10_000;
    let trace: { problem?: { text?: string }; result?: { verified?: boolean; finalAnswer?: string } } | undefined;
    let files: string[] = [];
    // The panel can show the result a moment before the file is saved.
    while (Date.now() < deadline) {
      files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.metacot.json')) : [];
      if (files.length === 1) {
        try {
          trace = JSON.parse(fs.readFileSync(path.join(dir, files[0]), 'utf8'));
          if (trace?.result?.verified === true) break;
        } catch {
          trace = undefined; // caught mid-write
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(files.length, 1, `expected one trace file in ${dir}, found: ${files.join(', ') || 'none'}`);
    assert.ok(trace, `${files[0]} is not valid JSON`);
    assert.equal(trace.problem?.text, PROBLEM);
    assert.equal(trace.result?.verified, true, `result of ${files[0]}: ${JSON.stringify(trace.result)}`);
    // The panel's title is the file's stem and, after " · ", the trace's state (e.g. "running · ✓ 24", "✓ solved 24").
    if (searchTitle) assert.match(searchTitle, new RegExp(`^Search: ${files[0].replace(/\.metacot\.json$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( · .+)?$`));
  });

  it('the walkthrough opens from the palette and its step media load', async function () {
    const ctx = installedContext();
    const { workbench, page, manifest } = ctx;
    const walkthrough = manifest.contributes?.walkthroughs?.[0];
    if (!walkthrough) this.skip(); // the package contributes none
    // Full width for the screenshot: the search panel of the previous test would share the editor area.
    await workbench.runCommand('View: Close All Editors').catch(() => undefined);
    await workbench.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
    const input = await workbench.openCommandPalette();
    await input.fill('>Welcome: Open Walkthrough');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /Open Walkthrough/ }).first().click();
    await input.fill(walkthrough.title);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: walkthrough.title }).first().click();
    const container = page.locator('.editor-group-container.active .gettingStartedContainer').first();
    await container.waitFor({ state: 'visible', timeout: 15_000 });
    await container.locator(`text=${walkthrough.title}`).first().waitFor({ state: 'visible', timeout: 10_000 });
    // A step's media file missing from the package shows up only as a notification ("Error reading markdown document").
    await page.waitForTimeout(2000);
    const errors = (await workbench.notifications()).filter((n) => ERROR_TEXT.test(n));
    await shoot('walkthrough');
    assert.deepEqual(errors, [], `opening the walkthrough "${walkthrough.title}" raised: ${errors.join(' | ')}`);
  });

  it('VS Code reports the installed extension\'s activation time (Running Extensions)', async () => {
    const ctx = installedContext();
    const { workbench, manifest } = ctx;
    // Activated by the earlier tests already; on its own (--grep) a command of its own activates it.
    await workbench.runCommand(commandTitle(ctx, 'metacot.showLog'));
    // An installed extension is listed by its display name.
    const { text, activationMs: ms } = await workbench.runningExtensionRow(manifest.displayName);
    const out = path.join(ctx.repoRoot, 'test-results', 'bench', 'extension-activation-installed.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const record = { source: 'code-server 4.100.3 Running Extensions, installed .vsix', row: text, activationMs: ms, goalMs: ACTIVATION_GOAL_MS, met: ms !== null && ms <= ACTIVATION_GOAL_MS, at: new Date().toISOString() };
    fs.writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
    assert.ok(ms !== null, `no activation time in the row: ${text}`);
    console.log(`    activation of the installed extension as VS Code reports it: ${ms} ms (goal ≤ ${ACTIVATION_GOAL_MS} ms: ${record.met ? 'met' : 'MISSED'})`);
    assert.ok(ms <= ACTIVATION_LIMIT_MS, `activation took ${ms} ms, over ${ACTIVATION_LIMIT_MS} ms (goal ≤ ${ACTIVATION_GOAL_MS} ms): ${text}`);
  });
});

/**
 * Waits for the panel's run status to show the verified-answer chip and returns its text. Fails early, naming what
 * a person would see, when the run ends without one or an error notification appears.
 */
async function waitForVerifiedAnswer(ctx: InstalledContext, frame: Frame): Promise<string> {
  const status = frame.locator('#run-status');
  const chip = status.locator('.chip.ok');
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  let endedAt: number | undefined;
  for (;;) {
    if (await chip.isVisible().catch(() => false)) return ((await chip.textContent()) ?? '').trim();
    const statusText = ((await status.textContent().catch(() => '')) ?? '').trim();
    const errors = (await ctx.workbench.notifications()).filter((n) => ERROR_TEXT.test(n));
    // Finished: a run badge but no progress ring. Give the chip a moment to follow the badge.
    const finished = (await status.locator('.badge').count().catch(() => 0)) > 0 && !/running/.test(statusText);
    if (finished) endedAt ??= Date.now();
    const why = errors.length
      ? 'an error notification appeared'
      : endedAt !== undefined && Date.now() - endedAt > 3000
        ? 'the run ended without a verified answer'
        : Date.now() > deadline
          ? `no verified answer within ${ANSWER_TIMEOUT_MS / 1000} s`
          : undefined;
    if (why) assert.fail(`the search panel never showed a verified answer (${why}); its run status: "${statusText || '(empty)'}".\n${await diagnostics(ctx)}`);
    await ctx.page.waitForTimeout(250);
  }
}
