// Tree diff in real VS Code: "Compare Traces…" on two trace files (as an API call and as the explorer's
// two-file selection) and "Compare Runs…" on a trace with two runs open a read-only "A ↔ B" panel whose host sends
// the overlaid tree and then diffMarks with the diff's counts; wrong calls are refused with the reason.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { harness, waitFor } from '../harness';
import { diffTraces } from '../../../src/core/analyse/diff';
import { runSubtrace } from '../../../src/core/analyse/diffOverlay';
import type { CompareResult } from '../../../src/extension/compareCommands';
import type { Run, Trace } from '../../../src/core/trace/schema';
import { TraceTree } from '../../../src/core/trace/tree';
import { PROTOCOL_VERSION } from '../../../src/protocol/hostMessages';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, testApi, writeTraceFixture } from './extensionHelpers';

interface SentMark {
  nodeId: string;
  kind: 'same' | 'added' | 'removed' | 'changed';
  valueChanged?: boolean;
}
interface SentMessage {
  type: string;
  traceId?: string;
  trace?: { id: string };
  label?: string;
  marks?: SentMark[];
  readOnly?: boolean;
}

/** The fixture MCTS trace (30 nodes), and B: one step reworded, one value changed, a leaf dropped, a step added. */
function tracePair(): { a: Trace; b: Trace } {
  const file = path.join(harness().extensionRoot, 'test/fixtures/traces/mcts-30.metacot.json');
  const a = JSON.parse(fs.readFileSync(file, 'utf8')) as Trace;
  const tree = TraceTree.from(structuredClone(a));
  const b = tree.trace;
  b.id = `${a.id}-again`;
  const steps = b.nodes.filter((n) => n.kind === 'step');
  const leaf = [...b.nodes].reverse().find((n) => n.parentId !== null && !b.nodes.some((c) => c.parentId === n.id) && n.id !== b.result?.bestNodeId && !steps.slice(0, 2).includes(n))!;
  steps[0]!.text = `${steps[0]!.text} Then check the remaining numbers again.`;
  steps[1]!.value = steps[1]!.value === 0.5 ? 0.25 : 0.5;
  b.nodes = b.nodes.filter((n) => n.id !== leaf.id);
  b.events = b.events.filter((e) => e.node !== leaf.id);
  tree.addChild('n0', { kind: 'step', author: 'human', text: 'A step only the second trace has: 9 - 2 = 7 (left: 3, 5, 7)' });
  return { a, b: tree.toJSON() };
}

const usage = { requests: 1, cachedRequests: 0, tokensIn: 10, tokensOut: 5, cost: 0 };
const run = (id: string, startNodeId: string, strategy: Run['config']['strategy']): Run => ({
  id,
  config: { strategy, params: {}, endpoint: { name: 'e', baseUrl: 'http://127.0.0.1', model: 'm', mode: 'chat', sampling: {} }, verifier: { kind: 'none', params: {} }, budgets: {} },
  startNodeId,
  startedAt: '2026-01-01T00:00:00.000Z',
  status: 'completed',
  usage,
});

/** run-1 from the root; run-2 re-ran from n1: one step the same with another value, one reworded, one new. */
function twoRuns(): Trace {
  const t = TraceTree.create({ text: 'Use the numbers 3, 5, 7, 2 to reach 24.' }, { id: 'compare-two-runs', createdAt: '2026-01-01T00:00:00.000Z' });
  t.trace.runs.push(run('run-1', 'n0', 'mcts'), run('run-2', 'n1', 'beam'));
  t.trace.usage = { ...usage, requests: 2, tokensIn: 20, tokensOut: 10 };
  const r1 = { kind: 'step' as const, author: 'model' as const, runId: 'run-1' };
  const r2 = { kind: 'step' as const, author: 'model' as const, runId: 'run-2' };
  const n1 = t.addChild('n0', { ...r1, text: '5 * 3 = 15 (left: 7, 2, 15)', value: 0.7 });
  t.addChild('n0', { ...r1, text: '7 - 2 = 5 (left: 3, 5, 5)', value: 0.1 });
  t.addChild(n1.id, { ...r1, text: '15 + 7 = 22 (left: 2, 22)', value: 0.5, supersededBy: 'run-2' });
  t.addChild(n1.id, { ...r1, text: '15 - 7 = 8 (left: 2, 8)', value: 0.1, supersededBy: 'run-2' });
  t.addChild(n1.id, { ...r2, text: '15 + 7 = 22 (left: 2, 22)', value: 0.9 });
  t.addChild(n1.id, { ...r2, text: '15 - 7 = 8 (left: 8, 2)', value: 0.1 });
  t.addChild(n1.id, { ...r2, text: '15 * 2 = 30 (left: 7, 30)', value: 0.2 });
  return t.toJSON();
}

