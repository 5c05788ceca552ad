/**
 * "Re-run from here" (the paper's reset primitive, §3.3): strategy + its parameters + budgets. Parameters start from
 * the run that produced the node when it used the same strategy, else from the host's defaults, else from the table.
 */
import type { Budgets, Params, Run, StrategyName } from '../src/core/trace/schema';
import { StrategyNameSchema } from '../src/core/trace/schema';
import { h } from './dom';
import { button, dropdown, textField } from './toolkit';
import type { ValueControl } from './toolkit';

interface ParamDef {
  key: string;
  label: string;
  kind: 'int' | 'float' | 'choice' | 'bool';
  default: number | string | boolean;
  min?: number;
  options?: string[];
  help?: string;
}

const STRATEGY_LABELS: Record<StrategyName, string> = {
  single: 'Single sample',
  'best-of-n': 'Best-of-N',
  beam: 'Beam search (PRM)',
  mcts: 'MCTS (UCT)',
  astar: 'A* / best-first',
  revision: 'Sequential revision',
  'in-context': 'In-context search (long CoT)',
};

const stopOnSolve = (d: boolean): ParamDef => ({ key: 'stopOnSolve', label: 'Stop when an answer verifies', kind: 'bool', default: d });

/**
 * The engine's parameter names and defaults (docs/engine.md, "Parameters"): the engine rejects unknown names, so
 * the form offers exactly these. Common ones (temperature, seed, …) keep the run's values.
 */
export const STRATEGY_PARAMS: Record<StrategyName, ParamDef[]> = {
  single: [],
  'best-of-n': [
    { key: 'n', label: 'N solutions', kind: 'int', default: 8, min: 1 },
    { key: 'selection', label: 'Pick by', kind: 'choice', default: 'majority', options: ['majority', 'argmax', 'weighted'] },
    stopOnSolve(false),
  ],
  beam: [
    { key: 'N', label: 'Candidates per beam (N)', kind: 'int', default: 4, min: 1 },
    { key: 'width', label: 'Beam width', kind: 'int', default: 4, min: 1 },
    { key: 'maxDepth', label: 'Max depth', kind: 'int', default: 10, min: 1 },
    { key: 'aggregation', label: 'Step score aggregation', kind: 'choice', default: 'last', options: ['last', 'min', 'prod', 'mean'] },
    stopOnSolve(true),
  ],
  mcts: [
    { key: 'c', label: 'Exploration constant c', kind: 'float', default: 1.4, min: 0, help: 'UCT: Q + c·√(ln N(parent) / N(child)). Too large a c makes the search backtrack again and again.' },
    { key: 'simulations', label: 'Simulations', kind: 'int', default: 32, min: 1 },
    { key: 'b', label: 'Children per expansion (b)', kind: 'int', default: 4, min: 1 },
    { key: 'maxDepth', label: 'Max depth', kind: 'int', default: 12, min: 1 },
    stopOnSolve(true),
  ],
  astar: [
    { key: 'b', label: 'Next steps per expansion (b)', kind: 'int', default: 4, min: 1 },
    { key: 'maxDepth', label: 'Max depth (d)', kind: 'int', default: 10, min: 1 },
    { key: 'maxExpansions', label: 'Max expansions', kind: 'int', default: 64, min: 1 },
    { key: 'depthCost', label: 'Depth cost', kind: 'float', default: 0, min: 0, help: 'priority = value − depthCost·depth' },
    { key: 'aggregation', label: 'Step score aggregation', kind: 'choice', default: 'last', options: ['last', 'min', 'prod', 'mean'] },
    stopOnSolve(true),
  ],
  revision: [
    { key: 'attempts', label: 'Max attempts', kind: 'int', default: 8, min: 1 },
    { key: 'window', label: 'Earlier attempts in context (j)', kind: 'int', default: 2, min: 0 },
    stopOnSolve(true),
  ],
  'in-context': [
    { key: 'prompt', label: 'Prompt', kind: 'choice', default: 'reasoning', options: ['reasoning', 'think-verify'] },
    { key: 'segment', label: 'Cut thinking into', kind: 'choice', default: 'sentence', options: ['sentence', 'paragraph'] },
    { key: 'threshold', label: 'Backtrack similarity threshold', kind: 'float', default: 0.6, min: 0 },
  ],
};

/** Parameters every strategy accepts (docs/engine.md, "common"). */
const COMMON_PARAMS = new Set(['concurrency', 'seed', 'temperature', 'maxTokens', 'maxErrors', 'prior', 'priceIn', 'priceOut']);

const BUDGETS: { key: keyof Budgets; label: string }[] = [
  { key: 'maxTokens', label: 'Token budget' },
  { key: 'maxRequests', label: 'Request budget' },
  { key: 'maxNodes', label: 'Node budget' },
];

export interface RerunRequest {
  strategy: StrategyName;
  params: Params;
  budgets: Budgets;
}

export interface RerunDefaults {
  strategy?: StrategyName;
  params?: Params;
}

