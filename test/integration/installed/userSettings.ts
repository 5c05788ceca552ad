// The installed workbench's user settings, changed the way a person does it: "Preferences: Open User Settings (JSON)",
// the new text in the editor, save. (A file written behind code-server's back was not picked up by its settings
// service within seconds: the run kept the old endpoint.) Used by the installed-mode UI tests.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InstalledContext } from './context';

function settingsFile(ctx: InstalledContext): string {
  return path.join(ctx.userDataDir, 'User', 'settings.json');
}

export function readUserSettings(ctx: InstalledContext): Record<string, unknown> {
  const f = settingsFile(ctx);
  // VS Code writes plain JSON here (the runner and the settings editors); a file it never wrote is empty.
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8') || '{}') as Record<string, unknown>) : {};
}

/**
 * Sets (or, with `undefined`, removes) settings through the settings.json editor and returns what they were before,
 * for `patchUserSettings(ctx, old)`. Resolves once the saved file holds exactly the new settings; the editor is closed.
 */
export async function patchUserSettings(ctx: InstalledContext, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { page, workbench } = ctx;
  const current = readUserSettings(ctx);
  const before: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    before[k] = current[k];
    if (v === undefined) delete current[k];
    else current[k] = v;
  }
  await workbench.runCommand('Preferences: Open User Settings (JSON)');
  await workbench.activateTab('settings.json');
  const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await editor.waitFor({ state: 'visible', timeout: 10_000 });
  await editor.click();
  await page.keyboard.press('Control+A');
  // One line inserted at once: no auto-indent of new lines. The editor still auto-closes the first bracket and quote
  // after the cursor; those go with the rest of the old text.
  await page.keyboard.insertText(JSON.stringify(current));
  await page.keyboard.press('Control+Shift+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  const deadline = Date.now() + 10_000;
  for (;;) {
    let saved: unknown;
    try {
      saved = readUserSettings(ctx);
    } catch {
      saved = undefined; // caught mid-write
    }
    if (JSON.stringify(saved) === JSON.stringify(current)) break;
    if (Date.now() > deadline) assert.fail(`settings.json did not save as written: ${fs.readFileSync(settingsFile(ctx), 'utf8')}`);
    await page.waitForTimeout(100);
  }
  await workbench.runCommand('View: Close Editor').catch(() => undefined);
  return before;
}