/** Counts as the page computes them from the marks it was sent. */
function markCounts(marks: SentMark[]): { added: number; removed: number; changed: number; valueChanged: number } {
  const c = { added: 0, removed: 0, changed: 0, valueChanged: 0 };
  for (const m of marks) {
    if (m.kind !== 'same') c[m.kind]++;
    if (m.valueChanged) c.valueChanged++;
  }
  return c;
}

/**
 * What the compare panel titled `title` sent its page once the page said `ready`. The test delivers `ready` through
 * the host's own entry for page messages (as the other panel suites do): the page's own may come seconds later
 * on a loaded machine, or already have come (then the host simply sends everything again).
 */
async function sentBy(api: TestApi, title: string): Promise<SentMessage[]> {
  const panel = await waitFor(`the "${title}" panel`, () => api.comparePanels().find((x) => x.title === title));
  panel.receive({ type: 'ready', protocolVersion: PROTOCOL_VERSION });
  const sent = api.comparePanels().find((x) => x.title === title)!.sent as SentMessage[];
  assert.ok(sent.some((m) => m.type === 'diffMarks'), `no diffMarks: ${sent.map((m) => m.type).join(', ')}`);
  return sent;
}

function checkSent(sent: SentMessage[], result: CompareResult): SentMark[] {
  const load = sent.findIndex((m) => m.type === 'loadTrace' || m.type === 'loadCompactTrace');
  const marks = sent.findIndex((m) => m.type === 'diffMarks');
  assert.ok(load >= 0 && load < marks, `the overlay is loaded before its marks: ${sent.map((m) => m.type).join(', ')}`);
  assert.equal(sent[load]!.trace!.id, result.traceId);
  assert.equal(sent[marks]!.traceId, result.traceId);
  assert.equal(sent[marks]!.label, result.label);
  assert.ok(sent.some((m) => m.type === 'readOnly' && m.readOnly === true), 'the comparison is read-only');
  return sent[marks]!.marks!;
}

