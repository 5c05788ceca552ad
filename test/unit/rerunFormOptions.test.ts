// The re-run form's endpoint, model, verifier and budget parts (pure model): what they open on, what an empty budget
// means (the effective defaults, from the manifest's metacot.budgets default), and the request they build.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGY_CATALOG } from '../../src/core/search/catalog';
import { VerifierConfigSchema } from '../../src/core/trace/schema';
import type { Budgets, Run } from '../../src/core/trace/schema';
import { VERIFIER_PARAMS } from '../../src/core/verify/verifier';
import { ConfigMessageSchema, RerunOptionsSchema } from '../../src/protocol/hostMessages';
import type { RerunOptions } from '../../src/protocol/hostMessages';
import { PANEL_REQUESTS } from '../../src/protocol/panelRequests';
import { AUTO_VERIFIER, BUDGET_FIELDS, budgetFields, endpointForm, endpointModel, readRerunForm, rerunFormModel, verifierForm } from '../../webview/rerunFormModel';

const manifest = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> }[] | { properties: Record<string, { default?: unknown }> } };
};
/** metacot.budgets' default as the manifest declares it (what VS Code's settings return when the user set none). */
function budgetDefault(): Budgets {
  const c = manifest.contributes.configuration;
  for (const section of Array.isArray(c) ? c : [c]) {
    const p = section.properties['metacot.budgets'];
    if (p) return p.default as Budgets;
  }
  throw new Error('metacot.budgets is not in the manifest');
}

/** Options as the host builds them: the core's verifier kinds and params, two endpoints, the settings' budgets. */
function options(over: Partial<RerunOptions> = {}): RerunOptions {
  return RerunOptionsSchema.parse({
    endpoints: [
      { name: 'embedded', model: 'countdown-embedded', baseUrl: '', modelFixed: true },
      { name: 'ref', model: 'sim-countdown', baseUrl: 'http://127.0.0.1:8000/v1' },
      { name: 'lab', model: 'qwen-7b', baseUrl: 'http://10.0.0.2:8000/v1' },
    ],
    defaultEndpoint: 'lab',
    verifiers: VerifierConfigSchema.shape.kind.options.map((kind) => ({ kind, params: VERIFIER_PARAMS[kind] })),
    settingsVerifier: 'auto',
    effectiveBudgets: budgetDefault(),
    ...over,
  });
}

const run = (over: Partial<Run['config']> = {}): Run =>
  ({
    id: 'r1',
    startNodeId: 'n0',
    startedAt: '',
    status: 'solved',
    usage: { requests: 0, cachedRequests: 0, tokensIn: 0, tokensOut: 0, cost: 0 },
    config: {
      strategy: 'beam',
      params: { N: 4, width: 2, temperature: 0.7 },
      budgets: { maxTokens: 9000 },
      endpoint: { name: 'ref', baseUrl: 'http://127.0.0.1:8000/v1', model: 'sim-countdown', mode: 'chat', sampling: {} },
      verifier: { kind: 'rollout', params: { check: 'auto', exactlyOnce: false, K: 8, perRequest: 0, maxTokens: null, temperature: null, keepRollouts: false } },
      ...over,
    },
  }) as Run;

const texts = (fields: { name: string; value: string }[], over: Record<string, string> = {}) => new Map(fields.map((f) => [f.name, over[f.name] ?? f.value]));

