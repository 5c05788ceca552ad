// Runs last in the in-host suite: leaves the workbench in a state the Playwright UI tests
// (test/integration/ui/extension.ui.ts) drive and photograph — a reference server that stays up while the
// extension host holds, a user-level default endpoint pointing at it, a trace in the workspace, the Traces view.
import * as vscode from 'vscode';
import { harness } from '../harness';
import { configureEndpoint, startServer, wsPath } from './extensionHelpers';

describe('extension: state for the UI tests @trusted-only', () => {
  it('serves a reference server and makes it the default endpoint for palette runs', async function () {
    // Only when UI tests follow this host run (the runner's --no-ui leaves nothing to prepare).
    if (!harness().config.holdUntilFile) this.skip();
    // Not closed on purpose: it must outlive the suite while the UI tests run; the extension host ends with it.
    const server = await startServer({ perTokenMs: 3 });
    await configureEndpoint('ui-ref', server, { setDefault: true });
    // The fixture workspace may name its own default endpoint; in this trusted run it would win over the user's.
    await vscode.workspace.getConfiguration('metacot').update('defaultEndpoint', 'ui-ref', vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('metacot').update('search.strategy', 'beam', vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('metacot').update('search.params', { beam: { N: 3, width: 2, maxDepth: 5, seed: 11, stopOnSolve: false } }, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('metacot.runSearchOnSelection', { endpoint: 'ui-ref', problem: 'Use the numbers 4, 6, 8, 1 to reach 33. Use + - * / and each number at most once.', traceFile: '.metacot/traces/ui-example.metacot.json', open: false });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(wsPath('problems', 'countdown.txt')));
    const ed = await vscode.window.showTextDocument(doc);
    ed.selection = new vscode.Selection(0, 0, 0, doc.lineAt(0).text.length);
  });
});
