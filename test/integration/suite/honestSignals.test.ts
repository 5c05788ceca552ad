// Honest signals in real VS Code (issue 17): a beam run on the embedded model with verifier none ends with a notice
// that says it had no value signal (with Set Verifier); a run against a closed port ends with an error notification
// whose actions include Configure Endpoint and its trace file shows the error icon and a failed mark in the Traces
// view; Open Trace as Text at a node (command and panel request) puts the cursor on the node's "id" line; the search
// panel opens in column 2 beside the editor with 60% of the width and the trace's mark in its title.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import type { RunNotice } from '../../../src/extension/runNotices';
import type { TraceTreeElement } from '../../../src/extension/traceTreeView';
import { closeAllEditors, closedPort, COUNTDOWN, panelRequest, readTrace, testApi, wsPath } from './extensionHelpers';

/** The 0-based line of node `nodeId`'s "id" key inside the nodes array of a trace file. */
function idLine(uri: vscode.Uri, nodeId: string): number {
  const lines = fs.readFileSync(uri.fsPath, 'utf8').split('\n');
  const nodes = lines.findIndex((l) => l.startsWith('  "nodes": ['));
  const at = lines.findIndex((l, i) => i > nodes && l.trim() === `"id": ${JSON.stringify(nodeId)},`);
  assert.ok(nodes > 0 && at > nodes, `node ${nodeId} in ${uri.fsPath}`);
  return at;
}

const ENDPOINT = 'signals-closed';

