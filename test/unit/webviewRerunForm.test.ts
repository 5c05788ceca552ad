// The re-run form's pure model: built only from the catalog the host sends; a fake strategy shows up with its params.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STRATEGY_CATALOG, StrategyCatalogSchema } from '../../src/core/search/catalog';
import type { StrategyCatalog } from '../../src/core/search/catalog';
import type { Run } from '../../src/core/trace/schema';
import { initialStrategy, readRerunForm, rerunFormModel } from '../../webview/rerunFormModel';

/** A copy of the real catalog with one strategy the panel has never heard of, made the default. */
const withFake = (): StrategyCatalog =>
  StrategyCatalogSchema.parse({
    ...STRATEGY_CATALOG,
    strategies: [
      ...STRATEGY_CATALOG.strategies,
      {
        name: 'fake-dfs',
        label: 'Fake depth-first',
        summary: 'a strategy that exists only in this test',
        params: [
          { name: 'fanout', label: 'Fan-out', type: 'integer', default: 3, min: 1, max: 9, doc: 'children per node' },
          { name: 'order', label: 'Visit order', type: 'string', default: 'left', choices: ['left', 'right'], doc: 'which child first' },
          { name: 'greedy', label: 'Greedy', type: 'boolean', default: false, doc: 'take the best child only' },
          { name: 'bias', label: 'Bias', type: 'number', default: null, doc: 'optional bias (null: none)' },
        ],
      },
    ],
    defaultStrategy: 'fake-dfs',
  });

const run = (strategy: string, params: Record<string, unknown>): Run =>
  ({ id: 'r1', config: { strategy, params, budgets: { maxNodes: 30 }, endpoint: { model: 'm' } }, status: 'solved', usage: {} }) as unknown as Run;

describe('webview re-run form model', () => {
  it('offers every catalog strategy, a fake one included, with its parameters as fields', () => {
    const catalog = withFake();
    const form = rerunFormModel(catalog, {}, undefined);
    assert.equal(form.strategy, 'fake-dfs', 'no run and no host default: the catalog default');
    assert.deepEqual(form.strategies.map((s) => s.value), [...STRATEGY_CATALOG.strategies.map((s) => s.name), 'fake-dfs']);
    assert.equal(form.strategies.at(-1)?.label, 'Fake depth-first');
    assert.deepEqual(
      form.fields.map((f) => [f.name, f.label, f.control, f.value]),
      [
        ['fanout', 'Fan-out', 'integer', '3'],
        ['order', 'Visit order', 'choice', 'left'],
        ['greedy', 'Greedy', 'boolean', 'false'],
        ['bias', 'Bias', 'number', ''],
      ],
    );
    assert.deepEqual(form.fields[1].choices, ['left', 'right']);
    assert.equal(form.fields[0].max, 9);
  });

  it('starts from the node’s run when it used the chosen strategy, else from the host defaults', () => {
    const catalog = withFake();
    const beamRun = run('beam', { N: 4, width: 2, aggregation: 'min', maxDepth: 4, temperature: 0.7 });
    assert.equal(initialStrategy(catalog, {}, beamRun), 'beam');
    assert.equal(initialStrategy(catalog, { strategy: 'mcts' }, beamRun), 'mcts', 'the host default wins');
    assert.equal(initialStrategy(catalog, {}, run('gone', {})), 'fake-dfs', 'a run of an unknown strategy falls back to the default');
    const beam = rerunFormModel(catalog, {}, beamRun);
    const values = Object.fromEntries(beam.fields.map((f) => [f.name, f.value]));
    assert.deepEqual(values, { N: '4', width: '2', maxDepth: '4', aggregation: 'min', resample: 'true', resampleLimit: '2', stopOnSolve: 'true' });
    const fake = rerunFormModel(catalog, { strategy: 'fake-dfs', params: { fanout: 5 } }, beamRun, 'fake-dfs');
    assert.equal(fake.fields[0].value, '5');
  });

  it('reads the form into a request: typed values, carried common params, budgets; bad input is named', () => {
    const catalog = withFake();
    const from = run('fake-dfs', { fanout: 2, temperature: 0.7, seed: 11, unknownOld: 1 });
    const form = rerunFormModel(catalog, {}, from);
    const ok = readRerunForm(catalog, form, new Map([['fanout', '4'], ['order', 'right'], ['greedy', 'true'], ['bias', '']]), new Map([['maxTokens', '5000']]), from);
    assert.deepEqual(ok, { ok: true, request: { strategy: 'fake-dfs', params: { temperature: 0.7, seed: 11, fanout: 4, order: 'right', greedy: true }, budgets: { maxTokens: 5000 } } });
    const bad = readRerunForm(catalog, form, new Map([['fanout', '12'], ['bias', 'x']]), new Map([['maxNodes', '-1']]), from);
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.deepEqual(bad.problems, ['Fan-out: expected a whole number from 1 to 9', 'Bias: expected a number', 'Node budget: expected a whole number']);
      assert.deepEqual(bad.invalid, ['fanout', 'bias', 'budget-maxNodes']);
    }
  });
});
