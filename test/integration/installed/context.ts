// What scripts/integrationInstalled.mjs hands the installed-mode UI tests (test/integration/installed/*.ui.ts): the
// live workbench of a code-server whose only copy of the extension is the one `--install-extension` put in a fresh
// extensions folder. Also: screenshots for the README and the diagnostics a failed test reports.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { Workbench } from '../ui/workbench';

export interface InstalledContext {
  page: Page;
  workbench: Workbench;
  /** package.json of the installed extension (read from its folder, not from the repo). */
  manifest: {
    name: string;
    publisher: string;
    displayName: string;
    contributes?: {
      commands?: { command: string; title: string; category?: string }[];
      viewsWelcome?: { view: string; contents: string }[];
      walkthroughs?: { id: string; title: string }[];
    };
  };
  /** <extensions dir>/<publisher>.<name>-<version>, where --install-extension unpacked the .vsix. */
  extensionDir: string;
  repoRoot: string;
  /** The temp copy of test/integration/installed/workspace the workbench has open. */
  workspaceDir: string;
  userDataDir: string;
  logs: { codeServer: string; browserConsole: string };
  screenshotsDir: string;
}

export function installedContext(): InstalledContext {
  const ctx = (globalThis as { __metacotInstalled?: InstalledContext }).__metacotInstalled;
  if (!ctx) throw new Error('no installed-mode context: these tests run only through node scripts/integrationInstalled.mjs');
  return ctx;
}

/** The palette title of a contributed command ("Category: Title"). */
export function commandTitle(ctx: InstalledContext, command: string): string {
  const c = ctx.manifest.contributes?.commands?.find((x) => x.command === command);
  if (!c) throw new Error(`the installed package.json contributes no command ${command}`);
  return c.category ? `${c.category}: ${c.title}` : c.title;
}

/** Screenshot `installed-<name>.png`; with METACOT_UPDATE_SCREENSHOTS=1 also media/screenshots/installed-<name>.png. */
export async function shoot(name: string): Promise<string> {
  const ctx = installedContext();
  const file = await ctx.workbench.screenshot(name);
  if (process.env.METACOT_UPDATE_SCREENSHOTS === '1') {
    const dir = path.join(ctx.repoRoot, 'media', 'screenshots');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(file, path.join(dir, `installed-${name}.png`));
  }
  return file;
}

/** Every file under `dir` (recursively) whose path matches `re`. */
function findFiles(dir: string, re: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, re));
    else if (re.test(p)) out.push(p);
  }
  return out;
}

function tail(file: string, lines: number): string[] {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

/**
 * What a person would look at when the run did not show an answer: the notifications on screen, the last lines of
 * the remote extension host's log and of the extension's own output channel (both written under the user-data
 * dir's logs/), and the workbench console's errors.
 */
export async function diagnostics(ctx: InstalledContext, lines = 12): Promise<string> {
  const parts: string[] = [];
  const toasts = await ctx.workbench.notifications().catch(() => [] as string[]);
  parts.push(`notifications: ${toasts.length ? toasts.map((t) => JSON.stringify(t)).join(' | ') : '(none)'}`);
  const logs = path.join(ctx.userDataDir, 'logs');
  for (const f of findFiles(logs, /(remoteexthost|exthost)\.log$|Meta-CoT\.log$/)) {
    parts.push(`--- last lines of ${path.relative(logs, f)}:`, ...tail(f, lines));
  }
  const errors = tail(ctx.logs.browserConsole, 400).filter((l) => /^\[(error|pageerror)\]/.test(l)).slice(-5);
  if (errors.length) parts.push('--- workbench console errors:', ...errors);
  return parts.join('\n');
}
