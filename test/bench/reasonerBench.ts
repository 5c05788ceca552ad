/**
 * Benchmark (issue 19): does a model trained on linearized search (Meta-CoT / Stream-of-Search, `countdown-sos`) beat
 * one trained on optimal paths only (`countdown-path`) at equal tokens, and how do both compare with external search
 * (A*, MCTS, beam, best-of-N) by the step policy? On the first N held-out TEST problems (model/heldout.json, never
 * trained on), for each reasoner (and `countdown-sos-star` when its files exist):
 *
 * - single pass: one sample per problem (temperature 1, seeded, up to the context window). A sample's first B tokens
 *   are what a budget of B would give (same seed, token by token), so it is solved at B iff its first goal line is
 *   reached within B generated tokens and the goal path's expression checks out (numbers at most once, = target).
 * - best-of-N at equal tokens: samples one after another (seeds derived per sample) until the budget is spent; solved
 *   at B iff some sample reaches a checked goal before B tokens were spent in all.
 *
 * Token axes: model tokens (phrase tokens count one) and characters, since the step policy's tokens are characters:
 * the external strategies' rows come from model/results/experiment-heldout100/summary.json (100 test problems,
 * budgets = prompt + completion tokens of the policy, i.e. characters), drawn on the characters panel.
 * Also per reasoner: `Moving to Node` lines per solution (backtracks), branch switches, and the share of solutions
 * whose in-context tree branches (a node with two or more children). 95 % Wilson intervals; paired bootstrap for
 * sos − path.
 *
 *   node --import tsx test/bench/reasonerBench.ts [--problems 100] [--seed 1] [--no-best-of] [--models sos,path]
 *
 * writes test-results/bench/reasonerBench.{json,svg,png}. On two cores, two shards then a merge (same numbers):
 *   node --import tsx test/bench/reasonerBench.ts --shard 0/2 --out /tmp/rb-0.json &
 *   node --import tsx test/bench/reasonerBench.ts --shard 1/2 --out /tmp/rb-1.json; wait
 *   node --import tsx test/bench/reasonerBench.ts --merge /tmp/rb-0.json,/tmp/rb-1.json
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pairedDifference, wilson } from '../../src/core/analyse/intervals';
import { lineChartSvg, type ChartPanel, type ChartSeries } from '../../src/core/analyse/lineChart';
import type { CountdownProblem } from '../../src/core/embedded/countdown';
import type { ReasonerName } from '../../src/core/embedded/embeddedNames';
import { defaultModelDir } from '../../src/core/embedded/modelFiles';
import { EmbeddedReasoner, sosAnswer } from '../../src/core/embedded/reasoner';
import { hasReasoner } from '../../src/core/embedded/reasonerFiles';
import { hash32 } from '../../src/core/embedded/sampler';
import { SosImporter } from '../../src/core/trace/import/streamOfSearch';
import { svgToPng } from '../../src/cli/svgToPng';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : def;
};
const root = join(__dirname, '../..');
const outDir = join(root, 'test-results/bench');
const GOAL = 'equal: Goal Reached';

/** One sample: where its goal line was reached (if ever), what it cost, and what its search looked like. */
interface Sample {
  seed: number;
  tokens: number;
  chars: number;
  finish: 'stop' | 'length';
  /** model tokens / characters generated up to and including the first goal line */
  goalTokens?: number;
  goalChars?: number;
  /** the goal path's expression checks out */
  verified: boolean;
  moves: number;
  switches: number;
  branching: boolean;
}

interface ProblemRecord {
  problem: number;
  /** samples in order; the first is the single pass */
  samples: Sample[];
}

