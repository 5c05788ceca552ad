/**
 * The Experiment view's HTML document, shared by its host (experimentView.ts) and the webview test harness so both
 * serve one page under the panel's Content-Security-Policy (nonce scripts only, no inline handlers or styles).
 * Pure string building: no vscode, no DOM.
 */
import { escapeHtml, panelCsp } from '../protocol/panelHtml';

export interface ExperimentHtmlOptions {
  cspSource: string;
  nonce: string;
  /** media/webview/experiment.js as the webview can load it. */
  scriptUri: string;
  /** codicon.css then experiment.css (see EXPERIMENT_STYLE_FILES). */
  styleUris: string[];
  title: string;
}

/** Files under media/webview/ the page loads (scripts/build.mjs writes experiment.js and experiment.css). */
export const EXPERIMENT_STYLE_FILES = ['codicon.css', 'experiment.css'] as const;
export const EXPERIMENT_SCRIPT_FILE = 'experiment.js';

export function experimentHtml(o: ExperimentHtmlOptions): string {
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
    <main id="experiment" class="experiment" aria-label="Experiment"></main>
    <script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>
  </body>
</html>`;
}
