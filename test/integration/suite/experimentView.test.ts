// The Experiment view in real VS Code, on an experiment folder the core runner writes here (2 problems × 2 cells
// against the reference server, then two entries re-run against a closed port so they fail): "Open Experiment…"
// opens the view and its page draws the grid and the plots (the page's own `rendered` report), a grid entry opens
// its trace in the trace editor, "Re-run failures" with fixed settings runs only the failed entries, a change to
// the folder refreshes the view, and folders that are not experiments are refused with what is wrong.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import { runExperiment } from '../../../src/core/experiment/runner';
import { strategiesFrom } from '../../../src/core/experiment/spec';
import { ExperimentSummarySchema } from '../../../src/core/experiment/summary';
import type { ExperimentSummary } from '../../../src/core/experiment/summary';
import { parseProblemSetText } from '../../../src/core/problems/problemSet';
import type { ReferenceServer } from '../../../src/core/server';
import type { OpenExperimentResult } from '../../../src/extension/experimentCommand';
import { EXPERIMENT_PROTOCOL_VERSION, ExperimentReplySchema, parseExperimentResult } from '../../../src/protocol/experimentMessages';
import type { ExperimentMethod } from '../../../src/protocol/experimentMessages';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, closedPort, configureEndpoint, isTrustedRun, startServer, testApi, wsPath } from './extensionHelpers';

type View = ReturnType<TestApi['experimentViews']>[number];
interface Sent {
  type: string;
  requestId?: string;
  summary?: ExperimentSummary;
  plotUris?: Record<string, string>;
  state?: { running: boolean; done: number; message: string };
  message?: string;
}
interface Rendered {
  updatedAt: string;
  cells: number;
  problems: number;
  gridCells: number;
  plots: number;
  plotsLoaded: number;
}

const PROBLEMS = [
  { id: 'exp-view-1', numbers: [3, 5, 7, 2], target: 24 },
  { id: 'exp-view-2', numbers: [4, 6, 8, 1], target: 19 },
];

/** The newest message matching `pred` (lib is ES2022: no findLast). */
function newest(list: Sent[], pred: (m: Sent) => boolean): Sent | undefined {
  return [...list].reverse().find(pred);
}

