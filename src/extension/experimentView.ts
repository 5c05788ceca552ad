/**
 * The Experiment view: a webview over one experiment folder (what `metacot experiment --out DIR` writes). It sends
 * the page the folder's summary.json (validated with the core's schema) with webview URIs of the plot files, and
 * sends it again whenever the folder changes (an experiment still running rewrites its summary every few seconds).
 * The page's requests open a problem's trace of a cell in the trace editor and re-run the failed entries.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ExperimentSummary } from '../core/experiment/summary';
import { SUMMARY_FILE } from '../core/experiment/summary';
import {
  EXPERIMENT_PROTOCOL_VERSION,
  experimentRequestIdentity,
  parseExperimentPageMessage,
  parseExperimentResult,
} from '../protocol/experimentMessages';
import type {
  ExperimentHostMessageInput,
  ExperimentMethod,
  ExperimentRendered,
  ExperimentRequest,
  ExperimentRequestHandlers,
  RerunState,
} from '../protocol/experimentMessages';
import { EXPERIMENT_SCRIPT_FILE, EXPERIMENT_STYLE_FILES, experimentHtml } from './experimentHtml';
import { readExperimentFolder } from './experimentFolder';
import { rerunFailures } from './experimentRerun';
import { RestoreState } from './restoreState';
import type { Services } from './services';
import { CancelledByUser } from './services';

/** Folder changes closer together than this are one reload (a summary rewrite plus its plots). */
const RELOAD_DEBOUNCE_MS = 250;

export class ExperimentView implements vscode.Disposable {
  static readonly viewType = 'metacot.experimentView';
  private static readonly views = new Map<string, ExperimentView>();

  static all(): ExperimentView[] {
    return [...ExperimentView.views.values()];
  }

