import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { harness } from '../harness';

describe('commands', () => {
  before(async () => {
    await vscode.extensions.getExtension(harness().extensionId)?.activate();
  });

  it('registers every command contributed in package.json', async () => {
    const contributed = (harness().manifest.contributes?.commands ?? []).map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed in package.json but not registered: ${missing.join(', ')}`);
  });

  it('contributes every metacot.* command it registers (palette-visible surface matches the code)', async () => {
    const { manifest } = harness();
    const contributed = new Set((manifest.contributes?.commands ?? []).map((c) => c.command));
    // VS Code itself registers `<viewId>.focus`, `.open`, `.resetViewLocation`, ... for every contributed view.
    const views = Object.values((manifest.contributes?.views ?? {}) as Record<string, { id: string }[]>).flat();
    const viewPrefixes = views.map((v) => `${v.id}.`);
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('metacot.'));
    assert.ok(registered.length > 0, 'the extension registers no metacot.* command at all');
    const hidden = registered.filter((c) => !contributed.has(c) && !viewPrefixes.some((p) => c.startsWith(p)));
    assert.deepEqual(hidden, [], `registered but not contributed in package.json: ${hidden.join(', ')}`);
  });
});
