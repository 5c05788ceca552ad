/**
 * Crash benchmark: `metacot run` (the built CLI, dist/cli.js) against a slow reference server, killed with SIGKILL at
 * random points (seeded), KILLS times; after each kill the trace is opened as every reader opens it (openTraceFile:
 * journal folded in, stale runs marked) and compared with the server's request log. "lost" = nodes the server
 * answered (choices of requests whose response was completely sent) minus the run's finished nodes in the opened
 * trace; "in flight" = nodes asked for by requests the server had not finished answering at the kill. Goal: 0 lost, median ≤ in flight.
 * A second part measures the journal's cost: the same search in process against a server with no latency, with
 * checkpoints only and with the journal at several fsync periods (median wall time of ROUNDS runs each).
 * Prints tables, writes test-results/bench/crashSafety.json.
 * Run: node --import tsx test/bench/crashSafety.ts   (env: KILLS=24, CLI=dist/cli.js, SEED=1, ROUNDS=5)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareRun } from '../../src/core/run';
import { startReferenceServer, type ReferenceServer } from '../../src/core/server/referenceServer';
import { openTraceFile, TraceParseError, writeTraceFile } from '../../src/core/trace/io';
import { journalPathFor } from '../../src/core/trace/journal';
import { mulberry32 } from '../../src/core/mulberry32';
import { median } from './helpers/benchUtil';

const root = join(__dirname, '../..');
const KILLS = Number(process.env.KILLS ?? 24);
const CLI = resolve(root, process.env.CLI ?? 'dist/cli.js');
const SEED = Number(process.env.SEED ?? 1);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const PROBLEM = 'Use the numbers 25, 7, 4, 9, 3, 2 to reach 187. Use + - * / and each number at most once.';
/** Kill times are drawn from [KILL_MIN_MS, KILL_MAX_MS) after the spawn: the first seconds included. */
const KILL_MIN_MS = 150;
const KILL_MAX_MS = 9000;
/** ~830 nodes in ~18 s, 8 per request, 4 requests in flight (best-of-n would be one engine request: nothing to journal before its end). */
const SEARCH = ['--strategy', 'beam', '--param', 'width=32', '--param', 'N=8', '--param', 'concurrency=4', '--param', 'seed=1'];

interface KillRow {
  kill: number;
  atMs: number;
  /** Generation requests the server had received by the kill. */
  requested: number;
  answered: number;
  inFlight: number;
  finished: number;
  lost: number;
  traceFile: boolean;
  valid: boolean;
  journal: boolean;
  folded: number;
  runStatus: string;
  problems: string[];
}

function answeredNodes(server: ReferenceServer): number {
  return server.log
    .generations()
    .filter((e) => e.status === 200 && e.tOut !== undefined && !e.clientClosed)
    .reduce((s, e) => s + e.n, 0);
}

async function killOnce(server: ReferenceServer, k: number, atMs: number, dir: string): Promise<KillRow> {
  server.log.clear();
  const out = join(dir, `k${k}`);
  const args = [CLI, 'run', '--problem', PROBLEM, ...SEARCH, '--endpoint', server.url, '--model', 'sim-countdown', '--out', out, '--quiet'];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENAI_API_KEY: '' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const early = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), atMs))]);
  if (early) throw new Error(`the run ended before the kill at ${atMs} ms (make the search longer): ${stderr}`);
  // The server's view at the moment of the kill (same tick): what it had answered, what it was still answering.
  const answered = answeredNodes(server);
  const gens = server.log.generations();
  const requested = gens.length;
  const inFlight = gens.filter((e) => e.tOut === undefined).reduce((s, e) => s + e.n, 0);
  child.kill('SIGKILL');
  await exited;
  const file = join(out, 'problem.metacot.json');
  const row: KillRow = { kill: k, atMs, requested, answered, inFlight, finished: 0, lost: answered, traceFile: existsSync(file), valid: false, journal: existsSync(journalPathFor(file)), folded: 0, runStatus: '-', problems: [] };
  if (!row.traceFile) return row;
  try {
    const { trace, recovery } = await openTraceFile(file);
    row.valid = true;
    row.folded = recovery?.folded ?? 0;
    row.problems = recovery?.problems ?? [];
    row.runStatus = trace.runs[0]?.status ?? 'no run';
    row.finished = trace.nodes.filter((n) => n.author === 'model' && n.status !== 'running' && n.status !== 'cancelled' && n.status !== 'failed').length;
    row.lost = Math.max(0, answered - row.finished);
  } catch (err) {
    row.problems = [err instanceof TraceParseError ? err.message.split('\n').slice(0, 2).join(' ') : String(err)];
  }
  return row;
}

