/**
 * Benchmark: 256 independent step requests through our endpoint client (createEndpointGenerator, cap 16) vs a bare
 * pool of 16 workers on the plain `openai` client sending the very same request bodies, to the same reference
 * server (50 ms latency, separate process so its CPU is not counted against either side). Goal: ours ≤ 1.05× bare.
 * Rounds alternate which side goes first; medians are compared.
 * Prints a table, writes test-results/bench/endpointPool.json. Run: node --import tsx test/bench/endpointPool.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { median, startServeProcess } from './helpers/benchUtil';

const REQUESTS = 256;
const CAP = 16;
const LATENCY_MS = 50;
const ROUNDS = Number(process.env.ROUNDS ?? 11);
const root = join(__dirname, '../..');

const requests: GenerateRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({ problem: `What is ${i} + 4 * 5?`, steps: [], purpose: 'step', n: 1, seed: i }));

async function main(): Promise<void> {
  const server = await startServeProcess(['--latency', String(LATENCY_MS), '--policy', 'arithmetic', '--error-rate', '0']);
  try {
    const config = { name: 'bench', baseUrl: server.url, model: 'sim-arithmetic', maxConcurrency: CAP, sampling: { logprobs: false } };
    // Our client also records the exact bodies it sends, which the bare pool then replays.
    const bodies: Record<string, unknown>[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body));
      return fetch(input, init);
    };
    await Promise.all(requests.map((r) => createEndpointGenerator(config, { fetch: recordingFetch }).generate(r)));
    if (bodies.length !== REQUESTS) throw new Error(`recorded ${bodies.length} bodies`);

    const ours = async (): Promise<number> => {
      const g = createEndpointGenerator(config);
      const t0 = performance.now();
      const out = await Promise.all(requests.map((r) => g.generate(r)));
      const ms = performance.now() - t0;
      if (out.length !== REQUESTS || out.some((o) => o.length !== 1 || !o[0]!.text)) throw new Error('ours: missing generations');
      return ms;
    };
    const bare = async (): Promise<number> => {
      const client = new OpenAI({ baseURL: server.url, apiKey: 'no-key', maxRetries: 0 });
      let next = 0;
      let done = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CAP }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++]!;
            const r = await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
            if (r.choices[0]?.message.content) done++;
          }
        }),
      );
      const ms = performance.now() - t0;
      if (done !== REQUESTS) throw new Error('bare: missing completions');
      return ms;
    };

    await bare();
    await ours();
    const oursMs: number[] = [];
    const bareMs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        oursMs.push(await ours());
        bareMs.push(await bare());
      } else {
        bareMs.push(await bare());
        oursMs.push(await ours());
      }
    }
    const ideal = (REQUESTS / CAP) * LATENCY_MS;
    const mo = median(oursMs);
    const mb = median(bareMs);
    const ratio = mo / mb;
    // Paired view: each round ran both sides back to back, so its ratio is less exposed to load drifting on a shared machine.
    const pairedRatio = median(oursMs.map((o, i) => o / bareMs[i]!));
    const rows = [
      { side: 'bare openai pool (16 workers)', medianMs: mb, minMs: Math.min(...bareMs), maxMs: Math.max(...bareMs), ofIdeal: ideal / mb },
      { side: 'createEndpointGenerator (cap 16)', medianMs: mo, minMs: Math.min(...oursMs), maxMs: Math.max(...oursMs), ofIdeal: ideal / mo },
    ];
    console.log(`endpointPool: ${REQUESTS} requests, ${LATENCY_MS} ms latency, cap ${CAP}, ${ROUNDS} rounds (ideal ${ideal} ms)`);
    console.log('side                               median ms   min ms   max ms   ideal/actual');
    for (const r of rows) {
      console.log(`${r.side.padEnd(34)} ${r.medianMs.toFixed(1).padStart(9)} ${r.minMs.toFixed(1).padStart(8)} ${r.maxMs.toFixed(1).padStart(8)} ${r.ofIdeal.toFixed(3).padStart(14)}`);
    }
    console.log(`ratio ours / bare = ${ratio.toFixed(3)} (goal ≤ 1.05) ${ratio <= 1.05 ? 'MET' : 'NOT MET'}; median of per-round ratios ${pairedRatio.toFixed(3)}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
    const dir = join(root, 'test-results/bench');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'endpointPool.json'),
      JSON.stringify({ benchmark: 'endpointPool', requests: REQUESTS, cap: CAP, latencyMs: LATENCY_MS, rounds: ROUNDS, idealMs: ideal, oursMs, bareMs, medianOursMs: mo, medianBareMs: mb, ratio, pairedRatio, goal: 1.05, met: ratio <= 1.05, loadAverage: loadavg(), cores: cpus().length }, null, 2) + '\n',
    );
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
