/**
 * Custom editor for `*.metacot.json`. The TextDocument is the model (see traceModel.ts), so undo / redo / dirty /
 * save / revert are VS Code's own. An invalid file gets an error view with the parse error and "Reopen as Text";
 * nothing is ever written back to it.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { Services } from './services';
import { PanelHost, renderPanelHtml, webviewOptions } from './panelHost';
import type { TraceActions } from './traceActions';
import { escapeHtml } from '../protocol/panelHtml';

export class TraceEditorProvider implements vscode.CustomTextEditorProvider {
  static readonly viewType = 'metacot.traceEditor';
  /** Open editors, by document URI: commands reveal nodes in them and tests drive them. */
  static readonly hosts = new Map<string, Set<PanelHost>>();
  /** Documents currently shown as the error view, with the parse error (tests read it). */
  static readonly errorViews = new Map<string, string>();

  /** The light bundle registers the view type (see extension.ts) and forwards resolveCustomTextEditor here. */
  static register(services: Services, actions: TraceActions): TraceEditorProvider {
    return new TraceEditorProvider(services, actions);
  }

  private constructor(
    private readonly services: Services,
    private readonly actions: TraceActions,
  ) {}

  async resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): Promise<void> {
    const { services, actions } = this;
    const model = services.models.forDocument(document);
    const extensionUri = services.context.extensionUri;
    panel.webview.options = webviewOptions(extensionUri);
    const key = document.uri.toString();
    let host: PanelHost | undefined;
    let showingError = false;

    /** `optimistic`: show the panel before the document is parsed (see the first render below). */
    const render = (optimistic = false) => {
      const state = optimistic ? undefined : model.current();
      if (state && !state.ok) {
        if (host) unregister(host);
        host?.dispose();
        host = undefined;
        showingError = true;
        TraceEditorProvider.errorViews.set(key, state.error.message);
        panel.webview.html = errorHtml(panel.webview, state.error.message, vscode.workspace.asRelativePath(document.uri));
        return;
      }
      if (host && !showingError) return;
      showingError = false;
      TraceEditorProvider.errorViews.delete(key);
      host = new PanelHost(services, actions, panel.webview, model, { saveEdits: false });
      register(host);
      panel.webview.html = renderPanelHtml(panel.webview, extensionUri, `Trace: ${vscode.workspace.asRelativePath(document.uri)}`);
    };
    const register = (h: PanelHost) => {
      let set = TraceEditorProvider.hosts.get(key);
      if (!set) TraceEditorProvider.hosts.set(key, (set = new Set()));
      set.add(h);
    };
    const unregister = (h: PanelHost) => {
      const set = TraceEditorProvider.hosts.get(key);
      set?.delete(h);
      if (set?.size === 0) TraceEditorProvider.hosts.delete(key);
    };

    // The error page sends only the `openAsText` request; validated like every other message, answered by the
    // same trace action (the page shows no reply: the text editor opening is the answer).
    const errorMessages = panel.webview.onDidReceiveMessage(async (data: unknown) => {
      if (!showingError) return;
      const { parseWebviewMessage } = await import('../protocol/parseMessage');
      const parsed = parseWebviewMessage(data);
      if (!parsed.ok) services.log.warn(`trace editor: dropped ${parsed.error}`);
      else if (parsed.message.type === 'request' && parsed.message.method === 'openAsText') {
        await actions.openAsText(document.uri).catch((e: unknown) => services.log.error(`trace editor: open as text failed: ${String(e)}`));
      }
    });
    // A fixed (now valid) file replaces the error view; a broken one replaces the panel with the error view.
    const changes = model.onDidChange((c) => {
      if (c.kind !== 'reload') return;
      const ok = model.current().ok;
      if (ok === showingError) render();
    });
    const focus = panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) services.active.uri = document.uri;
    });
    if (panel.active) services.active.uri = document.uri;
    let disposed = false;
    panel.onDidDispose(() => {
      disposed = true;
      if (host) unregister(host);
      host?.dispose();
      if (showingError) TraceEditorProvider.errorViews.delete(key);
      errorMessages.dispose();
      changes.dispose();
      focus.dispose();
    });
    if (model.parsed) render();
    else {
      // The webview boots (seconds in a browser) while the host parses a large document, instead of after it; a
      // document that does not parse replaces the panel with the error view as soon as that is known.
      render(true);
      setTimeout(() => {
        if (!disposed && !model.current().ok) render();
      }, 0);
    }
  }

  /** The hosts showing a document, newest first. */
  static hostsFor(uri: vscode.Uri): PanelHost[] {
    return [...(TraceEditorProvider.hosts.get(uri.toString()) ?? [])].reverse();
  }
}

/** Error view: the parse error, path by path, and a button that reopens the file in the text editor. */
function errorHtml(webview: vscode.Webview, message: string, file: string): string {
  const nonce = randomBytes(16).toString('hex');
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 16px 24px; }
  h2 { font-weight: 600; }
  pre { background: var(--vscode-textCodeBlock-background); padding: 12px; white-space: pre-wrap; border-left: 3px solid var(--vscode-errorForeground); }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 6px 14px; cursor: pointer; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  p.note { color: var(--vscode-descriptionForeground); }
</style>
<title>Invalid trace</title>
</head>
<body>
  <h2 id="title">This file is not a valid Meta-CoT trace</h2>
  <p>${escapeHtml(file)}</p>
  <pre id="error" role="alert">${escapeHtml(message)}</pre>
  <p class="note">The file has not been changed. Fix it as text; this view refreshes when it becomes valid.</p>
  <button id="reopen">Reopen as Text</button>
  <script nonce="${nonce}">
    const vscode = acquireVsCodeApi();
    document.getElementById('reopen').addEventListener('click', () => vscode.postMessage({ type: 'request', requestId: 'reopen-' + Date.now(), method: 'openAsText', params: {} }));
  </script>
</body>
</html>`;
}
