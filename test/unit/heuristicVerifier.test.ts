/**
 * Verifier `heuristic` (issue 16): Stream-of-Search's distance-to-target values for Countdown states, no model call.
 * Values are checked against hand-computed ones; an A* run on an in-process Countdown proposer is ordered by them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateRequest } from '../../src/core/llm/generator';
import { countdownSentence } from '../../src/core/problems/countdown';
import { runSearch } from '../../src/core/search/engine';
import { InProcessGenerator } from '../../src/core/search/inProcessGenerator';
import { ParamError } from '../../src/core/search/params';
import { ValueSourceSchema, VerifierConfigSchema, type Problem, type TraceNode } from '../../src/core/trace/schema';
import { autoChecker, countdownChecker } from '../../src/core/verify/checker';
import { countdownState, heuristicEstimator, multHeuristic, sumHeuristic, targetFactors, type HeuristicName } from '../../src/core/verify/heuristic';
import { createVerifier, VERIFIER_PARAMS } from '../../src/core/verify/verifier';
import { valueSourceText } from '../../webview/format';
import { countdownMoves, freshTree, mathProblem } from './searchFixtures';

const cd: Problem = { text: countdownSentence([3, 5, 7, 2], 24) };

const noSample = () => {
  throw new Error('the heuristic must not call the model');
};

async function valueOf(heuristic: HeuristicName, steps: string[], problem: Problem = cd) {
  const est = heuristicEstimator({ heuristic, checker: autoChecker() });
  return est.estimate({ problem, steps, sample: noSample, signal: new AbortController().signal });
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('SoS heuristics on hand-computed states: sum is the mean distance, mult the summed distance to factors', () => {
  assert.deepEqual(targetFactors(24), [2, 3, 4, 6, 8, 12, 24]);
  assert.deepEqual(targetFactors(36), [2, 3, 4, 6, 9, 12, 18, 36]);
  assert.deepEqual(targetFactors(7), [7]);
  assert.deepEqual(targetFactors(1), [1], 'no divisor ≥ 2: the target itself');
  assert.equal(sumHeuristic([7, 2, 15], 24), (17 + 22 + 9) / 3);
  assert.equal(sumHeuristic([30], 24), 6, 'one number: its distance (SoS)');
  assert.equal(multHeuristic([7, 2, 15], 24), 1 + 0 + 3);
  assert.equal(multHeuristic([10, 50], 36), 1 + 14);
  assert.throws(() => sumHeuristic([], 24), RangeError);
});

test('after one step: sum 1/(1 + 16/24) = 0.6, mult 1/(1 + 4/24) = 6/7; the source names the heuristic', async () => {
  const steps = ['5 * 3 = 15 (left: 7, 2, 15)'];
  const sum = await valueOf('sum', steps);
  close(sum.value, 0.6, 'sum');
  assert.deepEqual(sum.source, { kind: 'heuristic', heuristic: 'sum' });
  assert.deepEqual(sum.detail, { h: 16, left: 3 });
  const mult = await valueOf('mult', steps);
  close(mult.value, 6 / 7, 'mult');
  assert.deepEqual(mult.source, { kind: 'heuristic', heuristic: 'mult' });
  assert.deepEqual(mult.detail, { h: 4, left: 3 });
});

test('the root is valued on the problem numbers: sum h = 79/4, mult h = 2', async () => {
  const sum = await valueOf('sum', []);
  close(sum.value, 1 / (1 + 79 / 4 / 24), 'sum');
  close(sum.value, 96 / 175, 'sum as a fraction');
  const mult = await valueOf('mult', []);
  close(mult.value, 12 / 13, 'mult: 3 → 0, 5 → 1, 7 → 1, 2 → 0');
});

test('the state is the last step\'s (left: …) list; a step without one is applied to the numbers before it', async () => {
  assert.deepEqual(countdownState({ numbers: [3, 5, 7, 2], target: 24 }, ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)']), [2, 22]);
  assert.deepEqual(countdownState({ numbers: [3, 5, 7, 2], target: 24 }, ['5 * 3 = 15', '15 + 7 = 22']), [2, 22]);
  // The model's own account of what is left is what is valued (the checker judges the arithmetic).
  assert.deepEqual(countdownState({ numbers: [3, 5, 7, 2], target: 24 }, ['I try a product.\n5 * 3 = 15 (left: 7, 2, 15)']), [7, 2, 15]);
  assert.deepEqual(countdownState({ numbers: [3, 5, 7, 2], target: 24 }, ['7 / 2 = 3.5 (left: 3, 5, 3.5)']), [3, 5, 3.5]);
  close((await valueOf('sum', ['5 * 3 = 15'])).value, 0.6, 'replayed step');
  const two = await valueOf('sum', ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)']);
  close(two.value, 1 / (1 + 12 / 24), 'sum over 2 and 22');
  close((await valueOf('mult', ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)'])).value, 12 / 13, 'mult over 2 and 22');
});

test('finished paths get the checker\'s verdict: 1 verified, 0 refuted', async () => {
  for (const h of ['sum', 'mult'] as const) {
    const solved = await valueOf(h, ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)', '22 + 2 = 24 (left: 24)']);
    assert.equal(solved.value, 1, `${h}: steps reach 24`);
    assert.deepEqual(solved.source, { kind: 'heuristic', heuristic: h });
    assert.equal((await valueOf(h, ['Answer: 5 * 3 + 7 + 2'])).value, 1, `${h}: answer expression`);
    assert.equal((await valueOf(h, ['5 * 3 = 16 (left: 7, 2, 16)'])).value, 0, `${h}: wrong arithmetic`);
    assert.equal((await valueOf(h, ['Answer: 5 * 3 + 7'])).value, 0, `${h}: answer that misses the target`);
  }
  // exactlyOnce: reaching 24 with a number unused is not finished, so it is valued by distance (24 and 2 left).
  const exact = heuristicEstimator({ heuristic: 'sum', checker: countdownChecker({ exactlyOnce: true }) });
  const r = await exact.estimate({ problem: cd, steps: ['5 * 3 = 15 (left: 7, 2, 15)', '15 + 7 = 22 (left: 2, 22)', '22 + 2 = 24 (left: 24)'], sample: noSample, signal: new AbortController().signal });
  assert.equal(r.value, 1, 'all four used: verified');
  const partial = await exact.estimate({ problem: { text: countdownSentence([3, 5, 7, 2, 9], 24) }, steps: ['5 * 3 = 15 (left: 7, 2, 9, 15)', '15 + 9 = 24 (left: 7, 2, 24)'], sample: noSample, signal: new AbortController().signal });
  close(partial.value, 1 / (1 + (17 + 22 + 0) / 3 / 24), 'exactlyOnce, 7 and 2 unused');
});

test('a non-Countdown problem: the estimator throws a clear error; createVerifier with the problem refuses it', async () => {
  await assert.rejects(valueOf('sum', ['6 * 7 = 42'], mathProblem), /verifier heuristic values Countdown states only, and this is not a Countdown problem: no numbers and target found in "What is 6 \* 7\?"/);
  assert.throws(() => createVerifier({ kind: 'heuristic', params: {} }, {}, mathProblem), (e: unknown) => e instanceof ParamError && /not a Countdown problem/.test(e.message));
  assert.equal(createVerifier({ kind: 'heuristic', params: {} }, {}, cd).estimator?.kind, 'heuristic');
  // Other verifiers do not care about the problem.
  assert.equal(createVerifier({ kind: 'answer', params: {} }, {}, mathProblem).config.kind, 'answer');
});

test('createVerifier heuristic: resolved params with defaults, choices enforced, schema and detail-pane text', () => {
  const v = createVerifier({ kind: 'heuristic', params: {} });
  assert.deepEqual(v.config, { kind: 'heuristic', params: { check: 'auto', exactlyOnce: false, heuristic: 'sum' } });
  assert.equal(v.checker.name, 'auto');
  assert.equal(v.keepRollouts, false);
  const m = createVerifier({ kind: 'heuristic', params: { heuristic: 'mult', check: 'countdown', exactlyOnce: true } });
  assert.equal(m.config.params.heuristic, 'mult');
  assert.equal(m.checker.name, 'countdown-exact');
  assert.throws(() => createVerifier({ kind: 'heuristic', params: { heuristic: 'max' } }), ParamError);
  assert.ok(Object.keys(VERIFIER_PARAMS).includes('heuristic'));
  assert.equal(VerifierConfigSchema.safeParse({ kind: 'heuristic', params: {} }).success, true);
  assert.equal(ValueSourceSchema.safeParse({ kind: 'heuristic', heuristic: 'sum' }).success, true);
  assert.equal(ValueSourceSchema.safeParse({ kind: 'heuristic' }).success, false);
  assert.equal(valueSourceText({ kind: 'heuristic', heuristic: 'mult' }), 'mult heuristic (distance to the target)');
});

// ---- A* on an in-process Countdown proposer: values differ and the frontier is popped by them ----

/** A legal step from the numbers left, chosen deterministically by sibling index and request number. */
function proposer(req: GenerateRequest, i: number, call: number): string {
  const moves = countdownMoves(req);
  return moves[(i * 5 + call * 3) % moves.length]!;
}