/** Reads a sample's search up to its goal (or its end): moves, branch switches, whether the tree branches. */
function searchShape(text: string): { moves: number; switches: number; branching: boolean } {
  const upTo = text.includes(GOAL) ? text.slice(0, text.indexOf(GOAL) + GOAL.length) : text;
  const moves = upTo.split('\n').filter((l) => l.startsWith('Moving to Node #')).length;
  try {
    const imp = new SosImporter({});
    imp.push(upTo);
    const { tree } = imp.finish();
    const steps = tree.trace.nodes.filter((n) => n.kind !== 'root');
    let switches = 0;
    for (let i = 1; i < steps.length; i++) if (steps[i]!.parentId !== steps[i - 1]!.parentId) switches++;
    const branching = tree.trace.nodes.some((n) => tree.childIdsOf(n.id).length >= 2);
    return { moves, switches, branching };
  } catch {
    return { moves, switches: 0, branching: false };
  }
}

async function sample(r: EmbeddedReasoner, p: CountdownProblem, seed: number): Promise<Sample> {
  let text = '';
  let count = 0;
  let goalTokens: number | undefined;
  let goalChars: number | undefined;
  let first = true;
  const out = await r.reason({
    problem: p,
    temperature: 1,
    topP: 1,
    seed,
    maxTokens: r.contextLength,
    onText: (t) => {
      // the first piece is the prompt's state line, not a generated token
      if (first) {
        first = false;
        return;
      }
      text += t;
      count++;
      if (goalTokens === undefined && text.includes(GOAL)) {
        goalTokens = count;
        goalChars = text.length;
      }
    },
  });
  const shape = searchShape(out.thinking);
  return {
    seed,
    tokens: out.tokens,
    chars: out.generated.length,
    finish: out.finish,
    ...(goalTokens !== undefined ? { goalTokens, goalChars } : {}),
    verified: goalTokens !== undefined && sosAnswer(p, out.thinking).verified,
    ...shape,
  };
}

/** Solved within `budget` of `unit` by the samples in order (best-of-N) or by the first alone (single pass). */
function solvedAt(rec: ProblemRecord, budget: number, unit: 'tokens' | 'chars', bestOf: boolean): boolean {
  let spent = 0;
  for (const s of bestOf ? rec.samples : rec.samples.slice(0, 1)) {
    const at = unit === 'tokens' ? s.goalTokens : s.goalChars;
    if (s.verified && at !== undefined && spent + at <= budget) return true;
    spent += unit === 'tokens' ? s.tokens : s.chars;
    if (spent >= budget) return false;
  }
  return false;
}

interface Cell {
  budget: number;
  solved: number;
  problems: number;
  rate: number;
  low: number;
  high: number;
}

