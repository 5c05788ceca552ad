/**
 * Output of the `metacot` program is never cut: through a pipe that a slow reader drains, export and show give the
 * same bytes as `--out FILE` / `> FILE`, and the exit code is the command's. A reader that leaves early is no error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTraceFile } from '../../src/core/trace/io';
import { generateTrace } from '../fixtures/generateTrace';
import { runCli } from './cliSpawn';

const dir = mkdtempSync(join(tmpdir(), 'metacot-cli-output-'));
const trace = join(dir, 'big.metacot.json');
let ready: Promise<void> | undefined;
/** One multi-MB trace for every test here (written once). */
const bigTrace = (): Promise<void> => (ready ??= writeTraceFile(trace, generateTrace({ nodes: 6000, seed: 7 })));

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('export through a slowly read pipe: byte-identical to --out FILE (several MB), exit 0', async () => {
  await bigTrace();
  const file = join(dir, 'linear.jsonl');
  const written = await runCli(['export', '--format', 'linear', '--no-filter', trace, '--out', file]);
  assert.equal(written.code, 0, written.stderr);
  const expected = readFileSync(file);
  assert.ok(expected.length > 1_000_000, `export is only ${expected.length} bytes`);

  const piped = await runCli(['export', '--format', 'linear', '--no-filter', trace], { stallMs: 1500 });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout.length, expected.length);
  assert.ok(piped.stdout.equals(expected), 'piped bytes differ from the --out file');
  assert.match(piped.stderr, /^1 linear record\(s\) from 1 trace\(s\)\n$/);

  // Records per path: many lines, each one whole JSON.
  const dpoFile = join(dir, 'dpo.jsonl');
  assert.equal((await runCli(['export', '--format', 'math-shepherd', '--no-filter', trace, '--out', dpoFile])).code, 0);
  const dpo = await runCli(['export', '--format', 'math-shepherd', '--no-filter', trace], { stallMs: 1000 });
  assert.equal(dpo.code, 0, dpo.stderr);
  assert.ok(dpo.stdout.equals(readFileSync(dpoFile)));
  const lines = dpo.stdout.toString('utf8').trimEnd().split('\n');
  assert.ok(lines.length > 100, `${lines.length} records`);
  for (const l of lines) JSON.parse(l);
});

test('show through a slowly read pipe: byte-identical to show > FILE, exit 0', async () => {
  await bigTrace();
  const file = join(dir, 'show.txt');
  const toFile = await runCli(['show', trace, '--width', '0'], { stdoutFile: file });
  assert.equal(toFile.code, 0, toFile.stderr);
  const expected = readFileSync(file);
  assert.ok(expected.length > 300_000, `show printed only ${expected.length} bytes`);
  const piped = await runCli(['show', trace, '--width', '0'], { stallMs: 1500 });
  assert.equal(piped.code, 0, piped.stderr);
  assert.equal(piped.stdout.length, expected.length);
  assert.ok(piped.stdout.equals(expected));
});

test('a reader that closes the pipe early (| head -c): the command ends quietly, no stack trace', async () => {
  await bigTrace();
  const r = await runCli(['export', '--format', 'linear', '--no-filter', trace], { closeAfter: 1000 });
  assert.equal(r.signal, null);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
});

test('the exit codes are documented in metacot --help and in each writing command\'s --help', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  const text = help.stdout.toString('utf8');
  for (const line of [/^ {2}0 {4}done as asked/m, /^ {2}1 {4}a run failed/m, /^ {2}2 {4}usage error/m, /^ {2}3 {4}an output file exists/m, /^ {2}130 {2}interrupted/m]) assert.match(text, line);
  for (const cmd of ['run', 'export', 'import', 'rescore']) {
    const r = await runCli([cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout.toString('utf8'), /Exit codes:\n {2}0 /, cmd);
    assert.match(r.stdout.toString('utf8'), /--force/, cmd);
  }
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});