describe('re-run form: endpoint, model, verifier, effective budgets', () => {
  it('the config message carries the options; the request schema takes endpoint, model and verifier', () => {
    const o = options();
    assert.deepEqual(ConfigMessageSchema.parse({ type: 'config', rerunOptions: o }).rerunOptions, o);
    assert.equal(RerunOptionsSchema.safeParse({ ...o, verifiers: [{ kind: 'psychic', params: [] }] }).success, false, 'a kind the core does not know');
    const p = PANEL_REQUESTS.rerunFromNode.params.parse({ nodeId: 'n1', strategy: 'beam', params: {}, endpoint: 'lab', model: 'qwen-14b', verifier: { kind: 'heuristic', params: { heuristic: 'mult' } } });
    assert.equal(p.model, 'qwen-14b');
    assert.equal(PANEL_REQUESTS.rerunFromNode.params.safeParse({ nodeId: 'n1', strategy: 'beam', params: {}, verifier: { kind: 'psychic', params: {} } }).success, false);
  });

  it('budgets: the run’s values, and an empty field shows the effective default instead of "no limit"', () => {
    const d = budgetDefault();
    assert.equal(d.maxNodes, 500, 'the 500-node cap the issue saw');
    const fields = budgetFields(run(), options());
    assert.deepEqual(fields.map((f) => f.key), BUDGET_FIELDS.map((b) => b.key));
    const by = Object.fromEntries(fields.map((f) => [f.key, f]));
    assert.equal(by.maxNodes!.placeholder, '500 (default)');
    assert.equal(by.maxNodes!.value, '');
    assert.equal(by.maxTokens!.value, '9000', 'the run’s own budget');
    assert.equal(by.maxTokens!.placeholder, `${d.maxTokens} (default)`);
    assert.equal(by.maxRequests!.placeholder, d.maxRequests === undefined ? 'no limit' : `${d.maxRequests} (default)`);
    assert.equal(budgetFields(undefined, undefined)[2]!.placeholder, 'no limit', 'no options yet: nothing to claim');
  });

  it('endpoint: opens on the run’s when configured, else the default; the model follows the endpoint', () => {
    assert.equal(endpointForm(options(), run())!.endpoint, 'ref');
    const gone = run({ endpoint: { name: 'old', baseUrl: 'http://x/v1', model: 'm', mode: 'chat', sampling: {} } });
    assert.equal(endpointForm(options(), gone)!.endpoint, 'lab', 'a removed endpoint falls back to the default');
    assert.equal(endpointForm(options({ defaultEndpoint: undefined }), gone)!.endpoint, 'embedded', 'else the first');
    assert.deepEqual(endpointForm(options(), run())!.choices.map((c) => c.label), ['embedded (countdown-embedded)', 'ref (sim-countdown)', 'lab (qwen-7b)']);
    assert.equal(endpointForm(options({ endpoints: [] }), run()), undefined);
    assert.deepEqual(endpointModel(options(), 'lab'), { model: 'qwen-7b', fixed: false });
    assert.deepEqual(endpointModel(options(), 'embedded'), { model: 'countdown-embedded', fixed: true });
  });

  it('verifier: every core kind, opening on the run’s with its params; else the setting (auto)', () => {
    const o = options();
    const v = verifierForm(o, run())!;
    assert.deepEqual(v.choices.map((c) => c.value), [...VerifierConfigSchema.shape.kind.options]);
    assert.equal(v.kind, 'rollout');
    assert.equal(v.choices.find((c) => c.value === 'rollout')!.label, 'rollout (run r1)');
    assert.deepEqual(v.fields.map((f) => f.name), VERIFIER_PARAMS.rollout.map((p) => p.name));
    assert.equal(v.fields.find((f) => f.name === 'K')!.value, '8');
    const fresh = verifierForm(o, undefined)!;
    assert.equal(fresh.kind, AUTO_VERIFIER);
    assert.equal(fresh.choices[0]!.value, AUTO_VERIFIER);
    assert.equal(verifierForm(options({ settingsVerifier: { kind: 'countdown', params: { exactlyOnce: true } } }), undefined)!.fields[0]!.value, 'true');
    const prm = verifierForm(o, run(), 'prm')!;
    assert.equal(prm.fields.find((f) => f.name === 'format')!.control, 'choice');
    assert.equal(prm.fields.find((f) => f.name === 'url')!.value, '', 'another kind starts from the core’s defaults');
  });

  it('the request: endpoint always, model only when changed, verifier only when changed; bad verifier params named', () => {
    const o = options();
    const r = run();
    const form = rerunFormModel(STRATEGY_CATALOG, { options: o }, r);
    const opened = verifierForm(o, r)!;
    const same = readRerunForm(STRATEGY_CATALOG, form, texts(form.fields), new Map(), r, {
      options: o,
      endpoint: { name: 'ref', model: 'sim-countdown' },
      verifier: { shown: opened, opened, values: texts(opened.fields) },
    });
    assert.ok(same.ok);
    if (same.ok) {
      assert.equal(same.request.endpoint, 'ref');
      assert.equal('model' in same.request, false, 'the endpoint’s own model is not an override');
      assert.equal('verifier' in same.request, false, 'an untouched verifier is "same settings": the host decides (and checks a trace’s URL)');
    }
    const heuristic = verifierForm(o, r, 'heuristic')!;
    const changed = readRerunForm(STRATEGY_CATALOG, form, texts(form.fields), new Map([['maxNodes', '40'], ['maxCost', '0.25']]), r, {
      options: o,
      endpoint: { name: 'lab', model: ' qwen-14b ' },
      verifier: { shown: heuristic, opened, values: texts(heuristic.fields, { heuristic: 'mult' }) },
    });
    assert.ok(changed.ok, changed.ok ? '' : changed.problems.join('; '));
    if (changed.ok) {
      assert.equal(changed.request.endpoint, 'lab');
      assert.equal(changed.request.model, 'qwen-14b');
      assert.deepEqual(changed.request.verifier, { kind: 'heuristic', params: { check: 'auto', exactlyOnce: false, heuristic: 'mult' } });
      assert.deepEqual(changed.request.budgets, { maxNodes: 40, maxCost: 0.25 });
      assert.equal(changed.request.strategy, 'beam');
      // What the page sends validates as the request (the panel adds the node id).
      assert.ok(PANEL_REQUESTS.rerunFromNode.params.safeParse({ ...changed.request, nodeId: 'n1' }).success);
    }
    // Same kind, one param changed: sent with every param. The embedded endpoint never takes a model override.
    const k = readRerunForm(STRATEGY_CATALOG, form, texts(form.fields), new Map(), r, {
      options: o,
      endpoint: { name: 'embedded', model: 'something-else' },
      verifier: { shown: opened, opened, values: texts(opened.fields, { K: '16' }) },
    });
    assert.ok(k.ok);
    if (k.ok) {
      assert.equal(k.request.verifier?.params.K, 16);
      assert.equal(k.request.verifier?.params.keepRollouts, false);
      assert.equal('model' in k.request, false);
    }
    const bad = readRerunForm(STRATEGY_CATALOG, form, texts(form.fields), new Map([['maxCost', '-1']]), r, {
      options: o,
      verifier: { shown: opened, opened, values: texts(opened.fields, { K: '0' }) },
    });
    assert.equal(bad.ok, false);
    if (!bad.ok) {
      assert.deepEqual(bad.invalid, ['verifier-K', 'budget-maxCost']);
      assert.deepEqual(bad.problems, ['Verifier K: expected a whole number ≥ 1', 'Cost budget ($): expected a number ≥ 0']);
    }
    // Auto (no run, setting auto): no verifier sent.
    const fresh = verifierForm(o, undefined)!;
    const plain = rerunFormModel(STRATEGY_CATALOG, {}, undefined);
    const auto = readRerunForm(STRATEGY_CATALOG, plain, texts(plain.fields), new Map(), undefined, { verifier: { shown: fresh, opened: fresh, values: new Map() } });
    assert.ok(auto.ok, auto.ok ? '' : auto.problems.join('; '));
    assert.equal(auto.ok && 'verifier' in auto.request, false);
  });
});
