/**
 * Benchmark: does more search buy more accuracy on the embedded default, and does the value model make the searches
 * work? Solve rate vs token budget on held-out Countdown problems (model/heldout.json `test`, never trained on) for
 * best-of-N, beam, A* and MCTS with their default parameters, each with the Countdown checks alone ("checker":
 * unfinished nodes get the prior 0.5) and with the embedded value model through the PRM adapter ("value", the
 * embedded set-up's default verifier).
 *
 * One run per problem × strategy × verifier at the largest budget, one request at a time (concurrency 1) and a fixed
 * seed: a run's first B tokens are then exactly the run a budget of B would make, so "solved within B tokens" is
 * "solved, with the tokens spent when the verified node came back ≤ B" (prompt + completion tokens, as the engine
 * meters them; every strategy stops on its first verified node). `--check B` re-runs the first problems at budget
 * B directly and reports how many verdicts agree. The count caps that would end a run before its budget (MCTS
 * `simulations`, A* `maxExpansions`, best-of-N `n`) are raised so that the budget is what binds; best-of-N samples
 * one solution per request so that it, too, can stop at any budget.
 *
 * 95 % intervals: Wilson for each rate; paired bootstrap (over problems) for differences.
 *
 * Run (two shards in parallel on two cores, then merge):
 *   node --import tsx test/bench/searchBudget.ts --shard 0/2 --out /tmp/sb-0.json &
 *   node --import tsx test/bench/searchBudget.ts --shard 1/2 --out /tmp/sb-1.json
 *   node --import tsx test/bench/searchBudget.ts --merge /tmp/sb-0.json,/tmp/sb-1.json
 * writes test-results/bench/searchBudget.json and searchBudget.png (`--name` another base name); `--problems 100 --budgets 1000,...,16000`;
 * `--split validation --set c=0.3` tries a setting on the validation split (never tune on the test split); `--from 100`
 * starts at problem 100 of the split (confirm a setting chosen on validation 0–99 on fresh validation problems).
 * `--values oracle` (with or instead of checker,value): an upper bound, not a verifier anyone ships: the same PRM
 * adapter and pooling server with the value model replaced by exact solvability from the Countdown rules
 * (ORACLE_SOLVABLE for a state some legal steps take to the target, ORACLE_DEAD otherwise), so the chart shows how
 * much a perfect value would buy each strategy with this policy.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../../src/core/embedded/policy';
import { EmbeddedGenerator } from '../../src/core/embedded/generator';
import { defaultModelDir } from '../../src/core/embedded/modelFiles';
import { renderProblem, type CountdownProblem } from '../../src/core/embedded/countdown';
import { embeddedValueVerifier } from '../../src/core/embedded/embeddedNames';
import { embeddedPrmFetch, type StateScorer } from '../../src/core/embedded/valuePooling';
import { readValueState, solvableState } from '../../src/core/embedded/valueState';
import type { VerifierDeps } from '../../src/core/verify/verifier';
import { runSearch } from '../../src/core/search/engine';
import { TraceTree } from '../../src/core/trace/tree';
import type { Params, VerifierConfig } from '../../src/core/trace/schema';
import { pairedDifference, wilson } from '../../src/core/analyse/intervals';
import { lineChartSvg, type ChartPanel } from '../../src/core/analyse/lineChart';
import { svgToPng } from '../../src/cli/svgToPng';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : def;
};
const root = join(__dirname, '../..');
const outDir = join(root, 'test-results/bench');

const STRATEGIES: Record<string, Params> = {
  'best-of-n': { n: 100000, perRequest: 1, stopOnSolve: true },
  beam: {},
  astar: { maxExpansions: 100000 },
  mcts: { simulations: 100000 },
};
const VERIFIERS: Record<string, VerifierConfig> = {
  checker: { kind: 'countdown', params: {} },
  value: embeddedValueVerifier(),
  oracle: embeddedValueVerifier(),
};

/** The oracle's values: a solvable state is not certain to be solved by this policy, so not 1. */
const ORACLE_SOLVABLE = 0.9;
const ORACLE_DEAD = 0.05;
const oracle: StateScorer = {
  score: async (states) =>
    states.map((text) => {
      const s = readValueState(text);
      if (!s) throw new Error(`oracle: not a state: ${text}`);
      return solvableState(s.numbers, s.target) ? ORACLE_SOLVABLE : ORACLE_DEAD;
    }),
};
const VERIFIER_DEPS: Record<string, VerifierDeps> = { oracle: { embeddedFetch: embeddedPrmFetch(async () => oracle) } };