function cells(records: ProblemRecord[], budgets: number[], unit: 'tokens' | 'chars', bestOf: boolean): Cell[] {
  return budgets.map((budget) => {
    const solved = records.filter((r) => solvedAt(r, budget, unit, bestOf)).length;
    const ci = wilson(solved, records.length);
    return { budget, solved, problems: records.length, rate: solved / records.length, low: ci.low, high: ci.high };
  });
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

/** What a run measured: per reasoner, its files' facts and one record per problem (a shard holds some problems). */
interface Measured {
  problems: number;
  seed: number;
  bestOf: boolean;
  models: Record<string, { ctx: number; layout: string; training: unknown; sha256: string; seconds: number; records: ProblemRecord[] }>;
  seconds: number;
}

/** Samples the problems of this shard (`--shard k/n`: every n-th problem from the k-th) with every reasoner. */
async function measure(): Promise<Measured> {
  const t0 = performance.now();
  const dir = defaultModelDir();
  const n = Number(arg('problems', '100'));
  const seed = Number(arg('seed', '1'));
  const bestOf = !args.includes('--no-best-of');
  const [shard, shards] = arg('shard', '0/1').split('/').map(Number) as [number, number];
  const wanted = arg('models', 'sos,path,sos-star').split(',').map((m) => `countdown-${m.trim()}` as ReasonerName);
  const names = wanted.filter((m) => hasReasoner(dir, m));
  const heldout = JSON.parse(readFileSync(join(root, 'model/heldout.json'), 'utf8')) as { test: CountdownProblem[] };
  const problems = heldout.test.slice(0, n);
  const mine = problems.map((_, k) => k).filter((k) => k % shards === shard);
  const models: Measured['models'] = {};
  for (const name of names) {
    const r = await EmbeddedReasoner.load(name, { dir });
    const records: ProblemRecord[] = [];
    const tm = performance.now();
    for (const k of mine) {
      const p = problems[k]!;
      const samples: Sample[] = [];
      let spent = 0;
      // best-of-N: sample until a context window's worth of tokens is spent (the single pass is the first sample)
      for (let j = 0; j === 0 || (bestOf && spent < r.contextLength); j++) {
        const s = await sample(r, p, hash32(seed, k, j));
        samples.push(s);
        spent += s.tokens;
        if (s.verified) break;
      }
      records.push({ problem: k, samples });
      if (records.length % 10 === 0 || records.length === mine.length) {
        const solved = records.filter((x) => x.samples[0]!.verified).length;
        console.error(`${name}: ${records.length}/${mine.length} problems, single pass solved ${solved}, ${((performance.now() - tm) / 1000).toFixed(0)} s`);
      }
    }
    models[name] = { ctx: r.contextLength, layout: r.meta.layout, training: r.meta.training ?? null, sha256: r.model.sha256, seconds: (performance.now() - tm) / 1000, records };
    await r.release();
  }
  return { problems: problems.length, seed, bestOf, models, seconds: (performance.now() - t0) / 1000 };
}

/** Several shards' measurements as one (records by problem; seconds add up, as CPU time). */
function mergeMeasured(parts: Measured[]): Measured {
  const first = parts[0]!;
  const models: Measured['models'] = {};
  for (const part of parts) {
    for (const [name, m] of Object.entries(part.models)) {
      const have = models[name];
      if (!have) models[name] = { ...m, records: [...m.records] };
      else {
        have.records.push(...m.records);
        have.seconds += m.seconds;
      }
    }
  }
  for (const m of Object.values(models)) m.records.sort((a, b) => a.problem - b.problem);
  return { ...first, models, seconds: parts.reduce((t, p) => t + p.seconds, 0) };
}

async function summarize(measured: Measured): Promise<void> {
  const { seed, bestOf } = measured;
  const models: Record<string, unknown> = {};
  let ctx = 0;
  for (const [name, m] of Object.entries(measured.models)) {
    ctx = Math.max(ctx, m.ctx);
    const records = m.records;
    const tokenBudgets = budgetsUpTo(m.ctx, 64);
    const charBudgets = [250, 500, 1000, 2000, 4000, 8000];
    const first = records.map((x) => x.samples[0]!);
    const solvedFirst = first.filter((s) => s.verified);
    models[name] = {
      ctx: m.ctx,
      layout: m.layout,
      training: m.training,
      sha256: m.sha256,
      problems: records.length,
      singlePass: {
        tokens: cells(records, tokenBudgets, 'tokens', false),
        chars: cells(records, charBudgets, 'chars', false),
        claimedGoal: first.filter((s) => s.goalTokens !== undefined).length,
        solved: solvedFirst.length,
        meanTokens: mean(first.map((s) => s.tokens)),
        meanChars: mean(first.map((s) => s.chars)),
        finish: { stop: first.filter((s) => s.finish === 'stop').length, length: first.filter((s) => s.finish === 'length').length },
        backtracksPerSolution: mean(solvedFirst.map((s) => s.moves)),
        switchesPerSolution: mean(solvedFirst.map((s) => s.switches)),
        branchingShare: solvedFirst.length === 0 ? null : solvedFirst.filter((s) => s.branching).length / solvedFirst.length,
        branchingCi: solvedFirst.length === 0 ? null : wilson(solvedFirst.filter((s) => s.branching).length, solvedFirst.length),
      },
      ...(bestOf
        ? {
            bestOfN: {
              tokens: cells(records, tokenBudgets, 'tokens', true),
              chars: cells(records, charBudgets, 'chars', true),
              meanSamples: mean(records.map((x) => x.samples.length)),
            },
          }
        : {}),
      seconds: m.seconds,
    };
  }

  // sos − path at equal tokens, paired over problems
  const comparisons: unknown[] = [];
  const sos = measured.models['countdown-sos']?.records;
  const path = measured.models['countdown-path']?.records;
  if (sos && path && sos.length === path.length) {
    for (const mode of bestOf ? [false, true] : [false]) {
      for (const budget of budgetsUpTo(ctx, 64)) {
        const a = sos.map((x) => (solvedAt(x, budget, 'tokens', mode) ? 1 : 0));
        const b = path.map((x) => (solvedAt(x, budget, 'tokens', mode) ? 1 : 0));
        const d = pairedDifference(a, b, { seed });
        comparisons.push({ mode: mode ? 'best-of-n' : 'single-pass', budget, diffPoints: 100 * d.diff, low: 100 * d.low, high: 100 * d.high });
      }
    }
  }
  const external = readExternal();
  const summary = {
    format: 'metacot-reasoner-bench/1',
    split: 'test',
    problems: measured.problems,
    seed,
    definition: 'solved at B: the first goal line within B generated tokens (or characters) and its expression checks out; best-of-N: samples in order until B is spent',
    models,
    sosMinusPath: comparisons,
    external,
    samples: Object.fromEntries(Object.entries(measured.models).map(([k, m]) => [k, m.records])),
    seconds: measured.seconds,
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'reasonerBench.json'), JSON.stringify(summary, null, 1) + '\n');
  printTable(models);
  const svg = plot(models, external, measured.problems, bestOf);
  writeFileSync(join(outDir, 'reasonerBench.svg'), svg);
  await svgToPng(svg, join(outDir, 'reasonerBench.png'));
  console.log(`\nwrote ${join(outDir, 'reasonerBench.json')}, reasonerBench.svg and reasonerBench.png (${summary.seconds.toFixed(0)} s of sampling)`);
}

