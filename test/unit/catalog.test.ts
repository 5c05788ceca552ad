/**
 * The strategy catalog is the one list of strategies and parameters: the settings schema in package.json, CLI help,
 * palette items, defaults and the engine all come from it, and no other source file spells a strategy name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import {
  COMMON_PARAMS,
  DEFAULT_STRATEGY,
  STRATEGY_CATALOG,
  StrategyCatalogSchema,
  describeStrategiesForCli,
  isCommonParam,
  manifestSearchSettings,
  sameSettingsParams,
  splitParams,
  strategyDefaults,
  strategyInfo,
  strategyNames,
  strategyPickItems,
  type StrategyCatalog,
  type StrategyInfo,
} from '../../src/core/search/catalog';
import { ParamError, resolveParams } from '../../src/core/search/params';
import { getStrategy, listStrategies } from '../../src/core/search/registry';
import { StrategyNameSchema } from '../../src/core/trace/schema';

const root = join(__dirname, '..', '..');

const FAKE: StrategyInfo = {
  name: 'zigzag',
  label: 'Zigzag walk',
  summary: 'alternates between two children at every step',
  params: [
    { name: 'turns', label: 'Turns', type: 'integer', default: 5, min: 2, max: 9, doc: 'direction changes at most' },
    { name: 'side', label: 'First side', type: 'string', default: 'left', choices: ['left', 'right'], doc: 'where the walk starts' },
  ],
};
const withFake = (): StrategyCatalog => ({ ...STRATEGY_CATALOG, strategies: [...STRATEGY_CATALOG.strategies, FAKE] });

test('package.json search settings are the ones derived from the catalog', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[] } };
  const props = Object.assign({}, ...[pkg.contributes.configuration].flat().map((s) => s.properties)) as Record<string, unknown>;
  const derived = JSON.parse(JSON.stringify(manifestSearchSettings())) as Record<string, unknown>;
  for (const [key, value] of Object.entries(derived)) {
    assert.deepEqual(props[key], value, `package.json "${key}" differs from the strategy catalog: run \`npm run sync:manifest\``);
  }
  assert.deepEqual(Object.keys(derived), ['metacot.search.strategy', 'metacot.search.params']);
});

test('the built-in catalog passes its own schema; the schema rejects duplicate names, a dangling default and clashing params', () => {
  assert.equal(StrategyCatalogSchema.safeParse(STRATEGY_CATALOG).success, true);
  assert.equal(StrategyCatalogSchema.safeParse(withFake()).success, true);
  const dup = StrategyCatalogSchema.safeParse({ ...STRATEGY_CATALOG, strategies: [...STRATEGY_CATALOG.strategies, { ...FAKE, name: 'beam' }] });
  assert.equal(dup.success, false);
  assert.match(dup.error!.issues.map((i) => i.message).join('\n'), /"beam" is listed twice/);
  const dangling = StrategyCatalogSchema.safeParse({ ...STRATEGY_CATALOG, defaultStrategy: 'nope' });
  assert.match(dangling.error!.issues.map((i) => i.message).join('\n'), /default strategy "nope" is not in the catalog/);
  const clash = StrategyCatalogSchema.safeParse({ ...STRATEGY_CATALOG, strategies: [{ ...FAKE, params: [...FAKE.params, { ...COMMON_PARAMS[1]! }] }] , defaultStrategy: 'zigzag' });
  assert.match(clash.error!.issues.map((i) => i.message).join('\n'), /zigzag: parameter "seed"/);
  const unlabelled = StrategyCatalogSchema.safeParse({ ...STRATEGY_CATALOG, common: [{ name: 'x', type: 'number', default: 1, doc: 'x' }] });
  assert.equal(unlabelled.success, false, 'catalog params need a label');
});

test('a strategy added to a copy of the catalog appears in CLI help, pick items and the settings schema', () => {
  const cat = withFake();
  const help = describeStrategiesForCli(cat);
  assert.match(help, /^ {2}zigzag — Zigzag walk: alternates between two children at every step$/m);
  assert.match(help, /^ +turns +5 +direction changes at most \(integer 2…9\)$/m);
  assert.match(help, /^ +side +"left" +where the walk starts \(left \| right\)$/m);
  assert.doesNotMatch(describeStrategiesForCli(), /zigzag/, 'the built-in catalog is untouched');

  const items = strategyPickItems(cat);
  assert.deepEqual(items.at(-1), { name: 'zigzag', label: 'Zigzag walk', description: 'zigzag', detail: 'alternates between two children at every step' });
  assert.equal(items.length, STRATEGY_CATALOG.strategies.length + 1);

  const m = manifestSearchSettings(cat);
  assert.equal(m['metacot.search.strategy'].enum.at(-1), 'zigzag');
  assert.equal(m['metacot.search.strategy'].enumDescriptions.at(-1), 'Zigzag walk: alternates between two children at every step.');
  assert.equal(m['metacot.search.strategy'].enum.length, m['metacot.search.strategy'].enumDescriptions.length);
  assert.deepEqual(m['metacot.search.params'].default.zigzag, { turns: 5, side: 'left' });
  assert.match(m['metacot.search.params'].properties.zigzag!.markdownDescription, /`turns` \(5\), `side` \("left"\)/);
  assert.equal(manifestSearchSettings()['metacot.search.params'].properties.zigzag, undefined);

  assert.deepEqual(strategyDefaults('zigzag', cat), { turns: 5, side: 'left' });
  assert.deepEqual(splitParams({ turns: 3, seed: 4, concurrency: 2 }, cat), { strategy: { turns: 3 }, common: { seed: 4, concurrency: 2 } });
});

test('CLI help lists every strategy, every parameter with its default and bounds, and the common params', () => {
  const help = describeStrategiesForCli();
  for (const s of STRATEGY_CATALOG.strategies) {
    assert.ok(help.includes(`  ${s.name} — ${s.label}: ${s.summary}`), s.name);
    for (const p of s.params) assert.ok(help.includes(p.doc), `${s.name}.${p.name}`);
  }
  for (const p of COMMON_PARAMS) assert.match(help, new RegExp(`^ +${p.name} +`, 'm'));
  assert.match(help, /^ +c +0\.5 +UCT exploration constant.*\(number ≥ 0\)$/m);
  assert.match(help, /^ +prior +0\.5 +.*\(number 0…1\)$/m);
  assert.match(help, /^ +instruction +"Think before yo…" +/m, 'long defaults are cut');
  assert.match(help, /^ {2}single — .*\n {6}\(no parameters of its own\)$/m);
  assert.match(help, new RegExp(`default ${DEFAULT_STRATEGY}\\)`));
});

test('every catalog strategy resolves through getStrategy and resolveParams fills its defaults', () => {
  assert.deepEqual(listStrategies().map((s) => s.name), strategyNames());
  const commonDefaults = Object.fromEntries(COMMON_PARAMS.map((p) => [p.name, p.default]));
  for (const info of STRATEGY_CATALOG.strategies) {
    const s = getStrategy(StrategyNameSchema.parse(info.name));
    assert.equal(typeof s.run, 'function', info.name);
    assert.deepEqual(s.params, info.params);
    assert.equal(s.summary, info.summary);
    assert.deepEqual(resolveParams([...s.params, ...COMMON_PARAMS], {}, info.name), { ...strategyDefaults(info.name), ...commonDefaults });
  }
  assert.deepEqual(strategyDefaults('beam'), { N: 4, width: 4, maxDepth: 10, aggregation: 'last', resample: true, resampleLimit: 2, stopOnSolve: true });
  assert.throws(() => getStrategy('nope' as never), (e: unknown) => e instanceof ParamError && /unknown strategy "nope" \(known: single, best-of-n/.test(e.message));
  assert.throws(() => strategyInfo('nope'), ParamError);
});

test('the trace schema enum and the catalog list the same names; the default is one of them', () => {
  assert.deepEqual([...StrategyNameSchema.options], strategyNames());
  assert.ok(strategyNames().includes(DEFAULT_STRATEGY));
  assert.equal(STRATEGY_CATALOG.defaultStrategy, DEFAULT_STRATEGY);
});

test('common params: isCommonParam, splitParams and the "same settings" re-run params', () => {
  assert.equal(isCommonParam('concurrency'), true);
  assert.equal(isCommonParam('width'), false);
  const saved = { N: 3, width: 2, concurrency: 8, seed: 11, temperature: null, priceIn: 0 };
  assert.deepEqual(splitParams(saved), { strategy: { N: 3, width: 2 }, common: { concurrency: 8, seed: 11, temperature: null, priceIn: 0 } });
  assert.deepEqual(sameSettingsParams(saved), { N: 3, width: 2, seed: 11 });
  assert.deepEqual(sameSettingsParams({ N: 3, concurrency: 4 }), { N: 3 }, 'no seed saved: none sent');
});

test('strategy names are spelled only in the catalog and the trace schema (src/ and webview/)', () => {
  const names = ['best-of-n', 'beam', 'mcts', 'astar', 'in-context', 'single'];
  const quoted = new RegExp(`(['"])(${names.join('|')})\\1`, 'g');
  const allowed = (rel: string) => rel.startsWith('src/core/search/catalog/') || rel === 'src/core/trace/schema.ts';
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts')) {
        const rel = relative(root, full).split(sep).join('/');
        if (allowed(rel)) continue;
        readFileSync(full, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            for (const m of line.matchAll(quoted)) found.push(`${rel}:${i + 1}: ${m[0]}`);
          });
      }
    }
  };
  walk(join(root, 'src'));
  walk(join(root, 'webview'));
  assert.deepEqual(found, [], 'ask the catalog (src/core/search/catalog) instead of spelling strategy names');
  // The walk does see the catalog: the check can fail.
  assert.match(readFileSync(join(root, 'src/core/search/catalog/info.ts'), 'utf8'), quoted);
});

test('package.json: the verifier setting offers exactly the verifier kinds the schema accepts (plus auto)', async () => {
  const { VerifierConfigSchema } = await import('../../src/core/trace/schema');
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { properties?: { kind?: { enum?: string[] } } }> } | { properties: Record<string, { properties?: { kind?: { enum?: string[] } } }> }[] };
  };
  const sections = [pkg.contributes.configuration].flat();
  const setting = sections.map((c) => c.properties['metacot.verifier']).find(Boolean);
  assert.deepEqual(setting?.properties?.kind?.enum, ['auto', ...VerifierConfigSchema.shape.kind.options]);
});
