/**
 * Benchmark P2: prefix reuse. A prefix cache (vLLM / SGLang) saves the prompt characters a request shares with an
 * earlier one. From the reference server's request log: the actual reuse (`prefixReuse`: per request, the longest
 * prefix shared with any earlier prompt) against the structural limit — per request, where in its prompt the
 * deepest content it shares with an earlier request ends (problem, earlier attempts, steps, in prompt order; the
 * whole prompt when an earlier request asked for exactly the same thing). Goal: actual ≥ 0.95 of the limit.
 * Prints a table, writes test-results/bench/searchPrefixReuse.json. Run: node --import tsx test/bench/searchPrefixReuse.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEndpointGenerator } from '../../src/core/llm/endpointGenerator';
import type { GenerateRequest, Generation, Generator } from '../../src/core/llm/generator';
import { runSearch } from '../../src/core/search/engine';
import { prefixReuse } from '../../src/core/server/requestLog';
import { startReferenceServer } from '../../src/core/server/referenceServer';
import type { ContinuationMode, Params, StrategyName, VerifierConfig } from '../../src/core/trace/schema';
import { TraceTree } from '../../src/core/trace/tree';

const problem = { text: 'Use the numbers 25, 7, 4, 9, 3, 2 to reach 187. Use + - * / and each number at most once.' };

const CASES: { strategy: StrategyName; params: Params; verifier: VerifierConfig }[] = [
  { strategy: 'mcts', params: { b: 3, simulations: 40, stopOnSolve: false }, verifier: { kind: 'rollout', params: { K: 4 } } },
  { strategy: 'beam', params: { N: 4, width: 3, maxDepth: 4, stopOnSolve: false }, verifier: { kind: 'rollout', params: { K: 4 } } },
  { strategy: 'astar', params: { b: 3, maxExpansions: 20, stopOnSolve: false }, verifier: { kind: 'rollout', params: { K: 4 } } },
  { strategy: 'revision', params: { attempts: 6, window: 2, stopOnSolve: false }, verifier: { kind: 'countdown', params: {} } },
];
const MODES: ContinuationMode[] = ['chat', 'chat-continue', 'completions'];

/** Records what the engine asked for, in call order (concurrency 1: the same order as the server's log). */
class Recording implements Generator {
  readonly calls: GenerateRequest[] = [];
  constructor(private readonly inner: Generator) {}
  generate(req: GenerateRequest): Promise<Generation[]> {
    this.calls.push({ ...req, steps: [...req.steps], ...(req.context ? { context: [...req.context] } : {}) });
    return this.inner.generate(req);
  }
  describe() {
    return this.inner.describe();
  }
}

/** Prompt parts in the order the prompt builder lays them out: problem, earlier attempts, steps. */
const parts = (r: GenerateRequest): string[] => [r.problem, ...(r.context ?? []), ...r.steps];
const key = (r: GenerateRequest): string => JSON.stringify([r.purpose, r.problem, r.context ?? [], r.steps]);

/** End positions in `prompt` of each part, found in order; stops at the first part not found. */
function partEnds(prompt: string, ps: string[]): number[] {
  const ends: number[] = [];
  let from = 0;
  for (const p of ps) {
    const at = prompt.indexOf(p, from);
    if (at < 0) break;
    from = at + p.length;
    ends.push(from);
  }
  return ends;
}

function structuralLimit(calls: GenerateRequest[], prompts: string[]): number[] {
  const seen = new Set<string>();
  return calls.map((r, i) => {
    const prompt = prompts[i]!;
    if (seen.has(key(r))) return prompt.length;
    seen.add(key(r));
    const mine = parts(r);
    let depth = 0;
    for (let j = 0; j < i; j++) {
      const other = parts(calls[j]!);
      let d = 0;
      while (d < mine.length && d < other.length && mine[d] === other[d]) d++;
      depth = Math.max(depth, d);
    }
    if (depth === 0) return 0;
    const ends = partEnds(prompt, mine);
    return ends[Math.min(depth, ends.length) - 1] ?? 0;
  });
}

async function main(): Promise<void> {
  const server = await startReferenceServer({ seed: 1 });
  const rows: Record<string, unknown>[] = [];
  try {
    console.log('strategy   mode            requests  prompt chars  reused (actual)  limit   actual/limit  goal 0.95');
    for (const c of CASES) {
      for (const mode of MODES) {
        server.log.clear();
        const gen = new Recording(createEndpointGenerator({ name: 'p2', baseUrl: server.url, model: 'sim-countdown', mode, nStrategy: 'native', maxConcurrency: 1 }));
        await runSearch({ tree: TraceTree.create(problem), config: { strategy: c.strategy, params: { ...c.params, concurrency: 1, seed: 2 }, verifier: c.verifier }, generator: gen });
        const entries = server.log.generations();
        if (entries.length !== gen.calls.length) throw new Error(`${c.strategy}/${mode}: ${entries.length} requests logged, ${gen.calls.length} calls`);
        const prompts = entries.map((e) => e.promptText ?? '');
        const actual = prefixReuse(entries);
        const limit = structuralLimit(gen.calls, prompts);
        const limitSum = limit.reduce((a, b) => a + b, 0);
        const ratio = limitSum === 0 ? 1 : actual.reused / limitSum;
        console.log(
          `${c.strategy.padEnd(10)} ${mode.padEnd(15)} ${String(entries.length).padStart(8)} ${String(actual.total).padStart(13)} ${String(actual.reused).padStart(16)} ${String(limitSum).padStart(7)} ${ratio.toFixed(3).padStart(13)}  ${ratio >= 0.95 ? 'met' : 'NOT met'}`,
        );
        rows.push({ strategy: c.strategy, mode, requests: entries.length, promptChars: actual.total, reused: actual.reused, limit: limitSum, ratio, met: ratio >= 0.95, shareOfPrompt: actual.ratio });
      }
    }
  } finally {
    await server.close();
  }
  const dir = join(__dirname, '..', '..', 'test-results', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'searchPrefixReuse.json'), JSON.stringify({ benchmark: 'P2 prefix reuse vs structural limit', goal: 0.95, rows }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
