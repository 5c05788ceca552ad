/**
 * No CLI command writes over a file blindly: `run` puts a new trace beside an existing one (`<id>-2…`), or with
 * --force replaces a valid trace, never a file that is not one; `import --out`, `rescore --out` and `export --out`
 * refuse an existing file (exit 3, the file untouched) unless --force, and even then only replace a valid file of
 * their kind. rescore may write back to the trace it read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExportCommand } from '../../src/cli/commands/export';
import { runImportCommand } from '../../src/cli/commands/import';
import { runRescoreCommand } from '../../src/cli/commands/rescore';
import { runRunCommand } from '../../src/cli/commands/run';
import { refuseOverwrite } from '../../src/cli/outputGuard';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import { readTraceFile, writeTraceFile } from '../../src/core/trace/io';
import { countdownTree, equationTree } from '../fixtures/metacot/handTrees';

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t), tty: false } };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'metacot-overwrite-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

// Capability probes go to a folder of the test's own, not the user's cache.
process.env.METACOT_STATE_DIR = mkdtempSync(join(tmpdir(), 'metacot-overwrite-state-'));
test.after(() => rmSync(process.env.METACOT_STATE_DIR!, { recursive: true, force: true }));

const PROBLEM = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';

test(
  'run into a folder that has the trace already: a new <id>-2 file, the old bytes untouched; --force replaces a valid trace only',
  withDir(async (dir) => {
    const server = await startReferenceServer();
    try {
      const argv = (...extra: string[]) => ['--problem', PROBLEM, '--strategy', 'single', '--param', 'seed=1', '--endpoint', server.url, '--model', 'sim-countdown', '--out', dir, '--quiet', ...extra];
      const first = join(dir, 'problem.metacot.json');
      assert.equal(await runRunCommand(argv(), capture().io), 0);
      const before = readFileSync(first);

      const second = capture();
      assert.equal(await runRunCommand(argv(), second.io), 0, second.o.err);
      assert.ok(readFileSync(first).equals(before), 'the earlier trace was changed');
      const other = await readTraceFile(join(dir, 'problem-2.metacot.json'));
      assert.notEqual(other.id, (await readTraceFile(first)).id);
      assert.match(second.o.out, /problem-2\.metacot\.json/);

      const forced = capture();
      assert.equal(await runRunCommand(argv('--force'), forced.io), 0, forced.o.err);
      const replaced = await readTraceFile(first);
      assert.ok(!readFileSync(first).equals(before));
      assert.equal(replaced.runs.length, 1);

      // A file of that name that is not a trace is never written over, even with --force; nothing is requested.
      writeFileSync(first, '{"half a trace');
      const requests = server.log.generations().length;
      const refused = capture();
      assert.equal(await runRunCommand(argv('--force'), refused.io), 3);
      assert.equal(readFileSync(first, 'utf8'), '{"half a trace');
      assert.equal(server.log.generations().length, requests);
      assert.match(refused.o.err, /problem\.metacot\.json exists and is not a valid trace .*never written over, even with --force/);
      // Without --force the corrupt file is left for inspection and the run goes to the next free name.
      assert.equal(await runRunCommand(argv(), capture().io), 0);
      assert.equal(readFileSync(first, 'utf8'), '{"half a trace');
      await readTraceFile(join(dir, 'problem-3.metacot.json'));
    } finally {
      await server.close();
    }
  }),
);

test(
  'import --out: an existing file is refused (exit 3, untouched) without --force; --force replaces a trace, never another file',
  withDir(async (dir) => {
    const input = join(dir, 'cot.txt');
    writeFileSync(input, '<think>7 * 64 = 448. Let me check: 448 / 64 = 7.</think>\nThe answer is 448.');
    const out = join(dir, 'cot.metacot.json');
    const args = (...extra: string[]) => [input, '--kind', 'long-cot', '--problem', 'What is 7 * 64?', '--answer', '448', '--out', out, ...extra];
    assert.equal(await runImportCommand(args(), capture().io), 0);
    const before = readFileSync(out);

    const again = capture();
    assert.equal(await runImportCommand(args(), again.io), 3);
    assert.ok(readFileSync(out).equals(before));
    assert.match(again.o.err, /^metacot import: .*cot\.metacot\.json exists; pass --force to replace it/);

    assert.equal(await runImportCommand(args('--force'), capture().io), 0);
    assert.notEqual((await readTraceFile(out)).id, JSON.parse(before.toString()).id);

    const source = join(dir, 'notes.md');
    writeFileSync(source, '# my notes\n');
    const typo = capture();
    assert.equal(await runImportCommand([input, '--kind', 'long-cot', '--out', source, '--force'], typo.io), 3);
    assert.equal(readFileSync(source, 'utf8'), '# my notes\n');
    assert.match(typo.o.err, /notes\.md exists and is not a valid trace file .*never written over, even with --force/);
  }),
);

test(
  'rescore --out: back to the trace it read needs no --force; another existing trace needs --force; a non-trace is never replaced',
  withDir(async (dir) => {
    const a = join(dir, 'a.metacot.json');
    const b = join(dir, 'b.metacot.json');
    await writeTraceFile(a, countdownTree().toJSON());
    await writeTraceFile(b, equationTree().toJSON());
    const bBefore = readFileSync(b);
    assert.equal(await runRescoreCommand([a, '--verifier', 'countdown', '--out', a], capture().io), 0);
    assert.equal((await readTraceFile(a)).id, countdownTree().toJSON().id);

    const refused = capture();
    assert.equal(await runRescoreCommand([a, '--verifier', 'countdown', '--out', b], refused.io), 3);
    assert.ok(readFileSync(b).equals(bBefore));
    assert.match(refused.o.err, /b\.metacot\.json exists; pass --force/);
    assert.equal(await runRescoreCommand([a, '--verifier', 'countdown', '--out', b, '--force'], capture().io), 0);
    assert.equal((await readTraceFile(b)).id, countdownTree().toJSON().id);

    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '[1, 2, 3]');
    assert.equal(await runRescoreCommand([a, '--out', junk, '--force'], capture().io), 3);
    assert.equal(readFileSync(junk, 'utf8'), '[1, 2, 3]');
  }),
);

test(
  'export --out: refuses an existing file without --force; --force replaces JSONL, never a trace or other text',
  withDir(async (dir) => {
    const trace = join(dir, 'eq.metacot.json');
    await writeTraceFile(trace, equationTree().toJSON());
    const out = join(dir, 'sft.jsonl');
    writeFileSync(out, '{"old": 1}\n');
    const refused = capture();
    assert.equal(await runExportCommand(['--format', 'sft', trace, '--out', out], refused.io), 3);
    assert.equal(readFileSync(out, 'utf8'), '{"old": 1}\n');
    assert.match(refused.o.err, /sft\.jsonl exists; pass --force to replace it \(only a valid JSONL file is replaced\)/);
    assert.equal(await runExportCommand(['--format', 'sft', trace, '--out', out, '--force'], capture().io), 0);
    const fresh = capture();
    assert.equal(await runExportCommand(['--format', 'sft', trace], fresh.io), 0);
    assert.equal(readFileSync(out, 'utf8'), fresh.o.out);

    // The trace itself given as --out (a slip of the argument order): never replaced.
    const traceBefore = readFileSync(trace);
    const slip = capture();
    assert.equal(await runExportCommand(['--format', 'sft', trace, '--out', trace, '--force'], slip.io), 3);
    assert.ok(readFileSync(trace).equals(traceBefore));
    assert.match(slip.o.err, /is not a valid JSONL file \(line 1 is not JSON/);
  }),
);

test(
  'refuseOverwrite: a missing path is free; a folder is refused; validated inputs pass; messages name the file and the flag',
  withDir(async (dir) => {
    assert.equal(await refuseOverwrite(join(dir, 'none.jsonl'), 'jsonl', { force: false }), undefined);
    assert.match((await refuseOverwrite(dir, 'jsonl', { force: true }))!, /exists and is not a file; --out takes a file path/);
    const f = join(dir, 'x.jsonl');
    writeFileSync(f, '\n{"a":1}\n\n');
    assert.equal(await refuseOverwrite(f, 'jsonl', { force: true }), undefined);
    assert.equal(await refuseOverwrite(f, 'jsonl', { force: false, validated: [join(dir, '.', 'x.jsonl')] }), undefined);
    assert.match((await refuseOverwrite(f, 'jsonl', { force: false, flag: '--to' }))!, /x\.jsonl exists; pass --force .* or choose another --to$/);
    writeFileSync(f, '{"a":1}\n"text"\n');
    assert.match((await refuseOverwrite(f, 'jsonl', { force: true }))!, /line 2 is not a JSON object/);
  }),
);
