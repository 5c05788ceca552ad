// The embedded reasoner in real VS Code: an in-context run on the embedded default (no endpoint configured for it)
// runs the Stream-of-Search reasoner embedded-countdown-sos in process, and its thinking becomes the trace's tree:
// every step a Countdown operation the importer read from an `Exploring Operation` line. A re-run from a step
// keeps the reasoner and continues that step's thinking.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../../src/extension/searchRunner';
import { parseOpStep } from '../../../src/core/trace/linearize/countdownText';
import { closeAllEditors, COUNTDOWN, readTrace, testApi } from './extensionHelpers';

describe('extension: in-context on the embedded reasoner @trusted-only', function () {
  this.timeout(120_000);

  before(async () => {
    await testApi();
  });

  after(async () => {
    await closeAllEditors();
  });

  it('Run Search on Selection with in-context on the embedded endpoint runs embedded-countdown-sos and draws its search', async () => {
    const s = (await vscode.commands.executeCommand('metacot.runSearchOnSelection', {
      problem: COUNTDOWN,
      endpoint: 'embedded',
      strategy: 'in-context',
      params: { seed: 3 },
      open: false,
    })) as RunSummary;
    assert.notEqual(s.status, 'failed', s.reason);
    const trace = readTrace(vscode.Uri.parse(s.uri));
    const run = trace.runs[0]!;
    assert.equal(run.config.strategy, 'in-context');
    assert.equal(run.config.endpoint.model, 'embedded-countdown-sos');
    assert.ok(run.usage.tokensOut > 0, 'the reasoner generated nothing');
    const steps = trace.nodes.filter((n) => n.kind === 'step');
    assert.ok(steps.length > 0, `no step came out of ${run.usage.tokensOut} tokens of thinking`);
    // Every step is an `Exploring Operation` line the SoS importer read, kept with the lines it came from (what a
    // fork sends back), or the Answer line under a goal; a well-formed operation reads as our Countdown step.
    for (const n of steps) {
      if (/^Answer: /.test(n.text)) continue;
      const read = n.meta?.sosText;
      assert.ok(typeof read === 'string' && /Exploring Operation: /.test(read), `${n.id} was not read from an Exploring Operation line: ${JSON.stringify(n.meta)}`);
      if (n.meta?.sosOp === undefined) assert.ok(parseOpStep(n.text) !== undefined, `${n.id}: ${JSON.stringify(n.text)} is not a Countdown step`);
    }

    // Fork at the first step: the same reasoner continues from there.
    const first = steps[0]!;
    const again = (await vscode.commands.executeCommand('metacot.rerunFromNode', { uri: s.uri, nodeId: first.id, strategy: 'in-context', params: { seed: 4 }, open: false })) as RunSummary;
    assert.notEqual(again.status, 'failed', again.reason);
    const after = readTrace(vscode.Uri.parse(s.uri));
    assert.equal(after.runs.length, 2);
    assert.equal(after.runs[1]!.startNodeId, first.id);
    assert.equal(after.runs[1]!.config.endpoint.model, 'embedded-countdown-sos', 'a fork keeps its tree’s reasoner');
    for (const n of trace.nodes) assert.equal(after.nodes.find((m) => m.id === n.id)?.text, n.text, `${n.id} changed`);
  });
});
