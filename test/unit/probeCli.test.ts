/**
 * `metacot probe` prints the capability table and remembers it; `metacot run` probes a remote endpoint once by
 * default (remembered under $METACOT_STATE_DIR), records it in the trace, says each adaptation once, skips the probe
 * with --no-probe, and stops with exit 1 and the CLI's advice when the probe fails.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { capabilityDir, runProbeCommand } from '../../src/cli/commands/probe';
import { runRunCommand } from '../../src/cli/commands/run';
import { main } from '../../src/cli/main';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import { readTraceFile } from '../../src/core/trace/io';
import { CapabilitiesSchema } from '../../src/core/trace/schema';
import { closedPort } from './helpers/closedPort';

const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
const dir = mkdtempSync(join(tmpdir(), 'metacot-probe-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const state = join(dir, 'state');
process.env.METACOT_STATE_DIR = state;
const env = { METACOT_STATE_DIR: state };

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}


test('capabilityDir: $METACOT_STATE_DIR first, else the platform cache folder', () => {
  assert.equal(capabilityDir({ METACOT_STATE_DIR: '/s' }, 'linux'), join('/s', 'capabilities'));
  assert.equal(capabilityDir({}, 'linux'), join(homedir(), '.cache', 'metacot', 'capabilities'));
  assert.equal(capabilityDir({ XDG_CACHE_HOME: '/xdg' }, 'linux'), join('/xdg', 'metacot', 'capabilities'));
  assert.equal(capabilityDir({}, 'darwin'), join(homedir(), 'Library', 'Caches', 'metacot', 'capabilities'));
});

test('metacot probe: the table with what the client does, remembered, --refresh probes again, --json', async () => {
  const server = await startReferenceServer({ nSupport: 'ignore' });
  try {
    const args = ['--endpoint', server.url, '--model', 'sim-countdown'];
    const first = capture();
    assert.equal(await runProbeCommand(args, { ...first.io, env }), 0, first.o.err);
    assert.match(first.o.out, /^http:\/\/127\.0\.0\.1:\d+ \(model sim-countdown, chat mode\): probed now with 5 requests/);
    assert.match(first.o.out, /^capability\s+found\s+what the client does/m);
    assert.match(first.o.out, /^n \(several choices in one request\)\s+✗ no\s+sends one request per sample/m);
    assert.match(first.o.out, /^logprobs \(token log-probabilities\)\s+✓ yes/m);
    assert.match(first.o.out, /^stop \(a step ends at a blank line\)\s+cuts/m);
    assert.match(first.o.out, /^echo .*✗ no\s+not used by the client/m);
    assert.equal(server.log.generations().length, 5);
    assert.equal(readdirSync(join(state, 'capabilities')).length, 1);

    const again = capture();
    assert.equal(await runProbeCommand(args, { ...again.io, env }), 0);
    assert.match(again.o.out, /remembered from .* \(--refresh probes again\)/);
    assert.equal(server.log.generations().length, 5);

    const json = capture();
    assert.equal(await runProbeCommand([...args, '--refresh', '--json'], { ...json.io, env }), 0);
    assert.equal(server.log.generations().length, 10);
    const caps = CapabilitiesSchema.parse(JSON.parse(json.o.out));
    assert.equal(caps.n, 'no');
    assert.equal(caps.requests, 5);
  } finally {
    await server.close();
  }
});

test('metacot probe: failures exit 1 with the cause and the CLI\'s advice; usage errors exit 2; listed in the help', async () => {
  const port = await closedPort();
  const down = capture();
  assert.equal(await runProbeCommand(['--endpoint', `http://127.0.0.1:${port}/v1`, '--model', 'm'], { ...down.io, env }), 1);
  assert.match(down.o.err, /^metacot probe: unreachable: endpoint "cli": cannot reach/);
  assert.match(down.o.err, /what to do: Start the server, or check the --endpoint URL and port/);
  const usage = capture();
  assert.equal(await runProbeCommand(['--endpoint', 'http://127.0.0.1:1/v1'], usage.io), 2);
  assert.match(usage.o.err, /--endpoint URL and --model M are required/);
  assert.equal(await runProbeCommand(['--endpoint', 'http://127.0.0.1:1/v1', '--model', 'm', '--mode', 'nope'], capture().io), 2);
  let help = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((t: string) => ((help += t), true)) as typeof process.stdout.write;
  try {
    await main(['help']);
  } finally {
    process.stdout.write = write;
  }
  assert.match(help, /^ {2}probe {16}what an endpoint does/m);
});

test('metacot run probes once, records the capabilities in the trace and says each adaptation once; --no-probe sends none', async () => {
  const server = await startReferenceServer({ nSupport: 'ignore', seed: 5 });
  try {
    const out = join(dir, 'runs');
    const argv = ['--problem', PROBLEM, '--strategy', 'best-of-n', '--param', 'n=4', '--param', 'seed=1', '--endpoint', server.url, '--model', 'sim-countdown', '--out', out, '--quiet'];
    const r = capture();
    assert.equal(await runRunCommand(argv, r.io), 0, r.o.err);
    const trace = await readTraceFile(join(out, 'problem.metacot.json'));
    const caps = trace.runs[0]!.config.endpoint.capabilities;
    assert.equal(caps?.n, 'no');
    // The run's usage is its own: the probe's requests are on the capabilities.
    assert.equal(trace.runs[0]!.usage.requests + caps!.requests, server.log.generations().length);
    const notes = r.o.err.split('\n').filter((l) => l.startsWith('note: endpoint '));
    assert.equal(new Set(notes).size, notes.length, r.o.err);
    assert.ok(notes.every((l) => l.startsWith(`note: endpoint ${server.url}: `)), r.o.err);

    // Remembered: the next run sends no probe; --no-probe with nothing remembered records none.
    const before = server.log.generations().length;
    const second = capture();
    assert.equal(await runRunCommand([...argv, '--budget', 'maxRequests=1'], second.io), 0, second.o.err);
    const secondTrace = await readTraceFile(join(out, 'problem-2.metacot.json'));
    assert.equal(server.log.generations().length - before, secondTrace.runs[0]!.usage.requests);
    const other = capture();
    assert.equal(await runRunCommand(['--problem', PROBLEM, '--strategy', 'single', '--endpoint', server.url, '--model', 'sim-arithmetic', '--no-probe', '--out', join(dir, 'noprobe'), '--quiet'], other.io), 0, other.o.err);
    const plain = await readTraceFile(join(dir, 'noprobe', 'problem.metacot.json'));
    assert.equal(plain.runs[0]!.config.endpoint.capabilities, undefined);
    assert.equal(plain.runs[0]!.usage.requests, 1);
  } finally {
    await server.close();
  }
});

test('metacot run: a failed probe stops the batch with exit 1, the cause and advice, and nothing written', async () => {
  const port = await closedPort();
  const out = join(dir, 'down');
  const r = capture();
  const code = await runRunCommand(['--problem', PROBLEM, '--strategy', 'single', '--endpoint', `http://127.0.0.1:${port}/v1`, '--model', 'm', '--retries', '0', '--out', out, '--quiet'], r.io);
  assert.equal(code, 1, r.o.err);
  assert.match(r.o.err, /^failed problem: the capability probe failed: unreachable: endpoint "cli": cannot reach/m);
  assert.match(r.o.err, /what to do: Start the server, or check the --endpoint URL and port .*\(--no-probe skips the probe\)/);
  assert.equal(existsSync(out), false);
  assert.equal(await runRunCommand(['--problem', PROBLEM, '--strategy', 'single', '--no-probe', '--out', out], capture().io), 2);
});
