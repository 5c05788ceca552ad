// The "Traces" tree view inside real VS Code: trace files of the workspace, their node hierarchy (lazy), running
// searches, large traces, and selection sync with the panel in both directions.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import type { TraceTreeElement } from '../../../src/extension/traceTreeView';
import { closeAllEditors, COUNTDOWN, smallTrace, testApi, writeTraceFixture } from './extensionHelpers';

describe('extension: Traces tree view', function () {
  let api: TestApi;
  let small: vscode.Uri;

  before(async () => {
    api = await testApi();
    small = await writeTraceFixture('tree-small', await smallTrace());
    await vscode.commands.executeCommand('metacot.traces.focus');
  });

  after(async () => {
    await closeAllEditors();
  });

  const fileItem = async (uri: vscode.Uri): Promise<TraceTreeElement> =>
    waitFor(
      `the tree to list ${uri.fsPath}`,
      async () => {
        await vscode.commands.executeCommand('metacot.refreshTraces');
        return (await api.treeChildren()).find((e) => e.kind === 'file' && e.uri.toString() === uri.toString());
      },
      10_000,
      200,
    );

  it('lists trace files and expands a trace into its node hierarchy with status icons and values', async () => {
    const file = await fileItem(small);
    const fileTi = await api.treeItem(file);
    assert.equal(fileTi.label, 'tree-small');
    assert.equal(fileTi.contextValue, 'metacot.file');
    const [root] = await api.treeChildren(file);
    assert.ok(root && root.kind === 'node' && root.nodeId === 'n0');
    const rootTi = await api.treeItem(root);
    assert.match(String(rootTi.label), /^Problem: Use the numbers/);
    assert.equal(rootTi.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    const kids = await api.treeChildren(root);
    assert.deepEqual(kids.map((k) => (k.kind === 'node' ? k.nodeId : '')), ['n1', 'n2']);
    const n1 = await api.treeItem(kids[0]!);
    assert.equal(n1.description, 'v 0.75');
    assert.equal(n1.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
    assert.match(n1.contextValue ?? '', /^metacot\.node\.step/);
    assert.ok(n1.tooltip instanceof vscode.MarkdownString && n1.tooltip.value.includes('5 * 3 = 15'));
    const [answer] = await api.treeChildren(kids[0]!);
    const answerTi = await api.treeItem(answer!);
    assert.equal((answerTi.iconPath as vscode.ThemeIcon).id, 'pass', 'a verified answer shows the pass icon');
  });

  it('an invalid trace file shows one error item instead of nodes', async () => {
    const uri = await writeTraceFixture('tree-invalid', await smallTrace());
    fs.writeFileSync(uri.fsPath, '{ "format": "metacot.trace", "version": 1, ');
    const file = await fileItem(uri);
    const kids = await api.treeChildren(file);
    assert.equal(kids.length, 1);
    assert.equal(kids[0]!.kind, 'message');
    const ti = await api.treeItem(kids[0]!);
    assert.match(String(ti.tooltip), /invalid JSON/);
  });

  it('a 10k-node trace expands lazily: only the expanded nodes are produced', async () => {
    const { TraceTree } = await import('../../../src/core/trace/tree');
    const tree = TraceTree.create({ text: COUNTDOWN }, { id: 'fixture-big', createdAt: '2025-01-01T00:00:00.000Z' });
    // A bushy tree: 10 children per node, breadth first, 10,000 nodes.
    const ids = ['n0'];
    for (let i = 1; i < 10_000; i++) {
      const parent = ids[Math.floor((i - 1) / 10)]!;
      ids.push(tree.addChild(parent, { kind: 'step', text: `step ${i}: ${i % 7} + ${i % 5} = ${(i % 7) + (i % 5)}`, author: 'model', value: (i % 100) / 100, visits: i % 13 }).id);
    }
    const uri = await writeTraceFixture('tree-big', tree.toJSON());
    const file = await fileItem(uri);
    const t0 = Date.now();
    const [root] = await api.treeChildren(file);
    const level1 = await api.treeChildren(root!);
    const level2 = await api.treeChildren(level1[3]!);
    const items = await Promise.all(level2.map((e) => api.treeItem(e)));
    const ms = Date.now() - t0;
    assert.equal(level1.length, 10, 'the root has 10 children (n1..n10)');
    assert.deepEqual(level2.map((e) => (e as { nodeId: string }).nodeId), ['n41', 'n42', 'n43', 'n44', 'n45', 'n46', 'n47', 'n48', 'n49', 'n50']);
    assert.equal(items[0]!.description, 'v 0.41 · N 2');
    console.log(`[metacot-it] 10k-node trace: first expansion (parse + index + 3 levels) ${ms} ms`);
    // Selecting a deep node reveals it (ancestors expanded through getParent).
    // Reveal again if a refresh (the file watcher reporting the new file) lands in the middle of one.
    await waitFor(
      'the deep node selected in the view',
      async () => {
        if (api.treeSelection().some((s) => s.nodeId === 'n9999')) return true;
        await api.selectInTree(uri, 'n9999');
        await new Promise((r) => setTimeout(r, 500));
        return api.treeSelection().some((s) => s.nodeId === 'n9999');
      },
      20_000,
      100,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nlog:\n${api.recentLog().slice(-10).join('\n')}`);
    });
  });

  it('selection syncs from the panel to the tree view and from the tree view to the panel', async () => {
    await vscode.commands.executeCommand('metacot.revealInPanel', { uri: small.toString() });
    await waitFor('the search panel', () => api.hosts(small).length > 0, 10_000);
    await api.postFromWebview(small, { type: 'ready', protocolVersion: 2 });
    await vscode.commands.executeCommand('metacot.traces.focus');
    await api.postFromWebview(small, { type: 'selectNode', nodeId: 'n3' });
    await waitFor('the tree to select n3', () => api.treeSelection().some((s) => s.uri === small.toString() && s.nodeId === 'n3'), 10_000, 100);
    await api.selectInTree(small, 'n2');
    await waitFor(
      'the panel to be told to reveal n2',
      () => api.sentToWebview(small).some((m) => (m as { type?: string; nodeId?: string }).type === 'revealNode' && (m as { nodeId: string }).nodeId === 'n2'),
      10_000,
      100,
    );
  });

  it('a new trace file appears in the view through the file watcher', async () => {
    const uri = await writeTraceFixture('tree-late', await smallTrace());
    await waitFor('the watcher to add the file', async () => (await api.treeChildren()).some((e) => e.kind === 'file' && e.uri.toString() === uri.toString()), 10_000, 200);
  });
});
