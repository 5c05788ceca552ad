/**
 * Training data for the embedded reasoning models (issue 19), from the tool's own searches.
 *
 * 1. `problems`: training problems drawn like the policy's (sampleTrainingProblem), never a multiset of numbers in
 *    model/heldout.json, as a JSONL problem set for `metacot experiment`:
 *      node --import tsx model/reasonerData.ts problems --count 2000 --seed 19 --out model/data/problems-train.jsonl
 *    (`--exclude FILE.jsonl` also leaves out the multisets of another set: fresh problems for STaR.)
 * 2. The searches, A* and MCTS with the value model on the embedded default, one budget:
 *      npx tsx src/cli/main.ts experiment --problems model/data/problems-train.jsonl --strategies astar,mcts \
 *        --budgets 2000 --seed 19 --out /tmp/i19-exp
 * 3. `build`: every solved search as Stream-of-Search text (sos.jsonl) and its solution path alone in the same
 *    layout (path.jsonl), one record per solved (problem, strategy) in both files, plus manifest.json:
 *      node --import tsx model/reasonerData.ts build --experiment /tmp/i19-exp --ctx 2048 --out model/data
 *
 * Unsolved searches are left out: the contract's text ends at the first `Goal Reached`, so an unsolved search has
 * no end the model could learn to reach, and at 2k tokens it is longer than the models' context anyway.
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Prng } from '../src/core/embedded/sampler';
import { multisetKey, sampleTrainingProblem } from '../src/core/embedded/valueState';
import type { CountdownProblem } from '../src/core/embedded/countdown';
import { readTraceFile } from '../src/core/trace/io';
import { TraceTree } from '../src/core/trace/tree';
import { lengthStats, reasonerText, reasonerTokenCount } from '../src/core/export/reasonerData';

const [mode, ...args] = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : def;
};
const modelDir = join(__dirname);

interface Held {
  test: CountdownProblem[];
  validation: CountdownProblem[];
}
function heldOutKeys(): Set<string> {
  const held = JSON.parse(readFileSync(join(modelDir, 'heldout.json'), 'utf8')) as Held;
  return new Set([...held.test, ...held.validation].map((p) => multisetKey(p.numbers)));
}

interface ProblemLine {
  id: string;
  numbers: number[];
  target: number;
}
function readProblems(file: string): ProblemLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ProblemLine);
}

function problems(): void {
  const count = Number(arg('count', '2000'));
  const seed = Number(arg('seed', '19'));
  const out = arg('out', join(modelDir, 'data', 'problems-train.jsonl'));
  const prefix = arg('prefix', 'train');
  const exclude = heldOutKeys();
  const also = arg('exclude', '');
  if (also !== '') for (const p of readProblems(also)) exclude.add(multisetKey(p.numbers));
  // The same seeding as model/valueData.ts: one Prng per seed.
  const rng = new Prng(7919 * seed + 17);
  const lines = Array.from({ length: count }, (_, i) => {
    const p = sampleTrainingProblem(rng, exclude);
    return JSON.stringify({ id: `${prefix}-${i + 1}`, numbers: p.numbers, target: p.target });
  });
  writeFileSync(out, lines.join('\n') + '\n');
  console.error(`wrote ${out}: ${count} problems (seed ${seed})`);
}

interface CellResult {
  index: number;
  problemId: string;
  trace: string;
  status: string;
  solved: boolean;
}
interface Summary {
  spec: { problems: { source: string; count: number }; strategies: { strategy: string }[]; budgets: number[]; seed: number };
  complete: boolean;
  cells: { id: string; strategy: string; budget: number; results: CellResult[] }[];
}

async function build(): Promise<void> {
  const dir = arg('experiment', '/tmp/i19-exp');
  const out = arg('out', join(modelDir, 'data'));
  const ctx = Number(arg('ctx', '2048'));
  mkdirSync(out, { recursive: true });
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;
  const problemFile = summary.spec.problems.source;
  const byId = new Map(readProblems(problemFile).map((p) => [p.id, p]));
  const held = heldOutKeys();
  const heldOverlap = [...byId.values()].filter((p) => held.has(multisetKey(p.numbers))).length;
  if (heldOverlap > 0) throw new Error(`${heldOverlap} problems share their numbers with model/heldout.json`);

  const sos: string[] = [];
  const path: string[] = [];
  const sosLens: number[] = [];
  const pathLens: number[] = [];
  const perStrategy: Record<string, { searches: number; finished: number; solved: number; kept: number; longerThanCtx: number; noGoalText: number }> = {};
  const keptProblems = new Set<string>();
  for (const cell of summary.cells) {
    const s = (perStrategy[cell.strategy] ??= { searches: 0, finished: 0, solved: 0, kept: 0, longerThanCtx: 0, noGoalText: 0 });
    // The folder, not the summary, is the record of what is done (a summary of a killed run may lag).
    const files = new Set(readdirSync(join(dir, 'traces', cell.id)).filter((f) => f.endsWith('.metacot.json')));
    for (const r of cell.results) {
      s.searches++;
      const file = r.trace.split('/').pop()!;
      if (!files.has(file)) continue;
      let tree: TraceTree;
      try {
        const trace = await readTraceFile(join(dir, r.trace));
        if (trace.result === null && trace.runs.every((run) => run.status === 'running')) continue;
        tree = TraceTree.from(trace);
      } catch {
        continue;
      }
      s.finished++;
      if (tree.trace.result?.verified !== true) continue;
      s.solved++;
      const a = reasonerText(tree, 'sos');
      const b = reasonerText(tree, 'path');
      if (!a || !b) {
        s.noGoalText++;
        continue;
      }
      const na = reasonerTokenCount(a.text)!;
      const nb = reasonerTokenCount(b.text)!;
      // <bos> + text + <eos> must fit the context; the pair goes (both sets keep the same problems).
      if (na + 2 > ctx) {
        s.longerThanCtx++;
        continue;
      }
      s.kept++;
      const p = byId.get(r.problemId)!;
      keptProblems.add(p.id);
      const head = { problem: { numbers: p.numbers, target: p.target }, id: p.id, strategy: cell.strategy };
      sos.push(JSON.stringify({ ...head, text: a.text, tokens: na }));
      path.push(JSON.stringify({ ...head, text: b.text, tokens: nb }));
      sosLens.push(na);
      pathLens.push(nb);
    }
  }
  writeFileSync(join(out, 'sos.jsonl'), sos.join('\n') + '\n');
  writeFileSync(join(out, 'path.jsonl'), path.join('\n') + '\n');
  const finished = Object.values(perStrategy).reduce((a, s) => a + s.finished, 0);
  const solved = Object.values(perStrategy).reduce((a, s) => a + s.solved, 0);
  const manifest = {
    format: 'metacot-reasoner-data/1',
    experiment: { spec: summary.spec, complete: summary.complete, folder: 'not committed (regenerate with the command in model/reasonerData.ts)' },
    problems: { file: problemFile, count: byId.size, seed: Number(arg('seed', '19')), inData: keptProblems.size, sharingNumbersWithHeldOut: heldOverlap },
    strategies: Object.fromEntries(Object.entries(perStrategy).map(([k, s]) => [k, { ...s, solvedShare: s.finished === 0 ? 0 : Math.round((1000 * s.solved) / s.finished) / 1000 }])),
    searches: { finished, solved, solvedShare: finished === 0 ? 0 : Math.round((1000 * solved) / finished) / 1000 },
    records: { sos: sos.length, path: path.length },
    ctx,
    tokenization: 'the contract: greedy longest match over its phrase and character tokens; counts exclude <bos>/<eos>',
    tokens: { sos: lengthStats(sosLens), path: lengthStats(pathLens), sosTotal: sosLens.reduce((a, b) => a + b, 0), pathTotal: pathLens.reduce((a, b) => a + b, 0) },
    text: 'linearizeSos(tree, { stopAtGoal: true, goalAtTarget: true }); path: the same for the root and the winning path alone',
    fields: {
      finished: 'searches with a finished trace',
      solved: 'searches whose trace says verified (the value-model verifier with the Countdown checks)',
      kept: 'records in both files',
      longerThanCtx: 'solved, but <bos> + search text + <eos> is longer than ctx',
      noGoalText: "solved, but once the policy's wrong steps are left out (arithmetic that does not hold, a wrong left: list; legalOnly) no text reaches the goal",
    },
    selection:
      'solved searches only (the winning path verified by the Countdown checker), one record per (problem, strategy) in both files; unsolved searches have no Goal Reached to end at and run past the context; pairs whose search text is longer than ctx - 2 tokens are dropped from both files',
  };
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  console.error(`wrote ${sos.length} records to ${out}/sos.jsonl and path.jsonl (${keptProblems.size} problems); ${JSON.stringify(perStrategy)}`);
}

if (mode === 'problems') problems();
else if (mode === 'build')
  build().catch((e) => {
    console.error(e);
    process.exit(1);
  });
else {
  console.error('usage: node --import tsx model/reasonerData.ts problems|build [options] (see the comment at the top)');
  process.exit(2);
}
