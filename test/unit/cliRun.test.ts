import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunCommand, parsePairs } from '../../src/cli/commands/run';
import { renderTree, runShowCommand } from '../../src/cli/commands/show';
import { parseSelect, problemFromLine, readProblemSet } from '../../src/cli/problems';
import { renderProgress } from '../../src/cli/progress';
import { formatTable } from '../../src/cli/table';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import { readTraceFile } from '../../src/core/trace/io';

// Capability probes go to a folder of the test's own, not the user's cache.
process.env.METACOT_STATE_DIR = join(tmpdir(), `metacot-cli-state-${process.pid}`);
test.after(() => rm(process.env.METACOT_STATE_DIR!, { recursive: true, force: true }));

const sharedData = join(__dirname, '..', '..', '..', 'shared', 'data');
const skipShared = existsSync(sharedData) ? false : 'skipped: ../shared is absent';

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t), tty: false } };
}

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'metacot-cli-'));
}

test('problem sets: plain, MATH, GSM8K and Stream-of-Search lines; --select by problem number', async () => {
  const dir = await tmp();
  try {
    const file = join(dir, 'set.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ problem: 'What is 2 * 6?', answer: '12', id: 'p1' }),
        '',
        JSON.stringify({ problem: 'What is 1 + 1?', answer: '2', unique_id: 'test/algebra/1.json', level: 'Level 1' }),
        JSON.stringify({ question: 'What is 3 + 4 * 5?', answer: 'Four times five is 20.\n3 + 20 = 23\n#### 23' }),
        JSON.stringify({ prompt: 'Make 24 with the numbers [3, 5, 7, 2] using standard arithmetic operations.', nums: [3, 5, 7, 2], target: 24 }),
      ].join('\n'),
    );
    const all = await readProblemSet(file);
    assert.deepEqual(all.map((p) => p.id), ['p1', 'test/algebra/1.json', 'set-4', 'set-5']);
    assert.equal(all[2]!.answer, '23');
    assert.equal(all[2]!.source?.dataset, 'gsm8k');
    assert.equal(all[1]!.source?.dataset, 'math');
    assert.deepEqual(all[3]!.meta, { numbers: [3, 5, 7, 2], target: 24 });
    assert.equal(all[3]!.source?.line, 5);
    const some = await readProblemSet(file, '2-3');
    assert.deepEqual(some.map((p) => p.text), ['What is 1 + 1?', 'What is 3 + 4 * 5?']);
    await assert.rejects(readProblemSet(file, '9'), /no problems selected/);
    assert.throws(() => parseSelect('3-1'), /not a range/);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].filter(parseSelect('1,3,7-8')), [1, 3, 7, 8]);
    assert.throws(() => problemFromLine({ title: 'x' }, { file: 'f', line: 1 }), /^ProblemSetError: f:1: no "problem", "question", "prompt", "text" or "input" field/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('real problem sets from ../shared: MATH-500 and GSM8K lines map to problems with answers', { skip: skipShared }, async () => {
  const math = await readProblemSet(join(sharedData, 'math500', 'test.jsonl'), '1-3');
  assert.equal(math.length, 3);
  assert.ok(math.every((p) => p.answer !== undefined && p.id!.startsWith('test/')));
  const gsm = await readProblemSet(join(sharedData, 'gsm8k', 'test_first200.jsonl'), '1');
  assert.match(gsm[0]!.answer!, /^\d+$/);
});

test('metacot run over a JSONL set on the reference server: traces written, summary table, exit 0; show prints the tree', async () => {
  const server = await startReferenceServer({ seed: 4 });
  const dir = await tmp();
  try {
    const file = join(dir, 'set.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ question: 'What is 3 + 4 * 5?', answer: '3 + 20 = 23\n#### 23' }),
        JSON.stringify({ problem: 'What is 2 * 6 - 1?', answer: '11', unique_id: 'test/prealgebra/9.json' }),
        JSON.stringify({ problem: 'What is 9 - 4?', answer: '5', id: 'unused' }),
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const { o, io } = capture();
    const code = await runRunCommand(
      ['--problems', file, '--select', '1-2', '--strategy', 'best-of-n', '--param', 'n=4', '--param', 'seed=1', '--endpoint', server.url, '--model', 'sim-arithmetic', '--out', out, '--budget', 'maxRequests=10'],
      io,
    );
    assert.equal(code, 0, o.err);
    assert.match(o.out, /^problem\s+status\s+solved\s+answer\s+nodes\s+tokens\s+time \(s\)/);
    assert.match(o.out, /set-1\s+(solved|completed)/);
    assert.match(o.out, /test\/prealgebra\/9\.json/);
    assert.match(o.out, /solved \d\/2, /);
    assert.doesNotMatch(o.out, /unused/);
    assert.match(o.err, /\[#+-*\] 1\/2 \| nodes 4 \| tokens \d+/);
    const files = (await readdir(out)).sort();
    assert.deepEqual(files, ['set-1.metacot.json', 'test_prealgebra_9.json.metacot.json']);
    const trace = await readTraceFile(join(out, 'set-1.metacot.json'));
    assert.equal(trace.runs[0]!.config.strategy, 'best-of-n');
    assert.equal(trace.runs[0]!.config.params.n, 4);
    assert.equal(trace.runs[0]!.config.budgets.maxRequests, 10);
    assert.equal(trace.problem.answer, '23');
    assert.equal(trace.nodes.length, 5);

    const shown = capture();
    assert.equal(await runShowCommand([join(out, 'set-1.metacot.json')], shown.io), 0);
    assert.match(shown.o.out, /^problem: What is 3 \+ 4 \* 5\?\s+\(reference answer 23\)/);
    assert.match(shown.o.out, /run r1: best-of-n from n0/);
    assert.match(shown.o.out, /├─ n1 /);
    assert.match(shown.o.out, /answer 23 ✓/);
    assert.match(shown.o.out, /★ best/);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('metacot run: usage errors exit 2 with a message', async () => {
  const cases: [string[], RegExp][] = [
    [['--problem', 'x'], /--strategy: expected one of/],
    [['--problem', 'x', '--problems', 'y.jsonl', '--strategy', 'beam'], /exactly one of/],
    [['--problem', 'x', '--strategy', 'beam', '--param', 'widht=2', '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm'], /unknown parameter "widht"/],
    [['--problem', 'x', '--strategy', 'beam', '--budget', 'maxTokenz=5', '--endpoint', 'http://127.0.0.1:9/v1', '--model', 'm'], /--budget/],
    [['--problem', 'x', '--strategy', 'beam', '--endpoint', 'http://127.0.0.1:9/v1'], /--endpoint needs --model/],
    [['--problem', 'x', '--strategy', 'beam', '--verifier', 'magic'], /--verifier: expected one of/],
    [['--bogus'], /Unknown option/],
  ];
  for (const [argv, msg] of cases) {
    const { o, io } = capture();
    assert.equal(await runRunCommand(argv, io), 2, argv.join(' '));
    assert.match(o.err, msg, argv.join(' '));
  }
});

test('metacot run without --endpoint and without the embedded model: a clear error naming --endpoint and metacot serve', async () => {
  const dir = await tmp();
  const before = process.env.METACOT_EMBEDDED_MODEL_DIR;
  process.env.METACOT_EMBEDDED_MODEL_DIR = join(dir, 'no-model-here');
  try {
    const { o, io } = capture();
    const code = await runRunCommand(['--problem', 'Use the numbers 1, 2 to reach 3.', '--strategy', 'single', '--out', dir], io);
    assert.equal(code, 2);
    assert.match(o.err, /embedded model could not be loaded/);
    assert.match(o.err, /--endpoint URL --model M/);
    assert.match(o.err, /metacot serve/);
  } finally {
    if (before === undefined) delete process.env.METACOT_EMBEDDED_MODEL_DIR;
    else process.env.METACOT_EMBEDDED_MODEL_DIR = before;
    await rm(dir, { recursive: true, force: true });
  }
});

test('small CLI pieces: k=v pairs, progress line, table, tree rendering', () => {
  assert.deepEqual(parsePairs(['a=1', 'b=x=y'], '--param'), { a: '1', b: 'x=y' });
  assert.throws(() => parsePairs(['nope'], '--param'), /expected k=v/);
  assert.equal(renderProgress({ done: 1, total: 4, nodes: 12345, tokens: 2_500_000, cost: 0.5 }, 1500, 8), '[##------] 1/4 | nodes 12.3k | tokens 2.5M | $0.5000 | 1.5s');
  assert.equal(formatTable(['a', 'n'], [['x', 1], ['yy', 10]]), 'a    n\n--  --\nx    1\nyy  10\n');
  const trace = {
    format: 'metacot.trace', version: 1, id: 't', createdAt: '', runs: [], events: [], usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 }, result: null,
    problem: { text: 'p' },
    nodes: [
      { id: 'n0', parentId: null, kind: 'root', text: 'p', author: 'human', status: 'expanded', iteration: 0, visits: 3, q: 0.5 },
      { id: 'n1', parentId: 'n0', kind: 'step', text: 'first step', author: 'model', status: 'open', iteration: 1, value: 0.25, valueSource: { kind: 'rollouts', k: 1, K: 4 }, visits: 2, q: 0.375 },
      { id: 'n2', parentId: 'n1', kind: 'answer', text: 'The answer is 4', author: 'model', status: 'terminal', iteration: 2, answer: '4', verified: true },
      { id: 'n3', parentId: 'n0', kind: 'step', text: 'bad', author: 'model', status: 'pruned', iteration: 1, prune: { reason: 'rank 2 of 2', by: 'engine', rank: 2 } },
    ],
  } as const;
  assert.equal(
    renderTree(structuredClone(trace) as never),
    'n0 "problem"  N=3  Q=0.5\n├─ n1 "first step"  v=0.25 (1/4 rollouts)  N=2  Q=0.375\n│  └─ n2 ■ "The answer is 4"  answer 4 ✓\n└─ n3 ✂ "bad"  pruned: rank 2 of 2\n',
  );
});
