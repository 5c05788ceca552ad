// First run inside real VS Code: every step of the "Get started" walkthrough runs its command and does its thing
// (the sample run ends solved with a trace file, the panel opens on it, a re-run from a node of it, an endpoint
// configured, training data exported), the walkthrough opens by the welcome view's link, and the run-time strategy
// pick (asks a person, never an API call; answered with the quick input's own accept command).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { harness, waitFor } from '../harness';
import type { ReferenceServer } from '../../../src/core/server';
import type { Trace } from '../../../src/core/trace/schema';
import type { RunSummary } from '../../../src/extension/searchRunner';
import type { TestApi } from '../../../src/extension/testApi';
import { COUNTDOWN_EXAMPLE } from '../../../src/core/problems';
import { DEFAULT_STRATEGY } from '../../../src/core/search/catalog';
import { closeAllEditors, readTrace, startServer, testApi, wsPath } from './extensionHelpers';

interface Step {
  id: string;
  description: string;
  completionEvents: string[];
}
const walkthrough = () => (harness().manifest.contributes as unknown as { walkthroughs: { id: string; steps: Step[] }[] }).walkthroughs[0]!;
const commandLinks = (text: string) => [...text.matchAll(/\(command:([\w.-]+)/g)].map((m) => m[1]!);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a command a person would start, accepting the active item of every quick pick it shows (VS Code's own
 * accept command) until it settles. Fails after `timeoutMs` instead of hanging on a prompt nobody answers.
 */
async function runAccepting<T>(command: string, timeoutMs = 45_000): Promise<{ result: T; accepted: number }> {
  let settled = false;
  const p = Promise.resolve(vscode.commands.executeCommand<T>(command)).finally(() => (settled = true));
  let accepted = 0;
  const deadline = Date.now() + timeoutMs;
  while (!settled) {
    if (Date.now() > deadline) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      throw new Error(`${command} did not finish within ${timeoutMs} ms`);
    }
    await sleep(400);
    if (settled) break;
    // A no-op while no quick input is open (the run itself may be going).
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    accepted++;
  }
  return { result: await p, accepted };
}

/** Resolves with the command's result, or with 'still running' after `ms` (a prompt left open), closing it. */
async function settlesWithin<T>(promise: Thenable<T>, ms: number): Promise<T | 'still running'> {
  const r = await Promise.race([Promise.resolve(promise), sleep(ms).then(() => 'still running' as const)]);
  if (r === 'still running') await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  return r;
}

async function selectFirstLine(file: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(wsPath(file)));
  const ed = await vscode.window.showTextDocument(doc);
  ed.selection = new vscode.Selection(0, 0, 0, doc.lineAt(0).text.length);
}

