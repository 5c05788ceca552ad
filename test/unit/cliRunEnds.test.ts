/**
 * `metacot run` says when it failed: a closed port, an unknown model and a server that never answers in time end
 * `failed` with exit code 1 and stderr naming the cause and the flag that fixes it; a deterministic 404 is sent
 * once; --timeout and --retries reach the endpoint; a wall-time budget is overshot by at most one request timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunCommand } from '../../src/cli/commands/run';
import { parseFaultSpec } from '../../src/core/server/faults';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import { readTraceFile } from '../../src/core/trace/io';
import { runCli } from './cliSpawn';
import { closedPort } from './helpers/closedPort';

const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
const dir = mkdtempSync(join(tmpdir(), 'metacot-cli-ends-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** No key from the test's environment goes to a test server; probes are remembered in the test's folder. */
const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'OPENAI_API_KEY')), METACOT_STATE_DIR: join(dir, 'state') };
process.env.METACOT_STATE_DIR = env.METACOT_STATE_DIR;


test('a run against a closed port ends failed: exit 1, stderr names the unreachable server and --endpoint', async () => {
  const port = await closedPort();
  const out = join(dir, 'closed');
  const r = await runCli(['run', '--problem', PROBLEM, '--strategy', 'beam', '--endpoint', `http://127.0.0.1:${port}/v1`, '--model', 'm', '--retries', '1', '--no-probe', '--out', out, '--quiet'], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout.toString(), /^problem\s+failed\s+no\s/m);
  assert.match(r.stderr, new RegExp(`failed problem: every request failed .*cannot reach http://127\\.0\\.0\\.1:${port}/v1 \\(connection refused\\) \\(gave up after 2 attempts\\)`));
  assert.match(r.stderr, /what to do: Start the server, or check the --endpoint URL and port/);
  const trace = await readTraceFile(join(out, 'problem.metacot.json'));
  assert.equal(trace.runs[0]!.status, 'failed');
  assert.match(trace.runs[0]!.reason!, /^every request failed/);
});

test('an unknown model: exit 1, the 404 is sent once (not retried), stderr lists the served models and names --model', async () => {
  const server = await startReferenceServer();
  try {
    const r = await runCli(['run', '--problem', PROBLEM, '--strategy', 'beam', '--endpoint', server.url, '--model', 'no-such-model', '--out', join(dir, 'model'), '--quiet'], { env });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(server.log.generations().length, 1);
    assert.match(r.stderr, /model-not-found: endpoint "cli": model "no-such-model" is not served/);
    assert.match(r.stderr, /The server serves: sim-countdown, sim-arithmetic, sim-long-cot/);
    assert.match(r.stderr, /what to do: Pass --model with a model the server serves/);
    assert.doesNotMatch(r.stderr, /try again later/i);
  } finally {
    await server.close();
  }
});

test('--timeout and --retries reach the endpoint: each attempt is cut at the timeout, retries + 1 attempts, then failed', async () => {
  const server = await startReferenceServer({ latencyMs: 10_000 });
  try {
    const out = join(dir, 'timeout');
    const r = await runCli(['run', '--problem', PROBLEM, '--strategy', 'single', '--endpoint', server.url, '--model', 'sim-countdown', '--timeout', '300', '--retries', '2', '--no-probe', '--out', out, '--quiet'], { env });
    assert.equal(r.code, 1, r.stderr);
    // Three 300 ms attempts and two backoffs (at most 0.5 s and 1 s), never the server's 10 s.
    const run = (await readTraceFile(join(out, 'problem.metacot.json'))).runs[0]!;
    const took = Date.parse(run.endedAt!) - Date.parse(run.startedAt);
    assert.ok(took >= 900 && took < 5000, `run took ${took} ms`);
    assert.equal(server.log.generations().length, 3);
    assert.match(r.stderr, /timeout: endpoint "cli": no complete response within 300 ms \(gave up after 3 attempts\)/);
    assert.match(r.stderr, /what to do: No complete answer within the request timeout: raise --timeout MS/);
  } finally {
    await server.close();
  }
});