async function crashPart(): Promise<{ rows: KillRow[]; summary: Record<string, number | boolean> }> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const server = await startReferenceServer({ seed: SEED, latencyMs: 500, perTokenMs: 8 });
  const dir = mkdtempSync(join(tmpdir(), 'metacot-crash-'));
  const rand = mulberry32(SEED);
  const rows: KillRow[] = [];
  try {
    for (let k = 1; k <= KILLS; k++) {
      const atMs = Math.round(KILL_MIN_MS + rand() * (KILL_MAX_MS - KILL_MIN_MS));
      const row = await killOnce(server, k, atMs, dir);
      rows.push(row);
      console.log(
        `${String(k).padStart(3)} ${String(atMs).padStart(6)} ms  answered ${String(row.answered).padStart(4)}  in flight ${String(row.inFlight).padStart(2)}  ` +
          `finished ${String(row.finished).padStart(4)}  lost ${String(row.lost).padStart(4)}  run ${row.runStatus.padEnd(9)} journal ${row.journal ? `yes (${row.folded} lines folded)` : 'no'}` +
          `${row.traceFile ? '' : row.requested ? '  NO TRACE FILE' : '  (no request sent yet, no trace file)'}${row.problems.length ? `  problems: ${row.problems.join('; ')}` : ''}`,
      );
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const lost = rows.map((r) => r.lost);
  const summary = {
    kills: rows.length,
    lostMedian: median(lost),
    lostMax: Math.max(...lost),
    lostTotal: lost.reduce((a, b) => a + b, 0),
    inFlightMedian: median(rows.map((r) => r.inFlight)),
    /** Kills after the first request that left no trace file (before it, there is nothing to lose). */
    noTraceFile: rows.filter((r) => !r.traceFile && r.requested > 0).length,
    killedBeforeFirstRequest: rows.filter((r) => r.requested === 0).length,
    invalid: rows.filter((r) => r.traceFile && !r.valid).length,
    leftRunning: rows.filter((r) => r.runStatus === 'running').length,
    goalMet: lost.every((l) => l === 0),
  };
  return { rows, summary };
}

/** The journal's cost: one search in process, no server latency, with and without the journal. */
async function overheadPart(): Promise<{ label: string; syncMs: number | null; medianMs: number; nodes: number; overheadPct: number }[]> {
  const server = await startReferenceServer({ seed: SEED });
  const dir = mkdtempSync(join(tmpdir(), 'metacot-journal-cost-'));
  const variants: { label: string; syncMs: number | null }[] = [
    { label: 'checkpoints only', syncMs: null },
    { label: 'journal, fsync every batch', syncMs: 0 },
    { label: 'journal, fsync ≥ 50 ms', syncMs: 50 },
    { label: 'journal, fsync ≥ 200 ms (default)', syncMs: 200 },
    { label: 'journal, fsync ≥ 1000 ms', syncMs: 1000 },
  ];
  const times = new Map<string, number[]>(variants.map((v) => [v.label, []]));
  let nodes = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const v of round % 2 ? [...variants].reverse() : variants) {
        const prepared = await prepareRun({
          problem: { text: PROBLEM },
          strategy: 'beam',
          params: { width: 32, N: 8, concurrency: 16, seed: 1 },
          endpoint: { kind: 'openai', config: { name: 'ref', baseUrl: server.url, model: 'sim-countdown', maxRetries: 0 } },
        });
        const file = join(dir, `r${round}-${v.syncMs ?? 'none'}.metacot.json`);
        const t0 = performance.now();
        const report = await prepared.execute(
          v.syncMs === null ? { checkpoint: { write: (t) => writeTraceFile(file, t), intervalMs: 2000 } } : { traceFile: file, journalSyncMs: v.syncMs },
        );
        times.get(v.label)!.push(performance.now() - t0);
        nodes = report.nodes;
      }
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const base = median(times.get(variants[0]!.label)!);
  return variants.map((v) => {
    const m = median(times.get(v.label)!);
    return { label: v.label, syncMs: v.syncMs, medianMs: Math.round(m), nodes, overheadPct: Math.round(((m - base) / base) * 1000) / 10 };
  });
}

async function main(): Promise<void> {
  console.log(`crash safety: ${KILLS} × kill -9 of ${CLI} run (beam 32×8, 4 requests in flight, 500 ms + 8 ms/token server), kill times ${KILL_MIN_MS}–${KILL_MAX_MS} ms, seed ${SEED}`);
  const crash = await crashPart();
  console.log(
    `\nlost finished nodes: median ${crash.summary.lostMedian}, max ${crash.summary.lostMax}, total ${crash.summary.lostTotal}; in flight at the kill: median ${crash.summary.inFlightMedian}; ` +
      `no trace file after the first request ${crash.summary.noTraceFile} (killed before it: ${crash.summary.killedBeforeFirstRequest}), invalid ${crash.summary.invalid}, run left running ${crash.summary.leftRunning}; goal (0 lost) ${crash.summary.goalMet ? 'met' : 'missed'}`,
  );
  console.log(`\njournal cost (median of ${ROUNDS} in-process beam runs, server without latency):`);
  const overhead = await overheadPart();
  for (const o of overhead) console.log(`  ${o.label.padEnd(36)} ${String(o.medianMs).padStart(6)} ms  ${o.overheadPct >= 0 ? '+' : ''}${o.overheadPct}%  (${o.nodes} nodes)`);
  const outDir = join(root, 'test-results/bench');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'crashSafety.json'), `${JSON.stringify({ cli: CLI, seed: SEED, ...crash, overhead }, null, 2)}\n`);
  console.log(`\nwrote ${join(outDir, 'crashSafety.json')}`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
