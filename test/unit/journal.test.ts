/**
 * The crash journal: what a run appends beside its trace, how opening the trace folds it back in (whole batches
 * only, never making a valid trace invalid), how checkpoints shrink it, and how runs a dead process left
 * `running` are marked on open.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareRun } from '../../src/core/run';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import { openTraceFile, readTraceFile, serializeTrace, writeTraceFile } from '../../src/core/trace/io';
import { journalPathFor, TraceJournal } from '../../src/core/trace/journal';
import { STALE_RUN_REASON } from '../../src/core/trace/journalFold';
import { emptyUsage, type Run, type Trace } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';

const dir = mkdtempSync(join(tmpdir(), 'metacot-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
const dead = { writerAlive: () => false };
const turn = () => new Promise((r) => setImmediate(r));

function runRecord(id: string): Run {
  return {
    id,
    config: {
      strategy: 'beam',
      params: {},
      endpoint: { name: 't', baseUrl: 'http://127.0.0.1:1/v1', model: 'm', mode: 'chat', sampling: {} },
      verifier: { kind: 'answer', params: {} },
      budgets: {},
    },
    startNodeId: 'n0',
    startedAt: '2025-01-01T00:00:00.000Z',
    status: 'running',
    usage: emptyUsage(),
  };
}

/** A trace file with a journal started on it, as a run's set-up leaves them (the run record added after). */
async function started(): Promise<{ path: string; tree: TraceTree; journal: TraceJournal; run: Run }> {
  const path = join(dir, `t${++fileNo}.metacot.json`);
  const tree = TraceTree.create({ text: 'What is 2+2?' });
  await writeTraceFile(path, tree.trace);
  const journal = TraceJournal.open(path, tree, 'r1', { syncMs: 10 });
  const run = runRecord('r1');
  tree.trace.runs.push(run);
  return { path, tree, journal, run };
}

/** A node that finished: added running, then filled (as the engine does). */
function finish(tree: TraceTree, run: Run, parent: string, text: string): string {
  const node = tree.addChild(parent, { kind: 'step', text: '', author: 'model', status: 'running', runId: 'r1' });
  tree.update(node.id, { text, status: 'open', tokensOut: 3 });
  run.usage.requests++;
  run.usage.tokensOut += 3;
  tree.trace.usage.requests++;
  tree.trace.usage.tokensOut += 3;
  return node.id;
}

test('a killed run: nodes finished before the kill are folded in on open, the run and its waiting nodes are marked cancelled', async () => {
  const { path, tree, journal, run } = await started();
  const a = finish(tree, run, 'n0', 'step a');
  const b = finish(tree, run, a, 'step b');
  tree.addChild(b, { kind: 'step', text: '', author: 'model', status: 'running', runId: 'r1' }); // in flight
  await turn(); // the batch is written at the end of the turn
  // The "process" dies here: no close, no checkpoint. The file on disk still holds only the root.
  assert.equal((JSON.parse(readFileSync(path, 'utf8')) as Trace).nodes.length, 1);

  const { trace, recovery } = await openTraceFile(path, dead);
  assert.deepEqual(trace.nodes.map((n) => [n.id, n.text, n.status]), [
    ['n0', 'What is 2+2?', 'open'],
    [a, 'step a', 'open'],
    [b, 'step b', 'open'],
    ['n3', '', 'cancelled'],
  ]);
  assert.equal(trace.runs[0]!.status, 'cancelled');
  assert.equal(trace.runs[0]!.reason, STALE_RUN_REASON);
  assert.equal(trace.usage.requests, 2);
  assert.equal(trace.runs[0]!.usage.tokensOut, 6);
  assert.equal(trace.events.length, 3, 'the three add events');
  assert.ok(recovery);
  assert.deepEqual(recovery.staleRuns, ['r1']);
  assert.equal(recovery.staleNodes, 1);
  assert.equal(recovery.live, false);
  assert.deepEqual(recovery.problems, []);
  assert.ok(recovery.folded >= 6);
  // The result is a valid trace (serializeTrace validates) and the files were not touched.
  serializeTrace(trace);
  assert.ok(existsSync(journalPathFor(path)));
  await journal.close({ remove: false });
});

