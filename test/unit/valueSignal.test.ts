/**
 * Value signal (issue 17): a value-guided strategy (beam, MCTS, A*) whose steps all carry the prior — or no value —
 * ranked arbitrarily, and every surface says so from valueSignal. Real runs (the engine with an in-process policy),
 * the shipped fixtures and hand-built traces.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunCommand } from '../../src/cli/commands/run';
import { valueSignalWarning } from '../../src/cli/runAdvice';
import { valueSignal } from '../../src/core/analyse/valueSignal';
import { runSearch } from '../../src/core/search/engine';
import { parseTrace } from '../../src/core/trace/io';
import type { StrategyName, Trace, TraceNode } from '../../src/core/trace/schema';
import { branchPolicy, freshTree, makeGenerator } from './searchFixtures';

const fixture = (name: string): Trace => parseTrace(readFileSync(join(__dirname, '..', 'fixtures', 'traces', name), 'utf8'));

async function realRun(strategy: StrategyName, verifier: 'none' | 'rollout', params: Record<string, number>): Promise<Trace> {
  const tree = freshTree();
  await runSearch({ tree, generator: makeGenerator(branchPolicy()), config: { strategy, params: { concurrency: 1, seed: 1, ...params }, verifier: { kind: verifier, params: {} } } });
  return tree.toJSON();
}

/** A trace with one run of `strategy` whose step nodes carry `values` (undefined = unvalued). */
function handBuilt(strategy: StrategyName, values: (number | undefined)[]): Trace {
  const base = fixture('countdown-beam.metacot.json');
  const run = { ...base.runs[0]!, id: 'r1', config: { ...base.runs[0]!.config, strategy, verifier: { kind: 'none' as const, params: {} } } };
  const root = base.nodes.find((n) => n.parentId === null)!;
  const steps: TraceNode[] = values.map((v, i) => ({ id: `s${i}`, parentId: root.id, kind: 'step', text: `step ${i}`, author: 'model', status: 'expanded', iteration: 1, runId: 'r1', ...(v !== undefined ? { value: v } : {}) }));
  return { ...base, runs: [run], nodes: [root, ...steps], events: [], result: null };
}