async function main(): Promise<void> {
  const merge = arg('merge', '');
  if (merge) return summarize(mergeMeasured(merge.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as Measured)));
  const measured = await measure();
  const out = arg('out', '');
  // a shard writes its measurements only; --merge summarizes the shards
  if (out) {
    writeFileSync(out, JSON.stringify(measured));
    console.error(`wrote ${out}`);
    return;
  }
  await summarize(measured);
}

function budgetsUpTo(max: number, from: number): number[] {
  const out: number[] = [];
  for (let b = from; b < max; b *= 2) out.push(b);
  out.push(max);
  return out;
}

interface ExternalCell {
  strategy: string;
  budget: number;
  rate: number;
  low: number;
  high: number;
  problems: number;
}

/** The step policy's external searches on the same held-out problems (characters = its tokens). */
function readExternal(): ExternalCell[] {
  const file = join(root, 'model/results/experiment-heldout100/summary.json');
  if (!existsSync(file)) return [];
  const s = JSON.parse(readFileSync(file, 'utf8')) as { cells: { strategy: string; budget: number; solveRate: number; ci: { low: number; high: number }; problems: number }[] };
  return s.cells.map((c) => ({ strategy: c.strategy, budget: c.budget, rate: c.solveRate, low: c.ci.low, high: c.ci.high, problems: c.problems }));
}

const pct = (x: number) => `${(100 * x).toFixed(0)}`;

