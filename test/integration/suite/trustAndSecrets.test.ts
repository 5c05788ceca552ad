// Workspace Trust and API keys inside real VS Code. In the runner's restricted mode these run against the real
// Restricted Mode; in its trusted mode (trust disabled) the extension's trust override simulates it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { ReferenceServer } from '../../../src/core/server';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import { allFiles, closeAllEditors, configureEndpoint, COUNTDOWN, isTrustedRun, panelRequest, readBytes, readTrace, smallTrace, startServer, testApi, workspaceRoot, writeTraceFixture, wsPath } from './extensionHelpers';

const cfg = () => vscode.workspace.getConfiguration('metacot');

describe('extension: Restricted Mode', function () {
  let api: TestApi;
  let server: ReferenceServer;
  let saved: { endpoints: unknown; defaultEndpoint: unknown };

  before(async () => {
    api = await testApi();
    server = await startServer();
    saved = { endpoints: cfg().inspect('endpoints')?.workspaceValue, defaultEndpoint: cfg().inspect('defaultEndpoint')?.workspaceValue };
    // What a cloned repository could ship in .vscode/settings.json: its own endpoint, made the default.
    await cfg().update('endpoints', [{ name: 'from-repo', baseUrl: server.url, model: 'sim-countdown', mode: 'chat' }], vscode.ConfigurationTarget.Workspace);
    await cfg().update('defaultEndpoint', 'from-repo', vscode.ConfigurationTarget.Workspace);
    if (isTrustedRun()) api.setTrusted(false);
    else assert.equal(vscode.workspace.isTrusted, false, 'the runner promised restricted mode');
  });

  after(async () => {
    api?.setTrusted(undefined);
    // Put back what the fixture workspace had (other suites read it).
    await cfg().update('endpoints', saved?.endpoints, vscode.ConfigurationTarget.Workspace);
    await cfg().update('defaultEndpoint', saved?.defaultEndpoint, vscode.ConfigurationTarget.Workspace);
    await closeAllEditors();
    await server?.close();
  });

  const traceFiles = () => allFiles(wsPath('.metacot', 'traces')).length;

  it('refuses a run whose endpoint comes from workspace settings: no request is sent, no trace is written', async () => {
    const files = traceFiles();
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, strategy: 'single', open: false })),
      /Restricted Mode: the default endpoint "from-repo" is set in this workspace's settings/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'from-repo', strategy: 'single', open: false })),
      /Restricted Mode: endpoint "from-repo" is defined in this workspace's settings/,
    );
    assert.equal(server.log.entries.length, 0, 'a request reached the workspace-configured endpoint');
    assert.equal(traceFiles(), files, 'a trace file was created');
  });

  it('still runs against an endpoint from user settings', async () => {
    await configureEndpoint('user-ref', server);
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'user-ref', strategy: 'single', open: false })) as RunSummary;
    assert.ok(['solved', 'completed'].includes(s.status), `${s.status}: ${s.reason}`);
  });

  it('traces are read-only: edit, prune, mark and re-run are refused and the file is unchanged', async () => {
    const uri = await writeTraceFixture('restricted', await smallTrace());
    const before = readBytes(uri);
    const target = { uri: uri.toString(), nodeId: 'n1' };
    for (const [cmd, extra] of [
      ['metacot.editNode', { text: 'x', save: true }],
      ['metacot.pruneBranch', { save: true }],
      ['metacot.markNodeCorrect', { save: true }],
      ['metacot.rerunFromNode', { strategy: 'single', endpoint: 'user-ref' }],
    ] as const) {
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand(cmd, { ...target, ...extra })), /Restricted Mode/, `${cmd} was not refused`);
    }
    await vscode.commands.executeCommand('metacot.openTrace', { uri: uri.toString() });
    await waitFor('the trace editor', () => api.hosts(uri).length > 0, 10_000);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const ro = api.sentToWebview(uri).find((m) => (m as { type?: string }).type === 'readOnly') as { readOnly: boolean; reason?: string } | undefined;
    assert.equal(ro?.readOnly, true, 'the panel was not told it is read-only');
    assert.match(ro?.reason ?? '', /Restricted Mode/);
    for (const [method, params] of [
      ['editNode', { nodeId: 'n1', text: 'x', mode: 'replace' }],
      ['pruneNode', { nodeId: 'n1' }],
      ['markNode', { nodeId: 'n1', label: 'correct' }],
      ['rerunFromNode', { nodeId: 'n1', strategy: 'single', params: {} }],
    ] as const) {
      const answer = await panelRequest(api, uri, method, params);
      assert.equal(answer.ok, false, `${method} was not refused`);
      assert.match(answer.ok ? '' : answer.error.message, /Restricted Mode/);
    }
    await closeAllEditors();
    assert.deepEqual(readBytes(uri), before);
  });
});