export interface RunRecord {
  problem: number;
  strategy: string;
  verifier: string;
  verified: boolean;
  /** tokens spent when the run ended (on its verified node, when verified) */
  tokens: number;
  nodes: number;
  /** nodes the value model scored (0 with the checker alone) */
  valued: number;
  /** step nodes in the trace (the linearized trace's length in steps) */
  steps: number;
  seconds: number;
  status: string;
  stopReason?: string;
}

interface Part {
  split: string;
  budgets: number[];
  problems: number[];
  records: RunRecord[];
  check?: Check;
  /** a part combined from several measurements (e.g. one strategy re-measured) keeps every check */
  checks?: Check[];
  seconds: number;
}

interface Check {
  budget: number;
  agree: number;
  total: number;
  disagreements: unknown[];
}

/** `--set k=v,k2=v2`: parameters laid over every strategy's (for trying a setting on the validation split). */
const overrides: Params = Object.fromEntries(
  arg('set', '')
    .split(',')
    .filter(Boolean)
    .map((kv) => {
      const [k, v] = kv.split('=') as [string, string];
      return [k, Number.isFinite(Number(v)) ? Number(v) : v];
    }),
);

async function runOne(gen: EmbeddedGenerator, p: CountdownProblem, k: number, strategy: string, verifier: string, budget: number): Promise<RunRecord> {
  const tree = TraceTree.create({ text: renderProblem(p), meta: { numbers: p.numbers, target: p.target } }, { id: `budget-${k}`, createdAt: '2026-01-01T00:00:00.000Z' });
  const t0 = performance.now();
  const run = await runSearch({
    tree,
    generator: gen,
    config: {
      strategy: strategy as 'astar',
      params: { ...STRATEGIES[strategy], ...overrides, seed: 100 + k, concurrency: 1 },
      endpoint: gen.describe(),
      verifier: VERIFIERS[verifier]!,
      budgets: { maxTokens: budget },
    },
    ...(VERIFIER_DEPS[verifier] ? { verifierDeps: VERIFIER_DEPS[verifier] } : {}),
  });
  const trace = tree.toJSON();
  return {
    problem: k,
    strategy,
    verifier,
    verified: trace.result?.verified === true,
    tokens: run.usage.tokensIn + run.usage.tokensOut,
    nodes: trace.nodes.length,
    valued: trace.nodes.filter((n) => n.valueSource?.kind === 'prm').length,
    steps: trace.nodes.filter((n) => n.kind === 'step').length,
    seconds: (performance.now() - t0) / 1000,
    status: run.status,
    ...(run.reason ? { stopReason: run.reason } : {}),
  };
}