describe('walkthrough and welcome view (first run)', function () {
  let api: TestApi;
  let sample: RunSummary;
  let server: ReferenceServer | undefined;

  before(async () => {
    api = await testApi();
    await closeAllEditors();
  });

  after(async () => {
    await closeAllEditors();
    await server?.close();
  });

  it('every walkthrough step links and completes on commands VS Code has registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const steps = walkthrough().steps;
    assert.equal(steps.length, 5);
    for (const s of steps) {
      const links = commandLinks(s.description);
      assert.ok(links.length >= 1, `step ${s.id} has no command button`);
      for (const id of [...links, ...s.completionEvents.map((e) => e.replace(/^onCommand:/, ''))]) {
        assert.ok(registered.has(id), `step ${s.id} names ${id}, which is not registered`);
      }
    }
  });

  it('step 1, Run the Sample Problem: writes and selects the sample; the embedded model solves it into a trace file', async function () {
    this.timeout(60_000);
    // No argument: what the walkthrough button and the welcome button send.
    sample = (await vscode.commands.executeCommand('metacot.runSample')) as RunSummary;
    assert.ok(sample, 'the command returned no run summary (see the Meta-CoT log)');
    assert.equal(sample.status, 'solved', `the sample run ended ${sample.status}: ${sample.reason ?? ''}`);
    assert.equal(sample.result?.verified, true);
    const samplePath = wsPath('.metacot', 'sample-problem.txt');
    assert.equal(fs.readFileSync(samplePath, 'utf8').split('\n')[0], COUNTDOWN_EXAMPLE);
    const ed = vscode.window.activeTextEditor;
    assert.equal(ed?.document.uri.fsPath, samplePath, 'the sample is the active editor');
    assert.equal(ed?.document.getText(ed.selection), COUNTDOWN_EXAMPLE, 'the sample problem is selected');
    const uri = vscode.Uri.parse(sample.uri);
    assert.ok(uri.fsPath.startsWith(wsPath('.metacot', 'traces')), `trace outside .metacot/traces: ${uri.fsPath}`);
    const trace: Trace = readTrace(uri);
    assert.equal(trace.problem.text, COUNTDOWN_EXAMPLE);
    assert.equal(trace.problem.source?.file, '.metacot/sample-problem.txt');
    assert.equal(trace.runs[0]!.config.endpoint.name, 'embedded');
    // The catalog's default (A*), whatever the workspace's `search.strategy` says (mcts in the fixture workspace).
    assert.equal(trace.runs[0]!.config.strategy, DEFAULT_STRATEGY, 'the sample runs the default strategy');
    assert.equal(trace.result?.verified, true);
    // The run opened its search panel.
    await waitFor('the search panel on the sample trace', () => api.hosts(uri).length > 0, 15_000);
  });

  it('step 2, Open the Latest Trace: the search panel shows the trace of the last run', async () => {
    await closeAllEditors();
    const r = (await vscode.commands.executeCommand('metacot.openLatestTrace')) as { uri: string };
    assert.equal(r?.uri, sample.uri, 'the latest trace is the one the sample run wrote');
    await waitFor('a search panel on the latest trace', () => api.hosts(vscode.Uri.parse(sample.uri)).length > 0, 15_000);
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.match(tab?.label ?? '', /^Search: /, `the active tab is ${tab?.label}`);
  });

  it('step 3, Re-run From a Node of the latest trace: a person picks the node and "Same settings"; the run grows that trace @trusted-only', async function () {
    this.timeout(90_000);
    const before = readTrace(sample.uri);
    const { result, accepted } = await runAccepting<RunSummary>('metacot.rerunLatestTrace');
    assert.ok(accepted >= 2, `the node pick and the settings pick were not shown (accepted ${accepted}, result ${JSON.stringify(result)?.slice(0, 300)})`);
    assert.ok(result, 'no run summary (see the Meta-CoT log)');
    assert.equal(result.uri, sample.uri, 'the re-run went to another trace');
    const after = readTrace(sample.uri);
    assert.equal(after.runs.length, before.runs.length + 1);
    assert.equal(after.runs.at(-1)!.startNodeId, result.startNodeId);
    assert.ok(after.nodes.length > before.nodes.length, 'the re-run added no node');
    // An API call names the node and never prompts.
    const api2 = (await vscode.commands.executeCommand('metacot.rerunLatestTrace', { nodeId: 'n0', open: false, strategy: 'single' })) as RunSummary;
    assert.equal(api2.startNodeId, 'n0');
    assert.equal(readTrace(sample.uri).runs.at(-1)!.config.strategy, 'single');
  });

  it('step 4, Configure Endpoint: the wizard (given its answers) tests a server, lists its models and saves the endpoint', async () => {
    server = await startServer();
    const r = (await vscode.commands.executeCommand('metacot.configureEndpoint', {
      preset: 'custom',
      name: 'walkthrough-ref',
      baseUrl: server.url,
      mode: 'chat',
      test: true,
      target: 'user',
    })) as { endpoint: { name: string; model: string }; models: string[] };
    assert.ok(r.models.includes('sim-countdown'), `models: ${r.models.join(', ')}`);
    const config = vscode.workspace.getConfiguration('metacot');
    const saved = config.inspect<{ name: string; baseUrl: string }[]>('endpoints')!.globalValue ?? [];
    assert.equal(saved.find((e) => e.name === 'walkthrough-ref')?.baseUrl, server.url);
    await config.update('endpoints', saved.filter((e) => e.name !== 'walkthrough-ref'), vscode.ConfigurationTarget.Global);
  });

  it('step 5, Export: writes SFT training records of the sample trace', async () => {
    const r = (await vscode.commands.executeCommand('metacot.export', { uri: sample.uri, format: 'sft', output: '.metacot/exports/sample.sft.jsonl' })) as { output: string; format: string };
    assert.equal(r.format, 'sft');
    const lines = fs.readFileSync(vscode.Uri.parse(r.output).fsPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, 1, 'the verified sample makes one SFT record');
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.match(JSON.stringify(record), /reach 24/);
  });

  it('the welcome view\'s Open Walkthrough link opens the walkthrough', async () => {
    const welcome = (harness().manifest.contributes as unknown as { viewsWelcome: { contents: string }[] }).viewsWelcome[0]!.contents;
    const m = /\[Open Walkthrough\]\(command:workbench\.action\.openWalkthrough\?([^)]+)\)/.exec(welcome);
    assert.ok(m, 'no Open Walkthrough link in the welcome view');
    const id = JSON.parse(decodeURIComponent(m[1]!)) as string;
    assert.equal(id, `${harness().extensionId}#${walkthrough().id}`);
    await closeAllEditors();
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', id, false);
    const tab = await waitFor('the walkthrough tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /Welcome|Walkthrough/.test(t.label)), 10_000);
    assert.ok(tab.isActive);
    await closeAllEditors();
  });

  it('Run the Sample Problem again: the sample file is reused, not overwritten', async function () {
    this.timeout(60_000);
    const sampleUri = vscode.Uri.file(wsPath('.metacot', 'sample-problem.txt'));
    const original = fs.readFileSync(sampleUri.fsPath, 'utf8');
    const edited = original.replace(COUNTDOWN_EXAMPLE, 'Use the numbers 4, 6, 8, 1 to reach 33. Use + - * / and each number at most once.');
    // Through VS Code's file service, so an open document of the file follows at once.
    await vscode.workspace.fs.writeFile(sampleUri, new TextEncoder().encode(edited));
    try {
      await closeAllEditors();
      // VS Code reloads an open, clean document from disk asynchronously: a person would see the new text first.
      await waitFor('the sample document to show the edit', () => !vscode.workspace.textDocuments.some((d) => d.uri.fsPath === sampleUri.fsPath && d.getText() !== edited), 10_000);
      const again = (await vscode.commands.executeCommand('metacot.runSample', { open: false })) as RunSummary;
      assert.ok(again, 'no run summary (see the Meta-CoT log)');
      assert.equal(fs.readFileSync(sampleUri.fsPath, 'utf8'), edited);
      assert.match(readTrace(again.uri).problem.text, /^Use the numbers 4, 6, 8, 1 to reach 33/);
    } finally {
      await vscode.workspace.fs.writeFile(sampleUri, new TextEncoder().encode(original));
    }
  });

  describe('strategy pick at run time', () => {
    const config = () => vscode.workspace.getConfiguration('metacot');
    let askBefore: boolean | undefined;
    before(async () => {
      askBefore = config().inspect<boolean>('search.askStrategy')?.workspaceValue;
      await config().update('search.askStrategy', true, vscode.ConfigurationTarget.Workspace);
    });
    after(async () => {
      await config().update('search.askStrategy', askBefore, vscode.ConfigurationTarget.Workspace);
      await closeAllEditors();
    });

    it('an API call never asks: with a strategy argument it runs that strategy, without one the settings\' strategy', async function () {
      this.timeout(60_000);
      await selectFirstLine('problems/countdown.txt');
      const named = await settlesWithin(vscode.commands.executeCommand<RunSummary>('metacot.runSearchOnSelection', { endpoint: 'embedded', strategy: 'best-of-n', open: false }), 30_000);
      assert.notEqual(named, 'still running', 'an API call with a strategy waited for a prompt');
      assert.equal(readTrace((named as RunSummary).uri).runs[0]!.config.strategy, 'best-of-n');
      const plain = await settlesWithin(vscode.commands.executeCommand<RunSummary>('metacot.runSearchOnSelection', { endpoint: 'embedded', open: false }), 30_000);
      assert.notEqual(plain, 'still running', 'an API call without a strategy waited for a prompt');
      assert.equal(readTrace((plain as RunSummary).uri).runs[0]!.config.strategy, config().get('search.strategy'));
    });

    it('a person\'s run asks first; accepting the preselected "Use settings" runs the settings\' strategy @trusted-only', async function () {
      this.timeout(60_000);
      // The fixture workspace names an endpoint nobody serves; a person's run uses the default endpoint.
      const endpointBefore = config().inspect<string>('defaultEndpoint')?.workspaceValue;
      await config().update('defaultEndpoint', 'embedded', vscode.ConfigurationTarget.Workspace);
      try {
        await selectFirstLine('problems/countdown.txt');
        const { result, accepted } = await runAccepting<RunSummary>('metacot.runSearchOnSelection');
        assert.ok(accepted >= 1, 'no strategy pick was shown');
        assert.ok(result, 'no run summary (see the Meta-CoT log)');
        assert.equal(readTrace(result.uri).runs[0]!.config.strategy, config().get('search.strategy'));
        // With the question turned off a person's run starts at once.
        await config().update('search.askStrategy', false, vscode.ConfigurationTarget.Workspace);
        const quiet = await settlesWithin(vscode.commands.executeCommand<RunSummary>('metacot.runSearchOnSelection'), 30_000);
        assert.notEqual(quiet, 'still running', 'the run asked although metacot.search.askStrategy is false');
        assert.ok(quiet, 'no run summary');
      } finally {
        await config().update('defaultEndpoint', endpointBefore, vscode.ConfigurationTarget.Workspace);
      }
    });
  });
});
