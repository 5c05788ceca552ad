/**
 * The extension's working half, bundled apart from extension.ts into dist/extensionHost.js and loaded on first use
 * (a command, the Traces view asking for children, a trace editor or panel to restore). Activation therefore loads
 * only the small bundle; zod, the trace format, the panel protocol and (later still, on the first run) the engine,
 * openai and the embedded model are loaded here.
 */
import type * as vscode from 'vscode';
import { createServices } from './services';
import { registerCommands } from './commands';
import type { CommandTable } from './commands';
import { TraceTreeProvider } from './traceTreeView';
import type { TraceTreeElement } from './traceTreeView';
import { TraceEditorProvider } from './traceEditor';
import { SearchPanel } from './searchPanel';
import { ComparePanel } from './compareCommands';
import { ExperimentView } from './experimentView';
import { RunStatusBar } from './statusBar';
import { createTestApi } from './testApi';
import { TraceActions } from './traceActions';
import type { TestApi } from './testApi';

export interface Host {
  readonly commands: CommandTable;
  readonly tree: TraceTreeProvider;
  readonly editor: TraceEditorProvider;
  restorePanel(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
  /** A comparison ("A ↔ B") panel after a reload. */
  restoreCompare(panel: vscode.WebviewPanel): void;
  /** An Experiment view after a reload. */
  restoreExperiment(panel: vscode.WebviewPanel): Promise<void>;
  testApi(activationMs: number): TestApi;
}

export function createHost(context: vscode.ExtensionContext, channel: vscode.LogOutputChannel, view: vscode.TreeView<TraceTreeElement>): Host {
  const started = Date.now();
  const services = createServices(context, channel);
  // One set of trace actions for the palette commands, the panels and the custom editors.
  const actions = new TraceActions(services);
  const commands: CommandTable = new Map();
  registerCommands(services, actions, commands);
  const tree = TraceTreeProvider.register(services, view);
  commands.set('metacot.refreshTraces', async () => tree.refresh());
  const editor = TraceEditorProvider.register(services, actions);
  SearchPanel.register(services, actions);
  RunStatusBar.register(services);
  services.log.info(`extension host part loaded in ${Date.now() - started} ms`);
  return {
    commands,
    tree,
    editor,
    restorePanel: (panel, state) => SearchPanel.restore(panel, state),
    restoreCompare: (panel) => ComparePanel.restore({ services, actions }, panel),
    restoreExperiment: (panel) => ExperimentView.restore(services, panel),
    testApi: (activationMs) => createTestApi(services, actions, tree, activationMs),
  };
}