describe('extension: honest signals @trusted-only', function () {
  this.timeout(180_000);
  let api: TestApi;
  let saved: unknown[];
  let savedProbe: boolean | undefined;
  let noSignal: RunSummary;
  const cfg = () => vscode.workspace.getConfiguration('metacot');
  const noticeAfter = (from: number, what: string, match: (n: RunNotice) => boolean) =>
    waitFor(what, () => api.runNotices().find((n) => n.seq > from && match(n)), 15_000, 50);

  before(async () => {
    api = await testApi();
    saved = cfg().inspect<unknown[]>('endpoints')?.globalValue ?? [];
    savedProbe = cfg().inspect<boolean>('probeEndpoints')?.globalValue;
    await cfg().update('probeEndpoints', false, vscode.ConfigurationTarget.Global);
    const quick = { maxRetries: 1, retryBaseMs: 10, retryMaxMs: 20, timeoutMs: 5_000 };
    await cfg().update(
      'endpoints',
      [...(saved as { name: string }[]).filter((e) => e.name !== ENDPOINT), { name: ENDPOINT, baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, model: 'sim-countdown', mode: 'chat', ...quick }],
      vscode.ConfigurationTarget.Global,
    );
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('notifications.clearAll');
    await cfg().update('endpoints', saved, vscode.ConfigurationTarget.Global);
    await cfg().update('probeEndpoints', savedProbe, vscode.ConfigurationTarget.Global);
  });

  /** The Traces view's item for a trace file (the view lists running searches first, then files). */
  async function fileItem(uri: string): Promise<vscode.TreeItem> {
    const el = await waitFor(
      'the trace file in the Traces view',
      async () => (await api.treeChildren()).find((e): e is Extract<TraceTreeElement, { kind: 'file' }> => e.kind === 'file' && e.uri.toString() === uri),
      20_000,
      200,
    );
    return api.treeItem(el);
  }

  it('a beam run with verifier none on the embedded model: the end notice says it had no value signal', async () => {
    const from = api.runNotices().at(-1)?.seq ?? 0;
    noSignal = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'embedded',
      strategy: 'beam',
      verifier: { kind: 'none', params: {} },
      params: { seed: 1, N: 4, width: 4, maxDepth: 4 },
      budgets: { maxTokens: 2500 },
      open: false,
    })) as RunSummary;
    assert.notEqual(noSignal.status, 'failed', noSignal.reason);
    const notice = await noticeAfter(from, 'the no-signal notice', (n) => /no value signal/.test(n.message));
    assert.match(notice.message, /beam ran with no value signal: no step carried a value \(every step ranked at the prior 0\.5\), so its ranking is arbitrary — set a verifier \(prm, countdown, heuristic, rollout\)/);
    assert.equal(notice.actions[0], 'Set Verifier');
    assert.ok(notice.actions.includes('Show Log'));
    assert.ok(notice.severity === 'warning' || notice.severity === 'info', notice.severity);
    const item = await fileItem(noSignal.uri);
    const want = readTrace(noSignal.uri).result?.verified ? /^✓ solved/ : /^out of budget, unsolved|^no verified answer/;
    assert.match(String(item.description), want);
  });

  it('a run against a closed port: an error notification with Configure Endpoint; the Traces view shows the error icon', async () => {
    const from = api.runNotices().at(-1)?.seq ?? 0;
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: ENDPOINT, strategy: 'beam', params: { N: 2, width: 2, maxDepth: 2 }, open: false })) as RunSummary;
    assert.equal(s.status, 'failed', `${s.status}: ${s.reason}`);
    const notice = await noticeAfter(from, 'the failure notice', (n) => n.severity === 'error');
    assert.match(notice.message, /beam search failed/);
    assert.ok(notice.actions.includes('Configure Endpoint'), notice.actions.join(', '));
    const item = await waitFor('the failed mark', async () => {
      const it = await fileItem(s.uri);
      return (it.iconPath as vscode.ThemeIcon | undefined)?.id === 'error' ? it : undefined;
    }, 20_000, 200);
    assert.match(String(item.description), /^✗ failed/);
    assert.match(String(item.tooltip), /connection refused/);
    assert.equal(((item.iconPath as vscode.ThemeIcon).color as vscode.ThemeColor | undefined)?.id, 'testing.iconFailed');
  });

  it('Open Trace as Text at a node: the cursor on the node\'s "id" line (command and panel request)', async () => {
    const uri = vscode.Uri.parse(noSignal.uri);
    const trace = readTrace(uri);
    const deep = trace.nodes[trace.nodes.length - 1]!.id;
    const mid = trace.nodes[Math.floor(trace.nodes.length / 2)]!.id;
    await closeAllEditors();
    const r = (await vscode.commands.executeCommand('metacot.openAsText', { uri: uri.toString(), nodeId: deep })) as { uri: string; line?: number };
    const editorOf = () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const line = idLine(uri, deep);
    assert.equal(r.line, line + 1);
    await waitFor('the cursor on the node line', () => (editorOf()?.selection.active.line === line ? true : undefined), 10_000, 50);
    const visible = editorOf()!.visibleRanges[0]!;
    assert.ok(visible.start.line <= line && line <= visible.end.line, `line ${line} in view ${visible.start.line}–${visible.end.line}`);
    // From the panel: the page's openAsText request with a node.
    await vscode.commands.executeCommand('metacot.revealInPanel', { uri: uri.toString() });
    // The host answers once its page is ready (it has then sent the trace).
    await waitFor('the panel page loaded', () => (api.sentToWebview(uri).some((m) => /^load(Compact)?Trace$/.test((m as { type?: string }).type ?? '')) ? true : undefined), 60_000, 100);
    const reply = await panelRequest(api, uri, 'openAsText', { nodeId: mid });
    assert.equal(reply.ok, true, JSON.stringify(reply));
    const midLine = idLine(uri, mid);
    await waitFor('the cursor on the other node', () => (editorOf()?.selection.active.line === midLine ? true : undefined), 10_000, 50);
  });

  it('the search panel opens in column 2 beside the editor, with 60% of the width and the trace mark in its title', async () => {
    await closeAllEditors();
    const uri = vscode.Uri.parse(noSignal.uri);
    const other = vscode.Uri.file(wsPath('signals-notes.txt'));
    fs.writeFileSync(other.fsPath, 'notes\n');
    await vscode.window.showTextDocument(other, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('metacot.revealInPanel', { uri: uri.toString() });
    const tab = await waitFor('the panel tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Search: ')), 20_000, 100);
    assert.equal(tab.group.viewColumn, vscode.ViewColumn.Two);
    assert.equal(vscode.window.tabGroups.all.length, 2);
    const state = readTrace(uri).result?.verified ? '✓ solved' : readTrace(uri).runs.at(-1)?.status === 'budget' ? 'out of budget, unsolved' : 'no verified answer';
    assert.ok(tab.label.includes(` · ${state}`), tab.label);
    const layout = (await vscode.commands.executeCommand('vscode.getEditorLayout')) as { orientation: number; groups: { size?: number }[] };
    const [a, b] = layout.groups.map((g) => g.size ?? 0);
    console.log(`    panel layout: editor ${a}, panel ${b} (panel share ${(b! / (a! + b!)).toFixed(2)})`);
    assert.equal(layout.orientation, 0);
    assert.ok(Math.abs(b! / (a! + b!) - 0.6) < 0.05, `panel share ${b! / (a! + b!)}`);
    fs.rmSync(other.fsPath, { force: true });
  });

  it('a search run with its panel open: the tab title carries the end state once the run ends', async () => {
    await closeAllEditors();
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'embedded',
      strategy: 'astar',
      params: { seed: 3 },
      budgets: { maxTokens: 3000 },
    })) as RunSummary;
    const uri = vscode.Uri.parse(s.uri);
    const final = readTrace(uri);
    const mark = final.result?.verified ? `✓ solved ${final.result.finalAnswer}` : s.status === 'failed' ? '✗ failed' : undefined;
    const tab = await waitFor(
      `the panel tab with its end mark (${s.status})`,
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Search: ') && !t.label.includes('running') && (mark === undefined ? t.label.includes(' · ') : t.label.includes(mark))),
      20_000,
      100,
    ).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; tabs: ${vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => `${t.label} (${t.input?.constructor.name})`).join(', ')}`);
    });
    assert.ok(tab.label.includes(' · '), tab.label);
  });
});
