/**
 * Benchmark: the embedded Countdown model on one CPU core (onnxruntime intraOpNumThreads = 1).
 * Goals: generation ≥ 200 tokens/s, first token ≤ 50 ms after load, model load ≤ 1 s.
 * Baselines measured in the same run: reading + hashing the .onnx bytes (load), and a bare session.run loop
 * over the same graph with no sampling or policy code (tokens/s).
 * Prints a table, writes test-results/bench/embeddedSpeed.json.
 * Run: node --import tsx test/bench/embeddedSpeed.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { EmbeddedModel, type DecodeStats } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../../src/core/embedded/policy';
import { defaultModelDir, MODEL_FILE, sha256Hex } from '../../src/core/embedded/modelFiles';
import { promptLine, renderProblem, type CountdownProblem } from '../../src/core/embedded/countdown';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

async function main(): Promise<void> {
  const dir = defaultModelDir();
  const problems = (JSON.parse(readFileSync(join(dir, 'heldout.json'), 'utf8')) as { test: CountdownProblem[] }).test.slice(0, 20);

  // --- load: cold (first in this process) and warm repeats, vs reading + hashing the bytes alone
  const loads: number[] = [];
  const firstTokens: number[] = [];
  const readHash: number[] = [];
  let coldLoad = 0;
  let coldFirstToken = 0;
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    sha256Hex(readFileSync(join(dir, MODEL_FILE)));
    readHash.push(performance.now() - t0);
    const m = await EmbeddedModel.load({ dir, intraOpNumThreads: 1 });
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

  const model = await EmbeddedModel.load({ dir, intraOpNumThreads: 1 });
  const policy = new EmbeddedCountdownPolicy(model);
  const prefixOf = (p: CountdownProblem) => [model.tokenizer.bos, ...model.tokenizer.encode(promptLine(p) + '\n')];
  // warm-up
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

  // --- generation tokens/s: one sample, whole solutions, greedy and sampled
  const rate = async (n: number, temperature: number): Promise<{ tokens: number; ms: number; tokPerS: number }> => {
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
  const batched16 = await rate(16, 1);

  // --- baseline: bare session.run loop, batch 1, same graph and lengths, no sampling / policy code
  const session = await ort.InferenceSession.create(join(dir, MODEL_FILE), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
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
  const bare = { tokens: bareTokens, ms: bareMs, tokPerS: (bareTokens / bareMs) * 1000 };
  await session.release();
  await model.release();

  const result = {
    model: { dir, sha256: model.sha256, bytes: readFileSync(join(dir, MODEL_FILE)).length, vocab: v.tokens.length, layers: v.layers, heads: v.heads, headDim: v.headDim, ctx: v.ctx },
    threads: 1,
    load: { coldMs: coldLoad, warmMedianMs: median(loads), readAndHashMedianMs: median(readHash), goalMs: 1000 },
    firstToken: { coldMs: coldFirstToken, afterLoadMedianMs: median(firstTokens), policyMedianMs: median(policyFirst), policyP90Ms: pct(policyFirst, 0.9), goalMs: 50 },
    generation: { greedyBatch1: greedy1, sampledBatch1: sampled1, sampledBatch16: batched16, bareSessionRunBatch1: bare, goalTokPerS: 200 },
    problems: problems.length,
    node: process.version,
    date: new Date().toISOString(),
  };

  const f = (x: number) => x.toFixed(1);
  const rows: [string, string, string, string][] = [
    ['model load (cold, first in process)', `${f(coldLoad)} ms`, '≤ 1000 ms', coldLoad <= 1000 ? 'ok' : 'MISSED'],
    ['model load (median of 5)', `${f(median(loads))} ms`, '≤ 1000 ms', median(loads) <= 1000 ? 'ok' : 'MISSED'],
    ['  baseline: read + SHA-256 of the bytes', `${f(median(readHash))} ms`, '', ''],
    ['first token after load (cold)', `${f(coldFirstToken)} ms`, '≤ 50 ms', coldFirstToken <= 50 ? 'ok' : 'MISSED'],
    ['first token after load (median of 5)', `${f(median(firstTokens))} ms`, '≤ 50 ms', median(firstTokens) <= 50 ? 'ok' : 'MISSED'],
    ['first token via policy (median / p90)', `${f(median(policyFirst))} / ${f(pct(policyFirst, 0.9))} ms`, '≤ 50 ms', pct(policyFirst, 0.9) <= 50 ? 'ok' : 'MISSED'],
    ['generation, greedy, 1 sample', `${f(greedy1.tokPerS)} tok/s`, '≥ 200 tok/s', greedy1.tokPerS >= 200 ? 'ok' : 'MISSED'],
    ['generation, T=1, 1 sample', `${f(sampled1.tokPerS)} tok/s`, '≥ 200 tok/s', sampled1.tokPerS >= 200 ? 'ok' : 'MISSED'],
    ['generation, T=1, n=16 batched', `${f(batched16.tokPerS)} tok/s`, '', ''],
    ['  baseline: bare session.run, batch 1', `${f(bare.tokPerS)} tok/s`, '', `ours ${(greedy1.tokPerS / bare.tokPerS).toFixed(2)}× of bare`],
  ];
  const w = [40, 24, 12, 22];
  console.log(`embedded model speed, one core (intraOpNumThreads=1), ${problems.length} held-out problems, ${(result.model.bytes / 1e6).toFixed(2)} MB model`);
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join(' | '));
  const out = join(__dirname, '../../test-results/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'embeddedSpeed.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${join(out, 'embeddedSpeed.json')}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