async function measure(): Promise<void> {
  const split = arg('split', 'test') as 'test' | 'validation';
  const count = Number(arg('problems', '100'));
  const budgets = arg('budgets', '1000,2000,4000,8000,16000').split(',').map(Number);
  const strategies = arg('strategies', Object.keys(STRATEGIES).join(',')).split(',');
  const verifiers = arg('values', 'checker,value').split(',');
  const [shard, shards] = arg('shard', '0/1').split('/').map(Number) as [number, number];
  const out = arg('out', join(outDir, 'searchBudget.part.json'));
  const checkBudget = Number(arg('check', '0'));
  const dir = defaultModelDir();
  const held = JSON.parse(readFileSync(join(dir, 'heldout.json'), 'utf8')) as Record<'test' | 'validation', CountdownProblem[]>;
  // `--from F`: problems F … F+count−1 of the split (k is the index in it), e.g. validation 100–199 to confirm a setting
  // chosen on validation 0–99 before the test split is measured.
  const from = Number(arg('from', '0'));
  if (!Number.isInteger(from) || from < 0 || from + count > held[split].length) throw new Error(`--from ${from} --problems ${count}: the ${split} split holds ${held[split].length} problems`);
  const mine = held[split].slice(from, from + count).map((p, i) => ({ p, k: from + i })).filter(({ k }) => k % shards === shard);
  const model = await EmbeddedModel.load({ dir });
  const gen = new EmbeddedGenerator(new EmbeddedCountdownPolicy(model), { temperature: 1, seed: 7 });
  const max = Math.max(...budgets);
  const t0 = performance.now();
  const records: RunRecord[] = [];
  for (const { p, k } of mine) {
    for (const s of strategies) {
      // best-of-N's verified answers are checked exactly, and it picks among them only: the value model changes nothing
      for (const v of s === 'best-of-n' ? ['checker'] : verifiers) {
        const r = await runOne(gen, p, k, s, v, max);
        records.push(r);
      }
    }
    const done = records.filter((r) => r.problem === k);
    console.error(`problem ${k}: ${done.map((r) => `${r.strategy}/${r.verifier} ${r.verified ? `✓${r.tokens}` : '✗'}`).join('  ')}  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    writeFileSync(out, JSON.stringify({ split, budgets, problems: mine.map((m) => m.k), records, seconds: (performance.now() - t0) / 1000 } satisfies Part));
  }
  let check: Part['check'];
  if (checkBudget > 0) {
    const disagreements: unknown[] = [];
    let agree = 0;
    let total = 0;
    for (const { p, k } of mine.slice(0, Number(arg('checkProblems', '10')))) {
      for (const r of records.filter((x) => x.problem === k)) {
        const direct = await runOne(gen, p, k, r.strategy, r.verifier, checkBudget);
        const prefix = r.verified && r.tokens <= checkBudget;
        total++;
        if (direct.verified === prefix) agree++;
        else disagreements.push({ problem: k, strategy: r.strategy, verifier: r.verifier, direct: direct.verified, directTokens: direct.tokens, prefixTokens: r.tokens });
      }
    }
    check = { budget: checkBudget, agree, total, disagreements };
    console.error(`prefix check at ${checkBudget} tokens: ${agree}/${total} verdicts agree`);
  }
  await model.release();
  writeFileSync(out, JSON.stringify({ split, budgets, problems: mine.map((m) => m.k), records, ...(check ? { check } : {}), seconds: (performance.now() - t0) / 1000 } satisfies Part));
  console.error(`wrote ${out}`);
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;

async function merge(files: string[]): Promise<void> {
  const name = arg('name', 'searchBudget');
  const parts = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Part);
  const budgets = parts[0]!.budgets;
  const records = parts.flatMap((p) => p.records);
  const problems = [...new Set(records.map((r) => r.problem))].sort((a, b) => a - b);
  const configs = [...new Set(records.map((r) => `${r.strategy}/${r.verifier}`))];
  const solvedBy = (cfg: string, b: number): number[] => problems.map((k) => {
    const r = records.find((x) => `${x.strategy}/${x.verifier}` === cfg && x.problem === k);
    return r && r.verified && r.tokens <= b ? 1 : 0;
  });
  const cells = configs.flatMap((cfg) =>
    budgets.map((b) => {
      const s = solvedBy(cfg, b);
      const k = s.reduce((a, x) => a + x, 0);
      const ci = wilson(k, s.length);
      return { config: cfg, budget: b, solved: k, problems: s.length, rate: k / s.length, low: ci.low, high: ci.high };
    }),
  );
  const rate = (cfg: string, b: number) => cells.find((c) => c.config === cfg && c.budget === b)?.rate ?? NaN;
  const trees = ['beam', 'astar', 'mcts'];
  // Goals of the issue, each with its figures
  const doubling = configs.filter((c) => !c.startsWith('best-of-n')).map((cfg) => ({
    config: cfg,
    gains: budgets.slice(1).map((b, i) => ({ from: budgets[i]!, to: b, points: 100 * (rate(cfg, b) - rate(cfg, budgets[i]!)) })),
  }));
  const has = (cfg: string) => configs.includes(cfg);
  const valueVsChecker = trees.filter((s) => has(`${s}/value`) && has(`${s}/checker`)).flatMap((s) =>
    budgets.map((b) => {
      const d = pairedDifference(solvedBy(`${s}/value`, b), solvedBy(`${s}/checker`, b), { seed: b });
      return { strategy: s, budget: b, diffPoints: 100 * d.diff, low: 100 * d.low, high: 100 * d.high };
    }),
  );
  const between = budgets.map((b) => ({
    budget: b,
    pairs: [['astar', 'beam'], ['astar', 'mcts'], ['beam', 'mcts']].filter(([x, y]) => has(`${x}/value`) && has(`${y}/value`)).map(([x, y]) => {
      const d = pairedDifference(solvedBy(`${x}/value`, b), solvedBy(`${y}/value`, b), { seed: b + 1 });
      return { a: x, b: y, diffPoints: 100 * d.diff, low: 100 * d.low, high: 100 * d.high };
    }),
  }));
  const at2k = budgets.includes(2000) ? 2000 : budgets[1]!;
  const bon = rate('best-of-n/checker', at2k);
  const verifierNames = Object.keys(VERIFIERS).filter((v) => trees.some((s) => has(`${s}/${v}`)));
  const treeVsBon = trees.flatMap((s) => verifierNames.filter((v) => has(`${s}/${v}`)).map((v) => ({ config: `${s}/${v}`, budget: at2k, ratio: bon > 0 ? rate(`${s}/${v}`, at2k) / bon : null })));
  // App. E direction: on problems both solve (with a value), how many valued steps each linearized trace holds
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : NaN);
  const valuedSteps = (verifier: string) => {
    const pick = (s: string, k: number) => records.find((r) => r.strategy === s && r.verifier === verifier && r.problem === k);
    const both = problems.filter((k) => ['astar', 'mcts'].every((s) => pick(s, k)?.verified));
    if (both.length === 0) return null;
    const valued = (s: string) => both.map((k) => pick(s, k)!.valued);
    const a = valued('astar');
    const m = valued('mcts');
    return { problems: both.length, astarValued: mean(a), mctsValued: mean(m), fewerForAstar: both.filter((_, i) => a[i]! < m[i]!).length, diff: pairedDifference(a, m, { seed: 5 }) };
  };
  const astarVsMcts = valuedSteps('value');
  const astarVsMctsOracle = has('astar/oracle') && has('mcts/oracle') ? valuedSteps('oracle') : null;
  const summary = {
    benchmark: 'searchBudget',
    split: parts[0]!.split,
    problems: problems.length,
    budgets,
    method: 'one run per problem x config at the largest budget, concurrency 1, seed 100+k; solved within B = verified with tokens at the verified node <= B',
    strategyParams: STRATEGIES,
    verifiers: VERIFIERS,
    cells,
    goals: { doubling, valueVsChecker, between, treeVsBestOfN: treeVsBon, astarVsMctsValuedSteps: astarVsMcts, ...(astarVsMctsOracle ? { astarVsMctsValuedStepsOracle: astarVsMctsOracle } : {}) },
    checks: parts.flatMap((p) => [...(p.check ? [p.check] : []), ...(p.checks ?? [])]),
    seconds: parts.reduce((s, p) => s + p.seconds, 0),
    records,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}.json`), JSON.stringify(summary, null, 1) + '\n');
  // the table
  console.log(`solve rate (%) on ${problems.length} held-out ${summary.split} problems vs token budget, 95 % Wilson interval`);
  console.log(['config'.padEnd(20), ...budgets.map((b) => `${b / 1000}k`.padStart(18))].join(''));
  for (const cfg of configs) {
    console.log([cfg.padEnd(20), ...budgets.map((b) => {
      const c = cells.find((x) => x.config === cfg && x.budget === b)!;
      return `${pct(c.rate)} [${pct(c.low)}, ${pct(c.high)}]`.padStart(18);
    })].join(''));
  }
  console.log('\nvalue model minus checker alone (points, paired bootstrap 95 %):');
  for (const v of valueVsChecker) console.log(`  ${v.strategy.padEnd(6)} ${String(v.budget).padStart(6)}: ${v.diffPoints.toFixed(1).padStart(6)} [${v.low.toFixed(1)}, ${v.high.toFixed(1)}]`);
  console.log(`\ntree search / best-of-N at ${at2k} tokens: ${treeVsBon.map((t) => `${t.config} ${t.ratio === null ? 'n/a' : t.ratio.toFixed(2) + 'x'}`).join(', ')}`);
  for (const [what, v] of [['value model', astarVsMcts], ['oracle', astarVsMctsOracle]] as const) {
    if (v) console.log(`valued steps on ${v.problems} problems both solve (${what}): A* ${v.astarValued.toFixed(1)}, MCTS ${v.mctsValued.toFixed(1)} (A* fewer on ${v.fewerForAstar}; difference ${v.diff.diff.toFixed(1)} [${v.diff.low.toFixed(1)}, ${v.diff.high.toFixed(1)}])`);
  }
  for (const c of summary.checks) console.log(`prefix check at ${c.budget}: ${c.agree}/${c.total} verdicts agree`);
  // the plot: checker alone and value model side by side
  const TITLES: Record<string, string> = {
    checker: 'Countdown checks only (values = prior 0.5)',
    value: 'with the embedded value model (PRM adapter)',
    oracle: `upper bound: exact solvability as the value (${ORACLE_SOLVABLE} / ${ORACLE_DEAD})`,
  };
  const panels: ChartPanel[] = verifierNames.map((v) => ({
    title: TITLES[v] ?? v,
    series: configs
      .filter((cfg) => cfg.endsWith(`/${v}`) || cfg.startsWith('best-of-n'))
      .map((cfg) => ({
        name: cfg.split('/')[0]!,
        dashed: cfg.startsWith('best-of-n'),
        points: budgets.map((b) => {
          const c = cells.find((x) => x.config === cfg && x.budget === b)!;
          return { x: b, y: 100 * c.rate, low: 100 * c.low, high: 100 * c.high };
        }),
      })),
  }));
  const svg = lineChartSvg({
    title: `Embedded Countdown: solve rate vs token budget (${problems.length} held-out problems, 95 % Wilson intervals)`,
    xLabel: 'token budget per problem (prompt + completion)',
    yLabel: 'solved (%)',
    panels,
    xScale: 'log2',
    yMin: 0,
    yMax: 100,
    xFormat: (x) => `${x / 1000}k`,
    yFormat: (y) => `${y}`,
  });
  writeFileSync(join(outDir, `${name}.svg`), svg);
  await svgToPng(svg, join(outDir, `${name}.png`));
  console.log(`\nwrote ${join(outDir, `${name}.json`)}, ${name}.svg and ${name}.png`);
}


const mergeArg = arg('merge', '');
(mergeArg ? merge(mergeArg.split(',')) : measure()).catch((e) => {
  console.error(e);
  process.exit(1);
});
