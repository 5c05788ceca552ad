/**
 * Benchmark: the embedded Countdown model on one CPU thread, on the shipped WebAssembly runtime (onnxruntime-web,
 * src/core/embedded/runtime.ts: what the CLI and the installed extension run) next to native onnxruntime-node (a
 * devDependency kept only for this comparison; skipped when it is not installed).
 * Goals (wasm): generation ≥ 200 tokens/s, first token ≤ 50 ms after load, model load ≤ 1 s, and a search on the
 * sample problem (`metacot run --strategy astar`, through the same prepareRun as the CLI) under 2 s.
 * Prints a table, writes test-results/bench/embeddedSpeed.json.
 * On a shared machine the runtimes are measured in alternating rounds and each figure is the best of its rounds
 * (least disturbed by other load); every round is kept in the JSON.
 * Run: node --import tsx test/bench/embeddedSpeed.ts [--problems 10] [--rounds 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmbeddedModel, type DecodeStats } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../../src/core/embedded/policy';
import { defaultModelDir, MODEL_FILE, sha256Hex } from '../../src/core/embedded/modelFiles';
import { loadRuntime, type OrtModule, type OrtRuntime } from '../../src/core/embedded/runtime';
import { promptLine, renderProblem, type CountdownProblem } from '../../src/core/embedded/countdown';
import { prepareRun } from '../../src/core/run';

const SAMPLE = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';
const args = process.argv.slice(2);
const numArg = (name: string, def: number): number => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 ? Number(args[k + 1]) || def : def;
};
const problemCount = numArg('problems', 10);
const rounds = numArg('rounds', 3);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** Native onnxruntime-node shaped like the loader's runtime, for comparison only (src/ never loads it). */
function nativeRuntime(): OrtRuntime | undefined {
  try {
    const ort = require('onnxruntime-node') as OrtModule;
    return {
      name: 'native',
      ort,
      sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' },
      location: dirname(require.resolve('onnxruntime-node')),
    };
  } catch {
    return undefined;
  }
}

interface Rate {
  tokens: number;
  ms: number;
  tokPerS: number;
}

