/**
 * Benchmark P3: a 100k-node MCTS with an in-process instant policy (no network, no latency): what the engine
 * itself costs per node — selection, expansion, valuing (rollouts, K = 2 in one request), backup, event log,
 * concurrency cap. Goal: < 2 s for 100k nodes. Prints a table, writes test-results/bench/searchScale.json.
 * Run: node --import tsx test/bench/searchScale.ts [nodes]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { TraceTree } from '../../src/core/trace/tree';

const target = Number(process.argv[2] ?? 100_000);
const b = 4;

/** Instant policy: short steps; rollouts answer 42 with a probability that depends on the path (a hash). */
function policy(req: GenerateRequest, i: number): string {
  if (req.purpose === 'step') return `s${req.steps.length}.${i}`;
  let h = 2166136261;
  for (const s of req.steps) for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619);
  h = Math.imul(h ^ i, 16777619);
  return (h >>> 0) % 3 === 0 ? 'The answer is 42' : 'The answer is 41';
}

async function once(): Promise<{ ms: number; cpuMs: number; nodes: number; events: number; requests: number; depth: number }> {
  const tree = TraceTree.create({ text: 'What is 6 * 7?', answer: '42' }, { id: 'bench', createdAt: '2026-01-01T00:00:00.000Z' });
  const gen = new InProcessGenerator(policy, { log: false });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const run = await runSearch({
    tree,
    config: {
      strategy: 'mcts',
      params: { b, simulations: Math.ceil(target / b), c: 1.4, maxDepth: 64, concurrency: 16, stopOnSolve: false },
      verifier: { kind: 'rollout', params: { K: 2 } },
    },
    generator: gen,
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  let depth = 0;
  for (const e of tree.toJSON().events) if (e.type === 'backup') depth = Math.max(depth, e.data!.depth as number);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, nodes: tree.size - 1, events: tree.toJSON().events.length, requests: run.usage.requests, depth };
}

async function main(): Promise<void> {
  await once(); // warm-up (JIT)
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await once());
  runs.sort((a, b2) => a.ms - b2.ms);
  const med = runs[1]!;
  const rows = [
    ['nodes', String(med.nodes)],
    ['requests', String(med.requests)],
    ['events', String(med.events)],
    ['deepest path', String(med.depth)],
    ['wall ms (median of 3)', med.ms.toFixed(0)],
    ['CPU ms (same run)', med.cpuMs.toFixed(0)],
    ['µs per node (wall)', ((med.ms * 1000) / med.nodes).toFixed(2)],
    ['load average (1 min)', os.loadavg()[0]!.toFixed(1) + ` on ${os.cpus().length} cores`],
    ['goal', '< 2000 ms'],
    ['met', med.ms < 2000 ? 'yes' : 'no'],
  ];
  for (const [k, v] of rows) console.log(`${k.padEnd(24)} ${v}`);
  const dir = join(__dirname, '..', '..', 'test-results', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'searchScale.json'), JSON.stringify({ benchmark: 'P3 100k-node MCTS, in-process instant policy', target, b, runs, medianMs: med.ms, medianCpuMs: med.cpuMs, loadAverage: os.loadavg()[0], cores: os.cpus().length, goalMs: 2000, met: med.ms < 2000 }, null, 2) + '\n');
}

void main();
