// Playwright helpers for driving the VS Code workbench (code-server 4.100 / VS Code 1.100) from UI tests.
// Selectors were read off that workbench's DOM; keep them here so a VS Code update is fixed in one place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';

export interface WorkbenchOptions {
  /** Where screenshot() writes its PNG files. */
  screenshotsDir: string;
  /** Prepended to every screenshot name (the runner passes the trust mode, e.g. `trusted-`). */
  prefix?: string;
}

const SEL = {
  workbench: '.monaco-workbench',
  statusbar: '.part.statusbar',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-widget .monaco-list-row',
  panel: '.part.panel',
  outputView: '.part.panel .output-view',
  outputChannelSelect: '.part.panel select.monaco-select-box',
  outputLines: '.part.panel .output-view .view-lines .view-line',
  tab: '.tabs-container .tab',
  activeGroup: '.editor-group-container.active',
  group: '.part.editor .editor-group-container',
  notificationToast: '.notifications-toasts .notification-toast',
} as const;

export class Workbench {
  constructor(
    readonly page: Page,
    private readonly options: WorkbenchOptions,
  ) {}

  /** Waits for the workbench shell (status bar included) to be on screen. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await this.page.locator(SEL.workbench).waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator(SEL.statusbar).waitFor({ state: 'visible', timeout: timeoutMs });
  }

  /** Saves a PNG named `<prefix><name>.png` under the screenshots folder and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(this.options.screenshotsDir, { recursive: true });
    const file = path.join(this.options.screenshotsDir, `${this.options.prefix ?? ''}${name.replace(/[^\w.-]+/g, '_')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * Opens "Developer: Show Running Extensions" and reads the row whose text matches `label` (the list is virtualised:
   * it scrolls until the row is rendered). Returns the row's text and the activation time it shows, if any.
   */
  async runningExtensionRow(label: string | RegExp): Promise<{ text: string; activationMs: number | null }> {
    await this.runCommand('Developer: Show Running Extensions');
    const editor = this.page.locator('.editor-group-container.active .editor-container').first();
    await editor.locator('.monaco-list-row').first().waitFor({ state: 'visible', timeout: 15_000 });
    const row = editor.locator('.monaco-list-row', { hasText: label }).first();
    const box = await editor.boundingBox();
    for (let i = 0; i < 60 && !(await row.isVisible()); i++) {
      if (box) await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await this.page.mouse.wheel(0, 300);
      await this.page.waitForTimeout(100);
    }
    await row.waitFor({ state: 'visible', timeout: 5_000 });
    await this.page.waitForTimeout(300);
    const text = ((await row.textContent()) ?? '').replace(/\s+/g, ' ');
    const m = /(\d+)\s*ms/.exec(text);
    return { text, activationMs: m ? Number(m[1]) : null };
  }

  // ------------------------------------------------------------------ quick input / command palette

  quickInput(): Locator {
    return this.page.locator(SEL.quickInput);
  }

