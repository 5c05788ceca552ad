// What scripts/integration.mjs hands each UI test: the live workbench page of the current trust mode.
// UI tests are mocha files (describe / it) named test/integration/ui/*.ui.ts, run by the runner in Node
// while the extension host holds after the in-host suite; they call uiContext() inside their tests.
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
  screenshotsDir: string;
}

export function uiContext(): UiContext {
  const ctx = (globalThis as { __metacotUi?: UiContext }).__metacotUi;
  if (!ctx) throw new Error('no UI context: UI tests run only through node scripts/integration.mjs');
  return ctx;
}

/** The palette title of a contributed command ("Category: Title"), or undefined when it is not contributed. */
export function commandTitle(ctx: UiContext, command: string): string | undefined {
  const c = ctx.manifest.contributes?.commands?.find((x) => x.command === command);
  if (!c) return undefined;
  return c.category ? `${c.category}: ${c.title}` : c.title;
}