describe('extension: compare traces and runs', function () {
  this.timeout(60_000);
  let api: TestApi;

  before(async () => {
    api = await testApi();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('Compare Traces on two fixture traces opens "A ↔ B" whose host sent the diff\'s marks', async () => {
    const { a, b } = tracePair();
    const ua = await writeTraceFixture('compare-a', a);
    const ub = await writeTraceFixture('compare-b', b);
    const result = await vscode.commands.executeCommand<CompareResult>('metacot.compareTraces', { a: ua.toString(), b: ub.toString() });
    const expected = diffTraces(a, b).counts;
    assert.deepEqual(result.counts, expected);
    assert.equal(result.label, 'compare-a ↔ compare-b');
    assert.deepEqual({ changed: expected.changed, removed: expected.removed, added: expected.added }, { changed: 1, removed: 1, added: 1 });
    assert.ok(expected.valueChanged >= 1);
    assert.equal(result.nodes, b.nodes.length + expected.removed);
    const marks = checkSent(await sentBy(api, 'compare-a ↔ compare-b'), result);
    assert.deepEqual(markCounts(marks), { added: expected.added, removed: expected.removed, changed: expected.changed, valueChanged: expected.valueChanged });
    // The removed leaf is grafted under a fresh id.
    assert.match(marks.find((m) => m.kind === 'removed')!.nodeId, /^A:/);
    // The merged view is read-only: an edit request from the page is answered with the reason.
    const panel = api.comparePanels().find((p) => p.title === result.label)!;
    panel.receive({ type: 'request', requestId: 'r1', method: 'pruneNode', params: { nodeId: 'n1', reason: 'test' } });
    const reply = (api.comparePanels().find((p) => p.title === result.label)!.sent as (SentMessage & { ok?: boolean; error?: { message: string } })[]).at(-1)!;
    assert.equal(reply.type, 'reply');
    assert.equal(reply.ok, false);
    assert.match(reply.error!.message, /read-only|comparison of two trees/);
  });

  it('the explorer\'s two selected files compare without a prompt, in the panel already open for the pair', async () => {
    const { a, b } = tracePair();
    const ua = await writeTraceFixture('compare-a', a);
    const ub = await writeTraceFixture('compare-b', b);
    const first = await vscode.commands.executeCommand<CompareResult>('metacot.compareTraces', { a: ua.toString(), b: ub.toString() });
    // A menu on a multi-selection passes the clicked file, then all selected files.
    const again = await vscode.commands.executeCommand<CompareResult>('metacot.compareTraces', ub, [ub, ua]);
    assert.equal(again.label, 'compare-b ↔ compare-a');
    assert.deepEqual(again.counts, diffTraces(b, a).counts);
    await sentBy(api, 'compare-b ↔ compare-a');
    // Comparing the first pair once more reuses its panel.
    const before = api.comparePanels().length;
    await vscode.commands.executeCommand<CompareResult>('metacot.compareTraces', { a: ua.toString(), b: ub.toString() });
    assert.equal(api.comparePanels().length, before);
    assert.equal(api.comparePanels().filter((p) => p.title === first.label).length, 1);
  });

  it('Compare Runs on a two-run trace diffs the runs\' own parts (as an API call and from the Traces view)', async () => {
    const t = twoRuns();
    const uri = await writeTraceFixture('compare-runs', t);
    const result = await vscode.commands.executeCommand<CompareResult>('metacot.compareRuns', { uri: uri.toString(), runA: 'run-1', runB: 'run-2' });
    const expected = diffTraces(runSubtrace(t, 'run-1'), runSubtrace(t, 'run-2')).counts;
    assert.deepEqual(result.counts, expected);
    // n1 shared; 22 same text with another value; 8 reworded; 30 new; run-1's "7 - 2" branch not in run-2.
    assert.deepEqual(expected, { same: 2, changed: 1, removed: 1, added: 1, valueChanged: 1 });
    assert.equal(result.label, 'run-1 (mcts) ↔ run-2 (beam)');
    const marks = checkSent(await sentBy(api, result.label), result);
    assert.deepEqual(markCounts(marks), { added: 1, removed: 1, changed: 1, valueChanged: 1 });
    // Removed nodes are real nodes of the trace: run-1's n2 keeps its id.
    assert.deepEqual(marks.filter((m) => m.kind === 'removed').map((m) => m.nodeId), ['n2']);
    // From a file (the Traces view's menu passes it): two runs, so no pick.
    const fromMenu = await vscode.commands.executeCommand<CompareResult>('metacot.compareRuns', uri);
    assert.deepEqual(fromMenu.counts, expected);
  });

  it('a comparison panel VS Code restores after a reload reads and diffs the same pair again; one it cannot rebuild closes', async () => {
    const { a, b } = tracePair();
    const ua = await writeTraceFixture('compare-restore-a', a);
    const ub = await writeTraceFixture('compare-restore-b', b);
    const result = await vscode.commands.executeCommand<CompareResult>('metacot.compareTraces', { a: ua.toString(), b: ub.toString() });
    await closeAllEditors();
    assert.equal(api.comparePanels().filter((p) => p.title === result.label).length, 0);
    // What VS Code does on reload: a bare panel of the view type, and the page's `ready` with the trace it showed.
    const panel = vscode.window.createWebviewPanel('metacot.comparePanel', 'restored', vscode.ViewColumn.Beside, {});
    api.restoreCompare(panel, { type: 'ready', protocolVersion: PROTOCOL_VERSION, restoredTraceId: result.traceId });
    const restored = await waitFor('the restored comparison', () => api.comparePanels().find((p) => p.title === result.label && p.sent.some((m) => (m as SentMessage).type === 'diffMarks')), 20_000);
    const marks = checkSent(restored.sent as SentMessage[], result);
    assert.deepEqual(markCounts(marks), markCounts(checkSent(await sentBy(api, result.label), result)));
    await closeAllEditors();
    // B deleted meanwhile: the restored panel closes and says why; a page with no remembered comparison just closes.
    fs.rmSync(ub.fsPath);
    const gone = vscode.window.createWebviewPanel('metacot.comparePanel', 'restored', vscode.ViewColumn.Beside, {});
    let disposed = false;
    gone.onDidDispose(() => (disposed = true));
    api.restoreCompare(gone, { type: 'ready', protocolVersion: PROTOCOL_VERSION, restoredTraceId: result.traceId });
    await waitFor('the unrestorable panel to close', () => disposed || undefined, 20_000);
    const unknown = vscode.window.createWebviewPanel('metacot.comparePanel', 'restored', vscode.ViewColumn.Beside, {});
    let closed = false;
    unknown.onDidDispose(() => (closed = true));
    api.restoreCompare(unknown, { type: 'ready', protocolVersion: PROTOCOL_VERSION, restoredTraceId: 'diff:never:compared' });
    await waitFor('the panel with nothing remembered to close', () => closed || undefined, 20_000);
  });

  it('refuses what it cannot compare, saying why', async () => {
    const { a } = tracePair();
    const one = await writeTraceFixture('compare-one-run', a);
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.compareRuns', { uri: one.toString(), runA: 'run-1', runB: 'run-2' })),
      /has one run; Compare Runs needs two/,
    );
    const two = await writeTraceFixture('compare-runs', twoRuns());
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.compareRuns', { uri: two.toString(), runA: 'run-1', runB: 'run-9' })), /no run "run-9"/);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.compareTraces', { a: one.toString() })), /a and b \(two trace files\) are required/);
  });
});