async function measure(runtime: OrtRuntime, dir: string, problems: CountdownProblem[]) {
  // --- load: the first of this call (native in round 1: the module's start-up too; wasm started in prepareRun) and 5 repeats
  const loads: number[] = [];
  const firstTokens: number[] = [];
  let coldLoad = 0;
  let coldFirstToken = 0;
  for (let i = 0; i < 6; i++) {
    const m = await EmbeddedModel.load({ dir, runtime });
    const p = problems[i % problems.length]!;
    const stats: DecodeStats = { forwardCalls: 0, firstTokenMs: 0 };
    await m.decode({ prefix: [m.tokenizer.bos, ...m.tokenizer.encode(promptLine(p) + '\n')], n: 1, maxTokens: 1, temperature: 0, topP: 1, seed: 0 }, stats);
    if (i === 0) {
      coldLoad = m.loadMs;
      coldFirstToken = stats.firstTokenMs;
    } else {
      loads.push(m.loadMs);
      firstTokens.push(stats.firstTokenMs);
    }
    await m.release();
  }

  const model = await EmbeddedModel.load({ dir, runtime });
  const policy = new EmbeddedCountdownPolicy(model);
  const prefixOf = (p: CountdownProblem) => [model.tokenizer.bos, ...model.tokenizer.encode(promptLine(p) + '\n')];
  await model.decode({ prefix: prefixOf(problems[0]!), n: 1, maxTokens: 20, temperature: 0, topP: 1, seed: 0 });

  // --- first token through the whole policy (parse the chat request, prefill, sample one token)
  const policyFirst: number[] = [];
  for (const p of problems) {
    const t0 = performance.now();
    await policy.generate(
      { messages: [{ role: 'user', content: renderProblem(p) }], continueFinalMessage: false, n: 1, maxTokens: 1, temperature: 0, topP: 1, seed: 0, stop: [], logprobs: true },
      new AbortController().signal,
    );
    policyFirst.push(performance.now() - t0);
  }

  // --- generation tokens/s: whole solutions, one sample greedy and sampled, and batches of 4 and 16 samples
  const rate = async (n: number, temperature: number): Promise<Rate> => {
    let tokens = 0;
    const t0 = performance.now();
    for (const [k, p] of problems.entries()) {
      const out = await model.decode({ prefix: prefixOf(p), n, maxTokens: 200, temperature, topP: 1, seed: k });
      tokens += out.reduce((s, o) => s + o.tokens.length, 0);
    }
    const ms = performance.now() - t0;
    return { tokens, ms, tokPerS: (tokens / ms) * 1000 };
  };
  const greedy1 = await rate(1, 0);
  const sampled1 = await rate(1, 1);
  const batched4 = await rate(4, 1);
  const batched16 = await rate(16, 1);

  // --- baseline: bare session.run loop, batch 1, same graph and lengths, no sampling / policy code
  const { ort } = runtime;
  const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(join(dir, MODEL_FILE))), runtime.sessionOptions);
  const v = model.vocab;
  const perProblem = Math.round(greedy1.tokens / problems.length);
  let bareTokens = 0;
  const tb = performance.now();
  for (const p of problems) {
    const pre = prefixOf(p);
    let out = await session.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(pre.map(BigInt)), [1, pre.length]),
      past: new ort.Tensor('float32', new Float32Array(0), [1, 2 * v.layers, v.heads, 0, v.headDim]),
    });
    for (let t = 0; t < perProblem; t++) {
      out = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from([5n]), [1, 1]), past: out['present']! });
      bareTokens++;
    }
  }
  const bareMs = performance.now() - tb;
  await session.release();
  await model.release();
  return {
    runtime: runtime.name,
    location: runtime.location,
    load: { coldMs: coldLoad, warmMedianMs: median(loads) },
    firstToken: { coldMs: coldFirstToken, afterLoadMedianMs: median(firstTokens), policyMedianMs: median(policyFirst), policyP90Ms: pct(policyFirst, 0.9) },
    generation: {
      greedyBatch1: greedy1,
      sampledBatch1: sampled1,
      sampledBatch4: batched4,
      sampledBatch16: batched16,
      bareSessionRunBatch1: { tokens: bareTokens, ms: bareMs, tokPerS: (bareTokens / bareMs) * 1000 },
    },
  };
}

interface SampleRun {
  /** prepareRun: validation and the generator (the first one loads the runtime and the model) */
  prepareMs: number;
  /** execute: the search itself */
  searchMs: number;
  solved: boolean;
  nodes: number;
  tokens: number;
}

/** The sample problem as `metacot run --problem … --strategy astar` runs it: prepareRun on the embedded model. */
async function sampleSearch(): Promise<{ first: SampleRun; warm: SampleRun[] }> {
  const once = async (): Promise<SampleRun> => {
    const t0 = performance.now();
    const run = await prepareRun({ problem: { text: SAMPLE }, strategy: 'astar', endpoint: { kind: 'embedded' } });
    const t1 = performance.now();
    const r = await run.execute();
    const searchMs = performance.now() - t1;
    return { prepareMs: t1 - t0, searchMs, solved: r.result?.verified === true, nodes: r.nodes, tokens: r.usage.tokensIn + r.usage.tokensOut };
  };
  // first: this process's first run (loads the runtime and the model, as a fresh CLI run or extension host does)
  const first = await once();
  const warm: SampleRun[] = [];
  for (let i = 0; i < 5; i++) warm.push(await once());
  return { first, warm };
}

