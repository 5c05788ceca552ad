/**
 * Benchmark P1: scheduling efficiency of each search strategy at 50 ms latency and a cap of 16 requests in flight.
 * For each strategy, one search runs against the reference server (a separate process, so its CPU is not counted
 * against either side) while every request body is recorded; then a bare pool of 16 workers on the plain `openai`
 * client replays exactly those bodies. Efficiency = bare pool wall time / strategy wall time (1.0 = the search
 * keeps the cap as busy as a pool with no dependencies between requests). Goals: ≥ 0.95 best-of-n and beam,
 * ≥ 0.85 MCTS. Pairs alternate which side goes first; medians of per-pair ratios are reported. "cap use" is the
 * search's requests' time on the wire / (cap × wall time): below 1 when dependencies leave slots empty.
 * A second measurement, side by side the same way, serves the recorded answers from memory after exactly 50 ms
 * each to both the search and the pool (no server process competing for this shared machine's CPU); the ideal
 * ceil(requests / cap) · 50 ms is shown for reference.
 * "met" shows server/replay.
 * Prints a table, writes test-results/bench/searchScheduling.json. Run: node --import tsx test/bench/searchScheduling.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import { runSearch } from '../../src/core/search/engine';
import type { Params, Problem, StrategyName, VerifierConfig } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';
import { median, startServeProcess } from './helpers/benchUtil';

const CAP = 16;
const LATENCY_MS = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const root = join(__dirname, '../..');
const problem: Problem = { text: 'Use the numbers 25, 7, 4, 9, 3, 2 to reach 187. Use + - * / and each number at most once.' };

interface Case {
  strategy: StrategyName;
  params: Params;
  verifier: VerifierConfig;
  goal?: number;
  /** What limits the ratio besides engine overhead. */
  bound: string;
}

const CASES: Case[] = [
  { strategy: 'best-of-n', params: { n: 64, perRequest: 1 }, verifier: { kind: 'countdown', params: {} }, goal: 0.95, bound: 'none: 64 independent requests' },
  {
    strategy: 'beam',
    params: { N: 16, width: 16, maxDepth: 3, stopOnSolve: false },
    verifier: { kind: 'rollout', params: { K: 4 } },
    goal: 0.95,
    bound: 'depth 1 has one beam (1 expand, then 16 rollout requests); later depths fill the cap',
  },
  {
    strategy: 'mcts',
    params: { b: 4, simulations: 200, parallel: 16, stopOnSolve: false },
    verifier: { kind: 'rollout', params: { K: 4 } },
    goal: 0.85,
    bound: 'ramp-up (one leaf, then b, then b² …: too few leaves for 16 simulations at first), the tail as leaves run out (finished Countdown leaves send no requests), and each simulation is expand → value, two dependent rounds',
  },
  { strategy: 'astar', params: { b: 4, maxExpansions: 16, parallel: 4, stopOnSolve: false }, verifier: { kind: 'rollout', params: { K: 4 } }, bound: 'best-first: at most `parallel` expansions in flight, each expand → value' },
  { strategy: 'revision', params: { attempts: 8, window: 2, stopOnSolve: false }, verifier: { kind: 'countdown', params: {} }, bound: 'sequential by definition: one request at a time' },
];

