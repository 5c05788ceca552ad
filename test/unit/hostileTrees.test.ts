/**
 * Hostile trees and files (issue 14): parent self-loops and cycles are refused by name, every tree walk survives a
 * chain a million deep, deep JSON nesting is a positioned error, a BOM is accepted, and control characters in trace
 * text never reach the terminal raw. Timings and memory go to the diagnostics only; nothing here asserts a time.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTrace, readTraceFile, serializeTrace, TraceParseError, validateTrace, writeTraceFile } from '../../src/core/trace/io';
import { findDeepNesting, findJsonErrorOffset, MAX_JSON_NESTING } from '../../src/core/trace/jsonError';
import { escapeControlChars, escapeJsonControlChars } from '../../src/core/trace/controlChars';
import { TraceTree } from '../../src/core/trace/tree';
import type { Trace } from '../../src/core/trace/schema';
import { linearize } from '../../src/core/trace/linearize/linearize';
import { exportTraces, toJsonl } from '../../src/core/export/exportTraces';
import { analyseTrace, formatAnalysis } from '../../src/core/analyse/analyseTrace';
import { diffTraces } from '../../src/core/analyse/diff';
import { rescoreTrace } from '../../src/core/analyse/rescore';
import { DEFAULT_SHOW_DEPTH, renderTree, runShowCommand, SHOW_INDENT_LEVELS } from '../../src/cli/commands/show';
import { runDiffCommand } from '../../src/cli/commands/diff';
import { TraceModel } from '../../webview/traceModel';
import { layoutTree } from '../../webview/treeLayout';
import { fullTrace } from './helpers/sampleTrace';

const EMPTY_USAGE = '{"requests":0,"cachedRequests":0,"tokensIn":0,"tokensOut":0,"cost":0}';

/**
 * A v1 trace whose nodes form one chain `depth` steps long, ending in a verified answer, written as text directly
 * (a million nodes: building objects first would double the memory).
 */
function chainText(depth: number, opts: { problem?: string; step?: (i: number) => string; meta?: string } = {}): string {
  const problem = JSON.stringify(opts.problem ?? 'a very deep chain');
  const step = opts.step ?? ((i: number) => `step ${i}`);
  const parts = [
    `{"format":"metacot.trace","version":1,"id":"deep","createdAt":"2026-01-01T00:00:00.000Z","problem":{"text":${problem}${opts.meta ? `,"meta":${opts.meta}` : ''}},"runs":[],"nodes":[`,
    `{"id":"n0","parentId":null,"kind":"root","text":${problem},"author":"human","status":"expanded","iteration":0}`,
  ];
  for (let i = 1; i <= depth; i++) {
    const last = i === depth;
    parts.push(
      `,{"id":"n${i}","parentId":"n${i - 1}","kind":"${last ? 'answer' : 'step'}","text":${JSON.stringify(step(i))},"author":"model","status":"${last ? 'terminal' : 'expanded'}","iteration":0,"value":0.5${last ? ',"answer":"42","verified":true' : ''}}`,
    );
  }
  parts.push(`],"events":[],"usage":${EMPTY_USAGE},"result":{"bestNodeId":"n${depth}","finalAnswer":"42","verified":true}}`);
  return parts.join('');
}

/** A v0 (nested) trace text whose tree is one chain `depth` deep: nesting 2·depth, which only v0 may have. */
function v0ChainText(depth: number): string {
  const head = '{"format":"metacot.trace","version":0,"problem":"deep v0","strategy":"beam","model":"m","baseUrl":"http://127.0.0.1:1/v1","root":{"text":"deep v0","children":[';
  const open: string[] = [];
  for (let i = 1; i < depth; i++) open.push(`{"text":"s${i}","value":0.5,"children":[`);
  const leaf = `{"text":"s${depth}","value":1,"verified":true}`;
  return `${head}${open.join('')}${leaf}${']}'.repeat(depth - 1)}]}}`;
}

