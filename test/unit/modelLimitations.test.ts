/**
 * Declared capabilities: the embedded generator declares that it ignores previous attempts, revision declares that
 * it relies on them, and the run set-up says so once (onAdaptation, kind 'model-limitation') and records it on the
 * run's adaptations, in the trace file too; a strategy relying on nothing the model lacks hears nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRunCommand } from '../../src/cli/commands/run';
import { EmbeddedModel } from '../../src/core/embedded/model';
import { EmbeddedCountdownPolicy } from '../../src/core/embedded/policy';
import { EmbeddedGenerator } from '../../src/core/embedded/generator';
import { renderProblem, type CountdownProblem } from '../../src/core/embedded/countdown';
import type { Generator } from '../../src/core/llm/generator';
import { prepareRun } from '../../src/core/run';
import { modelLimitations } from '../../src/core/run/runSetup';
import { STRATEGY_CATALOG, StrategyCatalogSchema, strategyInfo } from '../../src/core/search/catalog';
import { readTraceFile } from '../../src/core/trace/io';
import type { Adaptation, Trace } from '../../src/core/trace/schema';

const NOTE = 'the embedded model ignores previous attempts: revision is plain resampling';
const heldout = JSON.parse(readFileSync(join(__dirname, '../../model/heldout.json'), 'utf8')) as { validation: CountdownProblem[] };
const problem = { id: 'v3', text: renderProblem(heldout.validation[3]!) };
const dir = mkdtempSync(join(tmpdir(), 'metacot-limitations-'));

let model: EmbeddedModel;
let generator: EmbeddedGenerator;
before(async () => {
  model = await EmbeddedModel.load({ dir: join(__dirname, '../../model') });
  generator = new EmbeddedGenerator(new EmbeddedCountdownPolicy(model));
});
after(async () => {
  await model.release();
  rmSync(dir, { recursive: true, force: true });
});

test('the embedded generator declares that it ignores previous attempts; revision declares that it relies on them', () => {
  assert.deepEqual(generator.limitations(), [{ feature: 'previous-attempts', note: NOTE }]);
  assert.deepEqual(strategyInfo('revision').relies, ['previous-attempts']);
  for (const s of STRATEGY_CATALOG.strategies.filter((x) => x.name !== 'revision')) assert.equal(s.relies, undefined, s.name);
  // the panel validates the catalog it receives: the new field passes, an unknown feature does not
  assert.equal(StrategyCatalogSchema.safeParse(STRATEGY_CATALOG).success, true);
  const bad = { ...STRATEGY_CATALOG, strategies: STRATEGY_CATALOG.strategies.map((s) => (s.name === 'revision' ? { ...s, relies: ['telepathy'] } : s)) };
  assert.equal(StrategyCatalogSchema.safeParse(bad).success, false);
});

test('modelLimitations: only what the strategy relies on and the generator lacks', () => {
  assert.deepEqual(modelLimitations('revision', generator), [{ kind: 'model-limitation', message: NOTE, count: 1 }]);
  assert.deepEqual(modelLimitations('astar', generator), []);
  assert.deepEqual(modelLimitations('mcts', generator), []);
  const silent: Generator = { generate: generator.generate.bind(generator), describe: () => generator.describe() };
  assert.deepEqual(modelLimitations('revision', silent), []);
  const other: Generator = { ...silent, limitations: () => [{ feature: 'seed', note: 'ignores seeds' }] };
  assert.deepEqual(modelLimitations('revision', other), []);
});

test('a revision run on the embedded model is told once, before its first request, and records it (trace file too)', async () => {
  const told: { a: Adaptation; requestsBefore: number }[] = [];
  let requests = 0;
  const prepared = await prepareRun({
    problem,
    strategy: 'revision',
    params: { attempts: 2, seed: 1, concurrency: 1 },
    endpoint: { kind: 'embedded' },
    onAdaptation: (a) => told.push({ a, requestsBefore: requests }),
  });
  const file = join(dir, 'revision.metacot.json');
  const report = await prepared.execute({ traceFile: file, onProgress: (p) => (requests = p.usage.requests) });
  assert.ok(report.usage.requests >= 1);
  assert.deepEqual(told, [{ a: { kind: 'model-limitation', message: NOTE, count: 1 }, requestsBefore: 0 }]);
  const run = prepared.tree.trace.runs.at(-1)!;
  assert.deepEqual(run.adaptations?.filter((a) => a.kind === 'model-limitation'), [{ kind: 'model-limitation', message: NOTE, count: 1 }]);
  const written = await readTraceFile(file);
  assert.deepEqual(written.runs.at(-1)?.adaptations?.filter((a) => a.kind === 'model-limitation'), [{ kind: 'model-limitation', message: NOTE, count: 1 }]);
});

test('a strategy that relies on nothing the model lacks is told nothing and records nothing', async () => {
  const told: Adaptation[] = [];
  const prepared = await prepareRun({
    problem,
    strategy: 'best-of-n',
    params: { n: 2, seed: 1 },
    endpoint: { kind: 'embedded' },
    onAdaptation: (a) => told.push(a),
  });
  await prepared.execute();
  assert.deepEqual(told, []);
  assert.equal(prepared.tree.trace.runs.at(-1)?.adaptations, undefined);
});

test('metacot run --strategy revision on the embedded model: stderr says the limitation once and the trace records it', async () => {
  const problems = join(dir, 'problems.jsonl');
  writeFileSync(problems, JSON.stringify({ id: 'v3', problem: problem.text }) + '\n');
  let out = '';
  let err = '';
  const code = await runRunCommand(
    ['--problems', problems, '--strategy', 'revision', '--param', 'attempts=2', '--param', 'seed=1', '--quiet', '--out', join(dir, 'cli')],
    { out: (t) => void (out += t), err: (t) => void (err += t) },
  );
  assert.equal(code, 0, err);
  assert.equal(err.split('\n').filter((l) => l === `note: embedded model: ${NOTE}`).length, 1, err);
  const trace = JSON.parse(readFileSync(join(dir, 'cli', 'v3.metacot.json'), 'utf8')) as Trace;
  assert.deepEqual(trace.runs[0]?.adaptations?.filter((a) => a.kind === 'model-limitation'), [{ kind: 'model-limitation', message: NOTE, count: 1 }]);
});
