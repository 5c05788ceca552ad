// Capability probing in real VS Code: Test Endpoint Connection sends the probe (not only GET /models) and returns the
// capability table; a run uses the remembered probe (no second probe), records it in the trace's run config endpoint
// and warns once per adaptation with Show Log; a probe that fails (unknown model) refuses the run with Configure Endpoint.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { ReferenceServer } from '../../../src/core/server';
import type { Capabilities } from '../../../src/core/trace/schema';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import { closeAllEditors, configureEndpoint, COUNTDOWN, readTrace, startServer, testApi } from './extensionHelpers';

describe('extension: endpoint capabilities @trusted-only', function () {
  this.timeout(120_000);
  let api: TestApi;
  let server: ReferenceServer;

  before(async () => {
    api = await testApi();
    // A server that ignores n: the probe finds it, and the run sends one request per sample.
    server = await startServer({ nSupport: 'ignore', seed: 7 });
    await configureEndpoint('caps-ref', server);
    await configureEndpoint('caps-missing', server, { model: 'no-such-model' });
  });

  after(async () => {
    await closeAllEditors();
    await vscode.commands.executeCommand('notifications.clearAll');
    await server?.close();
  });

  let probed: Capabilities;

  it('Test Connection probes the endpoint with tiny completions and returns the capability table', async () => {
    const r = (await vscode.commands.executeCommand('metacot.testConnection', { endpoint: 'caps-ref' })) as { endpoint: string; models: string[]; capabilities: Capabilities };
    assert.equal(r.endpoint, 'caps-ref');
    assert.ok(r.models.includes('sim-countdown'), `models: ${r.models.join(', ')}`);
    probed = r.capabilities;
    assert.equal(probed.n, 'no');
    assert.equal(probed.logprobs, 'yes');
    assert.equal(probed.stop, 'cuts');
    assert.equal(probed.continuation, 'yes');
    assert.equal(probed.completions, 'yes');
    assert.equal(probed.cachedTokens, 'yes');
    assert.equal(probed.requests, server.log.generations().length);
    assert.ok(server.log.generations().every((e) => ((e.body as { max_tokens?: number }).max_tokens ?? 0) <= 48));
  });

  it('a run uses the remembered probe, records it in the trace and warns once per adaptation with Show Log', async () => {
    const from = api.runNotices().at(-1)?.seq ?? 0;
    const before = server.log.generations().length;
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'caps-ref',
      strategy: 'best-of-n',
      params: { n: 4, seed: 1 },
      open: false,
    })) as RunSummary;
    assert.notEqual(s.status, 'failed', s.reason);
    const run = readTrace(s.uri).runs.at(-1)!;
    assert.deepEqual(run.config.endpoint.capabilities, probed);
    // No second probe: every request since is the run's own.
    assert.equal(server.log.generations().length - before, run.usage.requests);
    const warnings = await waitFor('an adaptation warning', () => {
      const w = api.runNotices().filter((n) => n.seq > from && n.severity === 'warning');
      return w.length > 0 ? w : undefined;
    }, 10_000, 50);
    assert.ok(warnings.every((w) => /^Meta-CoT: endpoint "caps-ref": /.test(w.message) && w.actions.join() === 'Show Log'), JSON.stringify(warnings));
    assert.equal(new Set(warnings.map((w) => w.message)).size, warnings.length, 'an adaptation was shown twice');
  });

  it('a probe that fails (unknown model) refuses the run before it starts, with Configure Endpoint', async () => {
    const from = api.runNotices().at(-1)?.seq ?? 0;
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'caps-missing', strategy: 'single', open: false })),
      /capability probe failed: .*no-such-model/,
    );
    const notice = await waitFor('the refusal notice', () => api.runNotices().find((n) => n.seq > from && n.severity === 'error'), 10_000, 50);
    assert.match(notice.message, /could not start: capability probe failed/);
    assert.deepEqual(notice.actions, ['Configure Endpoint', 'Show Log']);
  });
});
