// The custom editor for *.metacot.json inside real VS Code: the TextDocument is the model, edits from the panel are
// minimal WorkspaceEdits that VS Code's undo reverts byte for byte, external changes refresh the view, and an
// invalid file gets the error view and is never written.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, openInTraceEditor, panelRequest, readBytes, readTrace, smallTrace, testApi, writeTraceFixture } from './extensionHelpers';

describe('extension: custom trace editor', function () {
  let api: TestApi;

  before(async () => {
    api = await testApi();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('an edit from the panel changes only the node span; undo restores the original bytes @trusted-only', async function () {
    const uri = await writeTraceFixture('editor-undo', await smallTrace());
    const original = readBytes(uri);
    await openInTraceEditor(api, uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.ok(doc, 'the custom editor has no text document');
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });

    const changes: vscode.TextDocumentContentChangeEvent[] = [];
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === doc) changes.push(...e.contentChanges);
    });
    const answer = await panelRequest(api, uri, 'editNode', { nodeId: 'n1', text: '5 * 3 = 15 (left: 2, 7, 15)', mode: 'replace' });
    sub.dispose();
    assert.ok(answer.ok, `reply: ${JSON.stringify(answer)}`);
    assert.ok(doc.isDirty, 'the edit did not go through the document (not dirty)');
    assert.ok(changes.length >= 1, 'no content change');
    const replaced = changes.reduce((s, c) => s + c.rangeLength + c.text.length, 0);
    assert.ok(replaced < 400, `the edit replaced ${replaced} characters of a ${doc.getText().length}-character file: not minimal`);
    assert.ok(api.sentToWebview(uri).some((m) => (m as { type?: string }).type === 'traceDelta'), 'the panel got no delta');

    await doc.save();
    const saved = readTrace(uri);
    assert.equal(saved.nodes[1]!.text, '5 * 3 = 15 (left: 2, 7, 15)');
    assert.equal(saved.nodes[1]!.originalText, '5 * 3 = 15 (left: 7, 2, 15)');

    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to restore the text', () => doc.getText() === original.toString('utf8'), 5000);
    await doc.save();
    assert.deepEqual(readBytes(uri), original, 'after undo + save the file is not byte-identical to the original');
    await vscode.commands.executeCommand('redo');
    await waitFor('redo to apply the edit again', () => doc.getText().includes('(left: 2, 7, 15)'), 5000);
  });

  it('a sibling edit, a prune and a label from the panel stay in the dirty document until saved @trusted-only', async function () {
    const uri = await writeTraceFixture('editor-actions', await smallTrace());
    const original = readBytes(uri);
    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const sibling = await panelRequest(api, uri, 'editNode', { nodeId: 'n2', text: '7 + 2 = 9 (left: 3, 5, 9)', mode: 'sibling' });
    const pruned = await panelRequest(api, uri, 'pruneNode', { nodeId: 'n2', reason: 'dead end' });
    const marked = await panelRequest(api, uri, 'markNode', { nodeId: 'n3', label: 'correct' });
    for (const r of [sibling, pruned, marked]) assert.ok(r.ok, `${r.method} failed: ${JSON.stringify(r)}`);
    assert.deepEqual(sibling.ok && sibling.result, { nodeId: 'n4', message: 'added n4 beside n2' }, 'the sibling is reported so the panel can select it');
    assert.deepEqual(pruned.ok && (pruned.result as { pruned: string[] }).pruned, ['n2']);
    assert.deepEqual(readBytes(uri), original, 'the custom editor saved on its own');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    const t = JSON.parse(doc.getText());
    assert.equal(t.nodes[4].parentId, 'n0');
    assert.equal(t.nodes[2].status, 'pruned');
    assert.equal(t.nodes[3].label, 'correct');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await waitFor('revert', () => doc.getText() === original.toString('utf8'), 5000);
  });

  it('an invalid message from the page is dropped, not applied; an invalid request still gets a failed reply @trusted-only', async function () {
    const uri = await writeTraceFixture('editor-badmsg', await smallTrace());
    const original = readBytes(uri);
    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const bad = await panelRequest(api, uri, 'editNode', { nodeId: 'n1', text: 42, mode: 'replace' });
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.error.message, /invalid 'request' message: params\.text/);
    await api.postFromWebview(uri, { type: 'request', method: 'pruneNode', params: {} });
    await api.postFromWebview(uri, { type: 'editNode', requestId: 'old', nodeId: 'n1', text: 'x', mode: 'replace' });
    await api.postFromWebview(uri, { type: 'no-such-message' });
    assert.ok(!api.sentToWebview(uri).some((m) => (m as { requestId?: string }).requestId === 'old'), 'a protocol-1 message was answered');
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.equal(doc.isDirty, false);
    assert.deepEqual(readBytes(uri), original);
  });

  it('an external change of the file refreshes the view', async function () {
    const trace = await smallTrace();
    const uri = await writeTraceFixture('editor-external', trace);
    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    trace.nodes[2]!.text = 'changed on disk';
    const { serializeTrace } = await import('../../../src/core/trace/io');
    fs.writeFileSync(uri.fsPath, serializeTrace(trace));
    await waitFor(
      'a reload with the new text',
      () =>
        api.sentToWebview(uri).some((m) => {
          const msg = m as { type?: string; trace?: { nodes: { text: string }[] } };
          return msg.type === 'loadTrace' && msg.trace?.nodes[2]?.text === 'changed on disk';
        }),
      15_000,
      100,
    );
  });

  it('an invalid file shows the error view with the parse error, and the file is never changed', async () => {
    const trace = await smallTrace();
    const uri = await writeTraceFixture('editor-invalid', trace);
    const broken = fs.readFileSync(uri.fsPath, 'utf8').replace('"parentId": "n1"', '"parentId": "n77"');
    fs.writeFileSync(uri.fsPath, broken);
    const before = readBytes(uri);
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    const message = await waitFor('the error view', () => api.errorView(uri), 10_000);
    assert.match(message, /nodes\[3\]\.parentId: unknown node "n77"/);
    assert.equal(api.hosts(uri).length, 0, 'the panel UI is shown for an invalid file');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.editNode', { uri: uri.toString(), nodeId: 'n1', text: 'x', save: true })), /not a valid Meta-CoT trace/);
    await vscode.commands.executeCommand('metacot.openAsText', { uri: uri.toString() });
    await waitFor('the text editor', () => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString(), 10_000);
    await closeAllEditors();
    assert.deepEqual(readBytes(uri), before, 'the invalid file was modified');
  });

  it('fixing the file turns the error view into the trace view', async () => {
    const uri = vscode.Uri.file(readPathOf('editor-invalid'));
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    await waitFor('the error view', () => api.errorView(uri), 10_000);
    const { serializeTrace } = await import('../../../src/core/trace/io');
    fs.writeFileSync(uri.fsPath, serializeTrace(await smallTrace()));
    await waitFor('the trace view', () => api.hosts(uri).length > 0 && !api.errorView(uri), 15_000, 100);
  });
});

function readPathOf(name: string): string {
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  return `${root}/fixtures-it/${name}.metacot.json`;
}
