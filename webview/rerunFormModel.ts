/**
 * The pure half of "Re-run from here": which fields the form shows and how its text turns into a request. Every
 * strategy and parameter comes from the catalog the host sends (config.strategies), every endpoint, verifier kind and
 * effective budget from its re-run options (config.rerunOptions); nothing is re-typed here. Values start from the
 * run that produced the node when it used the same strategy, else the host's defaults, else the catalog's defaults.
 */
import type { Budgets, ParamSpec, Params, Run, StrategyCatalog, VerifierConfig } from '../src/protocol/fromCore';
import type { RerunOptions } from '../src/protocol/hostMessages';

export interface RerunDefaults {
  strategy?: string;
  params?: Params;
  /** Endpoints, verifiers and effective budgets (config.rerunOptions); absent until the host sends them. */
  options?: RerunOptions;
}

/**
 * `strategy` is a catalog name; the request schema checks it against the names the engine knows. `endpoint`,
 * `model` and `verifier` are present only when the form offers them; a verifier left as it opened is left out, so the
 * host applies "same settings" (and its check of a trace's verifier) itself.
 */
export interface RerunRequest {
  strategy: string;
  params: Params;
  budgets: Budgets;
  endpoint?: string;
  model?: string;
  verifier?: VerifierConfig;
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

/** Run budgets the form offers (budgets are run limits, not strategy parameters); every key of Budgets. */
export const BUDGET_FIELDS: readonly { key: keyof Budgets; label: string; integer: boolean }[] = [
  { key: 'maxTokens', label: 'Token budget', integer: true },
  { key: 'maxRequests', label: 'Request budget', integer: true },
  { key: 'maxNodes', label: 'Node budget', integer: true },
  { key: 'maxWallMs', label: 'Time budget (ms)', integer: true },
  { key: 'maxCost', label: 'Cost budget ($)', integer: false },
];

export interface BudgetField {
  key: keyof Budgets;
  label: string;
  integer: boolean;
  /** The origin run's budget ('' when it had none). */
  value: string;
  /** What an empty field means: the effective default ("500 (default)") or "no limit". */
  placeholder: string;
}

/** Budget fields: the run's values, and what a field left empty gets (the host's effective budgets). */
export function budgetFields(run: Run | undefined, options: RerunOptions | undefined): BudgetField[] {
  return BUDGET_FIELDS.map((b) => {
    const v = run?.config.budgets[b.key];
    const d = options?.effectiveBudgets[b.key];
    return { ...b, value: v === undefined ? '' : String(v), placeholder: d === undefined ? 'no limit' : `${d} (default)` };
  });
}

export interface EndpointForm {
  choices: { value: string; label: string }[];
  /** The endpoint the form opens on: the origin run's when still configured, else the default, else the first. */
  endpoint: string;
}

/** The endpoint part, or undefined when the host sent no endpoints. */
export function endpointForm(options: RerunOptions | undefined, run: Run | undefined): EndpointForm | undefined {
  const list = options?.endpoints ?? [];
  if (!list.length) return undefined;
  const has = (n: string | undefined) => (n !== undefined && list.some((e) => e.name === n) ? n : undefined);
  const endpoint = has(run?.config.endpoint.name) ?? has(options?.defaultEndpoint) ?? list[0]!.name;
  return { choices: list.map((e) => ({ value: e.name, label: e.model && e.model !== e.name ? `${e.name} (${e.model})` : e.name })), endpoint };
}

/** The model field for an endpoint: its configured model, and whether it can be changed. */
export function endpointModel(options: RerunOptions | undefined, name: string): { model: string; fixed: boolean } {
  const e = options?.endpoints.find((x) => x.name === name);
  return { model: e?.model ?? '', fixed: e?.modelFixed === true };
}

/** The verifier choice meaning "no verifier named": the engine picks one for the problem. */
export const AUTO_VERIFIER = 'auto';

export interface VerifierForm {
  choices: { value: string; label: string }[];
  kind: string;
  fields: RerunField[];
}

/** What the verifier part opens on: the origin run's verifier, else the metacot.verifier setting. */
function verifierDefault(options: RerunOptions, run: Run | undefined): { kind: string; params: Params; from: string } {
  if (run) return { kind: run.config.verifier.kind, params: run.config.verifier.params, from: `run ${run.id}` };
  const v = options.settingsVerifier;
  return v === 'auto' ? { kind: AUTO_VERIFIER, params: {}, from: 'settings' } : { kind: v.kind, params: v.params, from: 'settings' };
}

/** The verifier part for `kind` (by default the one it opens on), or undefined when the host sent no verifiers. */
export function verifierForm(options: RerunOptions | undefined, run: Run | undefined, kind?: string): VerifierForm | undefined {
  if (!options?.verifiers.length) return undefined;
  const d = verifierDefault(options, run);
  const chosen = kind ?? d.kind;
  const choices = [
    ...(d.kind === AUTO_VERIFIER ? [{ value: AUTO_VERIFIER, label: 'auto (the engine’s choice for the problem; settings)' }] : []),
    ...options.verifiers.map((v) => ({ value: v.kind, label: v.kind === d.kind ? `${v.kind} (${d.from})` : v.kind })),
  ];
  const specs = options.verifiers.find((v) => v.kind === chosen)?.params ?? [];
  const from = chosen === d.kind ? d.params : undefined;
  return { choices, kind: chosen, fields: specs.map((p) => fieldOf(p, asText(from?.[p.name]) ?? asText(p.default) ?? '')) };
}

const controlOf = (p: ParamSpec): FieldControl =>
  p.choices && p.choices.length ? 'choice' : p.type === 'boolean' ? 'boolean' : p.type === 'integer' ? 'integer' : p.type === 'number' ? 'number' : 'text';

const asText = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);

