// Running searches through the extension's commands inside real VS Code, against the local reference server:
// run on a selection, on lines of a problem file, re-run from a node, cancel mid-run, export, node commands.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { ReferenceServer } from '../../../src/core/server';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, configureEndpoint, COUNTDOWN, panelRequest, readBytes, readTrace, startServer, testApi, writeTraceFixture, wsPath } from './extensionHelpers';
import { PANEL_METHODS } from '../../../src/protocol/panelRequests';
import type { PanelMethod } from '../../../src/protocol/panelRequests';

describe('extension: runs and node commands @trusted-only', function () {
  let api: TestApi;
  let server: ReferenceServer;
  let slow: ReferenceServer;
  let first: RunSummary;

  before(async function () {
    api = await testApi();
    server = await startServer();
    // Slow tokens so a run is still going when the test cancels it.
    slow = await startServer({ perTokenMs: 40, latencyMs: 100 });
    await configureEndpoint('ref', server);
    await configureEndpoint('ref-slow', slow);
    // The same server's long-CoT responder: what the in-context strategy needs.
    await configureEndpoint('ref-long-cot', server, { model: 'sim-long-cot' });
  });

  after(async () => {
    await closeAllEditors();
    await server?.close();
    await slow?.close();
  });

  it('Run Search on Selection: searches the selected text and saves the trace with the expected node count', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(wsPath('problems', 'countdown.txt')));
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, doc.lineAt(0).text.length);
    const before = server.log.entries.length;
    first = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      endpoint: 'ref',
      strategy: 'best-of-n',
      params: { n: 4, seed: 1 },
      open: false,
    })) as RunSummary;
    assert.ok(first, 'the command returned no summary');
    assert.ok(['solved', 'completed'].includes(first.status), `status ${first.status}: ${first.reason}`);
    assert.ok(server.log.entries.length > before, 'no request reached the reference server');
    const uri = vscode.Uri.parse(first.uri);
    assert.ok(uri.fsPath.startsWith(wsPath('.metacot', 'traces')), `trace saved outside .metacot/traces: ${uri.fsPath}`);
    const trace = readTrace(uri);
    assert.equal(trace.nodes.length, 5, 'best-of-n with n=4: the root and 4 solutions');
    assert.equal(trace.problem.text, COUNTDOWN);
    assert.equal(trace.problem.source?.file, 'problems/countdown.txt');
    assert.deepEqual(trace.problem.source?.selection?.start, { line: 0, character: 0 });
    assert.equal(trace.runs.length, 1);
    assert.equal(trace.runs[0]!.config.endpoint.name, 'ref');
    assert.equal(first.nodes, 5);
  });

  it('Run Search on Selection: without a selection the current line is the problem', async () => {
    const editor = vscode.window.activeTextEditor!;
    editor.selection = new vscode.Selection(0, 3, 0, 3);
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', { endpoint: 'ref', strategy: 'single', open: false })) as RunSummary;
    assert.equal(readTrace(s.uri).problem.text, COUNTDOWN);
  });

  it('Run Search on Problem File: runs the chosen JSONL lines, one trace each', async () => {
    const results = (await vscode.commands.executeCommand('metacot.runSearchOnProblemFile', {
      file: 'problems/countdown.jsonl',
      lines: [2, 3],
      endpoint: 'ref',
      strategy: 'beam',
      params: { N: 2, width: 2, maxDepth: 4, seed: 2 },
      open: false,
    })) as RunSummary[];
    assert.equal(results.length, 2);
    const traces = results.map((r) => readTrace(r.uri));
    assert.match(traces[0]!.problem.text, /4, 6, 8, 1 to reach 33/);
    assert.deepEqual(traces[0]!.problem.meta, { numbers: [4, 6, 8, 1], target: 33 });
    assert.equal(traces[1]!.problem.source?.line, 3);
    for (const t of traces) assert.ok(t.nodes.length > 1, 'a beam run adds nodes');
  });

  it('Run Search on Problem File: a GSM8K line stores the numeric reference answer (the core problem-line parser)', async () => {
    const [summary] = (await vscode.commands.executeCommand('metacot.runSearchOnProblemFile', {
      file: 'problems/gsm8k.jsonl',
      lines: [1],
      endpoint: 'ref',
      strategy: 'single',
      open: false,
    })) as RunSummary[];
    assert.ok(summary, 'no run');
    const trace = readTrace(summary.uri);
    assert.equal(trace.problem.answer, '72', 'the reference answer is the number after ####, not the worked solution');
    assert.match(trace.problem.text, /^Natalia sold clips to 48 of her friends/);
    assert.equal(trace.problem.source?.file, 'problems/gsm8k.jsonl');
    assert.equal(trace.problem.source?.line, 1);
    assert.equal(trace.problem.source?.dataset, 'gsm8k');
  });

  it('Re-run From Node with the in-context strategy (the palette list offers it) streams a long CoT into the trace', async () => {
    const { TraceTree } = await import('../../../src/core/trace/tree');
    const tree = TraceTree.create({ text: 'Compute 3 + 4 * 5 - 6 / 2.', answer: '20' }, { id: 'it-in-context', createdAt: '2026-01-01T00:00:00.000Z' });
    const uri = await writeTraceFixture('in-context', tree.toJSON());
    const s = (await vscode.commands.executeCommand('metacot.rerunFromNode', {
      uri: uri.toString(),
      nodeId: 'n0',
      strategy: 'in-context',
      endpoint: 'ref-long-cot',
      params: { seed: 1 },
      open: false,
    })) as RunSummary;
    assert.equal(s.status, 'solved', s.reason);
    const trace = readTrace(uri);
    assert.equal(trace.runs.length, 1);
    assert.equal(trace.runs[0]!.config.strategy, 'in-context');
    assert.equal(trace.runs[0]!.config.endpoint.model, 'sim-long-cot');
    assert.equal(trace.result?.finalAnswer, '20');
    assert.ok(trace.nodes.length > 3, `only ${trace.nodes.length} nodes from the long CoT`);
  });

  it('Re-run From Node: adds children only under that node; every other node is unchanged', async () => {
    const uri = vscode.Uri.parse(first.uri);
    const before = readTrace(uri);
    const target = before.nodes[1]!;
    const s = (await vscode.commands.executeCommand('metacot.rerunFromNode', {
      uri: first.uri,
      nodeId: target.id,
      strategy: 'beam',
      params: { N: 2, width: 1, maxDepth: 2, seed: 3 },
      open: false,
    })) as RunSummary;
    assert.equal(s.startNodeId, target.id);
    const after = readTrace(uri);
    assert.ok(after.nodes.length > before.nodes.length, 'the re-run added nothing');
    const parents = new Map(after.nodes.map((n) => [n.id, n.parentId]));
    const under = (id: string): boolean => {
      for (let p = parents.get(id); p; p = parents.get(p)) if (p === target.id) return true;
      return false;
    };
    const added = after.nodes.slice(before.nodes.length);
    for (const n of added) assert.ok(under(n.id), `${n.id} was added outside the subtree of ${target.id}`);
    assert.equal(after.runs.length, 2);
    assert.equal(after.runs[1]!.startNodeId, target.id);
    // Nodes outside the re-run subtree keep every field.
    for (const n of before.nodes) {
      if (n.id === target.id || under(n.id)) continue;
      assert.deepEqual(after.nodes.find((m) => m.id === n.id), n, `${n.id} changed`);
    }
  });

  it('Edit Node / Mark Node Correct / Prune Branch change only their node(s) in the saved file', async () => {
    const uri = first.uri;
    const before = readTrace(uri);
    const node = before.nodes[2]!;
    await vscode.commands.executeCommand('metacot.editNode', { uri, nodeId: node.id, text: 'edited by a person', save: true });
    let t = readTrace(uri);
    const edited = t.nodes.find((n) => n.id === node.id)!;
    assert.equal(edited.text, 'edited by a person');
    assert.equal(edited.originalText, node.text);

    await vscode.commands.executeCommand('metacot.markNodeCorrect', { uri, nodeId: node.id, save: true });
    t = readTrace(uri);
    assert.equal(t.nodes.find((n) => n.id === node.id)!.label, 'correct');
    await vscode.commands.executeCommand('metacot.markNodeIncorrect', { uri, nodeId: node.id, save: true });
    assert.equal(readTrace(uri).nodes.find((n) => n.id === node.id)!.label, 'incorrect');

    const sib = (await vscode.commands.executeCommand('metacot.editNode', { uri, nodeId: node.id, text: 'a human alternative', mode: 'sibling', save: true })) as { nodeId: string };
    t = readTrace(uri);
    const added = t.nodes.find((n) => n.id === sib.nodeId)!;
    assert.equal(added.parentId, node.parentId);
    assert.equal(added.author, 'human');

    const pruned = (await vscode.commands.executeCommand('metacot.pruneBranch', { uri, nodeId: before.nodes[1]!.id, reason: 'test', save: true })) as { pruned: string[] };
    t = readTrace(uri);
    for (const id of pruned.pruned) assert.equal(t.nodes.find((n) => n.id === id)!.status, 'pruned');
    assert.equal(t.nodes.find((n) => n.id === before.nodes[1]!.id)!.prune?.by, 'human');
    assert.ok(t.events.some((e) => e.type === 'prune' && e.node === before.nodes[1]!.id));
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.pruneBranch', { uri, nodeId: 'n0' })), /root cannot be pruned/);
  });

  it('Cancel Search: a cancelled run ends as cancelled and keeps its finished nodes in the file', async () => {
    const started = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'ref-slow',
      strategy: 'mcts',
      params: { simulations: 400, b: 2, c: 1.4, seed: 4, stopOnSolve: false },
      budgets: { maxNodes: 100000 },
      open: false,
      wait: false,
    })) as { runId: string; uri: string };
    assert.ok(api.runningSearches().some((r) => r.id === started.runId), 'the run is not listed as running');
    await waitFor('a few finished nodes', () => (api.runningSearches().find((r) => r.id === started.runId)?.nodes ?? 0) >= 4, 20_000, 100);
    const { cancelled } = (await vscode.commands.executeCommand('metacot.cancelSearch', { runId: started.runId })) as { cancelled: string[] };
    assert.deepEqual(cancelled, [started.runId]);
    await waitFor('the run to end', () => !api.runningSearches().some((r) => r.id === started.runId), 15_000, 100);
    const trace = await waitFor('the final checkpoint', () => {
      const t = readTrace(started.uri);
      return t.runs[0]?.status === 'cancelled' ? t : undefined;
    }, 5000);
    assert.ok(trace.nodes.length >= 4, `only ${trace.nodes.length} nodes kept`);
    const finished = trace.nodes.filter((n) => n.kind !== 'root' && n.status !== 'cancelled' && n.text.length > 0);
    assert.ok(finished.length > 0, 'no finished node was kept');
    assert.ok(!trace.nodes.some((n) => n.status === 'running'), 'nodes left in status running');
  });

  it('a running search updates the panel live (deltas) and is listed in the Traces view', async () => {
    const started = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'ref-slow',
      strategy: 'beam',
      params: { N: 2, width: 2, maxDepth: 3, seed: 6, stopOnSolve: false },
      open: true,
      wait: false,
    })) as { runId: string; uri: string };
    const uri = vscode.Uri.parse(started.uri);
    await waitFor('the search panel for the run', () => api.hosts(uri).length > 0, 10_000, 100);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const roots = await api.treeChildren();
    assert.ok(roots.some((e) => e.kind === 'run' && e.runId === started.runId), 'the running search is not in the Traces view');
    const ro = api.sentToWebview(uri).filter((m) => (m as { type?: string }).type === 'readOnly').pop() as { readOnly: boolean; reason?: string };
    assert.equal(ro.readOnly, true, 'editing is not blocked while the search runs');
    await waitFor(
      'a delta with new nodes',
      () => api.sentToWebview(uri).some((m) => (m as { type?: string; nodesAdded?: unknown[] }).type === 'traceDelta' && ((m as { nodesAdded: unknown[] }).nodesAdded.length > 0)),
      20_000,
      100,
    );
    await vscode.commands.executeCommand('metacot.cancelSearch', { uri: started.uri });
    await waitFor('the run to end', () => !api.runningSearches().some((r) => r.id === started.runId), 15_000, 100);
    // After the run the panel reloads the saved file and editing is allowed again.
    await waitFor('editing allowed again', () => (api.sentToWebview(uri).filter((m) => (m as { type?: string }).type === 'readOnly').pop() as { readOnly: boolean }).readOnly === false, 5000, 100);
  });

  it('the panel serializer restores a search panel onto the trace it showed', async () => {
    const uri = vscode.Uri.parse(first.uri);
    await vscode.commands.executeCommand('metacot.revealInPanel', { uri: first.uri });
    await waitFor('a panel on the trace', () => api.hosts(uri).length > 0, 10_000, 100);
    const before = api.hosts(uri).length;
    const panel = vscode.window.createWebviewPanel('metacot.searchPanel', 'restored', vscode.ViewColumn.Beside, {});
    const traceId = readTrace(uri).id;
    await api.restorePanel(panel, undefined, { type: 'ready', protocolVersion: 2, restoredTraceId: traceId });
    // The page reports the trace it had in its state; the host maps that id back to the file.
    await waitFor('the restored panel to attach', () => api.hosts(uri).length > before, 20_000, 100).catch(async (e: Error) => {
      throw new Error(`${e.message} (trace ${traceId})`);
    });
    panel.dispose();
  });

  it('Export writes the linearized trace, the solution and a trace copy', async () => {
    const lin = (await vscode.commands.executeCommand('metacot.export', { uri: first.uri, format: 'linearized', output: '.metacot/exports/first.txt' })) as { output: string; bytes: number };
    const text = fs.readFileSync(vscode.Uri.parse(lin.output).fsPath, 'utf8');
    const steps = readTrace(first.uri).nodes.filter((n) => n.kind !== 'root');
    assert.ok(steps.some((n) => text.includes(n.text.split('\n')[0]!)), `the linearization holds no step text:\n${text.slice(0, 400)}`);
    const sol = (await vscode.commands.executeCommand('metacot.export', { uri: first.uri, format: 'solution', output: '.metacot/exports/first.solution.txt' })) as { output: string };
    assert.ok(fs.existsSync(vscode.Uri.parse(sol.output).fsPath));
    const copy = (await vscode.commands.executeCommand('metacot.export', { uri: first.uri, format: 'trace', output: '.metacot/exports/copy.metacot.json' })) as { output: string };
    assert.deepEqual(readBytes(copy.output), readBytes(first.uri), 'a trace export is the same bytes (deterministic serialization)');
  });

  it('Export writes training records (SFT JSONL, Meta-STaR filtered) from the data core', async () => {
    const r = (await vscode.commands.executeCommand('metacot.export', { uri: first.uri, format: 'sft', output: '.metacot/exports/first.sft.jsonl' })) as { output: string };
    const lines = fs.readFileSync(vscode.Uri.parse(r.output).fsPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1, 'one SFT record per verified trace');
    assert.ok(JSON.parse(lines[0]!), 'the record is JSON');
  });

  it('Import Trace from Text turns a long chain of thought into a trace file', async () => {
    const text = '<think>Let me try 5 * 3 = 15. Then 15 + 7 = 22. Then 22 + 2 = 24. Wait, let me double-check: 15 + 7 + 2 = 24. Yes.</think>\nThe answer is 24.';
    const r = (await vscode.commands.executeCommand('metacot.importTrace', { text, kind: 'long-cot', problem: COUNTDOWN, answer: '24', output: '.metacot/traces/imported.metacot.json', open: false })) as { uri: string; nodes: number; kind: string };
    assert.equal(r.kind, 'long-cot');
    const t = readTrace(r.uri);
    assert.equal(t.nodes.length, r.nodes);
    assert.ok(t.nodes.length > 2, `only ${t.nodes.length} nodes imported`);
    assert.equal(t.problem.text, COUNTDOWN);
  });

  it('Open Trace, Open as Text and Open in Trace Editor switch between the custom editor and the JSON', async () => {
    const uri = vscode.Uri.parse(first.uri);
    await vscode.commands.executeCommand('metacot.openTrace', { uri: first.uri });
    await waitFor('the custom editor tab', () => activeTabIs(uri, 'custom'), 10_000);
    await vscode.commands.executeCommand('metacot.openAsText', { uri: first.uri, nodeId: 'n2' });
    await waitFor('the text editor tab', () => activeTabIs(uri, 'text'), 10_000);
    const ed = vscode.window.activeTextEditor!;
    assert.equal(ed.document.uri.toString(), uri.toString());
    assert.match(ed.document.lineAt(ed.selection.active.line).text, /"id": "n2"/);
    await vscode.commands.executeCommand('metacot.openInTraceEditor', { uri: first.uri });
    await waitFor('the custom editor tab again', () => activeTabIs(uri, 'custom'), 10_000);
    await closeAllEditors();
  });

  it('Reveal in Search Panel opens the panel on the trace and selects the node', async () => {
    await vscode.commands.executeCommand('metacot.revealInPanel', { uri: first.uri, nodeId: 'n1' });
    const uri = vscode.Uri.parse(first.uri);
    await waitFor('a search panel', () => api.hosts(uri).length > 0, 10_000);
    assert.deepEqual(api.selection(), { uri: uri.toString(), nodeId: 'n1' });
  });

  it('Test Connection lists the reference server models; Set API Key stores without prompts', async () => {
    const r = (await vscode.commands.executeCommand('metacot.testConnection', { endpoint: 'ref' })) as { models: string[] };
    assert.ok(r.models.includes('sim-countdown'), `models: ${r.models.join(', ')}`);
    const k = (await vscode.commands.executeCommand('metacot.setApiKey', { endpoint: 'ref', key: '' })) as { stored: boolean };
    assert.equal(k.stored, false);
  });

  it('Configure Endpoint with test: lists the models and saves to user settings', async () => {
    const r = (await vscode.commands.executeCommand('metacot.configureEndpoint', {
      preset: 'vllm',
      name: 'ref-vllm',
      baseUrl: server.url,
      mode: 'chat-continue',
      test: true,
      target: 'user',
    })) as { endpoint: { name: string; model: string; provider: string }; models: string[] };
    assert.ok(r.models.length >= 1);
    assert.equal(r.endpoint.model, r.models[0], 'without a model given, the first listed model is used');
    const saved = vscode.workspace.getConfiguration('metacot').inspect<{ name: string }[]>('endpoints')!.globalValue ?? [];
    assert.ok(saved.some((e) => e.name === 'ref-vllm'));
    assert.equal(vscode.workspace.getConfiguration('metacot').inspect('endpoints')!.workspaceValue, undefined, 'nothing written to workspace settings');
  });

  it('every panel action goes through the typed request path and gets a checked reply', async () => {
    await closeAllEditors();
    const run = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'ref',
      strategy: 'best-of-n',
      params: { n: 3, seed: 7 },
      open: false,
    })) as RunSummary;
    const uri = vscode.Uri.parse(run.uri);
    await vscode.commands.executeCommand('metacot.revealInPanel', { uri: run.uri });
    await waitFor('the search panel', () => api.hosts(uri).length > 0, 10_000, 100);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const seen = new Set<PanelMethod>();
    const ok = async (method: PanelMethod, params: unknown) => {
      const reply = await panelRequest(api, uri, method, params);
      assert.ok(reply.ok, `${method}: ${reply.ok ? '' : reply.error.message}`);
      seen.add(method);
      return reply.result as Record<string, unknown>;
    };
    const edited = await ok('editNode', { nodeId: 'n1', text: 'edited from the panel', mode: 'replace' });
    assert.equal(edited.nodeId, 'n1');
    // The search panel saves at once.
    assert.equal(readTrace(uri).nodes.find((n) => n.id === 'n1')!.text, 'edited from the panel');
    const sibling = await ok('editNode', { nodeId: 'n2', text: 'a human alternative', mode: 'sibling' });
    assert.equal(readTrace(uri).nodes.find((n) => n.id === sibling.nodeId)?.author, 'human');
    assert.deepEqual((await ok('pruneNode', { nodeId: 'n3', reason: 'from the panel' })).pruned, ['n3']);
    assert.deepEqual((await ok('unpruneNode', { nodeId: 'n3' })).restored, ['n3']);
    assert.notEqual(readTrace(uri).nodes.find((n) => n.id === 'n3')!.status, 'pruned');
    assert.deepEqual((await ok('pruneNode', { nodeId: 'n3', reason: 'from the panel' })).pruned, ['n3']);
    assert.equal((await ok('markNode', { nodeId: 'n1', label: 'correct' })).label, 'correct');
    assert.equal(readTrace(uri).nodes.find((n) => n.id === 'n1')!.label, 'correct');
    const exported = await ok('exportTrace', { format: 'solution' });
    assert.ok(fs.statSync(vscode.Uri.parse(exported.output as string).fsPath).size === exported.bytes);
    assert.equal((await ok('openAsText', { nodeId: 'n1' })).uri, uri.toString());
    await waitFor('the text editor', () => vscode.window.activeTextEditor?.document.uri.toString() === uri.toString(), 10_000);
    // Step importance asks K and a budget first (a quick pick): dismissed, it answers "not started" and measures nothing.
    const asking = ok('measureImportance', { nodeId: 'n1' });
    let answered = false;
    void asking.finally(() => (answered = true));
    while (!answered) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await new Promise((r) => setTimeout(r, 200));
    }
    const dismissed = await asking;
    assert.deepEqual({ measured: dismissed.measured, message: dismissed.message }, { measured: false, message: 'step importance: not started' });
    assert.equal(readTrace(uri).analyses, undefined, 'nothing was measured');
    const started = await ok('rerunFromNode', { nodeId: 'n0', strategy: 'best-of-n', params: { n: 2, seed: 8 } });
    assert.equal(started.startNodeId, 'n0');
    const cancelled = await ok('cancelRun', {});
    assert.ok((cancelled.cancelled as string[]).every((id) => id === started.runId));
    await waitFor('the re-run to end', () => !api.runningSearches().some((r) => r.id === started.runId), 15_000, 100);
    assert.deepEqual([...seen].sort(), [...PANEL_METHODS].sort(), 'a panel method was not exercised');

    const missing = await panelRequest(api, uri, 'markNode', { nodeId: 'n999', label: 'incorrect' });
    assert.equal(missing.ok, false);
    assert.match(missing.ok ? '' : missing.error.message, /no node "n999"/);
    await closeAllEditors();
  });

  it('errors of programmatic calls come back as rejections with a clear message', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'nope', open: false })), /No endpoint named "nope"/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'ref', strategy: 'beam', params: { widht: 2 }, open: false })), /unknown parameter "widht"/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.editNode', { uri: first.uri, nodeId: 'n999', text: 'x' })), /no node "n999"/);
    // Each command checks its argument object: a misspelt key is named, not ignored.
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.editNode', { uri: first.uri, nodeId: 'n1', txt: 'x' })), /invalid arguments: .*txt/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.export', { uri: first.uri })), /format is required/);
  });
});

function activeTabIs(uri: vscode.Uri, kind: 'custom' | 'text'): boolean {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  if (!tab) return false;
  if (kind === 'custom') return tab.input instanceof vscode.TabInputCustom && tab.input.uri.toString() === uri.toString() && tab.input.viewType === 'metacot.traceEditor';
  return tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString();
}