async function main(): Promise<void> {
  const server = await startServeProcess(['--latency', String(LATENCY_MS), '--policy', 'countdown']);
  const results: Record<string, unknown>[] = [];
  try {
    // nStrategy native: no one-off probe of `n` support serializing the first requests.
    const config = { name: 'bench', baseUrl: server.url, model: 'sim-countdown', maxConcurrency: CAP, nStrategy: 'native' as const, sampling: { logprobs: false } };

    /** Responses seen per request body, for the replay measurement (no server, exactly LATENCY_MS each). */
    const answers = new Map<string, string>();
    const replayFetch: typeof fetch = async (_input, init) => {
      const text = answers.get(String(init?.body));
      if (text === undefined) throw new Error('replay: a request the recorded run did not send');
      await new Promise((r) => setTimeout(r, LATENCY_MS));
      return new Response(text, { status: 200, headers: { 'content-type': 'application/json' } });
    };

    const search = async (c: Case, replay = false): Promise<{ ms: number; bodies: Record<string, unknown>[]; status: string; nodes: number; busyMs: number }> => {
      const bodies: Record<string, unknown>[] = [];
      let busyMs = 0;
      // Records each body and answer (for the pool and the replay) and the time each request was on the wire.
      const recordingFetch: typeof fetch = async (input, init) => {
        if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
        const t = performance.now();
        const res = replay ? await replayFetch(input, init) : await fetch(input, init);
        const body = await res.text();
        busyMs += performance.now() - t;
        if (!replay && res.ok && typeof init?.body === 'string') answers.set(init.body, body);
        return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      };
      const tree = TraceTree.create(problem);
      const t0 = performance.now();
      const run = await runSearch({ tree, config: { strategy: c.strategy, params: { ...c.params, concurrency: CAP, seed: 1 }, verifier: c.verifier }, generator: createEndpointGenerator(config, { fetch: recordingFetch }) });
      return { ms: performance.now() - t0, bodies, status: run.status, nodes: tree.size, busyMs };
    };
    const bare = async (bodies: Record<string, unknown>[], replay = false): Promise<number> => {
      const client = new OpenAI({ baseURL: server.url, apiKey: 'no-key', maxRetries: 0, ...(replay ? { fetch: replayFetch } : {}) });
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CAP }, async () => {
          while (next < bodies.length) await client.chat.completions.create(bodies[next++] as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
        }),
      );
      return performance.now() - t0;
    };

    await search(CASES[0]!); // warm-up: JIT, sockets
    console.log(`searchScheduling: ${LATENCY_MS} ms latency, cap ${CAP}, ${ROUNDS} pairs per strategy; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
    console.log('strategy    requests  search ms  pool ms  efficiency  cap use  replay ms  pool ms  ideal ms  replay eff  goal   met  bound');
    for (const c of CASES) {
      const ratios: number[] = [];
      const searchMs: number[] = [];
      const poolMs: number[] = [];
      const use: number[] = [];
      let requests = 0;
      let status = '';
      let lastBodies: Record<string, unknown>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let s;
        let p;
        if (round % 2 === 0) {
          s = await search(c);
          p = await bare(s.bodies);
        } else {
          // The pool needs this round's bodies: record them first with a search, then time the pool, then the search again.
          const rec = await search(c);
          p = await bare(rec.bodies);
          s = await search(c);
        }
        requests = s.bodies.length;
        lastBodies = s.bodies;
        status = s.status;
        searchMs.push(s.ms);
        use.push(s.busyMs / (CAP * s.ms));
        poolMs.push(p);
        ratios.push(p / s.ms);
      }
      // Replay: the same search with every answer served from memory after exactly LATENCY_MS — no server CPU on
      // this shared machine — against the ideal pool time ceil(requests / CAP) · LATENCY_MS.
      const replayMs: number[] = [];
      const replayPoolMs: number[] = [];
      const replayRatios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const [sm, pm] = round % 2 === 0 ? [(await search(c, true)).ms, await bare(lastBodies, true)] : [await bare(lastBodies, true), (await search(c, true)).ms].reverse();
        replayMs.push(sm!);
        replayPoolMs.push(pm!);
        replayRatios.push(pm! / sm!);
      }
      const idealMs = Math.ceil(requests / CAP) * LATENCY_MS;
      const replayEff = median(replayRatios);
      const eff = median(ratios);
      const met = c.goal === undefined ? '-' : `${eff >= c.goal ? 'yes' : 'no'}/${replayEff >= c.goal ? 'yes' : 'no'}`;
      console.log(`${c.strategy.padEnd(10)} ${String(requests).padStart(9)} ${median(searchMs).toFixed(0).padStart(10)} ${median(poolMs).toFixed(0).padStart(8)} ${eff.toFixed(3).padStart(11)} ${median(use).toFixed(2).padStart(8)} ${median(replayMs).toFixed(0).padStart(10)} ${median(replayPoolMs).toFixed(0).padStart(8)} ${String(idealMs).padStart(9)} ${replayEff.toFixed(3).padStart(11)}  ${(c.goal?.toFixed(2) ?? '-').padEnd(5)} ${met.padEnd(4)} ${c.bound}`);
      results.push({ strategy: c.strategy, params: c.params, verifier: c.verifier, requests, status, searchMs, poolMs, ratios, efficiency: eff, capUse: median(use), replayMs, replayPoolMs, replayRatios, idealMs, replayEfficiency: replayEff, goal: c.goal ?? null, met: c.goal === undefined ? null : eff >= c.goal, replayMet: c.goal === undefined ? null : replayEff >= c.goal, bound: c.bound });
    }
  } finally {
    await server.stop();
  }
  const dir = join(root, 'test-results/bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'searchScheduling.json'), JSON.stringify({ benchmark: 'P1 search scheduling efficiency', latencyMs: LATENCY_MS, cap: CAP, rounds: ROUNDS, loadAverage: loadavg(), cores: cpus().length, results }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