  /** Opens the command palette with F1 and returns its input box (its value starts with `>`). */
  async openCommandPalette(): Promise<Locator> {
    await this.closeQuickInput();
    const input = this.page.locator(SEL.quickInputBox);
    for (let attempt = 1; ; attempt++) {
      // Keys pressed while a webview has focus go to its iframe, which forwards them to the workbench only
      // sometimes fast enough: take focus back to the workbench document first.
      await this.page.evaluate(
        "(() => { const a = document.activeElement; if (a && a.tagName === 'IFRAME') a.blur(); })()",
      );
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: attempt === 1 ? 5_000 : 10_000 });
        return input;
      } catch (e) {
        if (attempt >= 2) throw new Error(`F1 did not open the command palette (twice): ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }

  /**
   * Opens a workspace file by name with Quick Open (Ctrl+P), as a person does, and waits for its tab. Focus is taken
   * back from a webview first: its iframe would get the key.
   */
  async quickOpen(fileName: string, timeoutMs = 10_000): Promise<void> {
    await this.closeQuickInput();
    for (let attempt = 1; ; attempt++) {
      await this.page.evaluate("(() => { const a = document.activeElement; if (a && a.tagName === 'IFRAME') a.blur(); })()");
      await this.page.keyboard.press('Control+P');
      try {
        await this.page.locator(SEL.quickInputBox).waitFor({ state: 'visible', timeout: 5_000 });
        break;
      } catch (e) {
        if (attempt >= 2) throw new Error(`Ctrl+P did not open Quick Open (twice): ${(e as Error).message.split('\n')[0]}`);
      }
    }
    await this.page.locator(SEL.quickInputBox).fill(fileName);
    const row = this.page.locator(SEL.quickInputRow, { hasText: fileName }).first();
    await row.waitFor({ state: 'visible', timeout: timeoutMs });
    // Click the matching row: Enter takes the focused row, which can still be a recently opened file while the
    // list catches up with the typed name.
    await row.click();
    await this.activateTab(fileName, timeoutMs);
  }

  /** Labels of the rows the quick input shows now (e.g. the palette's matching command titles). */
  async quickInputLabels(): Promise<string[]> {
    return this.page.locator(SEL.quickInputRow).evaluateAll((rows) =>
      rows.map((r) => (r.querySelector('.label-name')?.textContent ?? r.getAttribute('aria-label') ?? '').trim()),
    );
  }

  /** Closes the quick input when one is open. */
  async closeQuickInput(): Promise<void> {
    const widget = this.quickInput();
    if (await widget.isVisible()) {
      await this.page.keyboard.press('Escape');
      await widget.waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }

  /**
   * Runs a command through the palette by its exact title as shown there ("Category: Title"): types it,
   * waits for the row with exactly that label, selects it with Enter. Throws, listing what the palette
   * offered instead, when no row has that label.
   */
  async runCommand(title: string, timeoutMs = 10_000): Promise<void> {
    const input = await this.openCommandPalette();
    await input.fill(`>${title}`);
    const row = this.page.locator(SEL.quickInputRow).filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
    });
    try {
      await row.first().waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      const offered = await this.quickInputLabels();
      await this.closeQuickInput();
      throw new Error(`command palette has no entry "${title}"; it offered: ${offered.length ? offered.join(' | ') : '(nothing)'}`);
    }
    await row.first().click();
    await this.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
  }

  // ------------------------------------------------------------------ panel / output

  /** Name of the channel the Output view shows, or undefined when the Output view is not visible. */
  async visibleOutputChannel(): Promise<string | undefined> {
    if (!(await this.page.locator(SEL.outputView).first().isVisible())) return undefined;
    const select = this.page.locator(SEL.outputChannelSelect).first();
    if (!(await select.count())) return undefined;
    return select.evaluate((s) => (s as unknown as { value: string }).value);
  }

  /** Waits until the Output view shows the channel `name`. */
  async waitForOutputChannel(name: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen: string | undefined;
    while (Date.now() < deadline) {
      seen = await this.visibleOutputChannel();
      if (seen === name) return;
      await this.page.waitForTimeout(100);
    }
    throw new Error(`the Output view does not show channel "${name}" (it shows ${seen === undefined ? 'nothing' : `"${seen}"`})`);
  }

  /** The text lines the Output view's editor renders now (only the visible part of a long channel). */
  async outputLines(): Promise<string[]> {
    return this.page.locator(SEL.outputLines).evaluateAll((ls) => ls.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ')));
  }

  // ------------------------------------------------------------------ editors and webviews

  /** Titles of the editor tabs, in order. */
  async editorTabs(): Promise<string[]> {
    return this.page.locator(SEL.tab).evaluateAll((tabs) => tabs.map((t) => (t.querySelector('.label-name')?.textContent ?? '').trim()));
  }

  /** The editor tab with exactly this title, or whose title matches the pattern (a title that changes as a run ends). */
  tab(title: string | RegExp): Locator {
    const re = typeof title === 'string' ? new RegExp(`^${escapeRegExp(title)}$`) : title;
    return this.page.locator(SEL.tab).filter({ has: this.page.locator('.label-name', { hasText: re }) });
  }

  /** Brings the editor tab with this title (or the first matching the pattern) to the front. */
  async activateTab(title: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const tab = this.tab(title).first();
    try {
      await tab.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      throw new Error(`no editor tab titled ${typeof title === 'string' ? `"${title}"` : title}; tabs: ${(await this.editorTabs()).join(' | ') || '(none)'}`);
    }
    await tab.click();
  }

  /** The editor groups on screen, left to right / top to bottom as VS Code lays them out: box and tab titles. */
  async editorGroups(): Promise<{ x: number; y: number; width: number; height: number; tabs: string[] }[]> {
    return this.page.locator(SEL.group).evaluateAll((gs) =>
      gs.map((g) => {
        const r = g.getBoundingClientRect();
        const tabs = Array.from(g.querySelectorAll('.tabs-container .tab .label-name'), (t) => ((t as { textContent: string | null }).textContent ?? '').trim());
        return { x: r.x, y: r.y, width: r.width, height: r.height, tabs };
      }),
    );
  }

  /**
   * The content frame of the webview panel whose editor tab has this title.
   * A webview is two nested iframes: the outer `iframe.webview` (VS Code's host page, named by the webview
   * id) floats above the editor area, linked to the editor's placeholder `#webview-editor-element-*` by
   * `aria-flowto`; the extension's HTML lives in the outer frame's child iframe `#active-frame`.
   * The tab is activated first (only the active webview of a group is rendered). A webview's first load waits
   * for its service worker; on a loaded 2-core machine that took up to ~10 s, hence the 30 s default.
   */
  async webview(title: string | RegExp, timeoutMs = 30_000): Promise<Frame> {
    await this.activateTab(title, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    let why = 'no webview placeholder in the active editor group';
    while (Date.now() < deadline) {
      const webviewId = await this.page
        .locator(`${SEL.activeGroup} [id^="webview-editor-element-"]`)
        .first()
        .getAttribute('aria-flowto', { timeout: 500 })
        .catch(() => null);
      if (webviewId) {
        const outer = this.page.frames().find((f) => f.name() === webviewId);
        if (!outer) why = `no frame named ${webviewId} (the webview's host iframe)`;
        else {
          // By id, not frame.name(): Playwright fixes a frame's name when it is created, and VS Code creates
          // the content frame as `pending-frame` and renames it `active-frame` once its document is written.
          const handle = await outer.$('iframe#active-frame').catch(() => null);
          const inner = await handle?.contentFrame();
          if (inner) {
            await inner.waitForLoadState('domcontentloaded');
            return inner;
          }
          why = `the webview ${webviewId} has no loaded content frame yet`;
        }
      }
      await this.page.waitForTimeout(100);
    }
    throw new Error(`webview "${title}" not found within ${timeoutMs} ms: ${why}`);
  }

  /** Waits for `selector` inside the webview titled `title` and returns its locator. */
  async waitInWebview(title: string, selector: string, timeoutMs = 30_000): Promise<Locator> {
    const frame = await this.webview(title, timeoutMs);
    const loc = frame.locator(selector).first();
    await loc.waitFor({ state: 'visible', timeout: timeoutMs });
    return loc;
  }

  /** Clicks `selector` inside the webview titled `title`. */
  async clickInWebview(title: string, selector: string, timeoutMs = 30_000): Promise<void> {
    await (await this.waitInWebview(title, selector, timeoutMs)).click();
  }

  /** Text content of `selector` inside the webview titled `title`. */
  async webviewText(title: string, selector: string, timeoutMs = 30_000): Promise<string> {
    return ((await (await this.waitInWebview(title, selector, timeoutMs)).textContent()) ?? '').trim();
  }

  // ------------------------------------------------------------------ notifications

  /** The notification toasts on screen: message and the labels of their action buttons. */
  async notificationToasts(): Promise<{ message: string; actions: string[] }[]> {
    return this.page.locator(SEL.notificationToast).evaluateAll((ts) =>
      ts.map((t) => ({
        message: (t.querySelector('.notification-list-item-message')?.textContent ?? '').trim(),
        actions: Array.from(t.querySelectorAll('.notification-list-item-buttons-container .monaco-button'), (b) => ((b as { textContent: string | null }).textContent ?? '').trim()),
      })),
    );
  }

  // ------------------------------------------------------------------ colour theme

  /** The workbench's theme type from its root classes: light (vs), dark (vs-dark), hc-black or hc-light. */
  async themeType(): Promise<'light' | 'dark' | 'hc-black' | 'hc-light' | 'unknown'> {
    const c = await this.page.locator(SEL.workbench).first().getAttribute('class');
    const classes = new Set((c ?? '').split(/\s+/));
    if (classes.has('hc-black')) return 'hc-black';
    if (classes.has('hc-light')) return 'hc-light';
    if (classes.has('vs-dark')) return 'dark';
    if (classes.has('vs')) return 'light';
    return 'unknown';
  }

  /**
   * Picks a colour theme in "Preferences: Color Theme", as a person does (VS Code saves it as `workbench.colorTheme`
   * in the user settings). `theme` is the setting's value ("Default Light Modern"), which the picker shows as a row's
   * description beside a shorter label ("Light Modern"); a row whose label is `theme` is taken too. Its quick pick
   * takes the palette's place, so this does not use runCommand, which waits for the palette to close.
   */
  async pickColorTheme(theme: string, timeoutMs = 10_000): Promise<void> {
    const input = await this.openCommandPalette();
    await input.fill('>Preferences: Color Theme');
    await this.page
      .locator(SEL.quickInputRow, { has: this.page.locator('.label-name', { hasText: /^Preferences: Color Theme$/ }) })
      .first()
      .click();
    const exact = new RegExp(`^${escapeRegExp(theme)}$`);
    const row = this.page.locator(SEL.quickInputRow).filter({ has: this.page.locator('.label-name, .label-description', { hasText: exact }) }).first();
    // The theme list replaces the palette in the same widget (its first row browses for more themes); the list is
    // virtualised, so filter it by the words after "Default" to bring the row into view.
    await this.page.locator(SEL.quickInputRow, { hasText: /Browse Additional Color Themes/ }).first().waitFor({ state: 'visible', timeout: timeoutMs });
    await this.page.locator(SEL.quickInputBox).fill(theme.replace(/^Default /, ''));
    try {
      await row.waitFor({ state: 'visible', timeout: timeoutMs });
    } catch {
      const offered = await this.quickInputLabels();
      await this.closeQuickInput();
      throw new Error(`the colour theme picker has no "${theme}"; it offered: ${offered.join(' | ') || '(nothing)'}`);
    }
    await row.click();
    await this.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });
  }

  /** Messages of the notification toasts on screen. */
  async notifications(): Promise<string[]> {
    return this.page
      .locator(`${SEL.notificationToast} .notification-list-item-message`)
      .evaluateAll((ms) => ms.map((m) => (m.textContent ?? '').trim()));
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
