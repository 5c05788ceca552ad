// Meta-CoT: Measure Step Importance in real VS Code, on the embedded model: the command (an API call, so it asks
// nothing; it names the embedded endpoint because the fixture workspace's default is a closed server) measures the
// best path of a Countdown trace with K = 2, the result is saved into the trace file through the trace model's edit
// path, a panel showing the trace is sent it, and a bad node is refused with the file left as it was.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApi } from '../../../src/extension/testApi';
import type { Trace } from '../../../src/core/trace/schema';
import { harness } from '../harness';
import { closeAllEditors, openInTraceEditor, readTrace, testApi, writeTraceFixture } from './extensionHelpers';

describe('extension: step importance', function () {
  let api: TestApi;

  before(async () => {
    api = await testApi();
  });

  afterEach(async () => {
    await closeAllEditors();
  });

  const beam = (): Trace => JSON.parse(readFileSync(join(harness().extensionRoot, 'test/fixtures/traces/countdown-beam.metacot.json'), 'utf8')) as Trace;

  it('measures the path to n9 on the embedded model (K = 2) and the trace file then holds the result @trusted-only', async function () {
    this.timeout(120_000);
    const uri = await writeTraceFixture('importance-beam', beam());
    await openInTraceEditor(api, uri);
    await api.postFromWebview(uri, { type: 'ready', protocolVersion: 2 });
    const outcome = (await vscode.commands.executeCommand('metacot.measureStepImportance', { uri: uri.toString(), nodeId: 'n9', k: 2, maxTokens: 20_000, endpoint: 'embedded', save: true })) as {
      nodeId: string;
      steps: number;
      usage: { requests: number; tokensOut: number };
      message: string;
    };
    assert.equal(outcome.nodeId, 'n9');
    assert.equal(outcome.steps, 3);
    // The path ends in its own answer: prefixes 0, 1 and 2 are sampled, one request each.
    assert.equal(outcome.usage.requests, 3);
    assert.ok(outcome.usage.tokensOut > 0);
    assert.match(outcome.message, /^step importance of n9: 3 steps, 3 requests/);

    const saved = readTrace(uri);
    const r = saved.analyses?.stepImportance?.find((x) => x.nodeId === 'n9');
    assert.ok(r, 'the saved file holds the result');
    assert.equal(r.k, 2);
    assert.equal(r.endpoint, 'embedded');
    assert.equal(r.checker, 'countdown', "the trace's countdown verifier checked the answers");
    assert.deepEqual(r.path.map((p) => p.id), ['n1', 'n5', 'n9']);
    assert.deepEqual(r.prefixes.map((p) => [p.steps, p.got]), [[0, 2], [1, 2], [2, 2], [3, 2]]);
    assert.equal(r.prefixes[3]!.fromPath, true);
    for (const p of r.prefixes) assert.ok(p.accuracy !== undefined, `accuracy after ${p.steps} steps`);
    for (const s of r.steps) assert.ok(s.tv !== undefined && s.tv >= 0 && s.tv <= 1);
    // Everything else in the file is as it was.
    const before = beam();
    assert.deepEqual(saved.nodes, before.nodes);
    assert.deepEqual(saved.runs, before.runs);
    // The panel showing the trace was sent the trace again, with the result in it.
    const loads = api.sentToWebview(uri).filter((m) => (m as { type?: string }).type === 'loadTrace') as { trace: Trace }[];
    assert.ok(loads.at(-1)?.trace.analyses?.stepImportance?.some((x) => x.nodeId === 'n9'), 'the panel got the measured trace');
  });

  it('an unknown node is refused with its name, and the file is left as it was @trusted-only', async function () {
    const uri = await writeTraceFixture('importance-bad-node', beam());
    const text = readFileSync(uri.fsPath, 'utf8');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('metacot.measureStepImportance', { uri: uri.toString(), nodeId: 'n404', k: 2 })), /no node "n404"/);
    assert.equal(readFileSync(uri.fsPath, 'utf8'), text);
  });
});