function printTable(models: Record<string, unknown>): void {
  for (const [name, m] of Object.entries(models) as [string, { singlePass: { tokens: Cell[]; solved: number; claimedGoal: number; backtracksPerSolution: number | null; branchingShare: number | null }; bestOfN?: { tokens: Cell[] } }][]) {
    const row = (cs: Cell[]) => cs.map((c) => `${c.budget}: ${pct(c.rate)} [${pct(c.low)}, ${pct(c.high)}]`).join('  ');
    console.log(`${name} single pass (% solved by generated tokens): ${row(m.singlePass.tokens)}`);
    if (m.bestOfN) console.log(`${name} best-of-N:                             ${row(m.bestOfN.tokens)}`);
    console.log(`  goal lines ${m.singlePass.claimedGoal}, checked ${m.singlePass.solved}; backtracks per solution ${m.singlePass.backtracksPerSolution?.toFixed(2) ?? 'n/a'}; branching share ${m.singlePass.branchingShare === null ? 'n/a' : pct(m.singlePass.branchingShare) + ' %'}`);
  }
}

function plot(models: Record<string, unknown>, external: ExternalCell[], problems: number, bestOf: boolean): string {
  const ms = models as Record<string, { singlePass: { tokens: Cell[]; chars: Cell[] }; bestOfN?: { tokens: Cell[]; chars: Cell[] } }>;
  const series = (unit: 'tokens' | 'chars'): ChartSeries[] => {
    const out: ChartSeries[] = [];
    for (const [name, m] of Object.entries(ms)) {
      out.push({ name: name.replace('countdown-', ''), points: m.singlePass[unit].map((c) => ({ x: c.budget, y: 100 * c.rate, low: 100 * c.low, high: 100 * c.high })) });
      if (bestOf && m.bestOfN) out.push({ name: `${name.replace('countdown-', '')} best-of-N`, dashed: true, points: m.bestOfN[unit].map((c) => ({ x: c.budget, y: 100 * c.rate, low: 100 * c.low, high: 100 * c.high })) });
    }
    return out;
  };
  const ext: ChartSeries[] = [...new Set(external.map((c) => c.strategy))].map((s) => ({
    name: `${s} (policy)`,
    dashed: true,
    points: external.filter((c) => c.strategy === s).map((c) => ({ x: c.budget, y: 100 * c.rate, low: 100 * c.low, high: 100 * c.high })),
  }));
  // Two charts, one above the other: each axis keeps its own ticks (tokens 64 … ctx; characters as the experiment's budgets).
  const chart = (title: string, xLabel: string, panel: ChartPanel) =>
    lineChartSvg({ title, xLabel, yLabel: 'solved (%)', panels: [panel], xScale: 'log2', yMin: 0, yMax: 100, panelWidth: 820, xFormat: (x) => (x >= 1000 && x % 1000 === 0 ? `${x / 1000}k` : `${x}`), yFormat: (y) => `${y}` });
  const top = chart(
    `Embedded reasoners on ${problems} held-out Countdown problems (95 % Wilson intervals)`,
    'generated model tokens per problem (a phrase token counts one)',
    { title: 'single pass (solid), best-of-N at equal tokens (dashed)', series: series('tokens') },
  );
  const bottom = chart(
    'The same in characters, beside external search with the step policy (its tokens are characters)',
    'characters per problem (reasoners: generated; external: prompt + completion budget)',
    { title: 'reasoners as above; external search by the step policy (dashed)', series: [...series('chars'), ...ext] },
  );
  const size = (svg: string) => ({ w: Number(/width="(\d+)"/.exec(svg)![1]), h: Number(/height="(\d+)"/.exec(svg)![1]) });
  const a = size(top);
  const b = size(bottom);
  const w = Math.max(a.w, b.w);
  const nest = (svg: string, y: number) => svg.replace('<svg ', `<svg x="0" y="${y}" `);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${a.h + b.h}" viewBox="0 0 ${w} ${a.h + b.h}">${nest(top, 0)}${nest(bottom, a.h)}</svg>`;
}


main().catch((e) => {
  console.error(e);
  process.exit(1);
});
