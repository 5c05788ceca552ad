// The re-run form's choices reach the run, inside real VS Code: the panel is told the endpoints (no keys), the core's
// verifier kinds and the effective budgets; a rerunFromNode request with another endpoint, a model override and
// another verifier starts a run whose saved config has exactly those; refusals come back as the reply's error.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness';
import type { ReferenceServer } from '../../../src/core/server';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import { VerifierConfigSchema } from '../../../src/core/trace/schema';
import type { Budgets } from '../../../src/core/trace/schema';
import { ConfigMessageSchema } from '../../../src/protocol/hostMessages';
import type { RerunOptions } from '../../../src/protocol/hostMessages';
import { closeAllEditors, configureEndpoint, COUNTDOWN, panelRequest, readTrace, startServer, testApi } from './extensionHelpers';

describe('panel: re-run form choices reach the run @trusted-only', function () {
  let api: TestApi;
  let server: ReferenceServer;
  let uri: vscode.Uri;

  before(async function () {
    api = await testApi();
    server = await startServer();
    await configureEndpoint('form-ref', server);
    // A second endpoint on the same server whose configured model is another one: the form's model field overrides it.
    await configureEndpoint('form-arith', server, { model: 'sim-arithmetic' });
    const first = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'form-ref',
      strategy: 'beam',
      params: { N: 2, width: 1, maxDepth: 2, seed: 5 },
      open: false,
    })) as RunSummary;
    uri = vscode.Uri.parse(first.uri);
    await vscode.commands.executeCommand('metacot.revealInPanel', { uri: first.uri });
    await waitFor('the search panel', () => api.hosts(uri).length > 0, 10_000, 100);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
  });

  after(async () => {
    await closeAllEditors();
    await server?.close();
  });

  it('the panel is told the endpoints (no keys), every verifier kind and the budgets a run gets', async () => {
    const configs = api.sentToWebview(uri).filter((m) => (m as { type?: string }).type === 'config');
    const withOptions = configs.map((m) => ConfigMessageSchema.parse(m)).find((m) => m.rerunOptions);
    assert.ok(withOptions?.rerunOptions, 'no config message carried rerunOptions');
    const o: RerunOptions = withOptions.rerunOptions;
    const names = o.endpoints.map((e) => e.name);
    assert.equal(names[0], 'embedded');
    assert.ok(names.includes('form-ref') && names.includes('form-arith'), names.join(', '));
    assert.equal(o.endpoints.find((e) => e.name === 'form-arith')!.model, 'sim-arithmetic');
    assert.equal(o.endpoints.find((e) => e.name === 'embedded')!.modelFixed, true);
    for (const e of o.endpoints) assert.deepEqual(Object.keys(e).sort(), ['baseUrl', 'model', 'name', ...(e.modelFixed ? ['modelFixed'] : [])].sort(), 'an endpoint travels as name, model, address only');
    assert.deepEqual(o.verifiers.map((v) => v.kind), [...VerifierConfigSchema.shape.kind.options]);
    assert.ok(o.verifiers.find((v) => v.kind === 'rollout')!.params.some((p) => p.name === 'K'));
    const budgets = vscode.workspace.getConfiguration('metacot').get<Budgets>('budgets');
    assert.deepEqual(o.effectiveBudgets, budgets);
    assert.equal(o.effectiveBudgets.maxNodes, 500, 'the manifest default the form now shows');
  });

  it('a re-run with another endpoint, a model override and another verifier saves exactly those in its run', async () => {
    const before = server.log.entries.length;
    const reply = await panelRequest(api, uri, 'rerunFromNode', {
      nodeId: 'n1',
      strategy: 'best-of-n',
      params: { n: 2, seed: 9 },
      budgets: { maxNodes: 40 },
      endpoint: 'form-arith',
      model: 'sim-countdown',
      verifier: { kind: 'heuristic', params: { heuristic: 'mult' } },
    });
    assert.ok(reply.ok, reply.ok ? '' : reply.error.message);
    const runId = (reply.result as { runId: string }).runId;
    await waitFor('the re-run to end', () => !api.runningSearches().some((r) => r.id === runId), 30_000, 100);
    const trace = readTrace(uri);
    const run = trace.runs.find((r) => r.id === runId);
    assert.ok(run, `run ${runId} is not in the saved trace`);
    assert.equal(run.startNodeId, 'n1');
    assert.equal(run.config.strategy, 'best-of-n');
    assert.equal(run.config.endpoint.name, 'form-arith');
    assert.equal(run.config.endpoint.model, 'sim-countdown', 'the model override reached the endpoint config');
    assert.equal(run.config.endpoint.baseUrl, trace.runs[0]!.config.endpoint.baseUrl, 'same server address');
    assert.equal(run.config.verifier.kind, 'heuristic');
    assert.equal(run.config.verifier.params.heuristic, 'mult');
    // The form's budget over the settings' effective ones (the rest still applies).
    const budgets = vscode.workspace.getConfiguration('metacot').get<Budgets>('budgets')!;
    assert.deepEqual(run.config.budgets, { ...budgets, maxNodes: 40 });
    const models = server.log.entries.slice(before).map((e) => e.model).filter((m) => m !== undefined);
    assert.ok(models.length > 0 && models.every((m) => m === 'sim-countdown'), `models asked: ${[...new Set(models)].join(', ')}`);
  });

  it('refusals come back as the reply’s error: a model for the embedded endpoint, an unknown endpoint', async () => {
    const embedded = await panelRequest(api, uri, 'rerunFromNode', { nodeId: 'n1', strategy: 'single', params: {}, endpoint: 'embedded', model: 'gpt-9' });
    assert.equal(embedded.ok, false);
    assert.match(embedded.ok ? '' : embedded.error.message, /serves its own models \(embedded-countdown, embedded-countdown-sos, embedded-countdown-path, embedded-countdown-sos-star\); pick another endpoint to run "gpt-9"/);
    const unknown = await panelRequest(api, uri, 'rerunFromNode', { nodeId: 'n1', strategy: 'single', params: {}, endpoint: 'nowhere' });
    assert.equal(unknown.ok, false);
    assert.match(unknown.ok ? '' : unknown.error.message, /No endpoint named "nowhere"/);
  });
});
