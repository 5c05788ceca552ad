/**
 * Host side of the search panel page, shared by the standalone search panel and the custom editor: serves the HTML
 * under a nonce CSP, validates every message from the page with the protocol's zod schemas, turns actions into our
 * commands (one code path for palette, tree view and panel), and keeps the page in sync with the trace document or a
 * live run.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { panelHtml, PANEL_SCRIPT_FILE, PANEL_STYLE_FILES } from '../protocol/panelHtml';
import { parseWebviewMessage } from '../protocol/parseMessage';
import { loadMessageFor, PROTOCOL_VERSION } from '../protocol/hostMessages';
import type { HostMessageInput } from '../protocol/hostMessages';
import type { WebviewMessage } from '../protocol/webviewMessages';
import type { Trace } from '../core/trace/schema';
import type { Services } from './services';
import type { ModelChange, TraceDelta, TraceDocumentModel } from './traceModel';
import type { LiveRun } from './searchRunner';
import { readPanelConfig, isTrusted } from './settings';

let nextHostId = 1;

export interface PanelHostOptions {
  /** Custom editor: edits stay in the (dirty) document. Search panel: edits are saved at once. */
  saveEdits: boolean;
  /** Why the trace cannot be edited (beyond restricted mode), e.g. a read-only file system. */
  readOnlyReason?: string;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media', 'webview')] };
}

export function renderPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const root = vscode.Uri.joinPath(extensionUri, 'media', 'webview');
  return panelHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('hex'),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, PANEL_SCRIPT_FILE)).toString(),
    styleUris: PANEL_STYLE_FILES.map((f) => webview.asWebviewUri(vscode.Uri.joinPath(root, ...f.split('/'))).toString()),
    title,
  });
}

export class PanelHost implements vscode.Disposable {
  readonly id = `host${nextHostId++}`;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private selected: string | undefined;
  private run: LiveRun | undefined;
  private runSubscription: vscode.Disposable | undefined;
  /** Messages the page received, newest last: lets tests check what the panel was told. */
  readonly sent: HostMessageInput[] = [];