/** Runs `f`, then reports its time and the process's memory in the test's diagnostics. */
async function measured<T>(t: TestContext, name: string, f: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const r = await f();
  const ms = performance.now() - start;
  const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
  t.diagnostic(`${name}: ${ms.toFixed(0)} ms, heap ${mb(process.memoryUsage().heapUsed)}, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`);
  return r;
}

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (s: string) => void (o.out += s), err: (s: string) => void (o.err += s) } };
}

function parseError(text: string): TraceParseError {
  try {
    parseTrace(text);
  } catch (e) {
    assert.ok(e instanceof TraceParseError, `expected a TraceParseError, got ${String(e)}`);
    return e;
  }
  assert.fail('the text was accepted');
}

const withNodes = (edit: (t: Trace) => void): string => {
  const t = fullTrace();
  edit(t);
  return JSON.stringify(t);
};

describe('parent links', () => {
  test('a node that is its own parent is refused, with its path', () => {
    const e = parseError(withNodes((t) => void (t.nodes[3]!.parentId = t.nodes[3]!.id)));
    assert.deepEqual(e.issues, [{ path: 'nodes[3].parentId', message: 'node "n3" is its own parent' }]);
    assert.match(e.message, /nodes\[3\]\.parentId: node "n3" is its own parent/);
  });

  test('a cycle of two is named from its first node', () => {
    const e = parseError(
      withNodes((t) => {
        t.nodes[3]!.parentId = 'n5';
        t.nodes[5]!.parentId = 'n3';
      }),
    );
    assert.deepEqual(e.issues, [{ path: 'nodes[3].parentId', message: 'cycle n3 → n5 → n3' }]);
  });

  test('a cycle of three is reported once, however many of its links point forward', () => {
    const e = parseError(
      withNodes((t) => {
        t.nodes[1]!.parentId = 'n6';
        t.nodes[6]!.parentId = 'n4';
        t.nodes[4]!.parentId = 'n1';
      }),
    );
    const cycles = e.issues.filter((i) => i.message.startsWith('cycle'));
    assert.deepEqual(cycles, [{ path: 'nodes[1].parentId', message: 'cycle n1 → n6 → n4 → n1' }]);
  });

  test('a long cycle is shortened in the middle', () => {
    // n1 → n200 → n199 → … → n2 → n1: every node but n1 points back one; n1 points at the last.
    const nodes = [`{"id":"n0","parentId":null,"kind":"root","text":"p","author":"human","status":"open","iteration":0}`];
    for (let i = 1; i <= 200; i++) {
      const parent = i === 1 ? 'n200' : `n${i - 1}`;
      nodes.push(`{"id":"n${i}","parentId":"${parent}","kind":"step","text":"s","author":"model","status":"open","iteration":0}`);
    }
    const text = `{"format":"metacot.trace","version":1,"id":"c","createdAt":"x","problem":{"text":"p"},"runs":[],"nodes":[${nodes.join(',')}],"events":[],"usage":${EMPTY_USAGE},"result":null}`;
    const e = parseError(text);
    assert.deepEqual(e.issues, [{ path: 'nodes[1].parentId', message: 'cycle n1 → n200 → n199 → n198 → … 192 more → n5 → n4 → n3 → n2 → n1' }]);
  });

  test('a parent that comes later without a cycle is still an order error, and an unknown parent is unknown', () => {
    const e = parseError(withNodes((t) => void (t.nodes[1]!.parentId = 'n5')));
    assert.deepEqual(e.issues, [{ path: 'nodes[1].parentId', message: 'parent "n5" comes after its child (nodes must be in creation order)' }]);
    const u = parseError(withNodes((t) => void (t.nodes[2]!.parentId = 'nowhere')));
    assert.deepEqual(u.issues, [{ path: 'nodes[2].parentId', message: 'unknown node "nowhere"' }]);
  });

  test('show refuses a self-parented trace instead of silently dropping the node', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metacot-hostile-'));
    try {
      const file = join(dir, 'self.metacot.json');
      await writeFile(file, withNodes((t) => void (t.nodes[2]!.parentId = 'n2')));
      const c = capture();
      assert.equal(await runShowCommand([file], c.io), 1);
      assert.equal(c.o.out, '');
      assert.match(c.o.err, /nodes\[2\]\.parentId: node "n2" is its own parent/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('JSON nesting', () => {
  test('100k-deep [[[[… is a positioned nesting error, never a RangeError', () => {
    for (const text of ['['.repeat(100_000), `${'['.repeat(100_000)}${']'.repeat(100_000)}`, '{"a":'.repeat(100_000)]) {
      const e = parseError(text);
      const col = text.startsWith('{') ? 5 * MAX_JSON_NESTING + 1 : MAX_JSON_NESTING + 1;
      assert.deepEqual(e.issues, [{ path: '', message: `line 1, column ${col}: JSON nested deeper than ${MAX_JSON_NESTING} levels` }]);
    }
  });

  test('the error gives the line and column of the bracket past the limit', () => {
    const plain = serializeTrace(fullTrace());
    const text = plain.replace('"note": "hand check"', `"note": "hand check", "deep": ${'['.repeat(600)}${']'.repeat(600)}`);
    assert.notEqual(text, plain, 'the fixture has the meta to extend');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('"deep"'));
    // The top object, the nodes array, the node and its meta nest 4 levels above the first bracket.
    const col = lines[line]!.indexOf('[') + (MAX_JSON_NESTING - 4) + 1;
    assert.deepEqual(parseError(text).issues, [{ path: '', message: `line ${line + 1}, column ${col}: JSON nested deeper than ${MAX_JSON_NESTING} levels` }]);
  });

  test('brackets inside strings, escaped quotes included, do not count', () => {
    const tricky = `${'[{'.repeat(2000)} \\" ${'['.repeat(2000)} \\\\`;
    const text = chainText(3, { step: (i) => (i === 2 ? tricky : `s${i}`) });
    assert.equal(findDeepNesting(text), -1);
    assert.equal(parseTrace(text).nodes[2]!.text, tricky);
  });

  test('exactly the limit is not a nesting error', () => {
    const text = `${'['.repeat(MAX_JSON_NESTING)}${']'.repeat(MAX_JSON_NESTING)}`;
    assert.equal(findDeepNesting(text), -1);
    assert.deepEqual(parseError(text).issues, [{ path: '', message: 'expected a JSON object at the top level' }]);
    assert.equal(findDeepNesting(`[${text}]`), MAX_JSON_NESTING);
  });

  test('the JSON error finder stops at the limit instead of recursing', () => {
    assert.equal(findJsonErrorOffset('['.repeat(1_000_000)), MAX_JSON_NESTING);
    // Shallow syntax errors keep their exact position.
    assert.equal(findJsonErrorOffset('{"a": [1, 2,, 3]}'), 12);
  });
});

describe('BOM', () => {
  test('a UTF-8 BOM is accepted on read and not written back', async () => {
    const text = serializeTrace(fullTrace());
    assert.deepEqual(parseTrace(`\uFEFF${text}`), parseTrace(text));
    const dir = await mkdtemp(join(tmpdir(), 'metacot-bom-'));
    try {
      const file = join(dir, 'bom.metacot.json');
      await writeFile(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
      const trace = await readTraceFile(file);
      assert.equal(trace.id, 'trace-1');
      await writeTraceFile(file, trace);
      const bytes = await readFile(file);
      assert.deepEqual([...bytes.subarray(0, 3)], [...Buffer.from('{\n ')]);
      assert.equal(bytes.toString('utf8'), text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a BOM anywhere else is still an error', () => {
    const e = parseError(` \uFEFF${serializeTrace(fullTrace())}`);
    assert.match(e.issues[0]!.message, /^invalid JSON at line 1, column 2/);
  });
});

describe('deep trees', () => {
  test('a chain 1,000,000 deep loads, shows (default depth) and exports without a stack error', { timeout: 300_000 }, async (t) => {
    const depth = 1_000_000;
    const dir = await mkdtemp(join(tmpdir(), 'metacot-deep-'));
    try {
      const file = join(dir, 'deep.metacot.json');
      let text: string | undefined = await measured(t, `generate ${depth}-deep trace text`, () => chainText(depth));
      await writeFile(file, text);
      t.diagnostic(`trace file ${Math.round(text.length / 2 ** 20)} MB`);
      const trace = await measured(t, 'parseTrace', () => parseTrace(text!));
      text = undefined;
      assert.equal(trace.nodes.length, depth + 1);
      const tree = TraceTree.from(trace);
      assert.equal(tree.depth(`n${depth}`), depth);

      const shown = capture();
      assert.equal(await measured(t, 'metacot show (default --depth)', () => runShowCommand([file], shown.io)), 0);
      assert.equal(shown.o.err, '');
      const lines = shown.o.out.split('\n');
      assert.ok(lines.some((l) => l.endsWith(`[depth ${DEFAULT_SHOW_DEPTH}] n${DEFAULT_SHOW_DEPTH} "step ${DEFAULT_SHOW_DEPTH}"  v=0.5`)));
      assert.ok(lines.some((l) => l.endsWith('└─ … 1 more below')));
      assert.ok(shown.o.out.endsWith(`(nodes below depth ${DEFAULT_SHOW_DEPTH} not shown: give --depth N for more)\n`));
      assert.ok(Math.max(...lines.map((l) => l.length)) < 3 * SHOW_INDENT_LEVELS + 80, 'indentation is bounded');

      const sft = await measured(t, 'export sft (App. E linearization)', () => exportTraces([tree], { format: 'sft' }));
      assert.equal(sft.records.length, 1);
      const assistant = (sft.records[0] as { messages: { content: string }[] }).messages[2]!.content;
      assert.ok(assistant.endsWith(`step ${depth - 1}\n\nstep ${depth}`));
      assert.ok(assistant.includes(`step ${depth}\n0.5\n\nSolution:\nstep 1\n\nstep 2\n\n`));
      const prm = await measured(t, 'export prm800k', () => exportTraces([tree], { format: 'prm800k' }));
      assert.equal((prm.records[0] as { label: { steps: unknown[] } }).label.steps.length, depth);
      const jsonl = await measured(t, 'prm800k to JSONL', () => toJsonl(prm.records));
      assert.ok(jsonl.endsWith('}\n'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('at 100,000 deep: every export format, analyse, rescore, diff and the panel layout', async (t) => {
    const depth = 100_000;
    const trace = parseTrace(chainText(depth));
    const tree = TraceTree.from(trace);
    for (const format of ['linear', 'dpo'] as const) {
      const r = await measured(t, `export ${format}`, () => exportTraces([tree], { format }));
      assert.equal(r.records.length + r.skipped.length, 1);
    }
    const ms = await measured(t, 'export math-shepherd', () => exportTraces([tree], { format: 'math-shepherd' }));
    assert.ok((ms.records[0] as { label: string }).label.endsWith(`Step ${depth}: step ${depth} +`));
    const back = await measured(t, 'linearize backtrack tokens', () => linearize(tree, { format: 'backtrack', style: 'token' }));
    assert.equal(back.winningPath.length, depth);
    assert.equal(back.switches, 0);
    const a = await measured(t, 'analyse', () => analyseTrace(tree));
    assert.equal(a.stats.maxDepth, depth);
    assert.equal(a.stats.finalPathLength, depth);
    const r = await measured(t, 'rescore', () => rescoreTrace(tree));
    assert.equal(r.after.nodeId, `n${depth}`);
    const other = structuredClone(trace);
    other.nodes[depth]!.text = 'a different ending';
    const d = await measured(t, 'diff', () => diffTraces(trace, other));
    assert.equal(d.counts.same, depth - 1);
    assert.equal(d.entries.length, depth + 1);
    assert.deepEqual(
      d.entries.slice(-2).map((e) => [e.kind, e.depth]),
      [
        ['removed', depth],
        ['added', depth],
      ],
    );
    const L = await measured(t, 'panel layout', () => layoutTree(TraceModel.fromTrace(trace), new Set()));
    assert.equal(L.maxDepth, depth);
    assert.equal(L.visibleCount, depth + 1);
  });

  test('show of a 10,000-deep chain is linear: every node, bounded lines', async (t) => {
    const trace = parseTrace(chainText(10_000));
    const out = await measured(t, 'renderTree 10k deep, no depth limit', () => renderTree(trace));
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 10_001);
    assert.ok(lines[10_000]!.endsWith(`└─ [depth 10000] n10000 ■ "step 10000"  v=0.5  answer 42 ✓  ★ best`));
    assert.equal(lines[SHOW_INDENT_LEVELS]!.indexOf('[depth'), -1, 'the indentation grows as before up to the cap');
    assert.ok(lines[SHOW_INDENT_LEVELS + 1]!.includes(`[depth ${SHOW_INDENT_LEVELS + 1}]`));
    assert.ok(out.length < 10_001 * (3 * SHOW_INDENT_LEVELS + 80));
  });

  test('a v0 chain 100,000 deep migrates, from text and from an object', async (t) => {
    const depth = 100_000;
    const text = v0ChainText(depth);
    assert.ok(findDeepNesting(text) >= 0, 'deeper than the limit, which v0 is exempt from');
    const trace = await measured(t, 'parse + migrate v0', () => parseTrace(text));
    assert.equal(trace.nodes.length, depth + 1);
    assert.deepEqual(trace.result, { bestNodeId: `n${depth}`, verified: true, runId: 'r1' });
    assert.equal(trace.nodes[depth]!.parentId, `n${depth - 1}`);
    assert.equal(trace.nodes[depth]!.kind, 'answer');
    assert.equal(validateTrace(JSON.parse(text)).nodes.length, depth + 1);
  });

  test('a bad node deep in a v0 tree is named by its path', () => {
    const text = v0ChainText(5).replace('{"text":"s4","value":0.5', '{"text":"s4","value":"high"');
    assert.match(parseError(text).message, /cannot migrate from version 0: root\.children\[0\]\.children\[0\]\.children\[0\]\.children\[0\]\.value: /);
  });

  test('a deep non-v0 file is still refused for its nesting', () => {
    const text = v0ChainText(1000).replace('"version":0', '"version":1');
    assert.match(parseError(text).issues[0]!.message, new RegExp(`^line 1, column \\d+: JSON nested deeper than ${MAX_JSON_NESTING} levels$`));
  });

  // SoS restates the operations so far at every move, so its text grows with depth squared: a smaller chain.
  test('Stream-of-Search text of a 2,000-deep Countdown chain', () => {
    const depth = 2000;
    const tree = TraceTree.from(parseTrace(chainText(depth, { problem: 'reach 7 from 1 and 1', meta: '{"numbers":[1,1],"target":7}', step: () => '1 * 1 = 1 (left: 1, 1)' })));
    const lin = linearize(tree, { format: 'sos' });
    assert.equal(lin.visited.length, depth);
    assert.ok(lin.text.endsWith(`Generated Node #${Array.from({ length: depth + 1 }, () => '0').join(',')}: 7:[1, 1] Operation: 1*1=1`));
  });
});

describe('control characters', () => {
  const HOSTILE = 'red \x1b[31mALERT\x07 over\rwrite\bback \x9b2J end';
  // Anything a terminal acts on, except the newline between lines.
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  const hostileTrace = (): Trace => {
    const t = fullTrace();
    t.problem.text = `problem \x1b]0;title\x07`;
    t.nodes[1]!.text = HOSTILE;
    t.nodes[3]!.answer = '24\x1b[2K';
    t.nodes[2]!.prune = { reason: 'cut\x1b[0m', by: 'engine' };
    t.runs[0]!.reason = 'done\x07\n\x1b[1A';
    t.runs[0]!.config.endpoint.model = 'm\x9b';
    return t;
  };

  test('escapeControlChars writes C0, DEL and C1 as visible escapes', () => {
    assert.equal(escapeControlChars(HOSTILE), 'red \\x1b[31mALERT\\x07 over\\rwrite\\x08back \\x9b2J end');
    assert.equal(escapeControlChars('a\nb\tc\x7f'), 'a\\nb\\tc\\x7f');
    assert.equal(escapeControlChars('a\nb\r', { keepNewlines: true }), 'a\nb\\r');
    assert.equal(escapeControlChars('plain ✓ text'), 'plain ✓ text');
    const json = JSON.stringify({ s: HOSTILE });
    assert.equal(JSON.parse(escapeJsonControlChars(json)).s, HOSTILE);
    assert.doesNotMatch(escapeJsonControlChars(json), RAW);
  });

  test('show prints none of them raw', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metacot-ctl-'));
    try {
      const file = join(dir, 'ctl.metacot.json');
      await writeFile(file, serializeTrace(hostileTrace()));
      const c = capture();
      assert.equal(await runShowCommand([file, '--width', '0'], c.io), 0);
      assert.doesNotMatch(c.o.out, RAW);
      assert.ok(c.o.out.includes('\\u001b[31mALERT\\u0007 over\\rwrite\\bback \\x9b2J end'), 'node text shown escaped');
      assert.ok(c.o.out.includes('answer 24\\x1b[2K ✓'));
      assert.ok(c.o.out.includes('pruned: cut\\x1b[0m'));
      assert.ok(c.o.out.includes('done\\x07\\n\\x1b[1A'));
      assert.ok(c.o.out.includes('problem: problem \\x1b]0;title\\x07'));
      assert.ok(c.o.out.includes('model m\\x9b'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('diff prints none of them raw, as text or JSON, and the JSON keeps the text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metacot-ctl-'));
    try {
      const a = join(dir, 'a.metacot.json');
      const b = join(dir, 'b.metacot.json');
      await writeFile(a, serializeTrace(fullTrace()));
      await writeFile(b, serializeTrace(hostileTrace()));
      const text = capture();
      assert.equal(await runDiffCommand([a, b, '--all'], text.io), 0);
      assert.doesNotMatch(text.o.out, RAW);
      assert.ok(text.o.out.includes('\\x1b[31mALERT\\x07'));
      const json = capture();
      assert.equal(await runDiffCommand([a, b, '--json'], json.io), 0);
      assert.doesNotMatch(json.o.out, RAW);
      const d = JSON.parse(json.o.out) as { entries: { textB?: string }[] };
      assert.ok(d.entries.some((e) => e.textB === HOSTILE));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an error message quoting trace text is escaped too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'metacot-ctl-'));
    try {
      const file = join(dir, 'bad.metacot.json');
      await writeFile(file, withNodes((t) => void (t.nodes[2]!.parentId = 'x\x1b[2Jy')));
      const c = capture();
      for (const run of [() => runShowCommand([file], c.io), () => runDiffCommand([file, file], c.io)]) {
        c.o.err = '';
        assert.equal(await run(), 1);
        assert.match(c.o.err, /nodes\[2\]\.parentId: unknown node "x\\x1b\[2Jy"/);
        assert.doesNotMatch(c.o.err, RAW);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('analyse text escapes repeated step text and answers', () => {
    const t = fullTrace();
    t.nodes[1]!.text = HOSTILE;
    t.nodes[2]!.text = HOSTILE;
    delete t.nodes[2]!.originalText;
    t.result = { bestNodeId: 'n3', finalAnswer: '24\x1b[5m', verified: true };
    const text = formatAnalysis(analyseTrace(TraceTree.from(t)));
    assert.doesNotMatch(text, RAW);
    assert.ok(text.includes('\\x1b[5m'));
  });
});