/** Builds the form; `onSubmit` receives checked values. */
export function rerunForm(o: { run: Run | undefined; defaults: RerunDefaults; onSubmit: (r: RerunRequest) => void; onCancel: () => void }): HTMLElement {
  let strategy: StrategyName = o.defaults.strategy ?? o.run?.config.strategy ?? 'mcts';
  const form = h('form', { class: 'rerun-form', attrs: { 'aria-label': 'Re-run from this node' } });
  const fields = h('div', { class: 'form-grid' });
  const error = h('div', { class: 'form-error', role: 'alert' });
  const controls = new Map<string, { def: ParamDef; el: ValueControl }>();
  const budgetControls = new Map<keyof Budgets, ValueControl>();

  const initial = (def: ParamDef): string => {
    const fromRun = o.run?.config.strategy === strategy ? o.run.config.params[def.key] : undefined;
    const fromDefaults = o.defaults.strategy === strategy || !o.defaults.strategy ? o.defaults.params?.[def.key] : undefined;
    const v = fromRun ?? fromDefaults ?? def.default;
    return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : String(def.default);
  };

  const renderFields = () => {
    controls.clear();
    fields.replaceChildren();
    for (const def of STRATEGY_PARAMS[strategy]) {
      const id = `rerun-${def.key}`;
      const el =
        def.kind === 'choice'
          ? dropdown({ options: (def.options ?? []).map((v) => ({ value: v, label: v })), value: initial(def), ariaLabel: def.label, id })
          : def.kind === 'bool'
            ? dropdown({ options: [{ value: 'true', label: 'yes' }, { value: 'false', label: 'no' }], value: initial(def) === 'false' ? 'false' : 'true', ariaLabel: def.label, id })
            : textField({ value: initial(def), ariaLabel: def.label, id, size: 8 });
      el.dataset.param = def.key;
      controls.set(def.key, { def, el });
      fields.append(h('label', { class: 'form-label', attrs: { for: id }, title: def.help }, def.label), el);
      if (def.help) fields.append(h('div', { class: 'form-help' }, def.help));
    }
  };

  const strategySelect = dropdown({
    options: StrategyNameSchema.options.map((s) => ({ value: s, label: STRATEGY_LABELS[s] })),
    value: strategy,
    ariaLabel: 'Strategy',
    id: 'rerun-strategy',
    onChange: (v) => {
      strategy = v;
      renderFields();
    },
  });

  const budgets = h('div', { class: 'form-grid' });
  for (const b of BUDGETS) {
    const v = o.run?.config.budgets[b.key];
    const el = textField({ value: v === undefined ? '' : String(v), placeholder: 'no limit', ariaLabel: b.label, id: `rerun-budget-${b.key}`, size: 8 });
    budgetControls.set(b.key, el);
    budgets.append(h('label', { class: 'form-label', attrs: { for: `rerun-budget-${b.key}` } }, b.label), el);
  }

  const submit = () => {
    // Common parameters of the run (temperature, seed, concurrency, prices…) carry over; the strategy's own are the form's.
    const params: Params = {};
    const own = new Set(Object.values(STRATEGY_PARAMS).flat().map((d) => d.key));
    for (const [k, v] of Object.entries(o.run?.config.params ?? {})) if (COMMON_PARAMS.has(k) && !own.has(k)) params[k] = v;
    const problems: string[] = [];
    for (const [key, { def, el }] of controls) {
      const raw = String(el.value ?? '').trim();
      if (def.kind === 'choice') {
        params[key] = raw || String(def.default);
        continue;
      }
      if (def.kind === 'bool') {
        params[key] = raw === '' ? Boolean(def.default) : raw === 'true';
        continue;
      }
      const num = Number(raw);
      if (raw === '' || !Number.isFinite(num) || (def.kind === 'int' && !Number.isInteger(num)) || (def.min !== undefined && num < def.min)) {
        problems.push(`${def.label}: expected ${def.kind === 'int' ? 'a whole number' : 'a number'}${def.min !== undefined ? ` ≥ ${def.min}` : ''}`);
        el.setAttribute('aria-invalid', 'true');
      } else {
        params[key] = num;
        el.removeAttribute('aria-invalid');
      }
    }
    const budgetValues: Budgets = {};
    for (const [key, el] of budgetControls) {
      const raw = String(el.value ?? '').trim();
      if (!raw) continue;
      const num = Number(raw);
      if (!Number.isInteger(num) || num < 0) problems.push(`${BUDGETS.find((b) => b.key === key)?.label}: expected a whole number`);
      else budgetValues[key] = num;
    }
    error.textContent = problems.join('. ');
    if (problems.length === 0) o.onSubmit({ strategy, params, budgets: budgetValues });
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      submit();
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      o.onCancel();
    }
  });
  renderFields();
  form.append(
    h('div', { class: 'form-grid' }, h('label', { class: 'form-label', attrs: { for: 'rerun-strategy' } }, 'Strategy'), strategySelect),
    fields,
    h('div', { class: 'form-subhead' }, 'Budgets'),
    budgets,
    error,
    h(
      'div',
      { class: 'form-actions' },
      button({ label: 'Start run', icon: 'play', title: 'Start the run from this node (Ctrl+Enter)', appearance: 'primary', onClick: submit, id: 'rerun-submit' }),
      button({ label: 'Cancel', title: 'Close the form (Escape)', appearance: 'secondary', onClick: o.onCancel }),
    ),
  );
  return form;
}
