// Big traces open file-backed in real VS Code (issue 17): a 100,000-node trace (> 50 MB, which VS Code refuses to hand
// extensions as a document) opens through Open Trace and through the trace editor (the explorer's way) into a panel
// that holds every node, with no TextDocument; an edit on a big trace is on disk at once and reopens equal; a
// malformed big file shows its error and is never written, not even by an edit the page asks for.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import type { Trace } from '../../../src/core/trace/schema';
import { closeAllEditors, readBytes, testApi, writeTraceFixture } from './extensionHelpers';

type Sent = { type: string; message?: string; detail?: string; requestId?: string; ok?: boolean; chunked?: { totalNodes: number }; trace?: { nodes: { id: string[]; text: string[] } } };

const sent = (api: TestApi, uri: vscode.Uri) => api.sentToWebview(uri) as Sent[];
const hasDocument = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());

/** Waits for one more "loaded trace" line than there were `before` (a test may open the same trace again). */
async function loaded(api: TestApi, trace: Trace, timeoutMs: number, before = 0): Promise<void> {
  await waitFor(`the panel to report all ${trace.nodes.length} nodes`, () => (loadLines(api, trace) > before ? true : undefined), timeoutMs);
}
const loadLines = (api: TestApi, trace: Trace) => {
  const line = new RegExp(`loaded trace ${trace.id}: ${trace.nodes.length} nodes in \\d+ messages`);
  return api.recentLog().filter((l) => line.test(l)).length;
};

