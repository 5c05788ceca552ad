/**
 * Host side of the search panel page, shared by the standalone search panel and the custom editor: serves the HTML
 * under a nonce CSP, validates every message from the page with the protocol's zod schemas, answers each typed
 * request through TraceActions (the same code the palette commands call) with a checked reply, and keeps the page
 * in sync with the trace document or a live run.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { panelHtml, PANEL_SCRIPT_FILE, PANEL_STYLE_FILES } from '../protocol/panelHtml';
import { parseWebviewMessage } from '../protocol/parseMessage';
import { loadMessagesFor, PROTOCOL_VERSION } from '../protocol/hostMessages';
import { LoadAcks, postLoad } from '../protocol/loadPacing';
import type { HostMessageInput } from '../protocol/hostMessages';
import type { WebviewNotification } from '../protocol/webviewMessages';
import { checkResult, requestIdentity } from '../protocol/panelRequests';
import type { PanelRequestHandlers, PanelRequestMessage } from '../protocol/panelRequests';
import type { Trace } from '../core/trace/schema';
import type { Services } from './services';
import type { ModelChange, TraceDelta, TraceDocumentModel } from './traceModel';
import type { LiveRun } from './searchRunner';
import type { TraceActions } from './traceActions';
import { EMBEDDED_ENDPOINT, embeddedEndpoint, listEndpoints, readPanelConfig, readSearchDefaults, resolveEndpoint } from './settings';
import { VerifierConfigSchema } from '../core/trace/schema';
import { VERIFIER_PARAMS } from '../core/verify/verifier';
import type { RerunOptions } from '../protocol/hostMessages';
import { refusalNotice, showNotice } from './runNotices';
import { openTextAtNode } from './openAtNode';
import { measureFromPanel } from './importanceCommand';

let nextHostId = 1;

/** About 1,000 nodes of a trace file (57 lines a node): above it a reload first tells the page the trace is being checked. */
const BIG_DOCUMENT_LINES = 60_000;

export interface PanelHostOptions {
  /** Custom editor: edits stay in the (dirty) document. Search panel: edits are saved at once. */
  saveEdits: boolean;
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

/**
 * What the re-run form offers beyond the catalog: the endpoints a run may use now (name, model, address; never a
 * key), the verifier kinds with their parameters from the core, the verifier setting and the budgets a run gets for
 * what the form leaves empty (metacot.budgets with its defaults: the same readSearchDefaults rerunFromNode applies).
 */
export function rerunOptions(): RerunOptions {
  const defaults = readSearchDefaults();
  let defaultEndpoint: string | undefined;
  try {
    defaultEndpoint = resolveEndpoint(undefined).setting.name;
  } catch {
    defaultEndpoint = undefined; // Restricted Mode refuses the workspace's default: the form opens on the run's or the first
  }
  const embedded = embeddedEndpoint().setting;
  return {
    endpoints: [
      { name: embedded.name, model: embedded.model, baseUrl: embedded.baseUrl, modelFixed: true },
      ...listEndpoints().filter((e) => e.setting.name !== EMBEDDED_ENDPOINT).map((e) => ({ name: e.setting.name, model: e.setting.model, baseUrl: e.setting.baseUrl })),
    ],
    ...(defaultEndpoint ? { defaultEndpoint } : {}),
    verifiers: VerifierConfigSchema.shape.kind.options.map((kind) => ({ kind, params: VERIFIER_PARAMS[kind] })),
    settingsVerifier: defaults.verifier,
    effectiveBudgets: defaults.budgets,
  };
}

export class PanelHost implements vscode.Disposable {
  readonly id = `host${nextHostId++}`;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** The page's acks of chunked loads, and which load is the current one (a newer load stops an older one's chunks). */
  private readonly acks = new LoadAcks();
  private loadSeq = 0;
  private selected: string | undefined;
  private run: LiveRun | undefined;
  private runSubscription: vscode.Disposable | undefined;
  /** When this host began showing its trace (epoch ms): the first load reports it in its timing. */
  private openedAt: number | undefined = Date.now();
  /** Messages the page received, newest last: lets tests check what the panel was told. */
  readonly sent: HostMessageInput[] = [];

