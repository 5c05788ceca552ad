/**
 * `metacot experiment` on the embedded model (a few held-out problems at small budgets, so it stays quick on two
 * cores): the summary equals a recount from the traces, a re-run skips finished entries, a killed run is finished
 * by the next invocation (only what was missing runs), --rerun-failures runs only failed entries, `analyse DIR`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, copyFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperimentCommand } from '../../src/cli/commands/experiment';
import { runAnalyseCommand } from '../../src/cli/commands/analyse';
import { cellId, experimentCells, namedSetProblems, problemFileNames, strategiesFrom, userParams } from '../../src/core/experiment/spec';
import { recountExperiment } from '../../src/core/experiment/recount';
import { runExperiment } from '../../src/core/experiment/runner';
import { ExperimentSummarySchema, type ExperimentSummary } from '../../src/core/experiment/summary';
import { parseTrace } from '../../src/core/trace/io';
import type { Trace } from '../../src/core/trace/schema';
import { closedPort } from './helpers/closedPort';

const ROOT = join(__dirname, '..', '..');

function capture() {
  const o = { out: '', err: '' };
  return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t), png: false } };
}

const readSummary = (dir: string): ExperimentSummary => ExperimentSummarySchema.parse(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')));
const readTrace = (file: string): Trace => parseTrace(readFileSync(file, 'utf8'), file);

/** Every trace file under traces/, relative, with its bytes. */
function traceFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const root = join(dir, 'traces');
  if (!existsSync(root)) return out;
  for (const cell of readdirSync(root)) {
    for (const f of readdirSync(join(root, cell)).filter((n) => n.endsWith('.metacot.json'))) out.set(`traces/${cell}/${f}`, readFileSync(join(root, cell, f), 'utf8'));
  }
  return out;
}

/** What the numbers must be, counted here by hand from the trace files (independent of recount.ts). */
function handCount(dir: string, s: ExperimentSummary) {
  return s.cells.map((c) => {
    const traces = c.results.map((r) => readTrace(join(dir, r.trace)));
    return {
      id: c.id,
      solved: traces.filter((t) => t.result?.verified === true).length,
      tokens: traces.reduce((a, t) => a + t.runs[0]!.usage.tokensIn + t.runs[0]!.usage.tokensOut, 0),
      failed: traces.filter((t) => t.runs[0]!.status === 'failed').length,
    };
  });
}

const withoutTimes = (s: ExperimentSummary) => ({ ...s, createdAt: '', updatedAt: '' });

test('the grid: cell ids, --set, budget-bound defaults, one file name per problem, the held-out sets', () => {
  const grid = strategiesFrom(['beam', 'mcts', 'best-of-n'], ['mcts.c=1.0', '*.temperature=0.8']);
  assert.deepEqual(grid[1], { strategy: 'mcts', params: { concurrency: 1, simulations: 100000, c: '1.0', temperature: '0.8' } });
  assert.deepEqual(grid[2]!.params, { concurrency: 1, n: 100000, perRequest: 1, stopOnSolve: true, temperature: '0.8' });
  assert.deepEqual(userParams(grid[1]!), { c: '1.0', temperature: '0.8' });
  assert.equal(cellId('mcts', { c: '1.0' }, 4000), 'mcts-c=1.0-4000');
  assert.deepEqual(
    experimentCells({ strategies: strategiesFrom(['beam', 'mcts'], ['mcts.c=2']), budgets: [1000, 2000] }).map((c) => c.id),
    ['beam-1000', 'beam-2000', 'mcts-c=2-1000', 'mcts-c=2-2000'],
  );
  assert.throws(() => strategiesFrom(['beam'], ['mcts.c=1']), /mcts is not one of --strategies/);
  assert.throws(() => strategiesFrom(['beam'], ['width']), /expected strategy\.param=value/);
  assert.deepEqual(problemFileNames([{ text: 'a', id: 'p' }, { text: 'b', id: 'p' }, { text: 'c', id: 'q/1' }]), ['p.metacot.json', 'p-2.metacot.json', 'q_1.metacot.json']);
  const held = namedSetProblems('heldout-test');
  assert.equal(held.length, 200);
  const picked = namedSetProblems('heldout-validation', '2-3');
  assert.deepEqual(picked.map((p) => p.id), ['heldout-validation-2', 'heldout-validation-3']);
  const raw = JSON.parse(readFileSync(join(ROOT, 'model', 'heldout.json'), 'utf8')) as { validation: { numbers: number[]; target: number }[] };
  assert.deepEqual(picked[0]!.meta, raw.validation[1]);
  assert.match(picked[0]!.text, new RegExp(`^Use the numbers ${raw.validation[1]!.numbers.join(', ')} to reach ${raw.validation[1]!.target}\\.`));
});

