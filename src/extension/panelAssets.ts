/**
 * The panel page's script and first stylesheets, read from media/webview/ to be carried inside the page (see
 * PanelHtmlOptions.inline: a fetched file costs a service-worker round trip through the workbench before the page can
 * start). Read once and kept while the files are unchanged (a rebuild during development is picked up).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PANEL_SCRIPT_FILE } from '../protocol/panelHtml';

/** Inlined in this order; KaTeX's stylesheet is left to the markdown chunk, which adds it when math can render. */
export const INLINE_STYLE_FILES = ['codicon.css', 'main.css'] as const;

let cached: { key: string; script: string; styles: string[] } | undefined;

/** The page's script and inlined styles, or undefined when a file is missing (the page then loads them by URL). */
export function panelAssets(webviewDir: string): { script: string; styles: string[] } | undefined {
  const files = [PANEL_SCRIPT_FILE, ...INLINE_STYLE_FILES].map((f) => join(webviewDir, f));
  try {
    const key = files.map((f) => `${f}:${statSync(f).mtimeMs}`).join('|');
    if (cached?.key !== key) {
      const [script, ...styles] = files.map((f) => readFileSync(f, 'utf8'));
      cached = { key, script: script!, styles };
    }
    return { script: cached.script, styles: cached.styles };
  } catch {
    return undefined;
  }
}
