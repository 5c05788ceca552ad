import * as vscode from 'vscode';
import { createServices } from './services';
import { Commands } from './commands';
import { TraceTreeProvider } from './traceTreeView';
import { TraceEditorProvider } from './traceEditor';
import { SearchPanel } from './searchPanel';
import { RunStatusBar } from './statusBar';
import { createTestApi } from './testApi';
import type { TestApi } from './testApi';

/** Activation only wires surfaces together; each surface registers itself. Engine modules load on first use. */
export function activate(context: vscode.ExtensionContext): { testing?: TestApi } {
  const started = performance.now();
  const channel = vscode.window.createOutputChannel('Meta-CoT', { log: true });
  const services = createServices(context, channel);
  context.subscriptions.push(channel, vscode.commands.registerCommand('metacot.showLog', () => channel.show(true)));
  Commands.register(services);
  const tree = TraceTreeProvider.register(services);
  TraceEditorProvider.register(services);
  SearchPanel.register(services);
  RunStatusBar.register(services);
  const activationMs = performance.now() - started;
  services.log.info(`activated in ${activationMs.toFixed(1)} ms`);
  // The test API exists only when VS Code runs the extension's tests (extensionTestsPath given).
  if (context.extensionMode === vscode.ExtensionMode.Test) return { testing: createTestApi(services, tree, activationMs) };
  return {};
}

export function deactivate(): void {}