describe('valueSignal', () => {
  test('a real beam run with verifier none: every step at the prior, the message names beam, 0.5 and the verifiers', async () => {
    const trace = await realRun('beam', 'none', { N: 3, width: 2, maxDepth: 3 });
    const runId = trace.runs[0]!.id;
    const s = valueSignal(trace, runId);
    const steps = trace.nodes.filter((n) => n.kind === 'step' && n.runId === runId);
    assert.ok(steps.length >= 4, `beam made ${steps.length} steps`);
    assert.equal(s.usesValues, true);
    assert.equal(s.none, true);
    assert.deepEqual([s.valuedSteps, s.distinctValues], [0, 1]);
    // What the user saw in the detail pane: every kept beam at score 0.5 against a cutoff of 0.5.
    assert.ok(steps.some((n) => n.selection?.beam?.score === 0.5 && n.selection.beam.cutoff === 0.5));
    assert.equal(s.message, 'beam ran with no value signal: no step carried a value (every step ranked at the prior 0.5), so its ranking is arbitrary — set a verifier (prm, countdown, heuristic, rollout)');
  });

  test('a real beam run with rollouts has a signal', async () => {
    const trace = await realRun('beam', 'rollout', { N: 2, width: 2, maxDepth: 2 });
    const s = valueSignal(trace, trace.runs[0]!.id);
    assert.equal(s.usesValues, true);
    assert.ok(s.distinctValues >= 2, `distinct values ${s.distinctValues}`);
    assert.equal(s.none, false);
    assert.equal(s.message, undefined);
  });

  test('the shipped countdown beam and MCTS fixtures have a signal', () => {
    for (const name of ['countdown-beam.metacot.json', 'mcts-30.metacot.json']) {
      const t = fixture(name);
      const s = valueSignal(t, t.runs[0]!.id);
      assert.equal(s.usesValues, true, name);
      assert.equal(s.none, false, name);
      assert.ok(s.distinctValues > 3, `${name}: ${s.distinctValues}`);
    }
  });

  test('single and best-of-n do not rank by value: never "none"', async () => {
    for (const strategy of ['single', 'best-of-n'] as const) {
      const trace = await realRun(strategy, 'none', strategy === 'best-of-n' ? { n: 3 } : {});
      const s = valueSignal(trace, trace.runs[0]!.id);
      assert.equal(s.usesValues, false, strategy);
      assert.equal(s.none, false, strategy);
      assert.equal(s.message, undefined, strategy);
    }
  });

  test('hand-built: unvalued steps, one shared value, two values, a single step, an unknown run', () => {
    const unvalued = valueSignal(handBuilt('mcts', [undefined, undefined, undefined]), 'r1');
    assert.deepEqual({ ...unvalued, message: undefined }, { runId: 'r1', strategy: 'mcts', usesValues: true, valuedSteps: 0, distinctValues: 1, none: true, message: undefined });
    assert.match(unvalued.message ?? '', /^mcts ran with no value signal: no step carried a value \(every step ranked at the prior 0\.5\), so its ranking is arbitrary/);
    const flat = valueSignal(handBuilt('astar', [0.3, 0.3, 0.3, 0.3]), 'r1');
    assert.equal(flat.none, true);
    assert.match(flat.message ?? '', /every step scored 0\.3,/);
    const varied = valueSignal(handBuilt('astar', [0.3, 0.3, 0.7]), 'r1');
    assert.deepEqual([varied.none, varied.valuedSteps, varied.distinctValues], [false, 3, 2]);
    // A checker's dead ends at 0 beside unvalued steps (at the prior 0.5) do order the search.
    const deadEnds = valueSignal(handBuilt('beam', [0, 0, undefined, undefined]), 'r1');
    assert.deepEqual([deadEnds.none, deadEnds.valuedSteps, deadEnds.distinctValues], [false, 2, 2]);
    const atPrior = valueSignal(handBuilt('beam', [0.5, undefined, 0.5]), 'r1');
    assert.deepEqual([atPrior.none, atPrior.valuedSteps, atPrior.distinctValues], [true, 2, 1]);
    assert.match(atPrior.message ?? '', /: every step scored 0\.5, so/);
    assert.equal(valueSignal(handBuilt('beam', [0.5]), 'r1').none, false, 'one step ranks nothing');
    // A run whose requests failed made nodes without text: nothing was ranked, so no "no value signal" beside the failure.
    const failedRun = handBuilt('beam', [undefined, undefined, undefined]);
    failedRun.nodes = failedRun.nodes.map((n) => (n.kind === 'step' ? { ...n, status: 'failed' as const, text: '', error: 'unreachable' } : n));
    assert.equal(valueSignal(failedRun, 'r1').none, false, 'failed steps rank nothing');
    const unknown = valueSignal(handBuilt('beam', [0.5, 0.5]), 'nope');
    assert.deepEqual([unknown.usesValues, unknown.none, unknown.strategy], [false, false, 'unknown']);
  });

  test('a verifier that gave no step values is named in the message', () => {
    const t = handBuilt('beam', [0.5, 0.5, 0.5]);
    const withAnswer: Trace = { ...t, runs: [{ ...t.runs[0]!, config: { ...t.runs[0]!.config, verifier: { kind: 'answer', params: {} } } }] };
    assert.equal(valueSignal(withAnswer, 'r1').message, 'beam ran with no value signal, with verifier answer: every step scored 0.5, so its ranking is arbitrary — set a verifier (prm, countdown, heuristic, rollout)');
  });
});

describe('metacot run summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'metacot-value-signal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const SAMPLE = 'Use the numbers 3, 5, 7, 2 to reach 24. Use + - * / and each number at most once.';

  async function cli(verifier: string): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runRunCommand(
      ['--problem', SAMPLE, '--strategy', 'beam', '--verifier', verifier, '--param', 'seed=1', '--budget', 'maxTokens=2000', '--quiet', '--force', '--out', join(dir, verifier)],
      { out: (t) => void (out += t), err: (t) => void (err += t) },
    );
    return { code, out, err };
  }

  test('beam with verifier none on the embedded model: the summary warns and names the flag', async () => {
    const { out, err } = await cli('none');
    assert.match(out, /solved \d\/1/);
    assert.ok(
      err.includes('warning: problem: beam ran with no value signal: no step carried a value (every step ranked at the prior 0.5), so its ranking is arbitrary — set a verifier (prm, countdown, heuristic, rollout)\n  what to do: pass --verifier prm | countdown | heuristic | rollout (countdown and heuristic: Countdown problems only)\n'),
      err,
    );
  });

  test('beam with the countdown checks (dead ends at 0): no warning', async () => {
    const { err } = await cli('countdown');
    assert.doesNotMatch(err, /no value signal/);
  });

  test('valueSignalWarning: undefined with a signal, the message and flag without', () => {
    const base = { runId: 'r', strategy: 'beam', usesValues: true, valuedSteps: 3, distinctValues: 2, none: false, message: undefined };
    assert.equal(valueSignalWarning('p1', base), undefined);
    assert.equal(valueSignalWarning('p1', { ...base, none: true, message: 'beam ran with no value signal: x' }), 'warning: p1: beam ran with no value signal: x\n  what to do: pass --verifier prm | countdown | heuristic | rollout (countdown and heuristic: Countdown problems only)');
  });
});
