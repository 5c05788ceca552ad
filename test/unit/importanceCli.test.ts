/**
 * `metacot importance` on the embedded default: the result is written into the trace (atomically, in place or to
 * --out), the table and top steps are printed, the SVG plot drawn; a file it cannot parse is never written over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImportanceCommand } from '../../src/cli/commands/importance';
import { readTraceFile } from '../../src/core/trace/io';
import { importanceFor } from '../../src/core/analyse/stepImportanceSchema';

const FIXTURE = join(__dirname, '../fixtures/traces/countdown-beam.metacot.json');

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}

test('metacot importance measures the best path on the embedded model and writes it into the trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-importance-'));
  try {
    const file = join(dir, 'beam.metacot.json');
    copyFileSync(FIXTURE, file);
    const plot = join(dir, 'importance.svg');
    const c = capture();
    assert.equal(await runImportanceCommand([file, '--k', '2', '--parallel', '2', '--budget-tokens', '50000', '--plot', plot], c.io), 0, c.o.err);
    const trace = await readTraceFile(file);
    const r = importanceFor(trace.analyses, 'n9');
    assert.ok(r, 'the result is stored for the best node');
    assert.equal(r.k, 2);
    assert.equal(r.checker, 'countdown', "the trace's countdown verifier checks the answers");
    const byId = new Map(trace.nodes.map((n) => [n.id, n]));
    const ids: string[] = [];
    for (let n = byId.get('n9'); n && n.parentId !== null; n = byId.get(n.parentId)) ids.unshift(n.id);
    assert.deepEqual(r.path.map((p) => p.id), ids);
    assert.equal(r.steps.length, 3);
    // The path ends in "Answer: … = 24": its own answer is the last distribution; prefixes 0, 1, 2 are sampled.
    assert.equal(r.prefixes[3]!.fromPath, true);
    assert.equal(r.usage.requests, 3);
    assert.match(c.o.out, /^step importance of n9: 3 steps, K=2, embedded-countdown \(embedded\), checker countdown\n/);
    assert.match(c.o.out, /TV_i = ½ Σ_a \|p_i\(a\) − p_\{i−1\}\(a\)\|/);
    assert.match(c.o.out, /\nstep +node +acc resampled +acc kept +Δacc +TV/);
    assert.match(c.o.out, /\ntop steps: /);
    assert.match(c.o.out, /spent: 3 requests/);
    assert.match(readFileSync(plot, 'utf8'), /^<svg[^>]*>[\s\S]*accuracy after j steps[\s\S]*<\/svg>/);
    // --plot FILE.png: Chromium draws it (a PNG signature), the SVG beside it; any other suffix is a usage error.
    const png = join(dir, 'importance-2.png');
    const p = capture();
    assert.equal(await runImportanceCommand([file, '--k', '1', '--budget-tokens', '20000', '--plot', png], p.io), 0, p.o.err);
    assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.match(readFileSync(join(dir, 'importance-2.svg'), 'utf8'), /^<svg /);
    const pdf = capture();
    assert.equal(await runImportanceCommand([file, '--k', '1', '--plot', join(dir, 'x.pdf')], pdf.io), 2);
    assert.match(pdf.o.err, /--plot draws SVG or PNG/);

    // --out to an existing file without --force is refused (exit 3), the file untouched.
    const other = join(dir, 'other.metacot.json');
    writeFileSync(other, 'keep me');
    const refused = capture();
    assert.equal(await runImportanceCommand([file, '--k', '1', '--out', other], refused.io), 3);
    assert.equal(readFileSync(other, 'utf8'), 'keep me');

    // An unparseable trace is reported and never written over.
    const broken = join(dir, 'broken.metacot.json');
    writeFileSync(broken, '{"format": "metacot.trace", ');
    const b = capture();
    assert.equal(await runImportanceCommand([broken, '--k', '1'], b.io), 1);
    assert.equal(readFileSync(broken, 'utf8'), '{"format": "metacot.trace", ');
    assert.match(b.o.err, /^metacot importance: /);

    // Usage errors: a bad K, an unknown node.
    assert.equal(await runImportanceCommand([file, '--k', '0'], capture().io), 2);
    const unknown = capture();
    assert.equal(await runImportanceCommand([file, '--node', 'n999', '--k', '1'], unknown.io), 1);
    assert.match(unknown.o.err, /no node "n999"/);
    assert.equal(existsSync(`${file}.journal.jsonl`), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
