// Big traces in real VS Code: a 10,000-node trace opened in the custom editor reaches the panel in chunks and the
// page reports holding every node; a malformed big file gets the error view (never a blank panel) and is not written.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, openInTraceEditor, readBytes, testApi, writeTraceFixture } from './extensionHelpers';

describe('extension: big traces', function () {
  let api: TestApi;

  before(async () => {
    api = await testApi();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('opening a 10,000-node trace in the custom editor loads every node into the panel, in chunks', async function () {
    this.timeout(90_000);
    const { generateTrace } = await import('../../fixtures/generateTrace');
    const trace = generateTrace({ nodes: 10_000, seed: 31, validate: false });
    const uri = await writeTraceFixture('big-10k', trace);
    await openInTraceEditor(api, uri);
    // The page says when it holds the whole load (after checking every chunk); the line comes through the host's log.
    const line = `loaded trace ${trace.id}: 10000 nodes in 2 messages`;
    await waitFor('the panel to report all 10,000 nodes', () => api.recentLog().some((l) => l.includes(line)), 60_000);
    const sent = api.sentToWebview(uri) as { type: string; chunked?: { totalNodes: number; chunks: number }; trace?: { nodes: { id: string[] } }; timing?: { parseMs?: number } }[];
    const head = sent.find((m) => m.type === 'loadCompactTrace');
    assert.ok(head, `no chunked load was sent (sent: ${sent.map((m) => m.type).join(', ')})`);
    assert.deepEqual(head.chunked && { total: head.chunked.totalNodes, chunks: head.chunked.chunks }, { total: 10_000, chunks: 1 });
    assert.equal(head.trace!.nodes.id.length, 2000, 'the first part is the top 2,000 nodes');
    assert.ok((head.timing?.parseMs ?? -1) > 0, 'the load reports how long the host parsed');
    assert.equal(sent.filter((m) => m.type === 'loadChunk').length, 1);
    assert.equal(api.errorView(uri), undefined);
  });

  it('a malformed big file shows the error view with the problem, and the file is untouched', async function () {
    this.timeout(90_000);
    const { generateTrace } = await import('../../fixtures/generateTrace');
    const { serializeTrace } = await import('../../../src/core/trace/io');
    const trace = generateTrace({ nodes: 10_000, seed: 32, validate: false });
    const uri = await writeTraceFixture('big-broken', trace);
    // A parent cycle deep in the file: n9000's parent made its own descendant-to-be (a forward reference).
    const text = serializeTrace(trace).replace(`"id": "n9000",\n      "parentId": "${trace.nodes[9000]!.parentId}"`, `"id": "n9000",\n      "parentId": "n9500"`);
    assert.notEqual(text, serializeTrace(trace), 'the fixture edit applied');
    fs.writeFileSync(uri.fsPath, text);
    const before = readBytes(uri);
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    const error = await waitFor('the error view', () => api.errorView(uri), 30_000);
    assert.match(error, /nodes\[9000\]\.parentId/);
    assert.match(error, /comes after its child|cycle/);
    assert.equal(api.hosts(uri).length, 0, 'no panel is left showing (blank) beside the error view');
    assert.deepEqual(readBytes(uri), before);
  });
});
