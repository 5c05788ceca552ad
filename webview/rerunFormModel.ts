/**
 * The pure half of "Re-run from here": which fields the form shows and how its text turns into a request. Every
 * strategy and parameter comes from the catalog the host sends (config.strategies); nothing is re-typed here.
 * Values start from the run that produced the node when it used the same strategy, else the host's defaults, else
 * the catalog's defaults.
 */
import type { Budgets, ParamSpec, Params, Run, StrategyCatalog } from '../src/protocol/fromCore';

export interface RerunDefaults {
  strategy?: string;
  params?: Params;
}

/** `strategy` is a catalog name; the request schema checks it against the names the engine knows. */
export interface RerunRequest {
  strategy: string;
  params: Params;
  budgets: Budgets;
}

export type FieldControl = 'integer' | 'number' | 'choice' | 'boolean' | 'text';

export interface RerunField {
  name: string;
  label: string;
  doc: string;
  control: FieldControl;
  /** Initial text of the control ('' for a parameter whose default is null: the engine's default). */
  value: string;
  choices: readonly string[];
  min?: number;
  max?: number;
  /** The catalog default, used when a choice or yes/no control is left empty. */
  fallback: string | number | boolean | null;
}

export interface RerunFormModel {
  strategies: { value: string; label: string; summary: string }[];
  strategy: string;
  fields: RerunField[];
}

/** Run budgets the form offers (budgets are run limits, not strategy parameters). */
export const BUDGET_FIELDS: readonly { key: keyof Budgets; label: string }[] = [
  { key: 'maxTokens', label: 'Token budget' },
  { key: 'maxRequests', label: 'Request budget' },
  { key: 'maxNodes', label: 'Node budget' },
];

const controlOf = (p: ParamSpec): FieldControl =>
  p.choices && p.choices.length ? 'choice' : p.type === 'boolean' ? 'boolean' : p.type === 'integer' ? 'integer' : p.type === 'number' ? 'number' : 'text';

const asText = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

/** The strategy the form opens on: the host's default, else the node's run, else the catalog's. */
export function initialStrategy(catalog: StrategyCatalog, defaults: RerunDefaults, run: Run | undefined): string {
  const known = (s: string | undefined) => (s !== undefined && catalog.strategies.some((x) => x.name === s) ? s : undefined);
  return known(defaults.strategy) ?? known(run?.config.strategy) ?? catalog.defaultStrategy;
}

/** Fields of the form for `strategy` (by default the initial one). */
export function rerunFormModel(catalog: StrategyCatalog, defaults: RerunDefaults, run: Run | undefined, strategy?: string): RerunFormModel {
  const chosen = strategy ?? initialStrategy(catalog, defaults, run);
  const info = catalog.strategies.find((s) => s.name === chosen);
  const fromRun = run?.config.strategy === chosen ? run.config.params : undefined;
  const fromDefaults = defaults.strategy === undefined || defaults.strategy === chosen ? defaults.params : undefined;
  const fields = (info?.params ?? []).map((p): RerunField => {
    const value = asText(fromRun?.[p.name]) ?? asText(fromDefaults?.[p.name]) ?? asText(p.default) ?? '';
    return {
      name: p.name,
      label: p.label ?? p.name,
      doc: p.doc,
      control: controlOf(p),
      value,
      choices: p.choices ?? [],
      ...(p.min !== undefined ? { min: p.min } : {}),
      ...(p.max !== undefined ? { max: p.max } : {}),
      fallback: p.default,
    };
  });
  return { strategies: catalog.strategies.map((s) => ({ value: s.name, label: s.label, summary: s.summary })), strategy: chosen, fields };
}

export type RerunFormResult = { ok: true; request: RerunRequest } | { ok: false; problems: string[]; invalid: string[] };

function bounds(f: RerunField): string {
  if (f.min !== undefined && f.max !== undefined) return ` from ${f.min} to ${f.max}`;
  if (f.min !== undefined) return ` ≥ ${f.min}`;
  if (f.max !== undefined) return ` ≤ ${f.max}`;
  return '';
}

/**
 * Reads the form's text into a request. The run's common parameters (temperature, seed, prices…) carry over; the
 * strategy's own come from the form. `invalid` names the fields to flag.
 */
export function readRerunForm(
  catalog: StrategyCatalog,
  form: RerunFormModel,
  values: ReadonlyMap<string, string>,
  budgetValues: ReadonlyMap<keyof Budgets, string>,
  run: Run | undefined,
): RerunFormResult {
  const params: Params = {};
  const common = new Set(catalog.common.map((p) => p.name));
  const own = new Set(form.fields.map((f) => f.name));
  for (const [k, v] of Object.entries(run?.config.params ?? {})) if (common.has(k) && !own.has(k)) params[k] = v;
  const problems: string[] = [];
  const invalid: string[] = [];
  for (const f of form.fields) {
    const raw = (values.get(f.name) ?? '').trim();
    if (f.control === 'choice' || f.control === 'text') {
      if (raw) params[f.name] = raw;
      else if (f.fallback !== null) params[f.name] = f.fallback;
      continue;
    }
    if (f.control === 'boolean') {
      params[f.name] = raw === '' ? Boolean(f.fallback) : raw === 'true';
      continue;
    }
    // An empty number whose default is null leaves it to the engine (e.g. "no seed").
    if (raw === '' && f.fallback === null) continue;
    const num = Number(raw);
    const bad =
      raw === '' ||
      !Number.isFinite(num) ||
      (f.control === 'integer' && !Number.isInteger(num)) ||
      (f.min !== undefined && num < f.min) ||
      (f.max !== undefined && num > f.max);
    if (bad) {
      problems.push(`${f.label}: expected ${f.control === 'integer' ? 'a whole number' : 'a number'}${bounds(f)}`);
      invalid.push(f.name);
    } else params[f.name] = num;
  }
  const budgets: Budgets = {};
  for (const b of BUDGET_FIELDS) {
    const raw = (budgetValues.get(b.key) ?? '').trim();
    if (!raw) continue;
    const num = Number(raw);
    if (!Number.isInteger(num) || num < 0) {
      problems.push(`${b.label}: expected a whole number`);
      invalid.push(`budget-${b.key}`);
    } else budgets[b.key] = num;
  }
  return problems.length ? { ok: false, problems, invalid } : { ok: true, request: { strategy: form.strategy, params, budgets } };
}
