/**
 * Training data for the embedded value model: the shipped step policy's own rollouts on training problems.
 * For each problem (drawn like the policy's training problems, never sharing its numbers with model/heldout.json),
 * the policy samples `--n` whole solutions at temperature 1 in one batched request; every state a legal path passes
 * through is labelled with that path's outcome (1 when a legal step reaches the target: the Countdown checker
 * verifies the path there). The mean of those labels per state estimates V^π(state), the chance that the policy
 * solves from it, which is what the search's value should be (paper §3, Eq. 11, with rollouts from the root).
 *
 * Writes JSON lines `{ "state": "2, 7, 15 > 24", "pos": 3, "n": 5, "legal": 4, "depth": 1 }` aggregated per state:
 * n paths passed through it, pos of them reached the target, legal of them made no illegal step (a search with step
 * checks never keeps an illegal step, so `pos / legal` is closer to what such a search sees than `pos / n`). `--split validation` writes the same for held-out validation problems instead, to measure
 * calibration (never used to train).
 *
 * Run: node --import tsx model/valueData.ts --problems 1200 --seed 1 --out /tmp/value-train-1.jsonl
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedModel } from '../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../src/core/embedded/policy';
import { defaultModelDir } from '../src/core/embedded/modelFiles';
import { renderProblem, type CountdownProblem } from '../src/core/embedded/countdown';
import { Prng } from '../src/core/embedded/sampler';
import { multisetKey, pathStates, sampleTrainingProblem, type PathStates } from '../src/core/embedded/valueState';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const k = args.indexOf(`--${name}`);
  return k >= 0 && args[k + 1] !== undefined ? args[k + 1]! : def;
};
const count = Number(arg('problems', '1200'));
const seed = Number(arg('seed', '1'));
const n = Number(arg('n', '16'));
const split = arg('split', 'train') as 'train' | 'validation';
const out = arg('out', `/tmp/value-${split}-${seed}.jsonl`);
/** distinct states per depth (1 and 2 steps in) that get `branchN` continuations of their own */
const branch = Number(arg('branch', '3'));
const branchN = Number(arg('branchN', '8'));

async function main(): Promise<void> {
  const dir = defaultModelDir();
  const held = JSON.parse(readFileSync(join(dir, 'heldout.json'), 'utf8')) as Record<'test' | 'validation', CountdownProblem[]>;
  const heldOut = new Set([...held.test, ...held.validation].map((p) => multisetKey(p.numbers)));
  const rng = new Prng(7919 * seed + 17);
  const problems: CountdownProblem[] =
    split === 'validation' ? held.validation.slice(0, count) : Array.from({ length: count }, () => sampleTrainingProblem(rng, heldOut));
  const model = await EmbeddedModel.load({ dir });
  const policy = new EmbeddedCountdownPolicy(model);
  const signal = new AbortController().signal;
  const agg = new Map<string, { pos: number; n: number; legal: number; depth: number }>();
  let paths = 0;
  let solved = 0;
  let tokens = 0;
  const t0 = performance.now();
  const record = (walk: PathStates, from: number): void => {
    for (let depth = from; depth < walk.states.length; depth++) {
      const state = walk.states[depth]!;
      const a = agg.get(state) ?? { pos: 0, n: 0, legal: 0, depth };
      a.pos += walk.reached ? 1 : 0;
      a.n += 1;
      a.legal += walk.brokenAt === undefined ? 1 : 0;
      agg.set(state, a);
    }
  };
  const sample = async (p: CountdownProblem, steps: readonly string[], count: number, s: number) => {
    const r = await policy.generate(
      {
        messages: [
          { role: 'user', content: renderProblem(p) },
          ...(steps.length > 0 ? [{ role: 'assistant' as const, content: steps.join('\n\n') }] : []),
        ],
        continueFinalMessage: steps.length > 0,
        n: count,
        maxTokens: 200,
        temperature: 1,
        topP: 1,
        seed: s,
        stop: [],
        logprobs: false,
      },
      signal,
    );
    tokens += r.completionTokens.reduce((x, y) => x + y, 0);
    return r.choices.map((c) => c.text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0));
  };
  for (const [k, p] of problems.entries()) {
    // Rollouts from the root: every state on a legal path gets the path's outcome.
    const branchable = new Map<number, Map<string, string[]>>([[1, new Map()], [2, new Map()]]);
    for (const lines of await sample(p, [], n, hash(seed, k))) {
      const walk = pathStates(p, lines);
      paths++;
      if (walk.reached) solved++;
      record(walk, 0);
      for (const [depth, states] of branchable) {
        const state = walk.states[depth];
        // a state the path goes on from (not the one where it reached the target)
        const goesOn = state !== undefined && !(walk.reached && walk.states.length - 1 === depth);
        if (goesOn && !states.has(state)) states.set(state, lines.slice(0, depth));
      }
    }
    // Rollouts from states one and two steps in: more outcomes where a single path rarely decides.
    for (const [depth, states] of branchable) {
      const picked = shuffle([...states], rng).slice(0, branch);
      for (const [j, [, prefix]] of picked.entries()) {
        for (const lines of await sample(p, prefix, branchN, hash(seed, 1_000_000 * depth + 1000 * k + j))) {
          const walk = pathStates(p, [...prefix, ...lines]);
          paths++;
          if (walk.reached) solved++;
          record(walk, depth);
        }
      }
    }
    if ((k + 1) % 100 === 0) {
      const s = (performance.now() - t0) / 1000;
      console.error(`${k + 1}/${problems.length} problems, ${paths} paths, ${((100 * solved) / paths).toFixed(1)} % solved, ${agg.size} states, ${Math.round(tokens / s)} tokens/s, ${s.toFixed(0)} s`);
    }
  }
  await model.release();
  writeFileSync(out, [...agg].map(([state, a]) => JSON.stringify({ state, ...a })).join('\n') + '\n');
  console.error(`wrote ${out}: ${agg.size} states from ${paths} paths (${solved} reach the target), ${tokens} tokens, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

function shuffle<T>(xs: T[], rng: Prng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function hash(a: number, b: number): number {
  return (Math.imul(a, 1000003) + b * 7919 + 12345) >>> 0;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
