// Big traces in real VS Code: a 10,000-node trace (11.5 MB, over the file-backed threshold) opened with Open Trace
// reaches the panel in chunks without a TextDocument and the page reports holding every node; the file changing on
// disk (another tool, a git checkout) reloads the panel from the file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, openInTraceEditor, testApi, writeTraceFixture } from './extensionHelpers';

describe('extension: big traces', function () {
  let api: TestApi;

  before(async () => {
    api = await testApi();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('opening a 10,000-node trace loads every node into the file-backed panel, in chunks', async function () {
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
    assert.equal(vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()), false, 'no TextDocument');
  });

  it('a big file changed on disk reloads its panel with the new content', async function () {
    this.timeout(90_000);
    const { generateTrace } = await import('../../fixtures/generateTrace');
    const { serializeTrace } = await import('../../../src/core/trace/io');
    const trace = generateTrace({ nodes: 10_000, seed: 33, validate: false });
    const uri = await writeTraceFixture('big-outside', trace);
    await openInTraceEditor(api, uri);
    await waitFor('the first load', () => api.recentLog().some((l) => l.includes(`loaded trace ${trace.id}: 10000 nodes`)) || undefined, 60_000);
    const loads = () => (api.sentToWebview(uri) as { type: string; trace?: { nodes: { id: string[]; text: string[] } } }[]).filter((m) => m.type === 'loadCompactTrace');
    const first = loads().length;
    trace.nodes[7]!.text = 'Changed outside the editor';
    fs.writeFileSync(uri.fsPath, serializeTrace(trace));
    const reload = await waitFor('a reload from the file', () => (loads().length > first ? loads().at(-1) : undefined), 30_000);
    const nodes = reload.trace!.nodes;
    assert.equal(nodes.text[nodes.id.indexOf(trace.nodes[7]!.id)], 'Changed outside the editor');
  });
});