test('an experiment on the embedded model: summary equals the recount, a re-run skips, rerun-failures runs only the failed, analyse DIR', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-exp-'));
  try {
    const args = ['--problems', 'heldout-test', '--select', '1-3', '--strategies', 'beam,mcts', '--budgets', '300,600', '--out', dir, '--quiet'];
    const first = capture();
    const t0 = Date.now();
    assert.equal(await runExperimentCommand(args, first.io), 0, first.o.err);
    const firstSeconds = (Date.now() - t0) / 1000;
    const s = readSummary(dir);
    assert.equal(s.cells.length, 4);
    assert.deepEqual(s.cells.map((c) => c.id), ['beam-300', 'beam-600', 'mcts-300', 'mcts-600']);
    assert.equal(s.complete, true);
    assert.equal(s.totals.entries, 12);
    assert.equal(traceFiles(dir).size, 12);
    assert.deepEqual(s.plots.map((p) => p.kind).sort(), ['accuracy-vs-n', 'cost-per-solved', 'solve-rate'].filter((k) => k !== 'cost-per-solved' || s.totals.solved > 0).sort());
    for (const p of s.plots) assert.match(readFileSync(join(dir, p.svg), 'utf8'), /^<svg /);

    // The summary is what the traces say: the recount (from the files alone) and a count by hand agree with it.
    const recount = await recountExperiment(dir, s);
    assert.deepEqual(recount.cells, s.cells);
    assert.deepEqual(recount.totals, s.totals);
    for (const h of handCount(dir, s)) {
      const c = s.cells.find((x) => x.id === h.id)!;
      assert.equal(c.solved, h.solved, h.id);
      assert.equal(c.tokens.total, h.tokens, h.id);
      assert.equal(c.failed, h.failed, h.id);
      assert.equal(c.solveRate, h.solved / 3);
    }
    // Paired seeds, budgets as asked, one request in flight: a run stops within one request of its budget.
    for (const c of s.cells) {
      for (const r of c.results) {
        const t = readTrace(join(dir, r.trace));
        assert.equal(t.runs[0]!.config.params.seed, 1 + r.index);
        assert.equal(t.runs[0]!.config.budgets.maxTokens, c.budget);
        assert.equal(t.problem.id, `heldout-test-${r.index + 1}`);
        assert.ok(r.tokens <= c.budget + 400, `${c.id} ${r.problemId}: ${r.tokens} tokens at budget ${c.budget}`);
      }
    }

    // A re-run does nothing: every entry is finished, no file is written again.
    const before = new Map([...traceFiles(dir)].map(([f]) => [f, statSync(join(dir, f)).mtimeMs]));
    const again = capture();
    const t1 = Date.now();
    assert.equal(await runExperimentCommand(args, again.io), 0, again.o.err);
    assert.match(again.o.out, /ran 0, kept 12 finished before/);
    for (const [f, m] of before) assert.equal(statSync(join(dir, f)).mtimeMs, m, f);
    assert.deepEqual(withoutTimes(readSummary(dir)), withoutTimes(s));
    assert.ok((Date.now() - t1) / 1000 < firstSeconds, 'the re-run must not redo the work');

    // Another grid in the same folder is refused, nothing run.
    const other = capture();
    assert.equal(await runExperimentCommand(args.map((a) => (a === '300,600' ? '300' : a)), other.io), 3);
    assert.match(other.o.err, /is of another experiment \(budgets: \[300,600\] there, \[300\] now\)/);

    // A folder another live process is running is refused (its lock names it); the lock goes when a run ends.
    assert.equal(existsSync(join(dir, '.experiment.lock')), false);
    writeFileSync(join(dir, '.experiment.lock'), JSON.stringify({ pid: process.ppid, host: hostname() }));
    const busy = capture();
    assert.equal(await runExperimentCommand(args, busy.io), 3);
    assert.match(busy.o.err, new RegExp(`another process \\(pid ${process.ppid} on .*\\) is running this experiment`));
    rmSync(join(dir, '.experiment.lock'));

    // One entry's run fails (an endpoint at a closed port): the same cell and problem, written by the same runner.
    const failDir = mkdtempSync(join(tmpdir(), 'metacot-exp-fail-'));
    const port = await closedPort();
    const failed = await runExperiment({
      dir: failDir,
      spec: { ...s.spec, problems: { source: 'heldout-test', select: '2', count: 1 }, strategies: [s.spec.strategies[1]!], budgets: [600], endpoint: { kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', mode: 'chat' } },
      problems: namedSetProblems('heldout-test', '2'),
      endpoint: { kind: 'openai', config: { name: 'closed', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', mode: 'chat', maxRetries: 0 } },
    });
    assert.equal(failed.summary.cells[0]!.results[0]!.status, 'failed');
    const target = 'traces/mcts-600/heldout-test-2.metacot.json';
    copyFileSync(join(failDir, target), join(dir, target));
    rmSync(failDir, { recursive: true, force: true });

    // Without --rerun-failures the failure stays, and the exit code says so.
    const kept = capture();
    assert.equal(await runExperimentCommand(args, kept.io), 1);
    assert.match(kept.o.out, /ran 0, kept 12/);
    assert.match(kept.o.err, /failed mcts-600 heldout-test-2: .*unreachable/);
    assert.match(kept.o.err, /--rerun-failures to run only those/);
    assert.equal(readSummary(dir).cells[3]!.failed, 1);

    // Unsolved entries are not failures: only the failed one runs again.
    const unsolved = readSummary(dir).totals.entries - readSummary(dir).totals.solved;
    assert.ok(unsolved > 1, 'some entries are unsolved, and must not run again');
    const mtimes = new Map([...traceFiles(dir)].map(([f]) => [f, statSync(join(dir, f)).mtimeMs]));
    const rerun = capture();
    assert.equal(await runExperimentCommand([...args, '--rerun-failures'], rerun.io), 0, rerun.o.err);
    assert.match(rerun.o.out, /ran 1, kept 11/);
    for (const [f, m] of mtimes) if (f !== target) assert.equal(statSync(join(dir, f)).mtimeMs, m, f);
    const fixed = readSummary(dir);
    assert.equal(fixed.totals.failed, 0);
    assert.equal(readTrace(join(dir, target)).runs[0]!.config.endpoint.baseUrl.startsWith('embedded'), true);
    assert.deepEqual((await recountExperiment(dir, fixed)).cells, fixed.cells);

    // analyse DIR: every trace, and the cells recounted.
    const an = capture();
    assert.equal(await runAnalyseCommand([dir, '--json'], an.io), 0, an.o.err);
    const a = JSON.parse(an.o.out) as { kind: string; traces: unknown[]; solved: number; solveRate: number; ci: { low: number; high: number }; tokens: { total: number }; cells: { id: string; solved: number }[] };
    assert.equal(a.kind, 'folder');
    assert.equal(a.traces.length, 12);
    assert.equal(a.solved, fixed.totals.solved);
    assert.equal(a.tokens.total, fixed.totals.tokens);
    assert.ok(a.ci.low <= a.solveRate && a.solveRate <= a.ci.high);
    assert.deepEqual(a.cells.map((c) => [c.id, c.solved]), fixed.cells.map((c) => [c.id, c.solved]));
    const text = capture();
    assert.equal(await runAnalyseCommand([dir], text.io), 0);
    assert.match(text.o.out, new RegExp(`^folder .*: 12 traces\\n  solved ${fixed.totals.solved}/12 \\(`));
    assert.match(text.o.out, /\n  mcts-600 +\d\/3 /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Finished trace files (their run ended, no crash journal beside them). */
function finishedFiles(dir: string): string[] {
  return [...traceFiles(dir)].filter(([f, text]) => {
    if (existsSync(join(dir, `${f}.journal.jsonl`))) return false;
    try {
      const t = parseTrace(text);
      return !['running', 'cancelled'].includes(t.runs.at(-1)!.status);
    } catch {
      return false;
    }
  }).map(([f]) => f);
}

test('a killed experiment keeps its finished traces, and the next invocation runs only what is missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-exp-kill-'));
  try {
    const args = ['--problems', 'heldout-test', '--select', '4-7', '--strategies', 'astar,beam', '--budgets', '400,800', '--out', dir, '--quiet'];
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'experiment', ...args], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    // Killed once a few entries are finished, the rest not: SIGKILL gives it no chance to tidy up.
    const deadline = Date.now() + 90_000;
    while (finishedFiles(dir).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await exited;
    const finished = finishedFiles(dir);
    assert.ok(finished.length >= 3 && finished.length < 16, `killed after ${finished.length} of 16 entries`);
    const kept = new Map(finished.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

    const resume = capture();
    assert.equal(await runExperimentCommand(args, resume.io), 0, resume.o.err);
    assert.match(resume.o.out, new RegExp(`ran ${16 - finished.length}, kept ${finished.length} finished before`));
    // The finished traces are untouched; every entry now has one, and no journal is left behind.
    for (const [f, text] of kept) assert.equal(readFileSync(join(dir, f), 'utf8'), text, f);
    assert.equal(finishedFiles(dir).length, 16);
    assert.equal([...traceFiles(dir).keys()].length, 16);
    const s = readSummary(dir);
    assert.equal(s.complete, true);
    assert.deepEqual((await recountExperiment(dir, s)).cells, s.cells);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a JSONL problem set: a problem the model cannot read is said and left missing, and the exit code is 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-exp-file-'));
  try {
    const file = join(ROOT, 'test', 'fixtures', 'experiment', 'mixed.jsonl');
    const run = capture();
    assert.equal(await runExperimentCommand(['--problems', file, '--strategies', 'beam', '--budgets', '300', '--out', dir, '--quiet'], run.io), 1);
    assert.match(run.o.err, /error in beam-300 word: .*(Countdown|numbers)/);
    assert.match(run.o.err, /1 problem × cell entry has no finished trace/);
    const s = readSummary(dir);
    assert.equal(s.spec.problems.source, file);
    assert.equal(s.complete, false);
    assert.deepEqual(s.cells[0]!.results.map((r) => [r.problemId, r.status === 'missing']), [['cd-1', false], ['word', true]]);
    assert.equal(s.cells[0]!.problems, 2);
    assert.equal(existsSync(join(dir, 'traces', 'beam-300', 'word.metacot.json')), false);
    assert.deepEqual((await recountExperiment(dir, s)).cells, s.cells);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyse DIR on a plain folder of traces: every trace under it, unreadable files said, no cells', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-analyse-dir-'));
  try {
    const { countdownTree, equationTree } = await import('../fixtures/metacot/handTrees');
    const { writeTraceFile } = await import('../../src/core/trace/io');
    const unsolved = equationTree().toJSON();
    unsolved.id = 'eq-unsolved';
    unsolved.result = { verified: false };
    unsolved.usage = { ...unsolved.usage, tokensIn: 70, tokensOut: 30, cost: 0.5 };
    await writeTraceFile(join(dir, 'a.metacot.json'), countdownTree().toJSON());
    await writeTraceFile(join(dir, 'sub', 'b.metacot.json'), unsolved);
    writeFileSync(join(dir, 'sub', 'broken.metacot.json'), '{"not": "a trace"}');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const an = capture();
    assert.equal(await runAnalyseCommand([dir, '--json'], an.io), 0, an.o.err);
    const a = JSON.parse(an.o.out) as { traces: { file: string; solved: boolean; tokens: number }[]; unreadable: { file: string }[]; solved: number; solveRate: number; ci: { low: number; high: number }; tokens: { total: number; mean: number }; cost: { total: number }; cells?: unknown };
    assert.deepEqual(a.traces.map((t) => [t.file, t.solved, t.tokens]), [['a.metacot.json', true, 0], ['sub/b.metacot.json', false, 100]]);
    assert.deepEqual(a.unreadable.map((u) => u.file), ['sub/broken.metacot.json']);
    assert.equal(a.solved, 1);
    assert.equal(a.solveRate, 0.5);
    assert.ok(a.ci.low < 0.5 && a.ci.high > 0.5);
    assert.deepEqual(a.tokens, { total: 100, mean: 50 });
    assert.equal(a.cost.total, 0.5);
    assert.equal(a.cells, undefined);
    const text = capture();
    assert.equal(await runAnalyseCommand([dir], text.io), 0);
    assert.match(text.o.out, /: 2 traces, 1 unreadable\n  solved 1\/2 \(50\.0%, 95% CI 9\.5%–90\.5%\)\n  tokens 100 \(mean 50 per trace\), cost 0\.5000/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