test('maxWallMs is overshot by at most one request timeout against a slow server; the run ends budget, exit 0', async () => {
  const server = await startReferenceServer({ latencyMs: 5000 });
  try {
    const out = join(dir, 'wall');
    const r = await runCli(['run', '--problem', PROBLEM, '--strategy', 'beam', '--endpoint', server.url, '--model', 'sim-countdown', '--budget', 'maxWallMs=600', '--timeout', '1000', '--no-probe', '--out', out, '--quiet'], { env });
    assert.equal(r.code, 0, r.stderr);
    const run = (await readTraceFile(join(out, 'problem.metacot.json'))).runs[0]!;
    assert.equal(run.status, 'budget');
    const took = Date.parse(run.endedAt!) - Date.parse(run.startedAt);
    assert.ok(took >= 590 && took <= 600 + 1000, `run took ${took} ms`);
  } finally {
    await server.close();
  }
});

test('usage errors exit 2: --timeout / --retries without --endpoint or with bad values', async () => {
  for (const extra of [['--timeout', '500'], ['--endpoint', 'http://127.0.0.1:1/v1', '--model', 'm', '--retries=-1'], ['--endpoint', 'http://127.0.0.1:1/v1', '--model', 'm', '--timeout', '0.5']]) {
    const r = await runCli(['run', '--problem', PROBLEM, '--strategy', 'single', '--out', join(dir, 'usage'), ...extra], { env });
    assert.equal(r.code, 2, extra.join(' '));
    assert.match(r.stderr, /^metacot run: --(timeout|retries)/);
  }
});

test('a run that got answers around a failed request completes with exit 0 and a warning naming the failure', async () => {
  // The first request fails (no retries), the rest are answered: best-of-n votes over what came back.
  const server = await startReferenceServer({ faults: parseFaultSpec('seq:500') });
  try {
    const out = join(dir, 'partial');
    let err = '';
    const code = await runRunCommand(
      ['--problem', PROBLEM, '--strategy', 'best-of-n', '--param', 'n=4', '--param', 'perRequest=1', '--param', 'concurrency=1', '--param', 'seed=3', '--endpoint', server.url, '--model', 'sim-countdown', '--retries', '0', '--no-probe', '--out', out, '--quiet'],
      { out: () => undefined, err: (t) => void (err += t), tty: false },
    );
    assert.equal(code, 0, err);
    assert.match(err, /^warning: problem: 1 request failed; first: server: endpoint "cli": server error 500/m);
    assert.match(err, /what to do: The server is failing: check its logs/);
    const trace = await readTraceFile(join(out, 'problem.metacot.json'));
    assert.notEqual(trace.runs[0]!.status, 'failed');
    assert.equal(trace.nodes.filter((n) => n.status === 'failed').length, 1);
  } finally {
    await server.close();
  }
});

test('Ctrl-C (the signal) ends the run cancelled, writes its trace and exits 130', async () => {
  const server = await startReferenceServer({ latencyMs: 10_000 });
  try {
    const out = join(dir, 'interrupted');
    const ctl = new AbortController();
    let err = '';
    setTimeout(() => ctl.abort(), 400);
    const code = await runRunCommand(['--problem', PROBLEM, '--strategy', 'beam', '--endpoint', server.url, '--model', 'sim-countdown', '--no-probe', '--out', out, '--quiet'], {
      signal: ctl.signal,
      out: () => undefined,
      err: (t) => void (err += t),
      tty: false,
    });
    assert.equal(code, 130);
    assert.match(err, /metacot run: interrupted; the current run ended cancelled and its trace was written/);
    assert.equal((await readTraceFile(join(out, 'problem.metacot.json'))).runs[0]!.status, 'cancelled');
  } finally {
    await server.close();
  }
});

test('a problem the embedded model cannot read: refused before any request, exit 1, stderr says how to write it or which flags to pass', async () => {
  const out = join(dir, 'unreadable');
  const r = await runCli(['run', '--problem', 'What is 6 * 7?', '--strategy', 'beam', '--out', out, '--quiet'], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout.toString(), /^problem\s+refused\s+no\s/m);
  assert.match(r.stderr, /^refused problem: The embedded Countdown model cannot read this problem/m);
  assert.match(r.stderr, /what to do: Write it like "Use the numbers 3, 5, 7, 2 to reach 24\..*", or pass --endpoint URL --model M/);
  assert.equal(existsSync(join(out, 'problem.metacot.json')), false);
});
