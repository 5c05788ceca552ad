// A trace a crashed run left behind, opened in the trace editor: the journal beside it is folded in, the run its
// dead process left `running` is shown cancelled with the note, and (trusted) the file is rewritten and the
// journal removed. A file that does not parse is never written over, journal or not.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { TestApi } from '../../../src/extension/testApi';
import type { Trace } from '../../../src/core/trace/schema';
import { closeAllEditors, COUNTDOWN, isTrustedRun, openInTraceEditor, readBytes, readTrace, testApi, writeTraceFixture } from './extensionHelpers';

const NOTE = 'the process ended while this run was going on (found on open)';

/** The pid of a process that has ended (so the journal's writer is certainly gone). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8', env: { ELECTRON_RUN_AS_NODE: '1' } });
  return Number(r.stdout);
}

/** A trace as the last checkpoint of a run left it: one step still waiting for its answer, the run `running`. */
async function crashedTrace(): Promise<Trace> {
  const { TraceTree } = await import('../../../src/core/trace/tree');
  const tree = TraceTree.create({ text: COUNTDOWN }, { id: 'fixture-crashed', createdAt: '2025-01-01T00:00:00.000Z' });
  tree.trace.runs.push({
    id: 'r1',
    config: {
      strategy: 'beam',
      params: {},
      endpoint: { name: 'ref', baseUrl: 'http://127.0.0.1:9/v1', model: 'sim-countdown', mode: 'chat', sampling: {} },
      verifier: { kind: 'countdown', params: {} },
      budgets: {},
    },
    startNodeId: 'n0',
    startedAt: '2025-01-01T00:00:00.000Z',
    status: 'running',
    usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 },
  });
  tree.addChild('n0', { kind: 'step', text: '', author: 'model', status: 'running', runId: 'r1' });
  return tree.toJSON();
}

/** The journal a dead process wrote after that checkpoint: n1 answered, n2 asked for (still in flight). */
function writeJournal(file: string, trace: Trace): void {
  const st = fs.statSync(file);
  const header = { t: 'journal', v: 1, traceId: trace.id, runId: 'r1', pid: deadPid(), host: hostname(), startedAt: '2025-01-01T00:00:01.000Z', base: { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs } };
  const n1 = { ...trace.nodes[1]!, text: '5 * 3 = 15 (left: 7, 2, 15)', status: 'open', tokensOut: 12 };
  const n2 = { id: 'n2', parentId: 'n1', kind: 'step', text: '', author: 'model', status: 'running', iteration: 0, runId: 'r1' };
  const lines = [
    header,
    { t: 'node', node: n1 },
    { t: 'node', node: n2 },
    { t: 'event', k: trace.events.length, event: { i: 0, type: 'add', node: 'n2', run: 'r1' } },
    { t: 'commit', lines: 3 },
  ];
  fs.writeFileSync(`${file}.journal.jsonl`, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
}

describe('extension: a trace left by a crashed run', function () {
  let api: TestApi;

  before(async () => {
    api = await testApi();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  it('opens in the trace editor with its journal folded in and the dead run marked cancelled', async function () {
    const trace = await crashedTrace();
    const uri = await writeTraceFixture('crash-recovery', trace);
    const journal = `${uri.fsPath}.journal.jsonl`;
    writeJournal(uri.fsPath, trace);
    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const load = await waitFor(
      'the editor to load the trace',
      () => api.sentToWebview(uri).find((m) => (m as { type?: string }).type === 'loadTrace') as { trace: Trace } | undefined,
      20_000,
    );
    const shown = load.trace;
    assert.deepEqual(
      shown.nodes.map((n) => [n.id, n.text, n.status]),
      [
        ['n0', COUNTDOWN, 'open'],
        ['n1', '5 * 3 = 15 (left: 7, 2, 15)', 'open'],
        ['n2', '', 'cancelled'],
      ],
      'the journal was not folded in, or the node in flight not marked',
    );
    assert.equal(shown.runs[0]!.status, 'cancelled');
    assert.equal(shown.runs[0]!.reason, NOTE);
    assert.equal(shown.events.at(-1)?.node, 'n2');

    if (isTrustedRun()) {
      // Written back through the document, then the journal is gone: the next open reads the file as is.
      await waitFor('the recovered trace saved and the journal removed', () => !fs.existsSync(journal) && readTrace(uri).runs[0]!.status === 'cancelled', 10_000);
      const saved = readTrace(uri);
      assert.equal(saved.nodes[1]!.text, '5 * 3 = 15 (left: 7, 2, 15)');
      assert.equal(saved.nodes.length, 3);
      assert.equal(saved.runs[0]!.reason, NOTE);
    } else {
      // Restricted Mode: shown recovered, nothing written.
      assert.ok(fs.existsSync(journal), 'the journal was removed in Restricted Mode');
      assert.equal(readTrace(uri).runs[0]!.status, 'running', 'the file was written in Restricted Mode');
    }
  });

  it('a file that does not parse is never written over, whatever journal lies beside it', async function () {
    const trace = await crashedTrace();
    const uri = await writeTraceFixture('crash-recovery-broken', trace);
    writeJournal(uri.fsPath, trace);
    fs.appendFileSync(uri.fsPath, '{ not json');
    const before = readBytes(uri);
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    const message = await waitFor('the error view', () => api.errorView(uri), 20_000);
    assert.match(message, /invalid JSON/);
    // Give a write-back, were there one, the time it would take.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(readBytes(uri), before, 'the unparsable file was written');
    assert.ok(fs.existsSync(`${uri.fsPath}.journal.jsonl`), 'the journal was removed');
  });
});
