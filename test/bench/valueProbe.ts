/**
 * Benchmark: does the embedded value model tell states the target can still be reached from apart from dead ones?
 * For every held-out problem (model/heldout.json, `--split test` by default), every state one and two legal steps in
 * (the rules' steps, not only the policy's; states already holding the target left out) is scored by the value model
 * and labelled by exact solvability from the Countdown rules. Reported per depth: states, solvable share, AUC of the
 * score for solvability (Mann–Whitney, ties half) with a 95 % bootstrap interval over states, and the mean score of
 * each class. Depth is held fixed because the depth alone already separates the classes (a deeper state is less
 * often solvable), and a search compares siblings, which share their depth.
 *
 * Exact solvability is not what the model was trained on (the policy's own success from the state), but a value
 * that cannot rank solvable above dead states at one depth cannot guide a search either.
 *
 * Run: node --import tsx test/bench/valueProbe.ts [--dir model] [--split test|validation] [--out file.json]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EmbeddedValueModel } from '../../src/core/embedded/valueModel';
import { defaultModelDir } from '../../src/core/embedded/modelFiles';
import type { CountdownProblem } from '../../src/core/embedded/countdown';
import { legalFrontiers, solvableState, valueStateText } from '../../src/core/embedded/valueState';
import { Prng } from '../../src/core/embedded/sampler';
import { rocAuc } from '../../src/core/analyse/rocAuc';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : def;
};

async function main(): Promise<void> {
  const dir = arg('dir', defaultModelDir());
  const split = arg('split', 'test') as 'test' | 'validation';
  const out = arg('out', join(__dirname, '../../test-results/bench/valueProbe.json'));
  const held = JSON.parse(readFileSync(join(defaultModelDir(), 'heldout.json'), 'utf8')) as Record<'test' | 'validation', CountdownProblem[]>;
  const model = await EmbeddedValueModel.load({ dir });
  // states one and two steps in, each labelled by solvability (one walk per problem for both depths)
  const byDepth = [new Map<string, boolean>(), new Map<string, boolean>()];
  for (const p of held[split]) {
    legalFrontiers(p.numbers, p.target, 2).forEach((frontier, k) => {
      for (const ns of frontier) byDepth[k]!.set(valueStateText(ns, p.target), solvableState(ns, p.target));
    });
  }
  const depths = [];
  for (const [k, states] of byDepth.entries()) {
    const depth = k + 1;
    const texts = [...states.keys()];
    const labels = texts.map((t) => states.get(t)!);
    const scores: number[] = [];
    for (let i = 0; i < texts.length; i += 512) scores.push(...(await model.score(texts.slice(i, i + 512))));
    const rng = new Prng(depth);
    const draws: number[] = [];
    for (let b = 0; b < 200; b++) {
      const idx = texts.map(() => Math.floor(rng.next() * texts.length));
      draws.push(rocAuc(idx.map((i) => scores[i]!), idx.map((i) => labels[i]!)));
    }
    draws.sort((a, b) => a - b);
    const mean = (want: boolean) => {
      const xs = scores.filter((_, i) => labels[i] === want);
      return xs.reduce((a, x) => a + x, 0) / xs.length;
    };
    const row = {
      depth,
      states: texts.length,
      solvable: labels.filter(Boolean).length,
      auc: rocAuc(scores, labels),
      aucLow: draws[4]!,
      aucHigh: draws[194]!,
      meanSolvable: mean(true),
      meanDead: mean(false),
    };
    depths.push(row);
    console.log(`depth ${depth}: ${row.states} states, ${row.solvable} solvable; AUC ${row.auc.toFixed(3)} [${row.aucLow.toFixed(3)}, ${row.aucHigh.toFixed(3)}]; mean score solvable ${row.meanSolvable.toFixed(3)}, dead ${row.meanDead.toFixed(3)}`);
  }
  await model.release();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ benchmark: 'valueProbe', model: { dir, sha256: model.sha256, input: model.meta.arch === 'pairs' ? 'pairs' : (model.meta.tokenize ?? 'chars') }, split, depths }, null, 1) + '\n');
  console.log(`wrote ${out}`);
}

if (process.argv[1] && /valueProbe\.ts$/.test(process.argv[1])) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
