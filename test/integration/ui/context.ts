// What scripts/integration.mjs hands each UI test: the live workbench page of the current trust mode.
// UI tests are mocha files (describe / it) named test/integration/ui/*.ui.ts, run by the runner in Node
// while the extension host holds after the in-host suite; they call uiContext() inside their tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { Workbench } from './workbench';

export interface UiContext {
  page: Page;
  workbench: Workbench;
  /** false in restricted mode (`--trust on`), true when workspace trust is disabled (`--trust off`). */
  trusted: boolean;
  mode: 'trusted' | 'restricted';
  /** The extension's package.json as the runner read it. */
  manifest: {
    name: string;
    publisher: string;
    contributes?: { commands?: { command: string; title: string; category?: string }[] } & Record<string, unknown>;
  };
  /** The temp copy of test/fixtures/workspace the workbench has open. */
  workspaceDir: string;
  /** JSON lines the harness probe webview (test/integration/uiProbe.ts) received from its page. */
  probeFile: string;
  /** Asks the holding extension host to open the probe webview (titled "Harness Probe"); see openProbe(). */
  screenshotsDir: string;
}

export function uiContext(): UiContext {
  const ctx = (globalThis as { __metacotUi?: UiContext }).__metacotUi;
  if (!ctx) throw new Error('no UI context: UI tests run only through node scripts/integration.mjs');
  return ctx;
}

/**
 * Opens the harness probe webview panel ("Harness Probe": a heading #probe-title, a status line
 * #probe-status and a button #probe-button whose clicks are posted to the extension host, appended to
 * probeFile and acknowledged back as "acknowledged <n>"). It is opened on request so it does not cover the
 * workbench state other UI tests look at. Returns once its tab is on screen.
 */
export async function openProbe(ctx: UiContext, timeoutMs = 15_000): Promise<void> {
  fs.writeFileSync(`${ctx.probeFile}.open`, String(Date.now()));
  await ctx.workbench.tab('Harness Probe').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The palette title of a contributed command ("Category: Title"), or undefined when it is not contributed. */
export function commandTitle(ctx: UiContext, command: string): string | undefined {
  const c = ctx.manifest.contributes?.commands?.find((x) => x.command === command);
  if (!c) return undefined;
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

const repoRoot = path.join(__dirname, '..', '..', '..');

/**
 * Screenshot through the harness; with METACOT_UPDATE_SCREENSHOTS=1 the trusted run's copy also goes to
 * media/screenshots/vscode-<name>.png for the README, so ordinary test runs leave tracked files alone.
 */
export async function shoot(name: string): Promise<string> {
  const { workbench, trusted } = uiContext();
  const file = await workbench.screenshot(name);
  if (trusted && process.env.METACOT_UPDATE_SCREENSHOTS === '1') {
    const dir = path.join(repoRoot, 'media', 'screenshots');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(file, path.join(dir, `vscode-${name}.png`));
  }
  return file;
}