  /** The view of a folder: the open one revealed, else a new one. Resolves once the summary was read. */
  static async open(services: Services, folder: vscode.Uri): Promise<ExperimentView> {
    const key = folder.toString();
    const open = ExperimentView.views.get(key);
    if (open) {
      open.panel.reveal(undefined, false);
      await open.reload();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(ExperimentView.viewType, `Experiment: ${folderLabel(folder)}`, vscode.ViewColumn.Active, {
      ...viewOptions(services, folder),
      retainContextWhenHidden: true,
    });
    const view = new ExperimentView(services, panel, folder);
    await view.reload();
    return view;
  }

  /**
   * A view VS Code restores after a reload: its folder is the one remembered for its title (the page keeps no
   * state). A folder gone or broken meanwhile shows its error in the view, like any reload of the folder.
   */
  static async restore(services: Services, panel: vscode.WebviewPanel): Promise<void> {
    const uri = restoreState(services).get(panel.title);
    if (typeof uri !== 'string' || ExperimentView.views.has(uri)) {
      services.log.info(`experiment view: nothing to restore for "${panel.title}"; closed`);
      panel.dispose();
      return;
    }
    const folder = vscode.Uri.parse(uri);
    panel.webview.options = viewOptions(services, folder);
    await new ExperimentView(services, panel, folder).reload();
  }

  /** Messages sent to the page, newest last (tests read them). */
  readonly sent: ExperimentHostMessageInput[] = [];
  /** What the page said it drew, newest last. */
  readonly rendered: ExperimentRendered[] = [];
  private ready = false;
  private summary: ExperimentSummary | undefined;
  private last: ExperimentHostMessageInput | undefined;
  private rerunState: RerunState = { running: false, done: 0, total: 0, message: '' };
  private rerunAbort: AbortController | undefined;
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(
    private readonly services: Services,
    readonly panel: vscode.WebviewPanel,
    readonly folder: vscode.Uri,
  ) {
    ExperimentView.views.set(folder.toString(), this);
    void restoreState(services).remember(panel.title, folder.toString());
    panel.iconPath = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'icons', 'metacot.svg');
    // summary.json and the plots are what the page shows; traces/ changes reach it through the summary rewrite.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `{${SUMMARY_FILE},plots/**}`));
    const changed = () => this.scheduleReload();
    this.disposables.push(
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      watcher.onDidDelete(changed),
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => void this.receive(data)),
    );
    const root = vscode.Uri.joinPath(services.context.extensionUri, 'media', 'webview');
    const w = panel.webview;
    panel.webview.html = experimentHtml({
      cspSource: w.cspSource,
      nonce: randomBytes(16).toString('hex'),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(root, EXPERIMENT_SCRIPT_FILE)).toString(),
      styleUris: EXPERIMENT_STYLE_FILES.map((f) => w.asWebviewUri(vscode.Uri.joinPath(root, f)).toString()),
      title: panel.title,
    });
  }

  /** The summary shown now (undefined while the folder shows an error). */
  get current(): ExperimentSummary | undefined {
    return this.summary;
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      void this.reload();
    }, RELOAD_DEBOUNCE_MS);
  }

  /** Reads the folder again and sends the page what it shows now: the summary, or what is wrong with the folder. */
  async reload(): Promise<{ ok: true; summary: ExperimentSummary } | { ok: false; message: string }> {
    if (this.disposed) return { ok: false, message: 'the Experiment view was closed' };
    const label = folderLabel(this.folder);
    const read = await readExperimentFolder(this.folder.fsPath, label);
    if (!read.ok) {
      this.summary = undefined;
      this.post({ type: 'experimentError', folder: label, message: read.message });
      return read;
    }
    this.summary = read.summary;
    const plotUris: Record<string, string> = {};
    for (const p of read.summary.plots) {
      const file = vscode.Uri.joinPath(this.folder, ...p.svg.split('/'));
      if (existsSync(file.fsPath)) plotUris[p.svg] = this.panel.webview.asWebviewUri(file).toString();
    }
    this.post({ type: 'experiment', folder: label, summary: read.summary, plotUris });
    return read;
  }

  /** Remembers the newest load for a page that is not ready yet (it gets it with `ready`). */
  private post(message: ExperimentHostMessageInput): void {
    if (message.type === 'experiment' || message.type === 'experimentError') this.last = message;
    if (!this.ready || this.disposed) return;
    this.sent.push(message);
    if (this.sent.length > 50) this.sent.splice(0, this.sent.length - 50);
    void this.panel.webview.postMessage(message);
  }

  /** Every message from the page is validated; every request gets one reply, also one that did not validate. */
  async receive(data: unknown): Promise<void> {
    const parsed = parseExperimentPageMessage(data);
    if (!parsed.ok) {
      this.services.log.warn(`experiment view: dropped ${parsed.error}`);
      const req = experimentRequestIdentity(data);
      if (req) this.post({ type: 'reply', requestId: req.requestId, method: req.method, ok: false, error: { message: parsed.error } });
      return;
    }
    const m = parsed.message;
    switch (m.type) {
      case 'ready':
        if (m.protocolVersion !== EXPERIMENT_PROTOCOL_VERSION) this.services.log.warn(`experiment view speaks protocol ${m.protocolVersion}, host ${EXPERIMENT_PROTOCOL_VERSION}`);
        this.ready = true;
        if (this.last) this.post(this.last);
        if (this.rerunState.running) this.post({ type: 'rerunState', state: this.rerunState });
        return;
      case 'rendered':
        this.rendered.push(m);
        if (this.rendered.length > 20) this.rendered.splice(0, this.rendered.length - 20);
        return;
      case 'log':
        this.services.log[m.level](`experiment view: ${m.message}`);
        return;
      case 'request':
        await this.answer(m);
        return;
    }
  }

  private async answer(m: ExperimentRequest): Promise<void> {
    const handlers = this.handlers();
    try {
      const result = await (handlers[m.method] as (p: unknown) => Promise<unknown>)(m.params);
      const checked = parseExperimentResult(m.method, result);
      if (!checked.ok) throw new Error(checked.error);
      this.post({ type: 'reply', requestId: m.requestId, method: m.method, ok: true, result: checked.result });
    } catch (err) {
      const message = err instanceof CancelledByUser ? 'Cancelled.' : this.services.keys.redact(err instanceof Error ? err.message : String(err));
      if (!(err instanceof CancelledByUser)) this.services.log.error(`experiment view: ${m.method}: ${message}`);
      this.post({ type: 'reply', requestId: m.requestId, method: m.method as ExperimentMethod, ok: false, error: { message } });
    }
  }

  private handlers(): ExperimentRequestHandlers {
    return {
      openCell: async ({ cellId, index }) => {
        const summary = this.summary;
        if (!summary) throw new Error('the folder shows no summary now');
        const cell = summary.cells.find((c) => c.id === cellId);
        if (!cell) throw new Error(`no cell "${cellId}" in this experiment (cells: ${summary.cells.map((c) => c.id).join(', ')})`);
        const r = cell.results.find((x) => x.index === index);
        if (!r) throw new Error(`cell ${cellId} has no problem ${index + 1}`);
        const uri = vscode.Uri.joinPath(this.folder, ...r.trace.split('/'));
        if (!existsSync(uri.fsPath)) throw new Error(`problem ${index + 1} (${r.problemId}) has no trace in ${cellId} yet: ${r.reason ?? 'not run'}`);
        await vscode.commands.executeCommand('vscode.openWith', uri, 'metacot.traceEditor', { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return { uri: uri.toString(), message: `Opened ${cellId}, problem ${index + 1} (${r.problemId}): ${vscode.workspace.asRelativePath(uri)}` };
      },
      rerunFailures: ({ endpoint }) => this.rerun(endpoint, true),
      cancelRerun: async () => {
        if (!this.rerunAbort) return { cancelled: false, message: 'No re-run is running.' };
        this.rerunAbort.abort();
        return { cancelled: true, message: 'Cancelling the re-run (the entry running now stops)…' };
      },
    };
  }

  /** Re-runs the failed entries (see experimentRerun.ts), then shows the folder as it is after. */
  async rerun(endpoint: string | undefined, interactive: boolean): Promise<{ ran: number; stillFailed: number; cancelled: boolean; message: string }> {
    if (this.rerunAbort) throw new Error('a re-run of this experiment is already running');
    const read = await this.reload();
    if (!read.ok) throw new Error(read.message);
    const ctl = new AbortController();
    this.rerunAbort = ctl;
    const setState = (state: RerunState) => {
      this.rerunState = state;
      this.post({ type: 'rerunState', state });
    };
    try {
      const outcome = await rerunFailures(this.services, {
        folder: this.folder,
        summary: read.summary,
        ...(endpoint ? { endpoint } : {}),
        interactive,
        signal: ctl.signal,
        onState: setState,
      });
      setState({ running: false, done: outcome.ran, total: read.summary.totals.failed, message: outcome.message });
      return outcome;
    } catch (err) {
      setState({ running: false, done: 0, total: read.summary.totals.failed, message: '' });
      throw err;
    } finally {
      this.rerunAbort = undefined;
      await this.reload();
    }
  }

  dispose(): void {
    this.disposed = true;
    ExperimentView.views.delete(this.folder.toString());
    this.rerunAbort?.abort();
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const d of this.disposables) d.dispose();
  }
}

/** Folders of Experiment views by panel title, for a reload. */
const restoreState = (services: Services) => new RestoreState<string>(services.context.workspaceState, 'metacot.experimentViews');

function viewOptions(services: Services, folder: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(services.context.extensionUri, 'media', 'webview'), folder] };
}

export function folderLabel(folder: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(folder) ? vscode.workspace.asRelativePath(folder) : folder.fsPath;
}
