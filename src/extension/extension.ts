import * as vscode from 'vscode';

/** Activation only wires surfaces together; each surface registers itself. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Meta-CoT', { log: true });
  context.subscriptions.push(log, vscode.commands.registerCommand('metacot.showLog', () => log.show(true)));
}

export function deactivate(): void {}
