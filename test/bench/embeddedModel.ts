/**
 * Benchmark: solve rate of the embedded Countdown model on held-out problems (model/heldout.json, 4 numbers,
 * disjoint from training), greedy vs search at equal token budgets.
 *
 *  A. Through the Policy directly (no search engine): `greedy` (temperature 0, one whole solution) and
 *     `sample+verify@16` (16 sampled whole solutions in one batched request, solved when any verifies).
 *  B. Through the search engine (src/core/search, runSearch) on the in-process EmbeddedGenerator:
 *     single, best-of-n (N=16, argmax of the Countdown verifier), beam, mcts and astar — each tree search twice:
 *     with step checks only (the Countdown checker ends a path at a wrong step and the run at a verified one;
 *     unfinished nodes get the prior value) and with rollout values (K rollouts, paper Eq. 11). Every run has the
 *     same token budget (prompt + completion tokens, as the engine meters them).
 *     `solved` = the run ended with a verified answer node; `found` also counts a verified rollout text
 *     (a complete verified solution the search generated while valuing a node).
 *
 * Prints a table, writes test-results/bench/embeddedModel.json.
 * Run: node --import tsx test/bench/embeddedModel.ts [--split test|validation] [--problems 200] [--budget 4000]
 *      [--temperature 1] [--strategies single,best-of-n,beam,mcts,astar] [--values checker,rollout] [--rolloutK 2]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../../src/core/embedded/policy';
import { EmbeddedGenerator } from '../../src/core/embedded/generator';
import { defaultModelDir } from '../../src/core/embedded/modelFiles';
import { renderProblem, verifySolution, type CountdownProblem } from '../../src/core/embedded/countdown';
import type { PolicyRequest } from '../../src/core/server/policy';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : def;
};
const split = arg('split', 'test') as 'test' | 'validation';
const count = Number(arg('problems', '200'));
const budget = Number(arg('budget', '4000'));
const temperature = Number(arg('temperature', '1'));
const rolloutK = Number(arg('rolloutK', '2'));
/**
 * how beam / mcts / astar value nodes, one row per entry: `checker` (the Countdown checker cuts wrong steps and ends
 * the run at a verified one; unfinished nodes get the prior value) and/or `rollout` (K rollouts, paper Eq. 11)
 */
const valueKinds = arg('values', 'checker,rollout').split(',').filter(Boolean) as ('rollout' | 'checker')[];
const strategies = arg('strategies', 'single,best-of-n,beam,mcts,astar').split(',').filter(Boolean);
const N = 16;

interface Row {
  method: string;
  how: string;
  solved: number;
  found?: number;
  problems: number;
  solveRate: number;
  tokens: number;
  tokensPerProblem: number;
  tokensPerSolve: number | null;
  seconds: number;
  params?: Record<string, unknown>;
}

function row(method: string, how: string, solved: number, tokens: number, problems: number, seconds: number, extra: Partial<Row> = {}): Row {
  return {
    method,
    how,
    solved,
    problems,
    solveRate: solved / problems,
    tokens,
    tokensPerProblem: tokens / problems,
    tokensPerSolve: solved > 0 ? tokens / solved : null,
    seconds,
    ...extra,
  };
}