const problem: Problem = { text: countdownSentence([4, 9, 10, 13], 24) };

async function astar(verifier: { kind: 'heuristic' | 'countdown'; params: Record<string, string> }) {
  const tree = freshTree(problem);
  const gen = new InProcessGenerator(proposer);
  const run = await runSearch({
    tree,
    config: { strategy: 'astar', params: { b: 4, maxExpansions: 12, concurrency: 1, parallel: 1, reexpandPenalty: 0, mergeDuplicates: false, stopOnSolve: false }, verifier },
    generator: gen,
  });
  return { tree, gen, run };
}

for (const heuristic of ['sum', 'mult'] as const) {
  test(`A* with verifier heuristic (${heuristic}): distinct values, no value requests, pops in value order`, async () => {
    const { tree, gen, run } = await astar({ kind: 'heuristic', params: { heuristic } });
    assert.notEqual(run.status, 'failed');
    assert.ok(gen.requests.every((r) => r.purpose === 'step'), 'valuing asked the model nothing');
    const steps = tree.trace.nodes.filter((n) => n.kind !== 'root');
    const open = steps.filter((n) => !(n.status === 'terminal' && n.verified !== undefined));
    assert.ok(open.length >= 8, `${open.length} unfinished nodes`);
    for (const n of open) {
      assert.deepEqual(n.valueSource, { kind: 'heuristic', heuristic }, n.id);
      assert.ok(n.value! > 0 && n.value! < 1, `${n.id}: ${n.value}`);
    }
    assert.ok(new Set(open.map((n) => n.value)).size >= 4, `values ${open.map((n) => n.value).join(', ')}`);
    // Each value is the heuristic of the node's own state.
    const byId = new Map(tree.trace.nodes.map((n) => [n.id, n]));
    const pathTo = (n: TraceNode): string[] => (n.parentId && byId.get(n.parentId)!.kind !== 'root' ? [...pathTo(byId.get(n.parentId)!), n.text] : [n.text]);
    const est = heuristicEstimator({ heuristic, checker: autoChecker() });
    for (const n of open) {
      const e = await est.estimate({ problem, steps: pathTo(n), sample: noSample, signal: new AbortController().signal });
      assert.equal(n.value, e.value, n.id);
    }
    // Replay the frontier: each pop is the best node pushed so far and not yet popped (ties: first pushed).
    const pops = tree.toJSON().events.filter((e) => e.type === 'select').map((e) => e.node);
    assert.equal(pops[0], 'n0');
    assert.ok(pops.length >= 3);
    const frontier: TraceNode[] = [];
    pops.forEach((id, k) => {
      if (k > 0) {
        const best = frontier.reduce((a, b) => (b.value! > a.value! ? b : a));
        assert.equal(id, best.id, `pop ${k + 1}: ${id} (${byId.get(id)!.value}) vs best ${best.id} (${best.value})`);
        frontier.splice(frontier.indexOf(best), 1);
      }
      for (const c of tree.children(id)) if (!(c.status === 'terminal' && c.verified !== undefined)) frontier.push(c);
    });
  });
}

test('A* with the checker only: every open node is unvalued (the prior) — the heuristic is what orders the search', async () => {
  const { tree } = await astar({ kind: 'countdown', params: {} });
  const open = tree.trace.nodes.filter((n) => n.kind !== 'root' && !(n.status === 'terminal' && n.verified !== undefined));
  assert.ok(open.length > 0);
  assert.ok(open.every((n) => n.value === undefined));
});
