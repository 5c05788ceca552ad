import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExportCommand } from '../../src/cli/commands/export';
import { parseJsonl } from '../../src/core/export/exportTraces';
import { SftRecordSchema } from '../../src/core/export/sftRecord';
import { writeTraceFile } from '../../src/core/trace/io';
import { TraceTree } from '../../src/core/trace/tree';
import { countdownTree, equationTree } from '../fixtures/metacot/handTrees';

async function withTraces(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-export-'));
  try {
    await writeTraceFile(join(dir, 'eq.metacot.json'), equationTree().toJSON());
    await writeTraceFile(join(dir, 'cd.metacot.json'), countdownTree().toJSON());
    const bad = TraceTree.create({ text: 'q' }, { id: 'bad', createdAt: '2026-01-01T00:00:00.000Z' });
    bad.addChild('n0', { kind: 'answer', author: 'model', text: 'The answer is 3.', verified: false });
    await writeTraceFile(join(dir, 'bad.metacot.json'), bad.toJSON());
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}

test('metacot export sft over a folder: Meta-STaR filter on, --no-filter keeps all, --out writes JSONL', async () => {
  await withTraces(async (dir) => {
    const { o, io } = capture();
    assert.equal(await runExportCommand(['--format', 'sft', dir, '--out', join(dir, 'sft.jsonl')], io), 0);
    const recs = parseJsonl(readFileSync(join(dir, 'sft.jsonl'), 'utf8')).map((r) => SftRecordSchema.parse(r));
    // Sorted file names: bad (skipped), cd, eq.
    assert.deepEqual(recs.map((r) => r.meta.trace_id), ['cd-1', 'eq-1']);
    assert.match(o.err, /skipped bad: Meta-STaR filter/);
    assert.match(o.err, /2 sft record\(s\) from 3 trace\(s\) written to .*sft\.jsonl, 1 skipped/);
    const all = capture();
    assert.equal(await runExportCommand(['--format', 'sft', '--no-filter', dir], all.io), 0);
    assert.equal(parseJsonl(all.o.out).length, 3);
  });
});

test('metacot export with linearization options and the other layouts', async () => {
  await withTraces(async (dir) => {
    const eq = join(dir, 'eq.metacot.json');
    const bt = capture();
    assert.equal(await runExportCommand(['--format', 'linear', '--linearize', 'backtrack', '--style', 'token', '--no-solution', '--objective', 'correct-path', eq], bt.io), 0);
    const [rec] = parseJsonl(bt.o.out) as { text: string; objective: string }[];
    assert.match(rec!.text, /^Subtract 3 from both sides: 2x = 8\.\n\n\[BACK\]\n/);
    assert.equal(rec!.objective, 'correct-path');
    const sos = capture();
    assert.equal(await runExportCommand(['--format', 'sft', '--linearize', 'sos', join(dir, 'cd.metacot.json')], sos.io), 0);
    assert.match((parseJsonl(sos.o.out)[0] as { messages: { content: string }[] }).messages[2]!.content, /^Current State: 36:\[3, 8, 12\]/);
    for (const [format, count] of [['dpo', 2], ['prm800k', 3], ['math-shepherd', 3]] as const) {
      const c = capture();
      assert.equal(await runExportCommand(['--format', format, eq], c.io), 0, format);
      assert.equal(parseJsonl(c.o.out).length, count, format);
    }
    const strict = capture();
    assert.equal(await runExportCommand(['--format', 'dpo', '--threshold', '0.8', eq], strict.io), 0);
    assert.equal(parseJsonl(strict.o.out).length, 1);
  });
});

test('metacot export: usage errors exit 2, unreadable traces exit 1', async () => {
  const e1 = capture();
  assert.equal(await runExportCommand(['--format', 'csv', 'x'], e1.io), 2);
  assert.match(e1.o.err, /--format must be one of sft, dpo, prm800k, math-shepherd, linear/);
  const e2 = capture();
  assert.equal(await runExportCommand(['--format', 'sft', '--linearize', 'zigzag', 'x'], e2.io), 2);
  const e3 = capture();
  assert.equal(await runExportCommand(['--format', 'sft'], e3.io), 2);
  const e4 = capture();
  assert.equal(await runExportCommand(['--format', 'sft', '/nonexistent/t.metacot.json'], e4.io), 1);
  const help = capture();
  assert.equal(await runExportCommand(['--help'], help.io), 0);
  assert.match(help.o.out, /^metacot export --format FORMAT/);
});
