// UI tests of the workbench surface the extension contributes today. Run by scripts/integration.mjs in Node
// (mocha + Playwright) on the live code-server page, after the in-host suite; see docs/testing.md.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { commandTitle, openProbe, uiContext } from './context';

describe('workbench', () => {
  it('shows the Restricted Mode indicator exactly when the folder is untrusted', async () => {
    const { page, trusted } = uiContext();
    const indicator = page.locator('.part.statusbar .statusbar-item', { hasText: 'Restricted Mode' });
    if (trusted) assert.equal(await indicator.count(), 0, 'Restricted Mode shown although workspace trust is disabled');
    else await indicator.first().waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('F1 opens the command palette in command mode', async () => {
    const { workbench } = uiContext();
    const input = await workbench.openCommandPalette();
    assert.equal(await input.inputValue(), '>');
    await input.pressSequentially('Reload Window');
    await workbench.page.locator('.quick-input-widget .monaco-list-row').first().waitFor();
    assert.ok((await workbench.quickInputLabels()).includes('Developer: Reload Window'));
    await workbench.closeQuickInput();
  });

  it('runs "Meta-CoT: Show Log" from the palette and shows the Meta-CoT output channel', async () => {
    const ctx = uiContext();
    const title = commandTitle(ctx, 'metacot.showLog');
    assert.ok(title, 'metacot.showLog is not in package.json contributes.commands, so the command palette cannot offer it');
    await ctx.workbench.runCommand(title);
    await ctx.workbench.waitForOutputChannel('Meta-CoT');
    await ctx.workbench.screenshot('output-channel');
  });
});

describe('webview helpers (harness probe panel)', () => {
  const TITLE = 'Harness Probe';
  before(async () => {
    await openProbe(uiContext());
  });

  it('find a webview panel by its tab title and read its DOM', async () => {
    const { workbench } = uiContext();
    assert.equal(await workbench.webviewText(TITLE, '#probe-title'), TITLE);
    assert.equal(await workbench.webviewText(TITLE, '#probe-status'), 'ready');
  });

  it('click inside the webview; the message reaches the extension host and its answer the page', async () => {
    const { workbench, probeFile } = uiContext();
    await workbench.clickInWebview(TITLE, '#probe-button');
    const frame = await workbench.webview(TITLE);
    await frame.locator('#probe-status', { hasText: 'acknowledged 1' }).waitFor({ timeout: 10_000 });
    const messages = fs.readFileSync(probeFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(messages, [{ type: 'ping', clicks: 1 }]);
    await workbench.screenshot('webview-probe');
  });

  it('F1 still opens the command palette while the webview has focus', async () => {
    const { workbench } = uiContext();
    await workbench.clickInWebview(TITLE, '#probe-title'); // focus inside the webview's iframes
    const input = await workbench.openCommandPalette();
    assert.equal(await input.inputValue(), '>');
    await workbench.closeQuickInput();
  });
});
