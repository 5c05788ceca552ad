/**
 * The search panel: a webview beside the editor that follows a running search live and shows any trace file.
 * Edits made here are saved at once (no editor tab shows a dirty mark for it). A WebviewPanelSerializer restores
 * open panels after a reload: the page reports the trace id it restored from its state, which maps to the file.
 */
import * as vscode from 'vscode';
import type { Services } from './services';
import { PanelHost, renderPanelHtml, webviewOptions } from './panelHost';
import type { TraceActions } from './traceActions';

const STATE_KEY = 'metacot.searchPanels';

export class SearchPanel implements vscode.Disposable {
  static readonly viewType = 'metacot.searchPanel';
  private static readonly panels = new Set<SearchPanel>();
  private static services: Services;
  private static actions: TraceActions;

  /** The light bundle registers the serializer (see extension.ts) and forwards restores to `restore`. */
  static register(services: Services, actions: TraceActions): void {
    SearchPanel.services = services;
    SearchPanel.actions = actions;
  }

  /** Shows the trace in a panel (reusing the one already showing it), optionally revealing a node. */
  static async show(uri: vscode.Uri, opts: { nodeId?: string; preserveFocus?: boolean } = {}): Promise<SearchPanel> {
    let sp = [...SearchPanel.panels].find((p) => p.host?.uri.toString() === uri.toString());
    if (sp) sp.panel.reveal(undefined, opts.preserveFocus ?? true);
    else {
      const panel = vscode.window.createWebviewPanel(
        SearchPanel.viewType,
        SearchPanel.title(uri),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus ?? true },
        { ...webviewOptions(SearchPanel.services.context.extensionUri), retainContextWhenHidden: true },
      );
      sp = new SearchPanel(panel);
      await sp.attach(uri);
    }
    if (opts.nodeId) SearchPanel.services.selection.select({ uri, nodeId: opts.nodeId, source: 'command' });
    return sp;
  }

  static all(): SearchPanel[] {
    return [...SearchPanel.panels];
  }

  private static title(uri: vscode.Uri): string {
    return `Search: ${uri.path.split('/').pop()!.replace(/\.metacot\.json$/, '')}`;
  }

  /**
   * Restores a panel after a reload. The page reports the trace it had (`ready.restoredTraceId`, from its saved
   * state) in its first message, which maps back to the file; `firstMessage` stands in for it in tests.
   */
  static async restore(panel: vscode.WebviewPanel, state: unknown, firstMessage?: unknown): Promise<void> {
    const services = SearchPanel.services;
    panel.webview.options = webviewOptions(services.context.extensionUri);
    const sp = new SearchPanel(panel);
    const fromState = typeof state === 'object' && state !== null && typeof (state as { uri?: unknown }).uri === 'string' ? (state as { uri: string }).uri : undefined;
    const onFirst = async (data: unknown) => {
      const { parseWebviewMessage } = await import('../protocol/parseMessage');
      const parsed = parseWebviewMessage(data);
      const traceId = parsed.ok && parsed.message.type === 'ready' ? parsed.message.restoredTraceId : undefined;
      const known = services.context.workspaceState.get<Record<string, string>>(STATE_KEY, {});
      const uriText = fromState ?? (traceId ? known[traceId] : undefined) ?? services.context.workspaceState.get<string>(`${STATE_KEY}.last`);
      if (!uriText) {
        panel.dispose();
        return;
      }
      try {
        await sp.attach(vscode.Uri.parse(uriText), data);
      } catch (err) {
        services.log.warn(`search panel: cannot restore ${uriText}: ${String(err)}`);
        panel.dispose();
      }
    };
    if (firstMessage !== undefined) return onFirst(firstMessage);
    // Until the page speaks, keep its first message for the host that will own the panel.
    const first = panel.webview.onDidReceiveMessage((data: unknown) => {
      first.dispose();
      void onFirst(data);
    });
    panel.webview.html = renderPanelHtml(panel.webview, services.context.extensionUri, panel.title);
  }

  host: PanelHost | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(readonly panel: vscode.WebviewPanel) {
    SearchPanel.panels.add(this);
    panel.iconPath = vscode.Uri.joinPath(SearchPanel.services.context.extensionUri, 'media', 'icons', 'metacot.svg');
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active && this.host) SearchPanel.services.active.uri = this.host.uri;
      }),
    );
  }

  /** Binds the panel to a trace file; `replay` is a first message already received (restore after reload). */
  private async attach(uri: vscode.Uri, replay?: unknown): Promise<void> {
    const services = SearchPanel.services;
    const model = await services.models.open(uri);
    this.host = new PanelHost(services, SearchPanel.actions, this.panel.webview, model, { saveEdits: true });
    this.panel.title = SearchPanel.title(uri);
    services.active.uri = uri;
    const state = model.current();
    const traceId = services.runs.forUri(uri)?.traceId ?? (state.ok ? state.trace.id : undefined);
    const known = { ...services.context.workspaceState.get<Record<string, string>>(STATE_KEY, {}) };
    if (traceId) known[traceId] = uri.toString();
    await services.context.workspaceState.update(STATE_KEY, known);
    await services.context.workspaceState.update(`${STATE_KEY}.last`, uri.toString());
    if (replay !== undefined) await this.host.receive(replay);
    else this.panel.webview.html = renderPanelHtml(this.panel.webview, services.context.extensionUri, this.panel.title);
  }

  dispose(): void {
    SearchPanel.panels.delete(this);
    this.host?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
