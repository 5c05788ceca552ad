/**
 * The Experiment view's HTML document, shared by its host (experimentView.ts) and the webview test harness so both
 * serve one page under the panel's Content-Security-Policy (nonce scripts only, no inline handlers or styles).
 * Pure string building: no vscode, no DOM.
 */
import { webviewDocument } from '../protocol/panelHtml';

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
  return webviewDocument({ ...o, body: '<main id="experiment" class="experiment" aria-label="Experiment"></main>' });
}