test('the writer still runs: the journal is folded in but nothing is marked', async () => {
  const { path, tree, journal, run } = await started();
  finish(tree, run, 'n0', 'live step');
  await turn();
  const { trace, recovery } = await openTraceFile(path); // this process wrote it: alive
  assert.equal(trace.nodes[1]!.text, 'live step');
  assert.equal(trace.runs[0]!.status, 'running');
  assert.equal(recovery?.live, true);
  assert.deepEqual(recovery?.staleRuns, []);
  await journal.close({ remove: false });
});

test('a torn last line and an unfinished last batch are ignored; whole batches before them are kept', async () => {
  const { path, tree, journal, run } = await started();
  const a = finish(tree, run, 'n0', 'kept');
  await turn();
  await journal.close({ remove: false });
  const jp = journalPathFor(path);
  // A batch whose commit line never made it, then half a line.
  appendFileSync(jp, `{"t":"node","node":${JSON.stringify({ id: 'n9', parentId: a, kind: 'step', text: 'torn batch', author: 'model', status: 'open', iteration: 0 })}}\n{"t":"node","node":{"id":"n1`);
  const { trace, recovery } = await openTraceFile(path, dead);
  assert.deepEqual(trace.nodes.map((n) => n.text), ['What is 2+2?', 'kept']);
  assert.deepEqual(recovery?.problems, []);
});

test('a journal of another trace is left alone and reported', async () => {
  const { path, tree, journal, run } = await started();
  finish(tree, run, 'n0', 'x');
  await turn();
  await journal.close({ remove: false });
  const other = TraceTree.create({ text: 'another problem' });
  await writeTraceFile(path, other.trace);
  const { trace, recovery } = await openTraceFile(path, dead);
  assert.equal(trace.nodes.length, 1);
  assert.equal(trace.problem.text, 'another problem');
  assert.equal(recovery?.folded, 0);
  assert.match(recovery!.problems.join('\n'), /belongs to trace .*, not .*; left alone/);
  assert.ok(existsSync(journalPathFor(path)), 'the journal is kept');
});

test('a trace file written by something else after the journal: the journal is left alone and reported', async () => {
  const { path, tree, journal, run } = await started();
  finish(tree, run, 'n0', 'from the journal');
  await turn();
  await journal.close({ remove: false });
  const edited = JSON.parse(readFileSync(path, 'utf8')) as Trace;
  edited.problem.answer = '4';
  writeFileSync(path, serializeTrace(edited));
  const { trace, recovery } = await openTraceFile(path, dead);
  assert.equal(trace.nodes.length, 1);
  assert.equal(trace.problem.answer, '4');
  assert.match(recovery!.problems.join('\n'), /written after the journal/);
});