async function main(): Promise<void> {
  const dir = defaultModelDir();
  const held = JSON.parse(readFileSync(join(dir, 'heldout.json'), 'utf8')) as Record<'test' | 'validation', CountdownProblem[]>;
  const problems = held[split].slice(0, count);
  const model = await EmbeddedModel.load({ dir });
  const policy = new EmbeddedCountdownPolicy(model);
  const signal = new AbortController().signal;
  const rows: Row[] = [];
  const log = (r: Row) => {
    rows.push(r);
    console.error(`  ${r.method}: ${r.solved}/${r.problems} solved${r.found !== undefined ? ` (${r.found} found)` : ''}, ${Math.round(r.tokensPerProblem)} tok/problem, ${r.seconds.toFixed(0)} s`);
  };
  const request = (p: CountdownProblem, n: number, temp: number, seed: number): PolicyRequest => ({
    messages: [{ role: 'user', content: renderProblem(p) }],
    continueFinalMessage: false,
    n,
    maxTokens: 200,
    temperature: temp,
    topP: 1,
    seed,
    stop: [],
    logprobs: false,
  });

  // ---- A. through the Policy directly
  {
    let solved = 0;
    let tokens = 0;
    const t0 = performance.now();
    for (const [k, p] of problems.entries()) {
      const r = await policy.generate(request(p, 1, 0, k), signal);
      tokens += r.promptTokens + r.completionTokens[0]!;
      if (verifySolution(r.choices[0]!.text, p)) solved++;
    }
    log(row('greedy (policy)', 'temperature 0, one whole solution', solved, tokens, problems.length, (performance.now() - t0) / 1000));
  }
  {
    let solved = 0;
    let tokens = 0;
    let anySample = 0;
    const t0 = performance.now();
    for (const [k, p] of problems.entries()) {
      const r = await policy.generate(request(p, N, temperature, 1000 + k), signal);
      tokens += r.promptTokens + r.completionTokens.reduce((s, x) => s + x, 0);
      const ok = r.choices.filter((c) => verifySolution(c.text, p)).length;
      anySample += ok;
      if (ok > 0) solved++;
    }
    log(
      row(`sample+verify@${N} (policy)`, `n=${N} at T=${temperature} in one batched request; solved if any verifies`, solved, tokens, problems.length, (performance.now() - t0) / 1000, {
        params: { n: N, temperature, perSampleSolveRate: anySample / (problems.length * N) },
      }),
    );
  }

  // ---- B. through the search engine
  let engineNote = '';
  try {
    const { runSearch } = await import('../../src/core/search/engine');
    const { TraceTree } = await import('../../src/core/trace/tree');
    const generator = new EmbeddedGenerator(policy, { temperature, maxTokens: 160, seed: 7 });
    const countdown = { kind: 'countdown' as const, params: {} };
    const rollout = { kind: 'rollout' as const, params: { K: rolloutK, keepRollouts: true } };
    type Cfg = { name: string; label: string; params: Record<string, string | number | boolean | null>; verifier: typeof rollout | typeof countdown; how: string };
    const configs: Cfg[] = [];
    for (const name of strategies) {
      if (name === 'single') configs.push({ name, label: 'single', params: { temperature: 0 }, verifier: countdown, how: 'one greedy solution' });
      else if (name === 'best-of-n')
        configs.push({ name, label: `best-of-n (N=${N})`, params: { n: N, selection: 'argmax' }, verifier: countdown, how: `N=${N} solutions, argmax of the Countdown verifier` });
      else {
        const base: Record<string, Omit<Cfg, 'verifier' | 'label'>> = {
          beam: { name, params: { N: 4, width: 4, maxDepth: 5 }, how: 'N=4 per beam, width 4' },
          mcts: { name, params: { simulations: 400, b: 4, c: 1.4, maxDepth: 5 }, how: 'UCT c=1.4, b=4' },
          astar: { name, params: { b: 4, maxDepth: 5, maxExpansions: 400 }, how: 'b=4, priority = value' },
        };
        const b = base[name];
        if (!b) throw new Error(`unknown strategy ${name}`);
        for (const v of valueKinds) {
          configs.push(
            v === 'rollout'
              ? { ...b, label: `${name} (rollouts K=${rolloutK})`, verifier: rollout, how: `${b.how}, values = ${rolloutK} rollouts` }
              : { ...b, label: `${name} (step checks)`, verifier: countdown, how: `${b.how}, checker only (values = prior)` },
          );
        }
      }
    }
    for (const cfg of configs) {
      const name = cfg.name;
      let solved = 0;
      let found = 0;
      let tokens = 0;
      const t0 = performance.now();
      for (const [k, p] of problems.entries()) {
        const tree = TraceTree.create(
          { text: renderProblem(p), meta: { numbers: p.numbers, target: p.target } },
          { id: `bench-${split}-${k}`, createdAt: '2026-01-01T00:00:00.000Z' },
        );
        const run = await runSearch({
          tree,
          generator,
          config: {
            strategy: name as 'single',
            // one request at a time: the machine is shared, and runs are easier to compare
            params: { ...cfg.params, seed: 100 + k, concurrency: 1 },
            endpoint: generator.describe(),
            verifier: cfg.verifier,
            budgets: { maxTokens: budget },
          },
        });
        const trace = tree.toJSON();
        const ok = trace.result?.verified === true;
        if (ok) solved++;
        if (ok || trace.nodes.some((x) => x.kind === 'rollout' && x.verified === true)) found++;
        tokens += run.usage.tokensIn + run.usage.tokensOut;
      }
      log(row(cfg.label, cfg.how, solved, tokens, problems.length, (performance.now() - t0) / 1000, { found, params: { ...cfg.params, verifier: cfg.verifier.kind, ...(cfg.verifier.kind === 'rollout' ? { K: rolloutK } : {}), budget, concurrency: 1 } }));
    }
  } catch (e) {
    engineNote = `search engine not run: ${e instanceof Error ? e.message : String(e)}`;
    console.error(engineNote);
  }
  await model.release();

  const greedy = rows[0]!.solveRate;
  console.log(
    `embedded Countdown model, ${problems.length} held-out ${split} problems (4 numbers), token budget ${budget} per problem for engine strategies, sampling T=${temperature}`,
  );
  const head = ['method', 'solved', 'rate', '× greedy', 'found', 'tok/problem', 'tok/solve', 's'];
  const w = [28, 8, 7, 9, 7, 12, 10, 6];
  console.log(head.map((h, i) => h.padEnd(w[i]!)).join(' | '));
  for (const r of rows) {
    const cells = [
      r.method,
      `${r.solved}/${r.problems}`,
      `${(r.solveRate * 100).toFixed(1)}%`,
      greedy > 0 ? `${(r.solveRate / greedy).toFixed(2)}×` : 'n/a',
      r.found !== undefined ? String(r.found) : '',
      r.tokensPerProblem.toFixed(0),
      r.tokensPerSolve === null ? '–' : r.tokensPerSolve.toFixed(0),
      r.seconds.toFixed(0),
    ];
    console.log(cells.map((c, i) => c.padEnd(w[i]!)).join(' | '));
  }
  if (engineNote) console.log(engineNote);
  const out = join(__dirname, '../../test-results/bench');
  mkdirSync(out, { recursive: true });
  const file = join(out, split === 'test' ? 'embeddedModel.json' : `embeddedModel-${split}.json`);
  writeFileSync(
    file,
    JSON.stringify({ split, problems: problems.length, budget, temperature, valueKinds, rolloutK, modelSha256: model.sha256, greedySolveRate: greedy, rows, engineNote: engineNote || undefined, date: new Date().toISOString() }, null, 2) + '\n',
  );
  console.log(`wrote ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
