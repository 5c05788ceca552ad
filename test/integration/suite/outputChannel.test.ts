import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { harness, waitFor } from '../harness';

describe('output channel', () => {
  before(async () => {
    await vscode.extensions.getExtension(harness().extensionId)?.activate();
  });

  it('metacot.showLog runs and reveals the Meta-CoT channel', async () => {
    await vscode.commands.executeCommand('metacot.showLog');
    // A shown output channel is backed by a text document with the `output` scheme named after the channel.
    const doc = await waitFor(
      'an output document for the Meta-CoT channel',
      () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.uri.path.includes('Meta-CoT')),
      5000,
    );
    assert.equal(doc.uri.scheme, 'output');
  });
});
