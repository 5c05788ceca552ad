// API keys are bound to origins, and a re-run never sends a trace's verifier anywhere unasked — in real VS Code
// (SecretStorage, settings, commands, the panel's requests). Two recording proxies in front of one reference server
// are two origins behind one endpoint name: what each received says where the key went.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ReferenceServer } from '../../../src/core/server';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import { startRecorder } from '../../unit/secretsRecorder';
import type { Recorder } from '../../unit/secretsRecorder';
import { closeAllEditors, COUNTDOWN, openInTraceEditor, panelRequest, readBytes, readTrace, startServer, testApi, writeTraceFixture } from './extensionHelpers';

const cfg = () => vscode.workspace.getConfiguration('metacot');
const KEY = 'sk-h12-origin-2b7e91c04d5f3a68';

describe('extension: keys bound to origins, re-run and the trace verifier @trusted-only', function () {
  this.timeout(120_000);
  let api: TestApi;
  let server: ReferenceServer;
  let mine: Recorder;
  let other: Recorder;
  let prm: Recorder;
  let savedWorkspaceEndpoints: unknown;

  before(async () => {
    api = await testApi();
    server = await startServer();
    const target = server.url.replace(/\/v1$/, '');
    mine = await startRecorder(target);
    other = await startRecorder(target);
    prm = await startRecorder((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ step_scores: [0.5] }));
    });
    savedWorkspaceEndpoints = cfg().inspect('endpoints')?.workspaceValue;
    await vscode.commands.executeCommand('metacot.configureEndpoint', {
      preset: 'custom',
      name: 'shared-name',
      baseUrl: `${mine.origin}/v1`,
      model: 'sim-countdown',
      mode: 'chat',
      target: 'user',
      test: false,
      apiKey: KEY,
    });
  });

  after(async () => {
    await cfg().update('endpoints', savedWorkspaceEndpoints, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('metacot.setApiKey', { endpoint: 'shared-name', key: '' }).then(undefined, () => undefined);
    delete process.env.H12_PRM_TOKEN;
    await closeAllEditors();
    await Promise.all([mine?.close(), other?.close(), prm?.close()]);
    await server?.close();
  });

  // The replay cache is per endpoint name and server: the same request to the same server is answered from it, to
  // another server under the same name it is not. A run gets its own seed unless it must repeat one.
  const run = async (endpoint: unknown, seed = Math.floor(Math.random() * 1e9)): Promise<RunSummary> =>
    (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint,
      strategy: 'single',
      params: { seed },
      open: false,
    })) as RunSummary;
  const sawKey = (r: Recorder) => r.requests.some((q) => JSON.stringify(q.headers).includes(KEY));

  it('the key reaches the origin it was stored for, and not another URL under the same name (inline or workspace)', async () => {
    const s = await run('shared-name', 7);
    assert.ok(['solved', 'completed'].includes(s.status), `${s.status}: ${s.reason}`);
    assert.ok(mine.requests.length > 0, 'the user endpoint received nothing');
    assert.deepEqual(new Set(mine.authorizations()), new Set([`Bearer ${KEY}`]));

    // The same name with another URL, passed to the command, and the same seed: requests go there (not answered from
    // the first server's replay cache), the key does not.
    const inline = await run({ name: 'shared-name', baseUrl: `${other.origin}/v1`, model: 'sim-countdown', mode: 'chat' }, 7);
    assert.ok(['solved', 'completed'].includes(inline.status), `${inline.status}: ${inline.reason}`);
    assert.ok(other.requests.length > 0, 'the inline endpoint received nothing');
    assert.equal(sawKey(other), false, 'the key went to another origin (inline endpoint of the same name)');

    // A workspace endpoint of the same name (shadows the user one while trusted): no key either.
    const before = { mine: mine.requests.length, other: other.requests.length };
    await cfg().update('endpoints', [{ name: 'shared-name', baseUrl: `${other.origin}/v1`, model: 'sim-countdown', mode: 'chat' }], vscode.ConfigurationTarget.Workspace);
    const ws = await run('shared-name');
    assert.ok(['solved', 'completed'].includes(ws.status), `${ws.status}: ${ws.reason}`);
    assert.equal(mine.requests.length, before.mine, 'the user origin received the workspace run');
    assert.ok(other.requests.length > before.other, 'the workspace endpoint received nothing');
    assert.equal(sawKey(other), false, 'the key went to the workspace endpoint of the same name');
    await cfg().update('endpoints', savedWorkspaceEndpoints, vscode.ConfigurationTarget.Workspace);

    // Set API Key by name stores for the origin settings give that name now, and says which.
    const set = (await vscode.commands.executeCommand('metacot.setApiKey', { endpoint: 'shared-name', key: KEY })) as { origin: string; stored: boolean };
    assert.deepEqual(set, { endpoint: 'shared-name', origin: mine.origin, stored: true });
    assert.ok(!readBytes(s.uri).toString('utf8').includes(KEY), 'the key is in a trace');
  });

  it('a re-run whose trace names a PRM url + apiKeyEnv is refused by API and panel (the URL named), the PRM receives nothing', async () => {
    process.env.H12_PRM_TOKEN = 'h12-prm-token-7d0e5a3c';
    const first = await run('shared-name');
    const trace = readTrace(first.uri);
    const prmUrl = `${prm.origin}/pooling`;
    trace.runs[0]!.config.verifier = { kind: 'prm', params: { url: prmUrl, format: 'json', apiKeyEnv: 'H12_PRM_TOKEN', check: 'auto' } };
    const uri = await writeTraceFixture('secrets-origin-prm', trace);
    const bytes = readBytes(uri);

    const urlPattern = new RegExp(`Re-run refused: the trace's verifier \\(prm\\) sends every step to ${prmUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} with the value of \\$H12_PRM_TOKEN`);
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.rerunFromNode', { uri: uri.toString(), nodeId: 'n0', endpoint: 'shared-name', open: false })), urlPattern);
    assert.equal(prm.requests.length, 0, 'the PRM named by the trace received a request');
    assert.deepEqual(readBytes(uri), bytes, 'the refused re-run changed the file');

    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const answer = await panelRequest(api, uri, 'rerunFromNode', { nodeId: 'n0', strategy: 'single', params: {} });
    assert.equal(answer.ok, false, 'the panel re-run was not refused');
    assert.match(answer.ok ? '' : answer.error.message, urlPattern);
    assert.equal(prm.requests.length, 0, 'the PRM received a request from the panel re-run');
    await closeAllEditors();

    // Passing the verifier explicitly is the caller's own choice: the re-run goes ahead, the trace's PRM stays silent.
    const s = (await vscode.commands.executeCommand('metacot.rerunFromNode', {
      uri: uri.toString(),
      nodeId: 'n0',
      endpoint: 'shared-name',
      strategy: 'single',
      verifier: { kind: 'countdown', params: {} },
      open: false,
    })) as RunSummary;
    assert.ok(['solved', 'completed'].includes(s.status), `${s.status}: ${s.reason}`);
    assert.equal(readTrace(uri).runs.length, 2);
    assert.equal(prm.requests.length, 0, 'the PRM received a request although another verifier was passed');
  });
});