test('a journal whose fold would break an invariant is left alone: the trace stays valid', async () => {
  const { path, tree, journal, run } = await started();
  finish(tree, run, 'n0', 'x');
  await turn();
  await journal.close({ remove: false });
  // A totals line that disagrees with the runs (usage must add up): valid JSON, valid lines, invalid trace.
  appendFileSync(journalPathFor(path), `{"t":"totals","usage":${JSON.stringify({ ...emptyUsage(), requests: 99 })},"result":null}\n{"t":"commit","lines":1}\n`);
  const { trace, recovery } = await openTraceFile(path, dead);
  assert.equal(trace.nodes.length, 1, 'nothing folded');
  assert.match(recovery!.problems.join('\n'), /would make the trace invalid \(usage.requests: is 99/);
  serializeTrace(trace);
});

test('a checkpoint leaves only what came after it in the journal; a crash between checkpoint and rewrite still folds right', async () => {
  const { path, tree, journal, run } = await started();
  finish(tree, run, 'n0', 'before the checkpoint');
  await turn();
  await journal.checkpoint(() => writeTraceFile(path, tree.trace));
  const lines = readFileSync(journalPathFor(path), 'utf8').trim().split('\n');
  assert.equal(lines.length, 1, 'the header only');
  assert.equal((JSON.parse(lines[0]!) as { t: string }).t, 'journal');
  finish(tree, run, 'n1', 'after the checkpoint');
  await turn();
  // The next checkpoint lands, then the process dies before the journal is rewritten.
  await assert.rejects(
    journal.checkpoint(async () => {
      await writeTraceFile(path, tree.trace);
      throw new Error('killed');
    }),
  );
  finish(tree, run, 'n2', 'after the second checkpoint');
  await turn();
  const { trace, recovery } = await openTraceFile(path, dead);
  assert.deepEqual(trace.nodes.map((n) => n.text).slice(1), ['before the checkpoint', 'after the checkpoint', 'after the second checkpoint']);
  assert.equal(trace.usage.requests, 3);
  assert.deepEqual(recovery?.problems, []);
  await journal.close({ remove: false });
});

test('readTraceFile folds in and reports through onRecovery; a trace without journal or running run is read as is', async () => {
  const { path, tree, journal, run } = await started();
  finish(tree, run, 'n0', 'x');
  await turn();
  await journal.close({ remove: false });
  let heard: unknown;
  const trace = await readTraceFile(path, { ...dead, onRecovery: (r) => (heard = r) });
  assert.equal(trace.nodes.length, 2);
  assert.deepEqual((heard as { staleRuns: string[] }).staleRuns, ['r1']);

  const plain = join(dir, 'plain.metacot.json');
  await writeTraceFile(plain, TraceTree.create({ text: 'p' }).trace);
  const opened = await openTraceFile(plain);
  assert.equal(opened.recovery, undefined);
});

test('a run left running without any journal (an older writer) is marked on open', async () => {
  const path = join(dir, 'nojournal.metacot.json');
  const tree = TraceTree.create({ text: 'q' });
  tree.trace.runs.push(runRecord('r1'));
  tree.addChild('n0', { kind: 'step', text: '', author: 'model', status: 'running', runId: 'r1' });
  await writeTraceFile(path, tree.trace);
  const { trace, recovery } = await openTraceFile(path);
  assert.equal(trace.runs[0]!.status, 'cancelled');
  assert.equal(trace.nodes[1]!.status, 'cancelled');
  assert.equal(recovery?.folded, 0);
  // A run this process says it runs itself is left alone.
  const own = await openTraceFile(path, { ownsRun: (id) => id === 'r1' });
  assert.equal(own.trace.runs[0]!.status, 'running');
});

test('execute with traceFile: the trace exists before the first request, the journal is gone after the final checkpoint', async () => {
  const server = await startReferenceServer({ seed: 3, latencyMs: 5 });
  try {
    const path = join(dir, 'exec.metacot.json');
    const seen: { file: boolean; journal: boolean }[] = [];
    const prepared = await prepareRun({
      problem: { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' },
      strategy: 'beam',
      params: { width: 2, N: 2, maxDepth: 3, seed: 1 },
      endpoint: { kind: 'openai', config: { name: 'ref', baseUrl: server.url, model: 'sim-countdown', maxRetries: 0 } },
    });
    const report = await prepared.execute({
      traceFile: path,
      onTraceWritten: () => seen.push({ file: existsSync(path), journal: existsSync(journalPathFor(path)) }),
      onProgress: () => {
        if (seen.length === 1) seen.push({ file: existsSync(path), journal: existsSync(journalPathFor(path)) });
      },
    });
    assert.deepEqual(seen[0], { file: true, journal: true });
    assert.deepEqual(seen[1], { file: true, journal: true }, 'during the run');
    assert.equal(report.journalError, undefined);
    assert.ok(!existsSync(journalPathFor(path)), 'removed after the final checkpoint');
    const onDisk = await openTraceFile(path);
    assert.equal(onDisk.recovery, undefined);
    assert.equal(onDisk.trace.nodes.length, report.nodes);
    assert.equal(onDisk.trace.runs[0]!.status, report.status);
  } finally {
    await server.close();
  }
});

test('execute with a checkpoint only (no journal): the trace file is still written before the first request', async () => {
  const server = await startReferenceServer({ seed: 3 });
  try {
    const path = join(dir, 'first.metacot.json');
    let atWrite: { file: boolean; requests: number } | undefined;
    const prepared = await prepareRun({
      problem: { text: 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.' },
      strategy: 'beam',
      params: { width: 2, N: 2, maxDepth: 2, seed: 1 },
      endpoint: { kind: 'openai', config: { name: 'ref', baseUrl: server.url, model: 'sim-countdown', maxRetries: 0 } },
    });
    await prepared.execute({
      checkpoint: { write: (t) => writeTraceFile(path, t), intervalMs: 2000 },
      onTraceWritten: () => (atWrite = { file: existsSync(path), requests: server.log.generations().length }),
    });
    assert.deepEqual(atWrite, { file: true, requests: 0 });
    assert.ok(!existsSync(journalPathFor(path)), 'no traceFile, no journal');
  } finally {
    await server.close();
  }
});

test('kill -9 of a real run: every node finished before the kill is in the opened trace, the run is marked', async () => {
  const server = await startReferenceServer({ seed: 4, latencyMs: 20 });
  const path = join(dir, 'killed.metacot.json');
  const child = join(dir, 'child.ts');
  const src = resolve(__dirname, '../../src');
  // The child runs a search on the trace file and says, after each batch is journaled, how many nodes have finished.
  writeFileSync(
    child,
    `import { prepareRun } from ${JSON.stringify(join(src, 'core/run'))};
const [url, file] = process.argv.slice(2);
void (async () => {
  const p = await prepareRun({ problem: { text: 'Use the numbers 25, 7, 4, 9, 3, 2 to reach 187. Use + - * / and each number at most once.' }, strategy: 'beam',
    params: { width: 8, N: 4, concurrency: 2, seed: 1 }, endpoint: { kind: 'openai', config: { name: 'ref', baseUrl: url, model: 'sim-countdown', maxRetries: 0 } } });
  const finished = () => p.tree.trace.nodes.filter((n) => n.author === 'model' && n.status !== 'running').length;
  // After the journal's own end-of-turn write (setImmediate callbacks run in order).
  await p.execute({ traceFile: file, onProgress: () => setImmediate(() => process.stdout.write(finished() + '\\n')) });
})();
`,
  );
  try {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, server.url, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let reported = 0;
    await new Promise<void>((res, rej) => {
      let buf = '';
      proc.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        const counts = buf.split('\n').filter(Boolean).map(Number);
        reported = Math.max(reported, ...counts);
        if (reported >= 24) {
          proc.kill('SIGKILL');
          res();
        }
      });
      proc.once('exit', () => (reported >= 24 ? res() : rej(new Error(`the child ended early (${reported} nodes)`))));
    });
    await new Promise((r) => proc.once('exit', r));
    const { trace, recovery } = await openTraceFile(path);
    const finished = trace.nodes.filter((n) => n.author === 'model' && n.status !== 'running' && n.status !== 'cancelled').length;
    assert.ok(finished >= reported, `${finished} finished nodes in the opened trace, ${reported} reported before the kill`);
    assert.equal(trace.runs[0]!.status, 'cancelled');
    assert.equal(trace.runs[0]!.reason, STALE_RUN_REASON);
    assert.ok(!trace.nodes.some((n) => n.status === 'running'), 'a node is still running');
    assert.ok(recovery && recovery.folded > 0 && recovery.problems.length === 0, JSON.stringify(recovery));
    serializeTrace(trace);
  } finally {
    await server.close();
  }
});

test('rescore in place writes the folded trace and removes the journal; rescore to another file leaves it', async () => {
  const { runRescoreCommand } = await import('../../src/cli/commands/rescore');
  const { path, tree, journal, run } = await started();
  finish(tree, run, 'n0', 'The answer is 4.');
  await turn();
  await journal.close({ remove: false });
  assert.ok(existsSync(journalPathFor(path)));
  const sink = { out: () => undefined, err: () => undefined };
  const other = join(dir, `rescored-${fileNo}.metacot.json`);
  assert.equal(await runRescoreCommand([path, '--out', other], sink), 0);
  assert.ok(existsSync(journalPathFor(path)), 'a copy elsewhere must not take the journal away from its trace');
  assert.equal(await runRescoreCommand([path, '--out', path], sink), 0);
  assert.ok(!existsSync(journalPathFor(path)), 'the journal was folded into the rescored file and must go');
  assert.equal((await readTraceFile(path)).nodes[1]!.text, 'The answer is 4.');
});