  constructor(
    private readonly services: Services,
    readonly webview: vscode.Webview,
    private model: TraceDocumentModel,
    private readonly options: PanelHostOptions,
  ) {
    this.disposables.push(
      webview.onDidReceiveMessage((data) => void this.receive(data)),
      model.onDidChange((c) => this.onModelChange(c)),
      services.selection.onDidSelect((sel) => {
        if (sel.hostId === this.id || sel.uri.toString() !== this.uri.toString()) return;
        this.selected = sel.nodeId;
        this.post({ type: 'revealNode', nodeId: sel.nodeId, select: true, zoom: false });
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.sendReadOnly()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('metacot')) this.post({ type: 'config', ...readPanelConfig() });
      }),
      vscode.window.onDidChangeActiveColorTheme(() => this.post({ type: 'config', themeKind: readPanelConfig().themeKind })),
    );
    const runs = services.runs;
    this.disposables.push(runs.onDidChange(() => this.followRuns()));
    this.followRuns();
  }

  get uri(): vscode.Uri {
    return this.model.uri;
  }

  get selectedNodeId(): string | undefined {
    return this.selected;
  }

  /** The standalone panel can be re-pointed at another trace. */
  setModel(model: TraceDocumentModel): void {
    if (model === this.model) return;
    this.model = model;
    this.selected = undefined;
    this.disposables.push(model.onDidChange((c) => { if (this.model === model) this.onModelChange(c); }));
    this.followRuns();
    if (this.ready) this.sendLoad();
  }

  post(message: HostMessageInput): void {
    if (!this.ready && message.type !== 'loadTrace' && message.type !== 'loadCompactTrace') return;
    this.sent.push(message);
    if (this.sent.length > 200) this.sent.splice(0, this.sent.length - 200);
    void this.webview.postMessage(message);
  }

  /** Same entry as a message from the page: used by the page itself and by integration tests. */
  async receive(data: unknown): Promise<void> {
    const parsed = parseWebviewMessage(data);
    if (!parsed.ok) {
      this.services.log.warn(`panel: dropped ${parsed.error}`);
      return;
    }
    try {
      await this.handle(parsed.message);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const requestId = 'requestId' in parsed.message ? parsed.message.requestId : undefined;
      this.services.log.error(`panel: ${parsed.message.type} failed: ${message}`);
      if (requestId) this.post({ type: 'actionResult', requestId, ok: false, message });
      else this.post({ type: 'error', message });
    }
  }

  private async handle(m: WebviewMessage): Promise<void> {
    const target = { uri: this.uri.toString(), nodeId: '', save: this.options.saveEdits, quiet: true };
    switch (m.type) {
      case 'ready':
        if (m.protocolVersion !== PROTOCOL_VERSION) {
          this.services.log.warn(`panel speaks protocol ${m.protocolVersion}, host ${PROTOCOL_VERSION}`);
        }
        this.ready = true;
        this.post({ type: 'config', ...readPanelConfig() });
        this.sendReadOnly();
        this.sendLoad();
        return;
      case 'selectNode':
        this.selected = m.nodeId ?? undefined;
        if (m.nodeId) this.services.selection.select({ uri: this.uri, nodeId: m.nodeId, source: 'panel', hostId: this.id });
        return;
      case 'editNode': {
        const res = await vscode.commands.executeCommand<{ nodeId: string } | undefined>('metacot.editNode', { ...target, nodeId: m.nodeId, text: m.text, mode: m.mode });
        this.answer(m.requestId, res?.nodeId);
        return;
      }
      case 'pruneNode':
        await vscode.commands.executeCommand('metacot.pruneBranch', { ...target, nodeId: m.nodeId, reason: m.reason });
        this.answer(m.requestId);
        return;
      case 'markNode':
        await vscode.commands.executeCommand('metacot.markNode', { ...target, nodeId: m.nodeId, label: m.label });
        this.answer(m.requestId);
        return;
      case 'rerunFromNode': {
        // Answer when the run has started; the page follows it through deltas.
        const started = await vscode.commands.executeCommand<{ runId: string } | undefined>('metacot.rerunFromNode', {
          ...target,
          nodeId: m.nodeId,
          strategy: m.strategy,
          params: m.params,
          budgets: m.budgets,
          wait: false,
        });
        this.answer(m.requestId, undefined, started ? `run ${started.runId} started` : undefined);
        return;
      }
      case 'cancelRun':
        await vscode.commands.executeCommand('metacot.cancelSearch', { runId: m.runId, uri: this.uri.toString() });
        this.answer(m.requestId);
        return;
      case 'openAsText':
        await vscode.commands.executeCommand('metacot.openAsText', { uri: this.uri.toString(), nodeId: m.nodeId });
        return;
      case 'requestExport':
        await vscode.commands.executeCommand('metacot.export', { uri: this.uri.toString(), format: m.format, nodeId: m.nodeId });
        this.answer(m.requestId);
        return;
      case 'log': {
        const line = `webview: ${m.message}${m.detail ? ` — ${m.detail}` : ''}`;
        if (m.level === 'error') this.services.log.error(line);
        else if (m.level === 'warn') this.services.log.warn(line);
        else if (m.level === 'info') this.services.log.info(line);
        else this.services.log.debug(line);
        return;
      }
    }
  }

  private answer(requestId: string | undefined, nodeId?: string, message?: string): void {
    if (requestId) this.post({ type: 'actionResult', requestId, ok: true, ...(nodeId ? { nodeId } : {}), ...(message ? { message } : {}) });
  }

  private sendReadOnly(): void {
    let reason: string | undefined;
    if (!isTrusted()) reason = 'Restricted Mode: trust this workspace to edit traces and run searches.';
    else if (this.run) reason = 'A search is running on this trace; cancel it or wait for it to finish.';
    else reason = this.options.readOnlyReason;
    this.post({ type: 'readOnly', readOnly: reason !== undefined, ...(reason ? { reason } : {}) });
  }

  private sendLoad(): void {
    let trace: Trace;
    if (this.run) trace = this.run.snapshot();
    else if (this.model.document.isClosed) {
      // VS Code closed the hidden document behind a standalone panel: reopen it (the model rebinds), then load.
      void this.services.models.open(this.uri).then(() => this.sendLoad(), (e) => this.post({ type: 'error', message: `cannot read the trace: ${String(e)}` }));
      return;
    } else {
      const state = this.model.current();
      if (!state.ok) {
        this.post({ type: 'error', message: 'This trace file is not valid.', detail: state.error.message });
        return;
      }
      trace = state.trace;
    }
    this.sendTrace(trace);
  }

  private sendTrace(trace: Trace): void {
    const selectNodeId = this.selected && trace.nodes.some((n) => n.id === this.selected) ? this.selected : undefined;
    // The protocol decides objects vs columns (columns for large traces).
    this.post(loadMessageFor(trace, selectNodeId));
  }

  private onModelChange(change: ModelChange): void {
    if (!this.ready || this.run) return; // a live run is the source of truth until it ends
    if (change.kind === 'delta') this.post({ type: 'traceDelta', ...change.delta });
    else this.sendLoad();
  }

  private followRuns(): void {
    const run = this.services.runs.forUri(this.uri);
    if (run === this.run) return;
    this.runSubscription?.dispose();
    this.run = run;
    if (run) {
      this.runSubscription = vscode.Disposable.from(
        run.onDelta((d: TraceDelta) => {
          if (this.ready && this.run === run) this.post({ type: 'traceDelta', ...d });
        }),
      );
    } else this.runSubscription = undefined;
    if (this.ready) {
      this.sendReadOnly();
      this.sendLoad();
    }
  }

  dispose(): void {
    this.runSubscription?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