  /** The page's requests, on this panel's trace and with its save mode. */
  private readonly handlers: PanelRequestHandlers = {
    editNode: (p) => this.actions.editNode(this.uri, p.nodeId, p.text, p.mode, { save: this.options.saveEdits }),
    pruneNode: (p) => this.actions.pruneNode(this.uri, p.nodeId, p.reason, { save: this.options.saveEdits }),
    unpruneNode: (p) => this.actions.unpruneNode(this.uri, p.nodeId, { save: this.options.saveEdits }),
    markNode: (p) => this.actions.markNode(this.uri, p.nodeId, p.label, { save: this.options.saveEdits }),
    rerunFromNode: async (p) => {
      // Answered once the run has started; the page follows it through deltas. A refusal is an error reply for the
      // page and, as for a palette re-run, a notification with the actions that fix it.
      try {
        const started = await this.actions.rerunFromNode(this.uri, p.nodeId, {
        strategy: p.strategy,
        params: p.params,
        ...(p.budgets ? { budgets: p.budgets } : {}),
        ...(p.endpoint ? { endpoint: p.endpoint } : {}),
        ...(p.model ? { model: p.model } : {}),
        ...(p.verifier ? { verifier: p.verifier } : {}),
      });
        return { runId: started.runId, startNodeId: started.startNodeId, message: started.message };
      } catch (err) {
        showNotice(this.services.log, refusalNotice(err, (t) => this.services.keys.redact(t)));
        throw err;
      }
    },
    cancelRun: async (p) => this.actions.cancel({ uri: this.uri, ...(p.runId ? { runId: p.runId } : {}) }),
    openAsText: async (p) => {
      const opened = await openTextAtNode(this.uri, p.nodeId);
      return { uri: opened.uri, message: opened.message };
    },
    exportTrace: (p) => this.actions.exportTrace(this.uri, { format: p.format, style: 'appendix-e', ...(p.nodeId ? { nodeId: p.nodeId } : {}) }),
    measureImportance: (p) => measureFromPanel({ services: this.services, actions: this.actions }, this.uri, p.nodeId, this.options.saveEdits),
  };

