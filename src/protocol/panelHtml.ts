/**
 * The search panel's HTML document, shared by the extension host and the test harness so both serve the same page
 * under the same Content-Security-Policy. Pure string building: no vscode, no DOM.
 */

export interface PanelHtmlOptions {
  /** `webview.cspSource` (the harness passes its http origin). */
  cspSource: string;
  /** Fresh random nonce per render (see `makeNonce`). */
  nonce: string;
  /**
   * URI of media/webview/main.js as the webview can load it: an ES module, whose chunks (media/webview/chunks/) it
   * imports itself; module scripts it imports inherit its nonce, so the CSP stays nonce-only.
   */
  scriptUri: string;
  /** Stylesheets in order: codicon.css, katex/katex.min.css, main.css (media/webview/; main.css is webview/panel.css bundled). */
  styleUris: string[];
  title?: string;
}

/**
 * No 'unsafe-inline' anywhere: KaTeX's inline `style` attributes are moved to data attributes while rendering and
 * applied through CSSOM (element.style), which CSP does not restrict. The `csp-nonce` meta tag is where the toolkit's
 * FAST runtime looks for the nonce of the one <style> element it creates (its focus-visible probe).
 */
export function panelCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

/** Escapes text for HTML content and double-quoted attributes (the panel page and the editor's error page). */
export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The HTML document every webview of the extension serves (the search panel, the Experiment view): the CSP above,
 * nonce'd style links and one nonce'd script after `body` (a module when `module`: the panel imports its chunks).
 */
export function webviewDocument(o: { cspSource: string; nonce: string; scriptUri: string; styleUris: readonly string[]; title: string; body: string; module?: boolean }): string {
  const nonce = escapeHtml(o.nonce);
  const links = o.styleUris.map((u) => `<link rel="stylesheet" href="${escapeHtml(u)}" nonce="${nonce}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(panelCsp(o.cspSource, o.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <meta property="csp-nonce" content="${nonce}">
    ${links}
    <title>${escapeHtml(o.title)}</title>
  </head>
  <body>
    ${o.body}
    <script nonce="${nonce}"${o.module ? ' type="module"' : ''} src="${escapeHtml(o.scriptUri)}"></script>
  </body>
</html>`;
}

export function panelHtml(o: PanelHtmlOptions): string {
  return webviewDocument({ ...o, title: o.title ?? 'Meta-CoT Search', body: '<div id="app" class="app" role="application" aria-label="Search tree panel"></div>', module: true });
}

/** 32 characters from [A-Za-z0-9]; `random` is injectable for tests, defaults to Math.random. */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[Math.floor(random() * chars.length)];
  return s;
}

/** Files under media/webview/ the panel loads, relative to that folder, in the order panelHtml expects. */
export const PANEL_STYLE_FILES = ['codicon.css', 'katex/katex.min.css', 'main.css'] as const;
export const PANEL_SCRIPT_FILE = 'main.js';
