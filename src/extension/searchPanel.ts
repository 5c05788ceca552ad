/**
 * The search panel: a webview beside the editor that follows a running search live and shows any trace file.
 * Edits made here are saved at once (no editor tab shows a dirty mark for it). A WebviewPanelSerializer restores
 * open panels after a reload: the page reports the trace id it restored from its state, which maps to the file.
 */
import * as vscode from 'vscode';
import type { Services } from './services';
import { PanelHost, renderPanelHtml, webviewOptions } from './panelHost';
import type { TraceActions } from './traceActions';
import type { Log } from './secrets';
import { FileTraceModel } from './traceModel';
import { traceMark } from '../core/analyse/runOutcome';

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
  /** `inPlace`: in the active editor group, as a file opens (Open Trace on a big file), not beside it. */
  static async show(uri: vscode.Uri, opts: { nodeId?: string; preserveFocus?: boolean; inPlace?: boolean } = {}): Promise<SearchPanel> {
    let sp = [...SearchPanel.panels].find((p) => p.host?.uri.toString() === uri.toString());
    if (sp) sp.panel.reveal(undefined, opts.preserveFocus ?? true);
    else {
      const groupsBefore = vscode.window.tabGroups.all.length;
      const panel = vscode.window.createWebviewPanel(
        SearchPanel.viewType,
        SearchPanel.title(uri),
        { viewColumn: opts.inPlace ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside, preserveFocus: opts.preserveFocus ?? true },
        { ...webviewOptions(SearchPanel.services.context.extensionUri), retainContextWhenHidden: true },
      );
      sp = new SearchPanel(panel);
      await sp.attach(uri);
      if (groupsBefore === 1 && !opts.inPlace) await widenBeside(SearchPanel.services.log);
    }
    if (opts.nodeId) SearchPanel.services.selection.select({ uri, nodeId: opts.nodeId, source: 'command' });
    return sp;
  }

  static all(): SearchPanel[] {
    return [...SearchPanel.panels];
  }

  /** "Search: <file> · ✓ solved 24": the file's stem (traceNaming's names stay file names) and the trace's mark. */
  private static title(uri: vscode.Uri, endedMark = ''): string {
    const stem = `Search: ${uri.path.split('/').pop()!.replace(/\.metacot\.json$/, '')}`;
    const services = SearchPanel.services;
    const run = services.runs.forUri(uri);
    const model = run ? undefined : services.models.peek(uri);
    // Never parses for a title: a big file is parsed once, after its page starts booting (see attach).
    const state = model?.parsed ? model.current() : undefined;
    const trace = run ? run.tree.trace : state?.ok ? state.trace : undefined;
    // A run that just ended on a file no editor has parsed: its last tree is the file's content (the runner saved it).
    const mark = trace ? traceMark(trace, run !== undefined) : endedMark;
    return mark ? `${stem} · ${mark}` : stem;
  }

  /** The title follows the trace: a run starting, checkpointing and ending, an edit, a re-run. */
  private retitle(): void {
    if (!this.host) return;
    const title = SearchPanel.title(this.host.uri, this.endedMark);
    if (this.panel.title !== title) this.panel.title = title;
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
  /** The mark of the last run that ended here, for the title while no editor holds the parsed file. */
  private endedMark = '';
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(readonly panel: vscode.WebviewPanel) {
    SearchPanel.panels.add(this);
    panel.iconPath = vscode.Uri.joinPath(SearchPanel.services.context.extensionUri, 'media', 'icons', 'metacot.svg');
    const services = SearchPanel.services;
    const mine = (uri: vscode.Uri) => this.host?.uri.toString() === uri.toString();
    this.disposables.push(
      services.models.onDidChangeModel((uri) => mine(uri) && this.retitle()),
      services.runs.onDidChange(() => this.retitle()),
      services.runs.onDidEnd((run) => {
        if (!mine(run.uri)) return;
        this.endedMark = traceMark(run.tree.trace, false);
        this.retitle();
      }),
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
    this.endedMark = '';
    this.panel.title = SearchPanel.title(uri);
    services.active.uri = uri;
    const remember = async () => {
      const state = model.current();
      const traceId = services.runs.forUri(uri)?.traceId ?? (state.ok ? state.trace.id : undefined);
      const known = { ...services.context.workspaceState.get<Record<string, string>>(STATE_KEY, {}) };
      if (traceId) known[traceId] = uri.toString();
      await services.context.workspaceState.update(STATE_KEY, known);
      await services.context.workspaceState.update(`${STATE_KEY}.last`, uri.toString());
    };
    if (replay === undefined && !model.parsed && model instanceof FileTraceModel) {
      // A big file: the page boots (a second or more) while the host reads and parses it in steps, not after; a
      // synchronous parse here would hold the page's start back until it ended.
      this.panel.webview.html = renderPanelHtml(this.panel.webview, services.context.extensionUri, this.panel.title);
      void model.load().then(() => {
        if (!SearchPanel.panels.has(this)) return;
        return remember().then(() => this.retitle());
      }).catch((e: unknown) => services.log.warn(`search panel: ${String(e)}`));
      return;
    }
    await remember();
    // remember() read the trace: the title can carry its mark now (a run that ended before the panel opened).
    this.retitle();
    if (replay !== undefined) await this.host.receive(replay);
    else this.panel.webview.html = renderPanelHtml(this.panel.webview, services.context.extensionUri, this.panel.title);
  }

  dispose(): void {
    SearchPanel.panels.delete(this);
    this.host?.dispose();
    // The last panel on a big file lets its file model (and the parsed trace) go; a text model is VS Code's to close.
    const uri = this.host?.uri;
    if (uri && ![...SearchPanel.panels].some((p) => p.host?.uri.toString() === uri.toString())) SearchPanel.services.models.releaseFile(uri);
    for (const d of this.disposables) d.dispose();
  }
}

/** Share of the editor area the panel gets when it opens a new group beside the editor (the tree needs the width). */
export const PANEL_SHARE = 0.6;

/**
 * A panel that split the editor area in two gets PANEL_SHARE of its width (VS Code splits in halves); a layout the
 * person had already (two or more groups, a vertical split) is left as it is.
 */
async function widenBeside(log: Log): Promise<void> {
  try {
    const layout = (await vscode.commands.executeCommand('vscode.getEditorLayout')) as { orientation: number; groups: unknown[] } | undefined;
    if (!layout || layout.orientation !== 0 || layout.groups.length !== 2) return;
    await vscode.commands.executeCommand('vscode.setEditorLayout', { orientation: 0, groups: [{ size: 1 - PANEL_SHARE }, { size: PANEL_SHARE }] });
  } catch (err) {
    log.warn(`search panel: cannot set the editor layout: ${String(err)}`);
  }
}