  constructor(
    private readonly services: Services,
    private readonly actions: TraceActions,
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
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.sendReadOnly();
        // Trust brings the workspace's endpoints into the form.
        this.post({ type: 'config', rerunOptions: rerunOptions() });
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('metacot')) this.post({ type: 'config', ...readPanelConfig(), rerunOptions: rerunOptions() });
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
    if (!this.ready && message.type !== 'loadTrace' && message.type !== 'loadCompactTrace' && message.type !== 'loadChunk') return;
    // A chunk's columns are not kept: tests read the load from its first part (the ring would pin 100 MB).
    this.sent.push(message.type === 'loadChunk' ? { ...message, data: new Uint8Array(0) } : message);
    if (this.sent.length > 200) this.sent.splice(0, this.sent.length - 200);
    void this.webview.postMessage(message);
  }

  /** Same entry as a message from the page: used by the page itself and by integration tests. */
  async receive(data: unknown): Promise<void> {
    const parsed = parseWebviewMessage(data);
    if (!parsed.ok) {
      this.services.log.warn(`panel: dropped ${parsed.error}`);
      // A request the page cannot have meant still gets its answer, so nothing waits for ever.
      const req = requestIdentity(data);
      if (req) this.post({ type: 'reply', requestId: req.requestId, method: req.method, ok: false, error: { message: parsed.error } });
      return;
    }
    const m = parsed.message;
    if (m.type === 'request') await this.answer(m);
    else this.notify(m);
  }

  /** Every request gets exactly one reply: the handler's checked result, or its error. */
  private async answer(m: PanelRequestMessage): Promise<void> {
    try {
      const result = checkResult(m.method, await this.dispatch(m));
      this.post({ type: 'reply', requestId: m.requestId, method: m.method, ok: true, result });
    } catch (err) {
      const message = this.services.keys.redact(err instanceof Error ? err.message : String(err));
      this.services.log.error(`panel: ${m.method} failed: ${message}`);
      this.post({ type: 'reply', requestId: m.requestId, method: m.method, ok: false, error: { message } });
    }
  }

  /** Narrowing on `method` gives each handler its own params type. */
  private dispatch(m: PanelRequestMessage): Promise<unknown> {
    const h = this.handlers;
    switch (m.method) {
      case 'editNode':
        return h.editNode(m.params);
      case 'pruneNode':
        return h.pruneNode(m.params);
      case 'unpruneNode':
        return h.unpruneNode(m.params);
      case 'markNode':
        return h.markNode(m.params);
      case 'rerunFromNode':
        return h.rerunFromNode(m.params);
      case 'cancelRun':
        return h.cancelRun(m.params);
      case 'openAsText':
        return h.openAsText(m.params);
      case 'exportTrace':
        return h.exportTrace(m.params);
      case 'measureImportance':
        return h.measureImportance(m.params);
    }
  }

  private notify(m: WebviewNotification): void {
    switch (m.type) {
      case 'ready':
        if (m.protocolVersion !== PROTOCOL_VERSION) {
          this.services.log.warn(`panel speaks protocol ${m.protocolVersion}, host ${PROTOCOL_VERSION}`);
        }
        this.ready = true;
        this.post({ type: 'config', ...readPanelConfig(), rerunOptions: rerunOptions() });
        this.sendReadOnly();
        this.sendLoad();
        return;
      case 'loadAck':
        this.acks.receive(m.loadId, m.seq);
        return;
      case 'selectNode':
        this.selected = m.nodeId ?? undefined;
        if (m.nodeId) this.services.selection.select({ uri: this.uri, nodeId: m.nodeId, source: 'panel', hostId: this.id });
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

  private sendReadOnly(): void {
    const reason = this.actions.editBlocker(this.uri);
    this.post({ type: 'readOnly', readOnly: reason !== undefined, ...(reason ? { reason } : {}) });
  }

  /** `checked`: a big document's parse was deferred once, after telling the page it is being checked. */
  private sendLoad(checked = false): void {
    let trace: Trace;
    if (this.run) trace = this.run.snapshot();
    else if (this.model.document.isClosed) {
      // VS Code closed the hidden document behind a standalone panel: reopen it (the model rebinds), then load.
      void this.services.models.open(this.uri).then(() => this.sendLoad(), (e) => this.post({ type: 'error', message: `cannot read the trace: ${String(e)}` }));
      return;
    } else {
      if (!checked && !this.model.parsed && this.model.document.lineCount > BIG_DOCUMENT_LINES) {
        // Parsing blocks this thread for a while (~0.1 s per 10,000 nodes): the page says so first.
        this.post({ type: 'loadProgress', phase: 'checking' });
        // On the next turn, once that is sent: a file-backed model parses in steps, a document's text at once.
        const model = this.model;
        setTimeout(() => void model.load().then(() => this.model === model && !this.disposed && this.sendLoad(true)), 0);
        return;
      }
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
    // The protocol decides objects vs columns vs chunks (columns for large traces, chunks for very large ones).
    const first = this.openedAt;
    this.openedAt = undefined;
    const timing = { ...(first === undefined ? {} : { openedAt: first }), ...(this.run ? {} : { parseMs: this.model.parseMs }) };
    const messages = loadMessagesFor(trace, selectNodeId, timing);
    // Each message encoded when taken; a chunked load's chunks wait for the page to take its first part (loadPacing.ts).
    const load = ++this.loadSeq;
    void postLoad(messages, { post: (m) => this.post(m), acked: (id) => this.acks.acked(id), stopped: () => this.disposed || load !== this.loadSeq });
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

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    this.runSubscription?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
