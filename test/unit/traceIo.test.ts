import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atomicWrite, parseTrace, readTraceFile, serializeTrace, TraceParseError, writeTraceFile, type WriteOps } from '../../src/core/trace/io';
import { TraceTree } from '../../src/core/trace/tree';
import { fullTrace } from './helpers/sampleTrace';

const fixture = join(__dirname, '../fixtures/migration/v0.metacot.json');

describe('trace serialization', () => {
  test('is deterministic: 2-space indent, newline at end, schema key order', () => {
    const text = serializeTrace(fullTrace());
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "format": "metacot.trace",\n  "version": 1,\n  "id": "trace-1",'));
    // Keys come out in schema order whatever order they were set in.
    const t = fullTrace();
    const n = t.nodes[1]!;
    const shuffled = Object.fromEntries(Object.entries(n).reverse());
    t.nodes[1] = shuffled as typeof n;
    assert.equal(serializeTrace(t), text);
  });

  test('round-trips byte-identically', () => {
    const text = serializeTrace(fullTrace());
    const again = serializeTrace(parseTrace(text));
    assert.equal(again, text);
    assert.equal(serializeTrace(parseTrace(again)), text);
  });

  test('never writes an invalid trace', () => {
    const t: any = fullTrace();
    t.nodes[2].parentId = 'missing';
    assert.throws(() => serializeTrace(t), /nodes\[2\]\.parentId: unknown node "missing"/);
  });
});

describe('migration', () => {
  test('a v0 nested trace migrates to v1 in memory and the file is untouched', async () => {
    const before = await readFile(fixture, 'utf8');
    const trace = await readTraceFile(fixture);
    assert.equal(await readFile(fixture, 'utf8'), before);
    assert.equal(trace.version, 1);
    assert.equal(trace.id, 'proto-7');
    assert.equal(trace.problem.answer, '32');
    assert.deepEqual(
      trace.nodes.map((n) => [n.id, n.parentId, n.kind, n.status]),
      [
        ['n0', null, 'root', 'expanded'],
        ['n1', 'n0', 'step', 'expanded'],
        ['n2', 'n0', 'step', 'pruned'],
        ['n3', 'n0', 'step', 'terminal'],
        ['n4', 'n1', 'answer', 'terminal'],
      ],
    );
    assert.equal(trace.nodes[3]!.visits, 2);
    assert.equal(trace.nodes[3]!.q, 0.25);
    assert.equal(trace.runs[0]!.config.strategy, 'beam');
    assert.deepEqual(trace.runs[0]!.config.params, { width: 2, N: 3 });
    // v0 had one search: its verified node is the migrated run's own result and the trace's, found by r1.
    assert.deepEqual(trace.result, { bestNodeId: 'n4', verified: true, runId: 'r1' });
    assert.deepEqual(trace.runs[0]!.result, { bestNodeId: 'n4', verified: true });
    // Migrated output is a valid v1 trace that round-trips.
    const text = serializeTrace(trace);
    assert.equal(serializeTrace(parseTrace(text)), text);
  });

  test('a malformed v0 file names what is wrong', async () => {
    const raw = JSON.parse(await readFile(fixture, 'utf8'));
    delete raw.root;
    assert.throws(() => parseTrace(JSON.stringify(raw)), /cannot migrate from version 0: root: /);
  });
});

describe('atomic write', () => {
  test('a write that fails midway leaves the original file intact and no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metacot-io-'));
    const path = join(dir, 'a.metacot.json');
    const original = serializeTrace(fullTrace());
    await writeFile(path, original);
    const tree = TraceTree.from(parseTrace(original));
    tree.addChild('n0', { kind: 'step', text: 'new step', author: 'human' });
    const failing: WriteOps = {
      async writeFile(p, data) {
        // Half the bytes reach the disk, then the device "fills up".
        await writeFile(p, data.slice(0, data.length / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
      rename: async () => assert.fail('rename must not run after a failed write'),
      unlink: async (p) => (await import('node:fs/promises')).unlink(p),
    };
    await assert.rejects(writeTraceFile(path, tree.toJSON(), failing), /ENOSPC/);
    assert.equal(await readFile(path, 'utf8'), original);
    assert.deepEqual(await readdir(dir), ['a.metacot.json']);
  });

  test('a successful write replaces the file and is readable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metacot-io-'));
    const path = join(dir, 'sub', 'b.metacot.json');
    await writeTraceFile(path, fullTrace());
    const back = await readTraceFile(path);
    assert.equal(back.nodes.length, 7);
    await atomicWrite(path, 'x');
    assert.equal(await readFile(path, 'utf8'), 'x');
    assert.deepEqual(await readdir(join(dir, 'sub')), ['b.metacot.json']);
  });

  test('reading a missing file gives a clear error', async () => {
    await assert.rejects(readTraceFile('/nonexistent/x.metacot.json'), (err: unknown) => {
      assert.ok(err instanceof TraceParseError);
      assert.match(err.message, /x\.metacot\.json: not a valid Meta-CoT trace:\ncannot read file: ENOENT/);
      return true;
    });
  });
});
