// Honest ends in real VS Code: a run that fails (closed port, unknown model) ends `failed`, the panel gets the failed
// run, and an error notification names the cause with the action that fixes it (Configure Endpoint); a run refused
// before it starts (no API key) says so with Set API Key. Notifications are read through the test API's runNotices().
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { ReferenceServer } from '../../../src/core/server';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import type { RunNotice } from '../../../src/extension/runNotices';
import { closeAllEditors, closedPort, COUNTDOWN, readTrace, startServer, testApi } from './extensionHelpers';

/** A loopback port nothing listens on (bound, then closed). */
const NAMES = ['failing-closed', 'failing-model', 'failing-keyed'];

describe('extension: failed run notifications @trusted-only', function () {
  this.timeout(120_000);
  let api: TestApi;
  let server: ReferenceServer;
  let saved: unknown[];
  let savedProbe: boolean | undefined;
  const cfg = () => vscode.workspace.getConfiguration('metacot');

  before(async function () {
    api = await testApi();
    server = await startServer();
    saved = cfg().inspect<unknown[]>('endpoints')?.globalValue ?? [];
    // These are the runs' own failures: without probing (a failed probe refuses the run instead; capabilities.test.ts).
    savedProbe = cfg().inspect<boolean>('probeEndpoints')?.globalValue;
    await cfg().update('probeEndpoints', false, vscode.ConfigurationTarget.Global);
    const port = await closedPort();
    // Few, quick retries: the closed port answers at once, and the test should not wait out the default backoff.
    const quick = { maxRetries: 1, retryBaseMs: 10, retryMaxMs: 20, timeoutMs: 5_000 };
    await cfg().update(
      'endpoints',
      [
        ...(saved as { name: string }[]).filter((e) => !NAMES.includes(e.name)),
        { name: 'failing-closed', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'sim-countdown', mode: 'chat', ...quick },
        { name: 'failing-model', baseUrl: server.url, model: 'no-such-model', mode: 'chat', ...quick },
        { name: 'failing-keyed', baseUrl: server.url, model: 'sim-countdown', mode: 'chat', requiresKey: true, ...quick },
      ],
      vscode.ConfigurationTarget.Global,
    );
  });

  after(async () => {
    await closeAllEditors();
    // The error toasts stay until dismissed; left on screen they sit over the editor the UI tests click next.
    await vscode.commands.executeCommand('notifications.clearAll');
    await cfg().update('endpoints', saved, vscode.ConfigurationTarget.Global);
    await cfg().update('probeEndpoints', savedProbe, vscode.ConfigurationTarget.Global);
    await server?.close();
  });

  /** The first notice numbered after `from` that matches (the list keeps only the last 20; numbers keep counting). */
  const noticeAfter = (from: number, match: (n: RunNotice) => boolean) =>
    waitFor('the run notice', () => api.runNotices().find((n) => n.seq > from && match(n)), 10_000, 50);

  it('a failed run against a closed port: status failed, the panel gets the failed run, an error notification with Configure Endpoint', async () => {
    const from = api.runNotices().at(-1)?.seq ?? 0;
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'failing-closed',
      strategy: 'beam',
      params: { N: 2, width: 2, maxDepth: 3 },
    })) as RunSummary;
    assert.equal(s.status, 'failed', `${s.status}: ${s.reason}`);
    assert.match(s.reason ?? '', /cannot reach http:\/\/127\.0\.0\.1:\d+\/v1 \(connection refused\)/);
    const notice = await noticeAfter(from, (n) => n.severity === 'error');
    assert.match(notice.message, /beam search failed/);
    assert.match(notice.message, /connection refused/);
    // The advice of the cause is in the message: the server is not there.
    assert.match(notice.message, /Is the server running\?/);
    assert.ok(notice.actions.includes('Configure Endpoint'), `actions: ${notice.actions.join(', ')}`);
    assert.ok(notice.actions.includes('Show Log'));
    assert.equal(readTrace(s.uri).runs.at(-1)?.status, 'failed');
    // The panel shows the run's failed state: a delta or the initial trace carries it.
    const uri = vscode.Uri.parse(s.uri);
    // The panel's webview is VS Code's to load: under CPU load that alone took seconds (see the custom editor test), so
    // the wait is generous and the time it took is printed.
    const t0 = Date.now();
    await waitFor(
      'the panel has the failed run',
      () => api.sentToWebview(uri).some((m) => /"status":"failed"/.test(JSON.stringify(m)) && /"runs":\[/.test(JSON.stringify(m))),
      60_000,
      100,
    );
    console.log(`    failed run: the panel had it ${Date.now() - t0} ms after the command returned`);
  });

  it('a failed run on an unknown model: an error notification naming the model, with Configure Endpoint', async () => {
    const from = api.runNotices().at(-1)?.seq ?? 0;
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'failing-model',
      strategy: 'best-of-n',
      params: { n: 2 },
      open: false,
    })) as RunSummary;
    assert.equal(s.status, 'failed', `${s.status}: ${s.reason}`);
    const notice = await noticeAfter(from, (n) => n.severity === 'error');
    assert.match(notice.message, /no-such-model/);
    assert.match(notice.message, /sim-countdown/, 'the notice lists the models the server serves');
    assert.deepEqual(notice.actions, ['Configure Endpoint', 'Show Log']);
    assert.doesNotMatch(notice.message, /try again later/i);
  });

  it('a run refused before it starts (no API key): an error notification with Set API Key; the API caller gets the message', async () => {
    const from = api.runNotices().at(-1)?.seq ?? 0;
    const requests = server.log.entries.length;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'failing-keyed', strategy: 'single', open: false })),
      /needs an API key/,
    );
    const notice = await noticeAfter(from, (n) => n.severity === 'error');
    assert.match(notice.message, /could not start: endpoint "failing-keyed" needs an API key/);
    assert.deepEqual(notice.actions, ['Set API Key', 'Show Log']);
    assert.equal(server.log.entries.length, requests, 'no request went out');
  });
});