describe('extension: big traces open file-backed', function () {
  let api: TestApi;
  let big: { uri: vscode.Uri; trace: Trace };

  before(async function () {
    this.timeout(120_000);
    api = await testApi();
    const { generateTrace } = await import('../../fixtures/generateTrace');
    const trace = generateTrace({ nodes: 100_000, seed: 41, validate: false });
    big = { uri: await writeTraceFixture('big-100k', trace), trace };
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('Open Trace on a 100,000-node file (> 50 MB) shows a panel with every node and opens no TextDocument', async function () {
    this.timeout(180_000);
    const { uri, trace } = big;
    assert.ok(fs.statSync(uri.fsPath).size > 50 * 1024 * 1024, 'the fixture is over VS Code’s 50 MB document limit');
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    await waitFor('the panel host', () => (api.hosts(uri).length > 0 ? true : undefined), 20_000);
    await loaded(api, trace, 150_000);
    const head = sent(api, uri).find((m) => m.type === 'loadCompactTrace');
    assert.equal(head?.chunked?.totalNodes, 100_000);
    assert.equal(head?.trace?.nodes.id[0], trace.nodes[0]!.id);
    assert.equal(hasDocument(uri), false, 'no TextDocument was opened for the big file');
    assert.equal(api.errorView(uri), undefined);
    // The page loads its script as an ES module (its markdown chunk comes after the first frame), under the nonce.
    assert.match(api.hosts(uri)[0]!.webview.html, /<script nonce="[0-9a-f]+" type="module" src="[^"]+\/media\/webview\/main\.js"><\/script>/);
  });

  it('the trace editor asked for a big file (as the explorer does) gives way to the file-backed panel', async function () {
    this.timeout(180_000);
    const { uri, trace } = big;
    const before = loadLines(api, trace);
    // VS Code itself may report the custom editor's failure; what counts is where the file ends up.
    await Promise.resolve(vscode.commands.executeCommand('vscode.openWith', uri, 'metacot.traceEditor')).catch(() => undefined);
    await waitFor('the file-backed panel', () => (api.hosts(uri).length > 0 ? true : undefined), 30_000);
    await loaded(api, trace, 150_000, before);
    assert.equal(hasDocument(uri), false);
    const customTabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString());
    assert.equal(customTabs.length, 0, 'the failed trace-editor tab was closed');
  });

  it('an edit on a big trace is saved at once in the same format and reopens equal', async function () {
    this.timeout(120_000);
    const { generateTrace } = await import('../../fixtures/generateTrace');
    const { parseTrace, serializeTrace } = await import('../../../src/core/trace/io');
    const trace = generateTrace({ nodes: 10_000, seed: 42, validate: false });
    const uri = await writeTraceFixture('big-edit', trace);
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    await loaded(api, trace, 60_000);
    const head = sent(api, uri).find((m) => m.type === 'loadCompactTrace')!;
    const nodeId = head.trace!.nodes.id[150]!;
    const text = 'Edited by hand: 7 * 4 = 28 (left: 28, 3)';
    await api.postFromWebview(uri, { type: 'request', requestId: 'big-edit-1', method: 'editNode', params: { nodeId, text, mode: 'replace' } });
    const reply = sent(api, uri).find((m) => m.type === 'reply' && m.requestId === 'big-edit-1') as { ok?: boolean; error?: { message: string } } | undefined;
    if (!vscode.workspace.isTrusted) {
      // Restricted Mode: the file-backed model refuses edits like the trace editor does, and writes nothing.
      assert.equal(reply?.ok, false, `edit reply: ${JSON.stringify(reply)}`);
      assert.match(reply?.error?.message ?? '', /Restricted Mode/);
      assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), serializeTrace(trace));
      return;
    }
    assert.equal(reply?.ok, true, `edit reply: ${JSON.stringify(reply)}`);
    // On disk when the reply came, in the serializer's own format, with only that node's text changed.
    const onDisk = fs.readFileSync(uri.fsPath, 'utf8');
    const saved = parseTrace(onDisk);
    assert.equal(onDisk, serializeTrace(saved));
    assert.equal(saved.nodes.find((n) => n.id === nodeId)?.text, text);
    assert.equal(saved.nodes.length, trace.nodes.length);
    const others = (t: Trace) => t.nodes.filter((n) => n.id !== nodeId);
    assert.deepEqual(others(saved), others(JSON.parse(serializeTrace(trace)) as Trace));
    assert.equal(hasDocument(uri), false);

    await closeAllEditors();
    await waitFor('the panel to close', () => (api.hosts(uri).length === 0 ? true : undefined), 10_000);
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    await waitFor('the reopened panel', () => (api.hosts(uri).length > 0 ? true : undefined), 20_000);
    await waitFor('the reopened load', () => sent(api, uri).find((m) => m.type === 'loadCompactTrace'), 60_000);
    const again = sent(api, uri).find((m) => m.type === 'loadCompactTrace')!.trace!.nodes;
    assert.equal(again.text[again.id.indexOf(nodeId)], text, 'the reopened panel shows the edited text');
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), onDisk, 'reopening wrote nothing');
  });

  it('a malformed big file shows the parse error in the panel and is never written, not even by an edit', async function () {
    this.timeout(120_000);
    const { generateTrace } = await import('../../fixtures/generateTrace');
    const { serializeTrace } = await import('../../../src/core/trace/io');
    const trace = generateTrace({ nodes: 10_000, seed: 43, validate: false });
    const uri = await writeTraceFixture('big-malformed', trace);
    const good = serializeTrace(trace);
    const text = good.replace(`"id": "n9000",\n      "parentId": "${trace.nodes[9000]!.parentId}"`, `"id": "n9000",\n      "parentId": "n9500"`);
    assert.notEqual(text, good, 'the fixture edit applied');
    fs.writeFileSync(uri.fsPath, text);
    const before = readBytes(uri);
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    const error = await waitFor('the error message', () => sent(api, uri).find((m) => m.type === 'error'), 90_000);
    assert.match(error.detail ?? '', /nodes\[9000\]\.parentId/);
    await api.postFromWebview(uri, { type: 'request', requestId: 'bad-edit', method: 'editNode', params: { nodeId: 'n5', text: 'x', mode: 'replace' } });
    const reply = sent(api, uri).find((m) => m.type === 'reply' && m.requestId === 'bad-edit') as { ok?: boolean; error?: { message: string } } | undefined;
    assert.equal(reply?.ok, false);
    // Refused for the file (trusted) or, first, for the workspace (Restricted Mode): never written either way.
    assert.match(reply?.error?.message ?? '', vscode.workspace.isTrusted ? /not a valid Meta-CoT trace/ : /Restricted Mode/);
    assert.deepEqual(readBytes(uri), before);
    assert.equal(hasDocument(uri), false);
  });
});