/** The same run as a user types it, with the built bundle (dist/cli.js): the whole process, start-up included. */
function sampleCliProcess(): { wallMs: number; solved: boolean } | null {
  const cli = join(__dirname, '../../dist/cli.js');
  if (!existsSync(cli)) return null;
  const out = mkdtempSync(join(tmpdir(), 'metacot-bench-'));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'run', '--problem', SAMPLE, '--strategy', 'astar', '--quiet', '--out', out], { encoding: 'utf8' });
    return { wallMs: performance.now() - t0, solved: r.status === 0 && /solved 1\/1/.test(r.stdout) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

type Measured = Awaited<ReturnType<typeof measure>>;

/** The best of each figure over the rounds: the least time, the most tokens/s. */
function best(all: Measured[]): Measured {
  const min = (get: (m: Measured) => number) => Math.min(...all.map(get));
  const fastest = (get: (m: Measured) => Rate) => all.map(get).reduce((a, b) => (b.tokPerS > a.tokPerS ? b : a));
  const first = all[0]!;
  return {
    runtime: first.runtime,
    location: first.location,
    // a cold load happens once per process: only the first round's is cold
    load: { coldMs: first.load.coldMs, warmMedianMs: min((m) => m.load.warmMedianMs) },
    firstToken: {
      coldMs: first.firstToken.coldMs,
      afterLoadMedianMs: min((m) => m.firstToken.afterLoadMedianMs),
      policyMedianMs: min((m) => m.firstToken.policyMedianMs),
      policyP90Ms: min((m) => m.firstToken.policyP90Ms),
    },
    generation: {
      greedyBatch1: fastest((m) => m.generation.greedyBatch1),
      sampledBatch1: fastest((m) => m.generation.sampledBatch1),
      sampledBatch4: fastest((m) => m.generation.sampledBatch4),
      sampledBatch16: fastest((m) => m.generation.sampledBatch16),
      bareSessionRunBatch1: fastest((m) => m.generation.bareSessionRunBatch1),
    },
  };
}

async function main(): Promise<void> {
  const dir = defaultModelDir();
  const problems = (JSON.parse(readFileSync(join(dir, 'heldout.json'), 'utf8')) as { test: CountdownProblem[] }).test.slice(0, problemCount);
  const loadStart = loadavg();
  const readHash: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    sha256Hex(readFileSync(join(dir, MODEL_FILE)));
    readHash.push(performance.now() - t0);
  }
  // the sample search first, so its first run is this process's first model load
  const sample = await sampleSearch();
  const cliRun = sampleCliProcess();
  const wasmRt = await loadRuntime();
  const nativeRt = nativeRuntime();
  const wasmRounds: Measured[] = [];
  const nativeRounds: Measured[] = [];
  for (let r = 0; r < rounds; r++) {
    wasmRounds.push(await measure(wasmRt, dir, problems));
    if (nativeRt) nativeRounds.push(await measure(nativeRt, dir, problems));
  }
  const wasm = best(wasmRounds);
  const native = nativeRt ? best(nativeRounds) : undefined;
  const bytes = readFileSync(join(dir, MODEL_FILE)).length;

  const result = {
    model: { dir, bytes },
    threads: 1,
    problems: problems.length,
    readAndHashMedianMs: median(readHash),
    goals: { loadMs: 1000, firstTokenMs: 50, tokPerS: 200, sampleSearchMs: 2000 },
    sampleSearch: {
      problem: SAMPLE,
      strategy: 'astar',
      runtime: 'wasm',
      first: sample.first,
      warmMedianSearchMs: median(sample.warm.map((r) => r.searchMs)),
      warm: sample.warm,
      cliProcess: cliRun,
    },
    rounds,
    wasm,
    native: native ?? null,
    allRounds: { wasm: wasmRounds, native: nativeRounds },
    node: process.version,
    // the figures depend on what else the machine runs: say how busy it was
    machine: { cpus: cpus().length, loadAverageStart: loadStart, loadAverageEnd: loadavg() },
    date: new Date().toISOString(),
  };

  const f = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(1));
  const ok = (pass: boolean) => (pass ? 'ok' : 'MISSED');
  type M = typeof wasm;
  const line = (label: string, get: (m: M) => number, unit: string, goal = '', pass?: (x: number) => boolean): string[] => [
    label,
    `${f(get(wasm))} ${unit}`,
    native ? `${f(get(native))} ${unit}` : 'not installed',
    goal,
    pass ? ok(pass(get(wasm))) : '',
  ];
  const g = result.goals;
  const rows: string[][] = [
    ['measure', 'wasm (shipped)', 'native', 'goal (wasm)', ''],
    line('model load, first of round 1', (m) => m.load.coldMs, 'ms', `≤ ${g.loadMs} ms`, (x) => x <= g.loadMs),
    line('model load, median of 5', (m) => m.load.warmMedianMs, 'ms', `≤ ${g.loadMs} ms`, (x) => x <= g.loadMs),
    line('first token, first load of round 1', (m) => m.firstToken.coldMs, 'ms', `≤ ${g.firstTokenMs} ms`, (x) => x <= g.firstTokenMs),
    line('first token after load, median of 5', (m) => m.firstToken.afterLoadMedianMs, 'ms', `≤ ${g.firstTokenMs} ms`, (x) => x <= g.firstTokenMs),
    line('first token via policy, p90', (m) => m.firstToken.policyP90Ms, 'ms', `≤ ${g.firstTokenMs} ms`, (x) => x <= g.firstTokenMs),
    line('generation, greedy, 1 sample', (m) => m.generation.greedyBatch1.tokPerS, 'tok/s', `≥ ${g.tokPerS} tok/s`, (x) => x >= g.tokPerS),
    line('generation, T=1, 1 sample', (m) => m.generation.sampledBatch1.tokPerS, 'tok/s', `≥ ${g.tokPerS} tok/s`, (x) => x >= g.tokPerS),
    line('generation, T=1, n=4 batched', (m) => m.generation.sampledBatch4.tokPerS, 'tok/s'),
    line('generation, T=1, n=16 batched', (m) => m.generation.sampledBatch16.tokPerS, 'tok/s'),
    line('  baseline: bare session.run, batch 1', (m) => m.generation.bareSessionRunBatch1.tokPerS, 'tok/s'),
  ];
  const w = [40, 18, 18, 14, 6];
  console.log(
    `embedded model speed, one thread, ${problems.length} held-out problems, best of ${rounds} alternating rounds, ${(bytes / 1e6).toFixed(2)} MB model, Node ${process.version}, ` +
      `${cpus().length} CPUs, load average ${loadStart[0]!.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`,
  );
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join(' | '));
  console.log(`read + SHA-256 of the model bytes: ${f(result.readAndHashMedianMs)} ms (median of 5)`);
  const sf = sample.first;
  const warmSearch = result.sampleSearch.warmMedianSearchMs;
  console.log(
    `sample problem, astar via prepareRun (wasm): first run ${f(sf.prepareMs)} ms prepare (runtime + model load) + ${f(sf.searchMs)} ms search, ` +
      `then median search ${f(warmSearch)} ms; ${sf.solved ? 'solved' : 'NOT solved'}, ${sf.nodes} nodes, ${sf.tokens} tokens; ` +
      `search goal < ${g.sampleSearchMs} ms: ${ok(sf.searchMs < g.sampleSearchMs && sf.solved)}`,
  );
  console.log(
    cliRun
      ? `sample problem, node dist/cli.js run --strategy astar (whole process): ${f(cliRun.wallMs)} ms, ${cliRun.solved ? 'solved' : 'NOT solved'}`
      : 'sample problem via dist/cli.js: not measured (no dist/cli.js; npm run build first)',
  );
  const out = join(__dirname, '../../test-results/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'embeddedSpeed.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${join(out, 'embeddedSpeed.json')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
