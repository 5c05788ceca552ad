/**
 * Every surface that lists strategies or parameters, derived from a catalog: CLI help, palette pick items, the
 * package.json settings schema, defaults and the common / own split of a run's params. Each function takes the
 * catalog as an argument (default: the built-in one) so a test can add a strategy and see it everywhere.
 */
import type { Params } from '../../trace/schema';
import { ParamError } from '../params';
import { STRATEGY_CATALOG, type CatalogParam, type StrategyCatalog, type StrategyInfo } from './info';

export function strategyNames(catalog: StrategyCatalog = STRATEGY_CATALOG): string[] {
  return catalog.strategies.map((s) => s.name);
}

/** The entry for `name`; a ParamError naming the known ones when there is none. */
export function strategyInfo(name: string, catalog: StrategyCatalog = STRATEGY_CATALOG): StrategyInfo {
  const info = catalog.strategies.find((s) => s.name === name);
  if (!info) throw new ParamError(`unknown strategy "${name}" (known: ${strategyNames(catalog).join(', ')})`);
  return info;
}

/** The defaults of a strategy's own params (the common ones excluded), in catalog order. */
export function strategyDefaults(name: string, catalog: StrategyCatalog = STRATEGY_CATALOG): Params {
  return Object.fromEntries(strategyInfo(name, catalog).params.map((p) => [p.name, p.default]));
}

export function isCommonParam(name: string, catalog: StrategyCatalog = STRATEGY_CATALOG): boolean {
  return catalog.common.some((p) => p.name === name);
}

/** A run's saved params split into the engine's common ones and the rest (the strategy's own). */
export function splitParams(params: Params, catalog: StrategyCatalog = STRATEGY_CATALOG): { strategy: Params; common: Params } {
  const strategy: Params = {};
  const common: Params = {};
  for (const [k, v] of Object.entries(params)) (isCommonParam(k, catalog) ? common : strategy)[k] = v;
  return { strategy, common };
}

/**
 * What a "same settings" re-run sends: the strategy's own params and the seed (so the new subtree samples as the
 * old one did); the other common ones (concurrency, prices, …) come from the current settings, not the old run.
 */
export function sameSettingsParams(params: Params, catalog: StrategyCatalog = STRATEGY_CATALOG): Params {
  const { strategy, common } = splitParams(params, catalog);
  return 'seed' in common ? { ...strategy, seed: common.seed } : strategy;
}

/** A default as help texts show it: strings quoted, long ones cut (in-context's instruction is a paragraph). */
function shownDefault(v: CatalogParam['default']): string {
  if (typeof v !== 'string') return String(v);
  return JSON.stringify(v.length > 16 ? `${v.slice(0, 15)}…` : v);
}

/** Type and bounds in a few characters: `integer ≥ 1`, `number 0…1`, `last | min`, `true | false`, `text`. */
function kindOf(p: CatalogParam): string {
  if (p.type === 'boolean') return 'true | false';
  if (p.type === 'string') return p.choices ? p.choices.join(' | ') : 'text';
  if (p.min !== undefined && p.max !== undefined) return `${p.type} ${p.min}…${p.max}`;
  if (p.min !== undefined) return `${p.type} ≥ ${p.min}`;
  if (p.max !== undefined) return `${p.type} ≤ ${p.max}`;
  return p.type;
}

/** The `metacot run --help` block: every strategy with its summary and parameters, then the common ones. */
export function describeStrategiesForCli(catalog: StrategyCatalog = STRATEGY_CATALOG): string {
  const all = [...catalog.strategies.flatMap((s) => s.params), ...catalog.common];
  const nameWidth = Math.max(0, ...all.map((p) => p.name.length));
  const defaultWidth = Math.max(0, ...all.map((p) => shownDefault(p.default).length));
  const row = (p: CatalogParam) => `      ${p.name.padEnd(nameWidth)}  ${shownDefault(p.default).padEnd(defaultWidth)}  ${p.doc} (${kindOf(p)})`;
  const lines = [`Strategies (--strategy NAME, default ${catalog.defaultStrategy}) and their parameters (--param k=v; name, default, meaning):`];
  for (const s of catalog.strategies) {
    lines.push('', `  ${s.name} — ${s.label}: ${s.summary}`);
    lines.push(...(s.params.length > 0 ? s.params.map(row) : ['      (no parameters of its own)']));
  }
  lines.push('', '  Engine parameters (every strategy):', ...catalog.common.map(row));
  return lines.join('\n');
}

export interface StrategyPickItem {
  /** The strategy name to run (what the pick returns). */
  name: string;
  label: string;
  description: string;
  detail: string;
}

/** Quick-pick items for the palette: the catalog label, the name beside it, the summary below. */
export function strategyPickItems(catalog: StrategyCatalog = STRATEGY_CATALOG): StrategyPickItem[] {
  return catalog.strategies.map((s) => ({ name: s.name, label: s.label, description: s.name, detail: s.summary }));
}

const paramList = (ps: readonly CatalogParam[]) => ps.map((p) => `\`${p.name}\` (${shownDefault(p.default)})`).join(', ');

export interface ManifestSearchSettings {
  'metacot.search.strategy': {
    type: 'string';
    enum: string[];
    enumDescriptions: string[];
    default: string;
    order: number;
    markdownDescription: string;
  };
  'metacot.search.params': {
    type: 'object';
    order: number;
    default: Record<string, Params>;
    properties: Record<string, { type: 'object'; markdownDescription: string }>;
    additionalProperties: false;
    markdownDescription: string;
  };
}

/** package.json's two search settings, exactly (scripts/syncManifest.mjs writes them; a unit test compares). */
export function manifestSearchSettings(catalog: StrategyCatalog = STRATEGY_CATALOG): ManifestSearchSettings {
  const withParams = catalog.strategies.filter((s) => s.params.length > 0);
  const example = strategyInfo(catalog.defaultStrategy, catalog).params.slice(0, 2);
  const exampleText = example.length > 0 ? `, e.g. \`${JSON.stringify({ [catalog.defaultStrategy]: Object.fromEntries(example.map((p) => [p.name, p.default])) })}\`` : '';
  return {
    'metacot.search.strategy': {
      type: 'string',
      enum: strategyNames(catalog),
      enumDescriptions: catalog.strategies.map((s) => `${s.label}: ${s.summary}.`),
      default: catalog.defaultStrategy,
      order: 3,
      markdownDescription: 'Default search strategy (the one a run uses when none is chosen). Its parameters: `#metacot.search.params#`.',
    },
    'metacot.search.params': {
      type: 'object',
      order: 4,
      default: Object.fromEntries(withParams.map((s) => [s.name, strategyDefaults(s.name, catalog)])),
      properties: Object.fromEntries(
        catalog.strategies.map((s) => [
          s.name,
          {
            type: 'object' as const,
            markdownDescription: `**${s.label}**: ${s.summary}. ${s.params.length > 0 ? `Parameters: ${paramList(s.params)}.` : 'No parameters of its own.'}`,
          },
        ]),
      ),
      additionalProperties: false,
      markdownDescription:
        `Default parameters per strategy${exampleText}. Unknown names are errors. Every strategy also takes the engine-wide ` +
        `${paramList(catalog.common)}. Each parameter's meaning: \`metacot run --help\` or docs/engine.md.`,
    },
  };
}
