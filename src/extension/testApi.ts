/**
 * Hooks for the integration tests, returned by activate() only in extension test mode: they reach the same code
 * paths a person does (a message "from the panel" goes through the same safeParse and handler as the page's own).
 */
import * as vscode from 'vscode';
import type { Services } from './services';
import type { TraceActions } from './traceActions';
import type { TraceTreeElement, TraceTreeProvider } from './traceTreeView';
import type { PanelHost } from './panelHost';
import { TraceEditorProvider } from './traceEditor';
import { SearchPanel } from './searchPanel';
import { ComparePanel } from './compareCommands';
import { ExperimentView } from './experimentView';
import { setTrustOverride } from './settings';
import { recentNotices } from './runNotices';
import type { ShownNotice } from './runNotices';

export interface TestApi {
  activationMs: number;
  /** Simulates Restricted Mode (true/false) or returns to VS Code's real trust state (undefined). */
  setTrusted(value: boolean | undefined): void;
  /** Panels (custom editors first, then search panels) showing a trace. */
  hosts(uri: vscode.Uri): PanelHost[];
  /** Delivers a message as if the panel page had sent it; resolves when the host has handled it. */
  postFromWebview(uri: vscode.Uri, message: unknown): Promise<void>;
  /** What the host sent to the page most recently (newest last). */
  sentToWebview(uri: vscode.Uri): unknown[];
  treeChildren(el?: TraceTreeElement): Promise<TraceTreeElement[]>;
  treeItem(el: TraceTreeElement): Promise<vscode.TreeItem>;
  /** Nodes selected in the Traces view. */
  treeSelection(): { uri: string; nodeId: string }[];
  /** Selects a node in the Traces view as a click would (the selection syncs to panels). */
  selectInTree(uri: vscode.Uri, nodeId: string): Promise<void>;
  /** The parse error the custom editor shows for a file, when it shows the error view. */
  errorView(uri: vscode.Uri): string | undefined;
  /** What the WebviewPanelSerializer does for a panel VS Code restores after a reload. */
  restorePanel(panel: vscode.WebviewPanel, state: unknown, firstMessage?: unknown): Promise<void>;
  /** A comparison panel restored after a reload, given the page's first message. */
  restoreCompare(panel: vscode.WebviewPanel, firstMessage: unknown): void;
  restoreExperiment(panel: vscode.WebviewPanel): Promise<void>;
  /** The Meta-CoT log's recent lines (info and above). */
  recentLog(): string[];
  /** Folder of the extension's own log files (scanned for secrets). */
  logUri: vscode.Uri;
  runningSearches(): { id: string; uri: string; nodes: number }[];
  selection(): { uri: string; nodeId: string } | undefined;
  revealInTree(uri: vscode.Uri, nodeId: string): Promise<void>;
  /** Run notices (failed, refused, no verified answer) shown most recently, newest last: message and actions. */
  runNotices(): ShownNotice[];
  /** Open "A ↔ B" comparison panels: title, what each host sent its page (newest last), and its entry for page messages. */
  comparePanels(): { title: string; sent: unknown[]; receive(message: unknown): void }[];
  /** Open Experiment views: folder, what the host sent its page and what the page said it drew (newest last), its entry for page messages. */
  experimentViews(): { folder: string; sent: unknown[]; rendered: unknown[]; receive(message: unknown): Promise<void> }[];
}

export function createTestApi(services: Services, actions: TraceActions, tree: TraceTreeProvider, activationMs: number): TestApi {
  const hosts = (uri: vscode.Uri): PanelHost[] => [
    ...TraceEditorProvider.hostsFor(uri),
    ...SearchPanel.all()
      .map((p) => p.host)
      .filter((h): h is PanelHost => !!h && h.uri.toString() === uri.toString()),
  ];
  return {
    activationMs,
    setTrusted: (v) => setTrustOverride(v),
    hosts,
    async postFromWebview(uri, message) {
      const h = hosts(uri)[0];
      if (!h) throw new Error(`no panel shows ${uri.toString()}`);
      await h.receive(message);
    },
    sentToWebview: (uri) => [...(hosts(uri)[0]?.sent ?? [])],
    treeChildren: (el) => tree.getChildren(el),
    treeItem: (el) => tree.getTreeItem(el),
    treeSelection: () => tree.selection.flatMap((e) => (e.kind === 'node' ? [{ uri: e.uri.toString(), nodeId: e.nodeId }] : [])),
    selectInTree: (uri, nodeId) => tree.revealNode(uri, nodeId, { propagate: true }),
    logUri: services.context.logUri,
    recentLog: () => [...services.log.recent],
    restorePanel: (panel, state, firstMessage) => SearchPanel.restore(panel, state, firstMessage),
    restoreCompare: (panel, firstMessage) => ComparePanel.restore({ services, actions }, panel, firstMessage),
    restoreExperiment: (panel) => ExperimentView.restore(services, panel),
    errorView: (uri) => TraceEditorProvider.errorViews.get(uri.toString()),
    runningSearches: () => services.runs.list().map((r) => ({ id: r.id, uri: r.uri.toString(), nodes: r.progress.nodes })),
    selection: () => {
      const s = services.selection.current;
      return s ? { uri: s.uri.toString(), nodeId: s.nodeId } : undefined;
    },
    revealInTree: (uri, nodeId) => tree.revealNode(uri, nodeId),
    runNotices: () => recentNotices(),
    comparePanels: () => ComparePanel.all().map((p) => ({ title: p.title, sent: [...p.sent], receive: (m: unknown) => p.receive(m) })),
    experimentViews: () => ExperimentView.all().map((v) => ({ folder: v.folder.fsPath, sent: [...v.sent], rendered: [...v.rendered], receive: (m: unknown) => v.receive(m) })),
  };
}
