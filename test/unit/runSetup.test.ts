/**
 * The core run set-up both clients use (src/core/run): the embedded model records the same endpoint whichever client
 * starts it, price and replay cache come through one path, re-run plans copy the origin run, trace names follow one
 * rule, and caller mistakes fail before any request.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunCommand } from '../../src/cli/commands/run';
import { planRerun, prepareRun, RunSetupError, traceFileName, type EndpointChoice } from '../../src/core/run';
import { getStrategy } from '../../src/core/search/registry';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ReferenceServer } from '../../src/core/server/referenceServer';
import { readTraceFile } from '../../src/core/trace/io';
import type { Problem } from '../../src/core/trace/schema';

const SAMPLE: Problem = { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' };
const dir = mkdtempSync(join(tmpdir(), 'metacot-runsetup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let server: ReferenceServer | undefined;
after(() => server?.close());
async function reference(): Promise<ReferenceServer> {
  server ??= await startReferenceServer({ seed: 2 });
  return server;
}
const refChoice = (s: ReferenceServer): EndpointChoice => ({ kind: 'openai', config: { name: 'ref', baseUrl: s.url, model: 'sim-countdown', maxRetries: 0 } });

test('embedded model: the CLI path and the extension path record the same endpoint and both solve the sample', async () => {
  const args = { strategy: 'mcts', params: { concurrency: '1', seed: '1' }, budgets: { maxTokens: 4000 } } as const;
  const out = join(dir, 'cli');
  let err = '';
  const code = await runRunCommand(
    ['--problem', SAMPLE.text, '--strategy', args.strategy, '--param', 'concurrency=1', '--param', 'seed=1', '--budget', 'maxTokens=4000', '--quiet', '--out', out],
    { out: () => undefined, err: (t) => void (err += t) },
  );
  assert.equal(code, 0, err);
  const cliTrace = await readTraceFile(join(out, 'problem.metacot.json'));
  assert.equal(cliTrace.result?.verified, true);

  // As the extension's Runs.start asks: the embedded choice, the settings' price table and the global-storage cache.
  const prepared = await prepareRun({ problem: SAMPLE, ...args, params: { ...args.params }, endpoint: { kind: 'embedded' }, priceTable: {}, cacheDir: join(dir, 'ext-cache') });
  const report = await prepared.execute();
  assert.equal(report.result?.verified, true, report.summary);
  assert.equal(report.status, 'solved');
  const extEndpoint = prepared.tree.trace.runs[0]!.config.endpoint;
  assert.deepEqual(extEndpoint, cliTrace.runs[0]!.config.endpoint);
  assert.deepEqual(prepared.endpoint, extEndpoint);
  assert.equal(extEndpoint.model, 'embedded-countdown');
  assert.match(extEndpoint.baseUrl, /^embedded:/);
  assert.match(report.summary, /^run r1: solved/);
});

test('price: the table entry for the model is applied; an explicit priceIn param wins', async () => {
  const s = await reference();
  const table = { 'sim-countdown': { input: 1, output: 2 } };
  const priced = await prepareRun({ problem: SAMPLE, strategy: 'best-of-n', params: { n: 2, seed: 1 }, endpoint: refChoice(s), priceTable: table });
  const a = await priced.execute();
  assert.ok(a.usage.requests > 0);
  assert.ok(a.usage.cost > 0, `cost ${a.usage.cost}`);
  assert.ok(Math.abs(a.usage.cost - (a.usage.tokensIn * 1 + a.usage.tokensOut * 2) / 1e6) < 1e-12);
  const pa = priced.tree.trace.runs[0]!.config.params;
  assert.equal(pa.priceIn, 1);
  assert.equal(pa.priceOut, 2);

  const explicit = await prepareRun({ problem: SAMPLE, strategy: 'best-of-n', params: { n: 2, seed: 1, priceIn: 5 }, endpoint: refChoice(s), priceTable: table });
  const b = await explicit.execute();
  const pb = explicit.tree.trace.runs[0]!.config.params;
  assert.equal(pb.priceIn, 5);
  assert.equal(pb.priceOut, 2);
  assert.ok(Math.abs(b.usage.cost - (b.usage.tokensIn * 5 + b.usage.tokensOut * 2) / 1e6) < 1e-12);

  const unpriced = await prepareRun({ problem: SAMPLE, strategy: 'best-of-n', params: { n: 2, seed: 1 }, endpoint: refChoice(s), priceTable: { other: { input: 9, output: 9 } } });
  assert.equal((await unpriced.execute()).usage.cost, 0);
});

test('cacheDir: a second identical run is answered from the replay cache with no request to the server', async () => {
  const s = await reference();
  const cacheDir = join(dir, 'replay');
  const req = { problem: SAMPLE, strategy: 'beam', params: { N: 2, width: 2, maxDepth: 2, seed: 4, concurrency: 1 }, endpoint: refChoice(s), cacheDir } as const;
  s.log.clear();
  const first = await (await prepareRun({ ...req, params: { ...req.params } })).execute();
  assert.ok(first.usage.requests > 0);
  const sent = s.log.generations().length;
  assert.equal(sent, first.usage.requests);
  s.log.clear();
  const second = await (await prepareRun({ ...req, params: { ...req.params } })).execute();
  assert.equal(s.log.generations().length, 0);
  // Usage counts replayed requests too, and says they were all replays.
  assert.equal(second.usage.requests, first.usage.requests);
  assert.equal(second.usage.cachedRequests, sent);
  assert.equal(first.usage.cachedRequests, 0);
  assert.equal(second.nodesAdded, first.nodesAdded);
  assert.equal(second.usage.tokensIn + second.usage.tokensOut, 0);
});

test('re-run: planRerun copies the origin run (strategy, own params + seed, budgets, verifier); a base run extends a copy', async () => {
  const s = await reference();
  const first = await prepareRun({
    problem: SAMPLE,
    strategy: 'beam',
    params: { N: 2, width: 2, maxDepth: 2, seed: 7, concurrency: 2, priceIn: 3 },
    budgets: { maxRequests: 40 },
    verifier: { kind: 'countdown', params: {} },
    endpoint: refChoice(s),
  });
  await first.execute();
  const trace1 = first.tree.trace;
  const r1Node = trace1.nodes.find((n) => n.runId === 'r1')!;
  const plan = planRerun(trace1, r1Node.id);
  assert.equal(plan.strategy, 'beam');
  const own = getStrategy('beam').params.map((p) => p.name);
  assert.deepEqual(Object.keys(plan.params).sort(), [...own, 'seed'].sort());
  assert.equal(plan.params.seed, 7);
  assert.equal(plan.params.width, 2);
  assert.equal(plan.params.concurrency, undefined);
  assert.equal(plan.params.priceIn, undefined);
  assert.deepEqual(plan.budgets, { maxRequests: 40 });
  assert.equal(plan.verifier?.kind, 'countdown');
  assert.equal(plan.endpointName, 'ref');
  assert.equal(plan.originRunId, 'r1');

  // A second run from the root (best-of-n, no seed): the base trace is copied, not changed.
  const second = await prepareRun({ problem: { text: 'ignored for a re-run' }, strategy: 'best-of-n', params: { n: 2 }, endpoint: refChoice(s), base: { trace: trace1, startNodeId: 'n0' } });
  assert.equal(second.runId, 'r2');
  assert.equal(second.startNodeId, 'n0');
  const report = await second.execute();
  assert.equal(report.runId, 'r2');
  assert.equal(report.nodes, second.tree.size);
  assert.ok(report.nodesAdded > 0);
  assert.equal(trace1.runs.length, 1);
  const trace2 = second.tree.trace;
  assert.equal(trace2.problem.text, SAMPLE.text);
  // A node of r1 still plans r1; the root (no run of its own) plans the latest run, r2 (whose seed is the default).
  assert.equal(planRerun(trace2, r1Node.id).originRunId, 'r1');
  const latest = planRerun(trace2, 'n0');
  assert.equal(latest.originRunId, 'r2');
  assert.equal(latest.strategy, 'best-of-n');
  assert.equal(latest.params.n, 2);
  assert.deepEqual(Object.keys(latest.params).sort(), [...getStrategy('best-of-n').params.map((p) => p.name), 'seed'].sort());
  assert.equal(latest.params.seed, null);
  assert.throws(() => planRerun(trace2, 'n999'), (e: unknown) => e instanceof RunSetupError && e.kind === 'rerun');
  const bare = { ...trace2, runs: [] };
  assert.throws(() => planRerun(bare, 'n0'), /no run to copy/);
});

test('traceFileName: a safe id or a text slug, -2 when the first is taken', () => {
  assert.equal(traceFileName({ text: 'x', id: 'test/algebra 1.json' }, () => false), 'test_algebra_1.json.metacot.json');
  assert.equal(traceFileName({ text: 'x', id: '../../etc/passwd' }, () => false), 'etc_passwd.metacot.json');
  assert.equal(traceFileName(SAMPLE, () => false), 'use-the-numbers-3-5-7-2-to-reach-24-use.metacot.json');
  const taken = new Set(['p1.metacot.json', 'p1-2.metacot.json']);
  assert.equal(traceFileName({ text: 'x', id: 'p1' }, (n) => taken.has(n)), 'p1-3.metacot.json');
  assert.equal(traceFileName({ text: 'x', id: 'p2' }, (n) => n === 'p2.metacot.json'), 'p2-2.metacot.json');
  assert.equal(traceFileName({ text: '???', id: '...' }, () => false), 'problem.metacot.json');
});

test('caller mistakes throw RunSetupError before any request', async () => {
  const s = await reference();
  s.log.clear();
  const cases: [Parameters<typeof prepareRun>[0], RegExp, string][] = [
    [{ problem: SAMPLE, strategy: 'beam', params: { widht: 2 }, endpoint: refChoice(s) }, /unknown parameter "widht"/, 'params'],
    [{ problem: SAMPLE, strategy: 'beam', params: { width: 'wide' }, endpoint: refChoice(s) }, /width/, 'params'],
    [{ problem: SAMPLE, strategy: 'nope' as 'beam', endpoint: refChoice(s) }, /unknown strategy "nope"/, 'strategy'],
    [{ problem: SAMPLE, strategy: 'beam', budgets: { maxTokenz: 5 } as never, endpoint: refChoice(s) }, /budgets/, 'params'],
    [{ problem: SAMPLE, strategy: 'beam', endpoint: { kind: 'openai', config: { name: 'bad', baseUrl: 'not a url', model: 'm' } } }, /invalid endpoint configuration/, 'endpoint'],
  ];
  for (const [req, msg, kind] of cases) {
    await assert.rejects(prepareRun(req), (e: unknown) => {
      assert.ok(e instanceof RunSetupError, String(e));
      assert.match(e.message, msg);
      assert.equal(e.kind, kind, e.message);
      assert.ok(e.advice.length > 0);
      return true;
    });
  }
  const ok = await prepareRun({ problem: SAMPLE, strategy: 'single', endpoint: refChoice(s) });
  await assert.rejects(prepareRun({ problem: SAMPLE, strategy: 'single', endpoint: refChoice(s), base: { trace: ok.tree.trace, startNodeId: 'n42' } }), /no node "n42"/);
  assert.equal(s.log.entries.length, 0);
});

test('embedded model: a problem it cannot read is refused before any request; the CLI reports it in its row', async () => {
  await assert.rejects(prepareRun({ problem: { text: 'Natalia sold clips to 48 of her friends in April. How many clips did she sell?' }, strategy: 'single', endpoint: { kind: 'embedded' } }), (e: unknown) => {
    assert.ok(e instanceof RunSetupError);
    assert.equal(e.kind, 'problem');
    assert.match(e.message + e.advice, /Use the numbers 3, 5, 7, 2 to reach 24/);
    return true;
  });
  const file = join(dir, 'mixed.jsonl');
  writeFileSync(file, [JSON.stringify({ id: 'gsm', question: 'Natalia sold clips to 48 of her friends in April. How many clips did she sell?', answer: '#### 48' }), JSON.stringify({ id: 'cd', problem: SAMPLE.text })].join('\n'));
  let out = '';
  let err = '';
  const code = await runRunCommand(['--problems', file, '--strategy', 'mcts', '--param', 'concurrency=1', '--param', 'seed=1', '--budget', 'maxTokens=4000', '--quiet', '--out', join(dir, 'mixed')], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  assert.equal(code, 1);
  assert.match(out, /gsm\s+refused\s+no/);
  assert.match(out, /cd\s+solved\s+yes/);
  assert.match(out, /solved 1\/2/);
  assert.match(err, /refused gsm: .*embedded Countdown model/);
  assert.deepEqual(readdirSync(join(dir, 'mixed')), ['cd.metacot.json']);
});

test('embedded model: each tree strategy runs on the sample without a failed request (parallel MCTS included)', async () => {
  for (const strategy of ['mcts', 'beam', 'astar', 'best-of-n'] as const) {
    const run = await prepareRun({ problem: SAMPLE, strategy, endpoint: { kind: 'embedded' } });
    const report = await run.execute();
    const failed = run.tree.toJSON().nodes.filter((n) => n.status === 'failed');
    assert.deepEqual(failed.map((n) => n.error), [], `${strategy}: failed nodes`);
    assert.notEqual(report.status, 'failed', `${strategy}: ${report.reason}`);
    assert.ok(report.usage.requests >= 1 && report.usage.tokensOut > 0, `${strategy}: ${report.usage.requests} requests`);
  }
});

test('report: an unsolved re-run reports its own result and names the run whose verified answer the trace keeps', async () => {
  const first = await prepareRun({ problem: SAMPLE, strategy: 'astar', endpoint: { kind: 'embedded' } });
  const solved = await first.execute();
  assert.equal(solved.result?.verified, true);
  assert.equal(solved.runResult?.verified, true);
  assert.match(solved.summary, /answer .+ \(verified\)$/);
  // Beam without a value signal (the checks alone, not the embedded default's value model) and without resampling
  // leaves the sample unsolved on the embedded model (with resample, or with the value model, it solves it).
  const again = await prepareRun({ problem: SAMPLE, strategy: 'beam', params: { resample: false }, verifier: { kind: 'countdown', params: {} }, endpoint: { kind: 'embedded' }, base: { trace: first.tree.toJSON(), startNodeId: 'n0' } });
  const report = await again.execute();
  assert.notEqual(report.runResult?.verified, true, 'beam was expected to end unsolved here');
  assert.equal(report.result?.verified, true, 'the trace keeps the verified answer');
  assert.equal(report.result?.runId, solved.runId);
  assert.match(report.summary, new RegExp(`the trace keeps answer ${solved.result!.finalAnswer!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(verified\\) found by run ${solved.runId}`));
  assert.doesNotMatch(report.summary.split('; the trace keeps')[0]!, /\(verified\)/, `the re-run claims a verified answer: ${report.summary}`);
});

test('capabilities: probed once after validation, remembered, recorded in the run config endpoint; a probe failure is a RunSetupError', async () => {
  const s = await startReferenceServer({ seed: 4, nSupport: 'ignore' });
  try {
    const capsDir = join(dir, 'caps');
    const choice = refChoice(s);
    // A caller mistake is refused before the probe spends a request.
    await assert.rejects(prepareRun({ problem: SAMPLE, strategy: 'best-of-n', params: { nope: 1 }, endpoint: choice, capabilities: { dir: capsDir, probe: true } }), RunSetupError);
    assert.equal(s.log.generations().length, 0);
    const first = await prepareRun({ problem: SAMPLE, strategy: 'best-of-n', params: { n: 2, seed: 1 }, endpoint: choice, capabilities: { dir: capsDir, probe: true } });
    const probeRequests = s.log.generations().length;
    assert.equal(probeRequests, 5);
    assert.equal(first.endpoint.capabilities?.n, 'no');
    assert.equal(first.endpoint.capabilities?.requests, probeRequests);
    assert.equal(readdirSync(capsDir).length, 1);
    const report = await first.execute();
    assert.notEqual(report.status, 'failed', report.summary);
    // The probe's requests are its own, not the run's.
    assert.equal(report.usage.requests, s.log.generations().length - probeRequests);
    assert.deepEqual(first.tree.trace.runs[0]!.config.endpoint.capabilities, first.endpoint.capabilities);
    // Remembered: a second run sends no probe.
    const before = s.log.generations().length;
    const second = await prepareRun({ problem: SAMPLE, strategy: 'best-of-n', params: { n: 2, seed: 1 }, endpoint: choice, capabilities: { dir: capsDir, probe: true } });
    assert.equal(s.log.generations().length, before);
    assert.deepEqual(second.endpoint.capabilities, first.endpoint.capabilities);
    // Probing off and nothing remembered: no capabilities, no request.
    const off = await prepareRun({ problem: SAMPLE, strategy: 'best-of-n', endpoint: choice, capabilities: { dir: join(dir, 'caps-empty'), probe: false } });
    assert.equal(off.endpoint.capabilities, undefined);
    assert.equal(s.log.generations().length, before);
    const wrong: EndpointChoice = { kind: 'openai', config: { name: 'ref', baseUrl: s.url, model: 'no-such-model', maxRetries: 0 } };
    await assert.rejects(prepareRun({ problem: SAMPLE, strategy: 'best-of-n', endpoint: wrong, capabilities: { probe: true } }), (e: unknown) => e instanceof RunSetupError && e.kind === 'endpoint' && /capability probe failed: .*no-such-model/.test(e.message) && /sim-countdown/.test(e.advice));
  } finally {
    await s.close();
  }
});