const readSummary = (dir: string): ExperimentSummary => ExperimentSummarySchema.parse(JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')));

let nextId = 1;
/** A typed request as the page sends it, through the view's own entry; the reply is checked with the protocol's schemas. */
async function request<M extends ExperimentMethod>(view: View, method: M, params: unknown): Promise<{ ok: true; result: unknown } | { ok: false; message: string }> {
  const requestId = `it-exp-${nextId++}`;
  await view.receive({ type: 'request', requestId, method, params });
  const api = await testApi();
  const sent = api.experimentViews().find((v) => v.folder === view.folder)!.sent as Sent[];
  const raw = sent.find((m) => m.type === 'reply' && m.requestId === requestId);
  assert.ok(raw, `a reply to ${method}`);
  const reply = ExperimentReplySchema.parse(raw);
  assert.equal(reply.method, method);
  if (!reply.ok) return { ok: false, message: reply.error.message };
  const checked = parseExperimentResult(method, reply.result);
  assert.ok(checked.ok, checked.ok ? '' : checked.error);
  return { ok: true, result: checked.result };
}

describe('extension: Experiment view', function () {
  this.timeout(180_000);
  let api: TestApi;
  let server: ReferenceServer;
  let dir: string;
  let failedTraces: string[];

  before(async () => {
    api = await testApi();
    server = await startServer();
    // The experiment, written as `metacot experiment` writes it: the problems as a JSONL file in the workspace (the
    // spec names it relative to the workspace), 2 cells, the reference server's Countdown model.
    const source = 'experiments-it/view-problems.jsonl';
    fs.mkdirSync(wsPath('experiments-it'), { recursive: true });
    fs.writeFileSync(wsPath(source), PROBLEMS.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const problems = parseProblemSetText(fs.readFileSync(wsPath(source), 'utf8'), source);
    dir = wsPath('experiments-it', `view-${Date.now()}`);
    const spec: ExperimentSummary['spec'] = {
      problems: { source, count: problems.length },
      strategies: strategiesFrom(['beam', 'best-of-n'], []),
      budgets: [2000],
      endpoint: { kind: 'openai', baseUrl: server.url, model: 'sim-countdown', mode: 'chat' },
      seed: 1,
    };
    const good = { kind: 'openai' as const, config: { name: 'exp-it', baseUrl: server.url, model: 'sim-countdown', mode: 'chat' as const } };
    const first = await runExperiment({ dir, spec, problems, endpoint: good });
    assert.equal(first.summary.totals.finished, 4, JSON.stringify(first.errors));
    // Two entries run again against a closed port (what an endpoint down mid-experiment leaves): they fail.
    failedTraces = [first.summary.cells[0]!.results[1]!.trace, first.summary.cells[1]!.results[0]!.trace];
    for (const t of failedTraces) fs.rmSync(path.join(dir, t));
    const port = await closedPort();
    await runExperiment({ dir, spec, problems, endpoint: { kind: 'openai', config: { name: 'closed', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'sim-countdown', mode: 'chat', maxRetries: 0 } } });
    const s = readSummary(dir);
    assert.equal(s.totals.failed, 2, 'two entries failed');
    assert.equal(s.totals.missing, 0);
  });

  after(async () => {
    await closeAllEditors();
    await server?.close();
  });

  let view: View;

  it('Open Experiment… opens the view; its page draws the grid and the plots', async () => {
    const r = (await vscode.commands.executeCommand('metacot.openExperiment', { folder: dir })) as OpenExperimentResult;
    assert.deepEqual(r, { folder: dir, cells: 2, problems: 2, failed: 2, complete: true });
    view = await waitFor('the Experiment view', () => api.experimentViews().find((v) => v.folder === dir));
    // The page's own report of what it drew, after its images decoded (the page starts in a few seconds in code-server).
    const rendered = (await waitFor('the page to render', () => api.experimentViews().find((v) => v.folder === dir)!.rendered.at(-1), 60_000)) as Rendered;
    const s = readSummary(dir);
    assert.deepEqual(rendered, { type: 'rendered', updatedAt: s.updatedAt, cells: 2, problems: 2, gridCells: 4, plots: s.plots.length, plotsLoaded: s.plots.length });
    assert.ok(s.plots.length >= 2, `plots listed: ${s.plots.map((p) => p.kind).join(', ')}`);
    const load = newest(api.experimentViews().find((v) => v.folder === dir)!.sent as Sent[], (m) => m.type === 'experiment')!;
    assert.deepEqual(Object.keys(load.plotUris!).sort(), s.plots.map((p) => p.svg).sort());
    for (const u of Object.values(load.plotUris!) as string[]) assert.doesNotMatch(u, /^file:/, 'plots go through asWebviewUri');
    // Opening it again reveals the same view.
    await vscode.commands.executeCommand('metacot.openExperiment', vscode.Uri.file(path.join(dir, 'summary.json')));
    assert.equal(api.experimentViews().filter((v) => v.folder === dir).length, 1);
  });

  it('a grid entry opens its trace in the trace editor', async () => {
    const s = readSummary(dir);
    const entry = s.cells[0]!.results[0]!;
    const reply = await request(view, 'openCell', { cellId: s.cells[0]!.id, index: 0 });
    assert.ok(reply.ok, reply.ok ? '' : reply.message);
    const uri = vscode.Uri.file(path.join(dir, entry.trace));
    assert.equal((reply.result as { uri: string }).uri, uri.toString());
    await waitFor('the trace editor on the entry', () => (api.hosts(uri).length > 0 ? true : undefined), 20_000);
    // A cell that is not in the experiment: refused with the cells it has.
    const bad = await request(view, 'openCell', { cellId: 'nope-1', index: 0 });
    assert.ok(!bad.ok && /no cell "nope-1" in this experiment \(cells: beam-2000, best-of-n-2000\)/.test(bad.message), JSON.stringify(bad));
  });

  it('"Re-run failures" on fixed settings runs only the failed entries, then the view shows none failed; in Restricted Mode it is refused, saying why', async () => {
    const s = readSummary(dir);
    const all = s.cells.flatMap((c) => c.results.map((r) => r.trace));
    const mtimes = new Map(all.map((t) => [t, fs.statSync(path.join(dir, t)).mtimeMs]));
    if (!isTrustedRun()) {
      // Re-running writes into the folder and sends requests: refused, and nothing is written.
      const refused = await request(view, 'rerunFailures', {});
      assert.ok(!refused.ok && /^Restricted Mode: re-running writes traces/.test(refused.message), JSON.stringify(refused));
      for (const t of all) assert.equal(fs.statSync(path.join(dir, t)).mtimeMs, mtimes.get(t), `${t} was left alone`);
      return;
    }
    await configureEndpoint('exp-fixed', server);
    const reply = await request(view, 'rerunFailures', { endpoint: 'exp-fixed' });
    assert.ok(reply.ok, reply.ok ? '' : reply.message);
    assert.deepEqual({ ...(reply.result as object), message: undefined }, { ran: 2, stillFailed: 0, cancelled: false, message: undefined });
    for (const t of all) {
      const changed = fs.statSync(path.join(dir, t)).mtimeMs !== mtimes.get(t);
      assert.equal(changed, failedTraces.includes(t), `${t} ${failedTraces.includes(t) ? 'ran again' : 'was left alone'}`);
    }
    const after = readSummary(dir);
    assert.equal(after.totals.failed, 0);
    assert.equal(after.totals.finished, 4);
    for (const t of failedTraces) {
      const r = after.cells.flatMap((c) => c.results).find((x) => x.trace === t)!;
      assert.notEqual(r.status, 'failed', `${t} is ${r.status} now`);
    }
    const sent = api.experimentViews().find((v) => v.folder === dir)!.sent as Sent[];
    const states = sent.filter((m) => m.type === 'rerunState').map((m) => m.state!);
    assert.ok(states.some((x) => x.running && x.done === 2), `progress was sent: ${JSON.stringify(states)}`);
    assert.equal(states.at(-1)!.running, false);
    assert.equal(newest(sent, (m) => m.type === 'experiment')!.summary!.totals.failed, 0, 'the view was refreshed');
    // Nothing failed now: a second re-run does nothing.
    const again = await request(view, 'rerunFailures', {});
    assert.ok(again.ok);
    assert.deepEqual({ ...(again.result as object) }, { ran: 0, stillFailed: 0, cancelled: false, message: 'No entry failed: nothing to re-run.' });
  });

  it('Cancel stops a re-run; the next one finishes what the cancelled one left, and fixes the failures @trusted-only', async () => {
    const sentNow = () => api.experimentViews().find((v) => v.folder === dir)!.sent as Sent[];
    // The two failures again, and a slow server so the re-run is still going when Cancel comes.
    const s0 = readSummary(dir);
    const problems = parseProblemSetText(fs.readFileSync(wsPath(s0.spec.problems.source), 'utf8'), s0.spec.problems.source);
    for (const t of failedTraces) fs.rmSync(path.join(dir, t));
    const port = await closedPort();
    await runExperiment({ dir, spec: s0.spec, problems, endpoint: { kind: 'openai', config: { name: 'closed', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'sim-countdown', mode: 'chat', maxRetries: 0 } } });
    assert.equal(readSummary(dir).totals.failed, 2);
    server.setKnobs({ latencyMs: 500 });
    let r: Awaited<ReturnType<typeof request>> | undefined;
    try {
      const pending = request(view, 'rerunFailures', { endpoint: 'exp-fixed' });
      await waitFor('the re-run to start', () => newest(sentNow(), (m) => m.type === 'rerunState')?.state?.running === true || undefined, 20_000);
      const c = await request(view, 'cancelRerun', {});
      assert.ok(c.ok && (c.result as { cancelled: boolean }).cancelled === true, JSON.stringify(c));
      r = await pending;
      assert.ok(r.ok, r.ok ? '' : r.message);
      const out = r.result as { ran: number; cancelled: boolean; message: string };
      assert.equal(out.cancelled, true, out.message);
      assert.ok(out.ran < 2, `cancelled before both ran (${out.ran})`);
      assert.match(out.message, /^Cancelled after \d of 2 entries/);
      assert.equal(newest(sentNow(), (m) => m.type === 'rerunState')!.state!.running, false);
    } finally {
      server.setKnobs({ latencyMs: 0 });
    }
    // Nothing is lost: an entry not reached is still failed, the one running when Cancel came is failed (its old
    // trace kept) or not finished (missing); the next re-run does them all.
    const left = readSummary(dir).totals;
    const stopped = 2 - (r?.ok ? (r.result as { ran: number }).ran : 0);
    assert.equal(left.failed + left.missing, stopped, JSON.stringify(left));
    if (left.failed > 0) {
      const fin = await request(view, 'rerunFailures', { endpoint: 'exp-fixed' });
      assert.ok(fin.ok, fin.ok ? '' : fin.message);
      assert.equal((fin.result as { ran: number }).ran, stopped);
      assert.deepEqual([readSummary(dir).totals.failed, readSummary(dir).totals.missing], [0, 0]);
    }
  });

  it('a change to the folder (the summary rewritten) refreshes the view', async () => {
    const s = readSummary(dir);
    const updatedAt = '2030-01-01T00:00:00.000Z';
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ ...s, updatedAt }, null, 1));
    await waitFor('the refreshed summary', () => (api.experimentViews().find((v) => v.folder === dir)!.sent as Sent[]).some((m) => m.type === 'experiment' && m.summary!.updatedAt === updatedAt), 45_000);
    // A summary broken in place: the view says what is wrong instead of showing stale numbers.
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ ...s, cells: 'none' }));
    const err = await waitFor('the error', () => newest(api.experimentViews().find((v) => v.folder === dir)!.sent as Sent[], (m) => m.type === 'experimentError'), 20_000);
    assert.match(err.message!, /summary\.json is not an experiment summary: cells: /);
    fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(s, null, 1));
  });

  it('after a reload VS Code restores the view on the same folder; a panel with no folder remembered closes', async () => {
    await closeAllEditors();
    await waitFor('the view to close', () => (api.experimentViews().some((v) => v.folder === dir) ? undefined : true), 20_000);
    // What VS Code does on reload: a bare panel of the view type, with the title it had.
    const panel = vscode.window.createWebviewPanel('metacot.experimentView', `Experiment: ${vscode.workspace.asRelativePath(dir)}`, vscode.ViewColumn.Active, {});
    await api.restoreExperiment(panel);
    const restored = await waitFor('the restored view', () => api.experimentViews().find((v) => v.folder === dir));
    restored.receive({ type: 'ready', protocolVersion: EXPERIMENT_PROTOCOL_VERSION });
    const shown = await waitFor('its summary sent', () => newest(api.experimentViews().find((v) => v.folder === dir)!.sent as Sent[], (m) => m.type === 'experiment'), 20_000);
    assert.equal(shown.summary!.totals.entries, readSummary(dir).totals.entries);
    const stray = vscode.window.createWebviewPanel('metacot.experimentView', 'Experiment: never-opened', vscode.ViewColumn.Active, {});
    let closed = false;
    stray.onDidDispose(() => (closed = true));
    await api.restoreExperiment(stray);
    assert.equal(closed, true);
  });

  it('a folder without summary.json, or with an invalid one, is refused with what is wrong', async () => {
    const empty = wsPath('experiments-it', 'not-an-experiment');
    fs.mkdirSync(empty, { recursive: true });
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.openExperiment', { folder: empty })), /not-an-experiment has no summary\.json: an experiment folder is what `metacot experiment --out DIR` writes/);
    const bad = wsPath('experiments-it', 'bad-summary');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'summary.json'), JSON.stringify({ experiment: 1, cells: [{ id: 'x' }] }));
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.openExperiment', { folder: bad })), /bad-summary\/summary\.json is not an experiment summary: spec: [^;]+; createdAt: [^;]+; updatedAt: .*\(\+\d+ more\)/);
    fs.writeFileSync(path.join(bad, 'summary.json'), '{ not json');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.openExperiment', { folder: bad })), /bad-summary\/summary\.json is not JSON: /);
    assert.equal(api.experimentViews().filter((v) => v.folder === empty || v.folder === bad).length, 0, 'no view opened for them');
  });
});
