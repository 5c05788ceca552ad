/**
 * Activation only registers: command ids, the Traces view, the trace editor and the panel serializer, each forwarding
 * to the working half (host.ts → dist/extensionHost.js) that is loaded on first use. This file must stay free of
 * imports besides `vscode` and Node built-ins: whatever it imports is parsed at every activation.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { Host } from './host';
import type { TestApi } from './testApi';
import type { TraceTreeElement } from './traceTreeView';
// vscode and node:fs only: a stat per opened trace-editor tab.
import { watchBigTraceTabs } from './bigTrace';

/** Every command in package.json `contributes.commands` except showLog (registered here directly). */
const COMMANDS = [
  'metacot.runSearchOnSelection',
  'metacot.runSearchOnProblemFile',
  'metacot.rerunFromNode',
  'metacot.editNode',
  'metacot.pruneBranch',
  'metacot.markNodeCorrect',
  'metacot.markNodeIncorrect',
  'metacot.markNode',
  'metacot.openTrace',
  'metacot.openAsText',
  'metacot.openInTraceEditor',
  'metacot.revealInPanel',
  'metacot.export',
  'metacot.importTrace',
  'metacot.configureEndpoint',
  'metacot.testConnection',
  'metacot.setApiKey',
  'metacot.cancelSearch',
  'metacot.refreshTraces',
  'metacot.runSample',
  'metacot.openLatestTrace',
  'metacot.rerunLatestTrace',
  'metacot.compareTraces',
  'metacot.compareRuns',
  'metacot.openExperiment',
  'metacot.measureStepImportance',
] as const;

export function activate(context: vscode.ExtensionContext): { testing?: TestApi } {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Meta-CoT', { log: true });
  let host: Host | undefined;
  // The tree view must exist now (VS Code asks for it); its data comes from the host once loaded.
  const changed = new vscode.EventEmitter<TraceTreeElement | undefined>();
  const treeDataProvider: vscode.TreeDataProvider<TraceTreeElement> = {
    onDidChangeTreeData: changed.event,
    getChildren: (el) => load().tree.getChildren(el),
    getTreeItem: (el) => load().tree.getTreeItem(el),
    getParent: (el) => load().tree.getParent(el),
  };
  const view = vscode.window.createTreeView('metacot.traces', { treeDataProvider, showCollapseAll: true });
  const load = (): Host => {
    if (!host) {
      // Computed path: the host bundle is a separate file next to this one, not inlined into it.
      const file = path.join(__dirname, 'extensionHost.js');
      host = (require(file) as typeof import('./host')).createHost(context, channel, view);
      context.subscriptions.push(host.tree.onDidChangeTreeData((e) => changed.fire(e)));
    }
    return host;
  };
  context.subscriptions.push(
    channel,
    changed,
    view,
    vscode.commands.registerCommand('metacot.showLog', () => channel.show(true)),
    ...COMMANDS.map((id) => vscode.commands.registerCommand(id, (...args: unknown[]) => load().commands.get(id)!(...args))),
    vscode.window.registerCustomEditorProvider(
      'metacot.traceEditor',
      { resolveCustomTextEditor: (doc, panel) => load().editor.resolveCustomTextEditor(doc, panel) },
      { webviewOptions: { retainContextWhenHidden: false }, supportsMultipleEditorsPerDocument: true },
    ),
    // A big trace opened with the trace editor (the explorer) goes to the file-backed panel instead (bigTrace.ts).
    watchBigTraceTabs((uri) => void load().commands.get('metacot.openTrace')!({ uri: uri.toString() })),
    vscode.window.registerWebviewPanelSerializer('metacot.searchPanel', {
      deserializeWebviewPanel: (panel, state: unknown) => load().restorePanel(panel, state),
    }),
    vscode.window.registerWebviewPanelSerializer('metacot.comparePanel', {
      deserializeWebviewPanel: async (panel) => load().restoreCompare(panel),
    }),
    vscode.window.registerWebviewPanelSerializer('metacot.experimentView', {
      deserializeWebviewPanel: (panel) => load().restoreExperiment(panel),
    }),
  );
  const activationMs = performance.now() - started;
  // The test API exists only when VS Code runs the extension's tests (extensionTestsPath given); a getter, so that
  // even then activation itself does not load the host part.
  if (context.extensionMode === vscode.ExtensionMode.Test) {
    let api: TestApi | undefined;
    return {
      get testing() {
        return (api ??= load().testApi(activationMs));
      },
    };
  }
  return {};
}

export function deactivate(): void {}
