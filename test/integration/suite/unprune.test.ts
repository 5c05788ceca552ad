// Un-prune in real VS Code, through the panel's request handler: a person's prune records each node's status, the
// un-prune puts it back in the saved file, VS Code's undo reverts it like any panel edit, and an engine prune is
// refused with the reason.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, openInTraceEditor, panelRequest, readTrace, smallTrace, testApi, writeTraceFixture } from './extensionHelpers';

describe('extension: un-prune from the panel', function () {
  let api: TestApi;

  before(async () => {
    api = await testApi();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('prune then un-prune a branch: the saved file has the old statuses back, and undo re-prunes @trusted-only', async function () {
    const trace = await smallTrace();
    // n1 (expanded) → n3 (terminal answer); n2 open.
    trace.nodes[1]!.status = 'expanded';
    const original = trace.nodes.map((n) => n.status);
    assert.deepEqual(original.slice(1), ['expanded', 'open', 'terminal']);
    const uri = await writeTraceFixture('unprune-branch', trace);
    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    assert.ok(doc, 'the custom editor has no text document');

    const pruned = await panelRequest(api, uri, 'pruneNode', { nodeId: 'n1', reason: 'dead end' });
    assert.ok(pruned.ok, JSON.stringify(pruned));
    assert.deepEqual((pruned.result as { pruned: string[] }).pruned, ['n1', 'n3']);
    await doc.save();
    const afterPrune = readTrace(uri);
    assert.deepEqual(afterPrune.nodes.map((n) => n.status), [original[0], 'pruned', 'open', 'pruned']);
    assert.deepEqual(afterPrune.nodes[1]!.prune, { reason: 'dead end', by: 'human', restore: 'expanded' });
    assert.deepEqual(afterPrune.nodes[3]!.prune, { reason: 'ancestor n1 pruned', by: 'human', restore: 'terminal', ancestor: 'n1' });

    // The descendant is refused (it goes with its ancestor); the ancestor is restored with it.
    const fromChild = await panelRequest(api, uri, 'unpruneNode', { nodeId: 'n3' });
    assert.equal(fromChild.ok, false);
    assert.match(fromChild.ok ? '' : fromChild.error.message, /pruned together with n1; un-prune n1 instead/);
    const restored = await panelRequest(api, uri, 'unpruneNode', { nodeId: 'n1' });
    assert.ok(restored.ok, JSON.stringify(restored));
    assert.deepEqual(restored.result, { restored: ['n1', 'n3'], message: 'un-pruned 2 nodes from n1, each back to its earlier status' });
    assert.ok(api.sentToWebview(uri).some((m) => (m as { type?: string }).type === 'traceDelta'), 'the panel got no delta');
    await doc.save();
    const saved = readTrace(uri);
    assert.deepEqual(saved.nodes.map((n) => n.status), original);
    assert.equal(saved.nodes[1]!.prune, undefined);
    assert.equal(saved.nodes[3]!.prune, undefined);
    assert.deepEqual(saved.events.at(-1), { i: saved.events.at(-1)!.i, type: 'status', node: 'n1', data: { status: 'expanded', unpruned: 2 } });

    const again = await panelRequest(api, uri, 'unpruneNode', { nodeId: 'n1' });
    assert.equal(again.ok, false);
    assert.match(again.ok ? '' : again.error.message, /n1 is not pruned/);

    // Un-prune is a panel edit like the others: VS Code's undo puts the prune back.
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    await vscode.commands.executeCommand('undo');
    await waitFor('undo to re-prune n1', () => (JSON.parse(doc.getText()) as { nodes: { status: string }[] }).nodes[1]!.status === 'pruned', 5000);
  });

  it('an engine prune and the root are refused with the reason, and the file is left as it was @trusted-only', async function () {
    const trace = await smallTrace();
    Object.assign(trace.nodes[2]!, { status: 'pruned', prune: { reason: 'beam rank 3 of 2', by: 'engine', rank: 3, score: 0.2, cutoff: 0.5 } });
    const uri = await writeTraceFixture('unprune-engine', trace);
    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())!;
    const before = doc.getText();
    const engine = await panelRequest(api, uri, 'unpruneNode', { nodeId: 'n2' });
    assert.equal(engine.ok, false);
    assert.match(engine.ok ? '' : engine.error.message, /cannot un-prune: the search pruned n2 \(beam rank 3 of 2\).*re-run from its parent/);
    const root = await panelRequest(api, uri, 'pruneNode', { nodeId: 'n0' });
    assert.equal(root.ok, false);
    assert.match(root.ok ? '' : root.error.message, /root cannot be pruned/);
    const twice = await panelRequest(api, uri, 'pruneNode', { nodeId: 'n2' });
    assert.match(twice.ok ? '' : twice.error.message, /n2 is already pruned/);
    assert.equal(doc.getText(), before, 'a refused request changed the document');
    assert.equal(doc.isDirty, false);
  });
});