function fieldOf(p: ParamSpec, value: string): RerunField {
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
}

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
  const fields = (info?.params ?? []).map((p) => fieldOf(p, asText(fromRun?.[p.name]) ?? asText(fromDefaults?.[p.name]) ?? asText(p.default) ?? ''));
  return { strategies: catalog.strategies.map((s) => ({ value: s.name, label: s.label, summary: s.summary })), strategy: chosen, fields };
}

export type RerunFormResult = { ok: true; request: RerunRequest } | { ok: false; problems: string[]; invalid: string[] };

function bounds(f: RerunField): string {
  if (f.min !== undefined && f.max !== undefined) return ` from ${f.min} to ${f.max}`;
  if (f.min !== undefined) return ` ≥ ${f.min}`;
  if (f.max !== undefined) return ` ≤ ${f.max}`;
  return '';
}

/** What the endpoint and verifier parts hold when the form offers them. */
export interface RerunExtras {
  endpoint?: { name: string; model: string };
  /** `shown`: the verifier part as built for the chosen kind; `opened`: as the form opened (kind and field texts). */
  verifier?: { shown: VerifierForm; opened: VerifierForm; values: ReadonlyMap<string, string> };
}

/** Typed params from the fields' text; problems and invalid names (with `prefix`) are appended. */
function readFields(fields: readonly RerunField[], values: ReadonlyMap<string, string>, problems: string[], invalid: string[], prefix = ''): Params {
  const params: Params = {};
  for (const f of fields) {
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
      problems.push(`${prefix ? 'Verifier ' : ''}${f.label}: expected ${f.control === 'integer' ? 'a whole number' : 'a number'}${bounds(f)}`);
      invalid.push(`${prefix}${f.name}`);
    } else params[f.name] = num;
  }
  return params;
}

/** The verifier to send: none for "auto" or when kind and every field are as the form opened (same settings). */
function chosenVerifier(v: NonNullable<RerunExtras['verifier']>, problems: string[], invalid: string[]): VerifierConfig | undefined {
  const { shown, opened, values } = v;
  const params = readFields(shown.fields, values, problems, invalid, 'verifier-');
  if (shown.kind === AUTO_VERIFIER) return undefined;
  const untouched = shown.kind === opened.kind && opened.fields.every((f) => (values.get(f.name) ?? '').trim() === f.value.trim());
  return untouched ? undefined : { kind: shown.kind as VerifierConfig['kind'], params };
}

/**
 * Reads the form's text into a request. The run's common parameters (temperature, seed, prices…) carry over; the
 * strategy's own come from the form. `invalid` names the fields to flag. With `extras`, the endpoint (and a model
 * other than the endpoint's own) and a changed verifier go into the request.
 */
export function readRerunForm(
  catalog: StrategyCatalog,
  form: RerunFormModel,
  values: ReadonlyMap<string, string>,
  budgetValues: ReadonlyMap<keyof Budgets, string>,
  run: Run | undefined,
  extras: RerunExtras & { options?: RerunOptions } = {},
): RerunFormResult {
  const params: Params = {};
  const common = new Set(catalog.common.map((p) => p.name));
  const own = new Set(form.fields.map((f) => f.name));
  for (const [k, v] of Object.entries(run?.config.params ?? {})) if (common.has(k) && !own.has(k)) params[k] = v;
  const problems: string[] = [];
  const invalid: string[] = [];
  Object.assign(params, readFields(form.fields, values, problems, invalid));
  // In the form's order: strategy, verifier, budgets (problems are listed as the fields appear).
  const verifier = extras.verifier ? chosenVerifier(extras.verifier, problems, invalid) : undefined;
  const budgets: Budgets = {};
  for (const b of BUDGET_FIELDS) {
    const raw = (budgetValues.get(b.key) ?? '').trim();
    if (!raw) continue;
    const num = Number(raw);
    if (!Number.isFinite(num) || num < 0 || (b.integer && !Number.isInteger(num))) {
      problems.push(`${b.label}: expected ${b.integer ? 'a whole number' : 'a number ≥ 0'}`);
      invalid.push(`budget-${b.key}`);
    } else budgets[b.key] = num;
  }
  const request: RerunRequest = { strategy: form.strategy, params, budgets };
  if (extras.endpoint) {
    request.endpoint = extras.endpoint.name;
    const model = extras.endpoint.model.trim();
    const configured = endpointModel(extras.options, extras.endpoint.name);
    if (model && model !== configured.model && !configured.fixed) request.model = model;
  }
  if (verifier) request.verifier = verifier;
  return problems.length ? { ok: false, problems, invalid } : { ok: true, request };
}