describe('extension: API keys @trusted-only', function () {
  const KEY = 'sk-metacot-it-9f3c2a7be41d5508';
  const WRONG = 'sk-metacot-wrong-0c77e1aa93b2';
  let server: ReferenceServer;
  let api: TestApi;

  before(async function () {
    api = await testApi();
    server = await startServer({ apiKey: KEY });
    await configureEndpoint('keyed', server, { requiresKey: true });
  });

  after(async () => {
    await server?.close();
  });

  it('a run against an endpoint that needs a key is refused until the key is set', async () => {
    await vscode.commands.executeCommand('metacot.setApiKey', { endpoint: 'keyed', key: '' });
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'keyed', open: false })),
      /needs an API key/,
    );
  });

  it('a wrong key fails the run without the key appearing in its reason or trace', async () => {
    await vscode.commands.executeCommand('metacot.setApiKey', { endpoint: 'keyed', key: WRONG });
    // The capability probe meets the 401 first: the run is refused before it starts, in words without the key.
    const refused = await Promise.resolve(
      vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'keyed', strategy: 'single', open: false }),
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(refused, 'a run with a wrong key was not refused');
    assert.match(refused.message, /rejected the API key \(401/);
    assert.match(refused.message, /Set API Key/);
    assert.ok(!refused.message.includes(WRONG), 'the wrong key is in the refusal');
    // With probing off the run itself meets the 401: it ends failed, and neither its summary nor its trace holds the key.
    const cfg = vscode.workspace.getConfiguration('metacot');
    await cfg.update('probeEndpoints', false, vscode.ConfigurationTarget.Global);
    try {
      const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', { problem: COUNTDOWN, endpoint: 'keyed', strategy: 'single', open: false })) as RunSummary;
      assert.equal(s.status, 'failed');
      assert.ok(!JSON.stringify(s).includes(WRONG), 'the wrong key is in the run summary');
      assert.ok(!readBytes(s.uri).toString('utf8').includes(WRONG), 'the wrong key is in the trace');
    } finally {
      await cfg.update('probeEndpoints', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('the right key makes the run succeed, and it appears in no file of the workspace, settings or logs', async () => {
    await vscode.commands.executeCommand('metacot.setApiKey', { endpoint: 'keyed', key: KEY });
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'keyed',
      strategy: 'beam',
      params: { N: 2, width: 2, maxDepth: 4, seed: 5 },
      open: false,
    })) as RunSummary;
    assert.ok(['solved', 'completed'].includes(s.status), `${s.status}: ${s.reason}`);
    assert.ok(server.log.entries.length > 0);
    assert.ok(readTrace(s.uri).nodes.length > 1);

    await vscode.commands.executeCommand('metacot.showLog');
    const files = [...allFiles(workspaceRoot().fsPath), ...allFiles(api.logUri.fsPath)];
    assert.ok(files.length > 3, `scanned only ${files.length} files`);
    for (const f of files) {
      const text = fs.readFileSync(f);
      assert.ok(!text.includes(KEY) && !text.includes(WRONG), `an API key was written to ${f}`);
    }
    const settings = JSON.stringify(vscode.workspace.getConfiguration('metacot').inspect('endpoints'));
    assert.ok(!settings.includes(KEY) && !settings.includes(WRONG), 'an API key is in the endpoint settings');
    const out = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.uri.path.includes('Meta-CoT'));
    if (out) assert.ok(!out.getText().includes(KEY) && !out.getText().includes(WRONG), 'an API key is in the Meta-CoT log');
  });
});
