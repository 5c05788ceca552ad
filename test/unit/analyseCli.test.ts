import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnalyseCommand } from '../../src/cli/commands/analyse';
import { runDiffCommand } from '../../src/cli/commands/diff';
import { runRescoreCommand } from '../../src/cli/commands/rescore';
import { readTraceFile, writeTraceFile } from '../../src/core/trace/io';
import { countdownTree, equationTree } from '../fixtures/metacot/handTrees';

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
}

test('metacot analyse, diff and rescore on trace files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-analyse-'));
  try {
    const a = join(dir, 'a.metacot.json');
    const b = join(dir, 'b.metacot.json');
    await writeTraceFile(a, equationTree().toJSON());
    const changed = equationTree();
    changed.update('n4', { value: 0.5 });
    await writeTraceFile(b, changed.toJSON());

    const an = capture();
    assert.equal(await runAnalyseCommand([a], an.io), 0);
    assert.match(an.o.out, /^trace eq-1\n  nodes 6, steps 5, leaves 3, max depth 3, mean leaf depth 2\.00\n  branch switches 3\n/);
    assert.match(an.o.out, /answers 1, correct 1\n/);
    const json = capture();
    assert.equal(await runAnalyseCommand([a, '--json'], json.io), 0);
    assert.equal((JSON.parse(json.o.out) as { stats: { maxDepth: number } }).stats.maxDepth, 3);

    const d = capture();
    assert.equal(await runDiffCommand([a, b], d.io), 0);
    assert.equal(d.o.out, 'diff eq-1 → eq-1\n=     n4 ~ n4 "Divide both sides by 2: x = 4."  value 0.9375 → 0.5\n5 same, 0 changed, 0 removed, 0 added, 1 value changes\n');

    const c = join(dir, 'c.metacot.json');
    await writeTraceFile(c, countdownTree().toJSON());
    const r = capture();
    assert.equal(await runRescoreCommand([c, '--verifier', 'countdown', '--out', join(dir, 'c2.metacot.json')], r.io), 0);
    assert.match(r.o.out, /^verifier countdown, aggregation last, select verified-first\nbefore: n6 answer \(8 \* 3\) \+ 12 \(verified\)\nafter: {2}n6 answer 36 \(verified\) {3}\(same path\)/);
    const rescored = await readTraceFile(join(dir, 'c2.metacot.json'));
    assert.deepEqual(rescored.result, { bestNodeId: 'n6', verified: true, finalAnswer: '36' });
    const bad = capture();
    assert.equal(await runRescoreCommand([c, '--aggregation', 'median'], bad.io), 2);
    assert.match(bad.o.err, /--aggregation must be one of last, min, prod, mean, majority/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
