import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { harness } from '../harness';

describe('activation', () => {
  it('runs in the workspace trust mode the runner configured', () => {
    const { config } = harness();
    if (config.expectTrusted === undefined) return; // a runner that does not say: nothing to compare
    assert.equal(
      vscode.workspace.isTrusted,
      config.expectTrusted,
      `workspace.isTrusted is ${vscode.workspace.isTrusted}, the runner asked for ${config.expectTrusted ? 'trusted' : 'restricted'} mode`,
    );
  });

  it('opened the fixture workspace', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'no workspace folder is open');
    const files = await vscode.workspace.findFiles('problems/*');
    const names = files.map((u) => u.path.split('/').pop()).sort();
    assert.deepEqual(names, ['countdown.jsonl', 'countdown.txt', 'gsm8k.jsonl']);
  });

  it('finds the extension under its manifest id and activates it', async () => {
    const { extensionId, manifest } = harness();
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `vscode.extensions.getExtension('${extensionId}') returned undefined`);
    assert.equal(ext.packageJSON.version, (manifest as { version?: string }).version);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });
});
