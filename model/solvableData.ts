/**
 * A learnability check for the value model's architecture, not training data for a shipped model: Countdown states
 * one and two legal steps in (uniformly random legal steps from problems drawn like the policy's training problems,
 * never a held-out multiset), each labelled by exact solvability from the rules (`solvableState`) instead of the
 * policy's rollouts. If a network cannot learn these clean labels, the noisier rollout labels are not what holds
 * the value model back. Same JSON lines as model/valueData.ts (`pos` 0 or 1 of `n` = `legal` = 1), so
 * model/train_value.py reads them unchanged. model/README.md "Value model" has the results.
 *
 * Run: node --import tsx model/solvableData.ts --problems 6000 --keep 0.25 --out /tmp/solvable-train.jsonl
 *      node --import tsx model/solvableData.ts --split validation --out /tmp/solvable-validation.jsonl
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CountdownProblem } from '../src/core/embedded/countdown';
import { defaultModelDir } from '../src/core/embedded/modelFiles';
import { Prng } from '../src/core/embedded/sampler';
import { legalFrontiers, multisetKey, sampleTrainingProblem, solvableState, valueStateText } from '../src/core/embedded/valueState';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : def;
};
const split = arg('split', 'train') as 'train' | 'validation';
const count = Number(arg('problems', '6000'));
/** share of each training problem's states kept (all of them for validation) */
const keep = Number(arg('keep', '0.25'));
const out = arg('out', `/tmp/solvable-${split}.jsonl`);

const held = JSON.parse(readFileSync(join(defaultModelDir(), 'heldout.json'), 'utf8')) as Record<'test' | 'validation', CountdownProblem[]>;
const heldOut = new Set([...held.test, ...held.validation].map((p) => multisetKey(p.numbers)));
const rng = new Prng(99);
const problems = split === 'validation' ? held.validation : Array.from({ length: count }, () => sampleTrainingProblem(rng, heldOut));
const rows = new Map<string, { pos: number; n: number; legal: number; depth: number }>();
for (const p of problems) {
  for (const [k, frontier] of legalFrontiers(p.numbers, p.target, 2).entries()) {
    const depth = k + 1;
    for (const ns of frontier) {
      if (split === 'train' && rng.next() >= keep) continue;
      rows.set(valueStateText(ns, p.target), { pos: solvableState(ns, p.target) ? 1 : 0, n: 1, legal: 1, depth });
    }
  }
}
writeFileSync(out, [...rows].map(([state, r]) => JSON.stringify({ state, ...r })).join('\n') + '\n');
console.error(`wrote ${out}: ${rows.size} states, ${[...rows.values()].filter((r) => r.pos).length} solvable`);
