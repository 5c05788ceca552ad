/**
 * "Re-run from here" (the paper's reset primitive, §3.3): strategy + its parameters + budgets, built only from the
 * catalog the host sends. Until that catalog arrives the form says it is waiting for it. The field logic lives in
 * rerunFormModel.ts (unit-tested); this file only draws controls and reads them back.
 */
import type { Budgets, Run, StrategyCatalog } from '../src/protocol/fromCore';
import { h } from './dom';
import { BUDGET_FIELDS, readRerunForm, rerunFormModel } from './rerunFormModel';
import type { RerunDefaults, RerunField, RerunFormModel, RerunRequest } from './rerunFormModel';
import { button, dropdown, textField } from './toolkit';
import type { ValueControl } from './toolkit';

export type { RerunDefaults, RerunRequest } from './rerunFormModel';

function control(f: RerunField, id: string): ValueControl {
  switch (f.control) {
    case 'choice':
      return dropdown({ options: f.choices.map((v) => ({ value: v, label: v })), value: f.value, ariaLabel: f.label, id });
    case 'boolean':
      return dropdown({ options: [{ value: 'true', label: 'yes' }, { value: 'false', label: 'no' }], value: f.value === 'false' ? 'false' : 'true', ariaLabel: f.label, id });
    default:
      return textField({ value: f.value, ariaLabel: f.label, id, size: 8, ...(f.value === '' ? { placeholder: 'engine default' } : {}) });
  }
}

/** Builds the form; `onSubmit` receives checked values. */
export function rerunForm(o: {
  catalog: StrategyCatalog | null;
  run: Run | undefined;
  defaults: RerunDefaults;
  onSubmit: (r: RerunRequest) => void;
  onCancel: () => void;
}): HTMLElement {
  const form = h('form', { class: 'rerun-form', attrs: { 'aria-label': 'Re-run from this node' } });
  const cancel = button({ label: 'Cancel', title: 'Close the form (Escape)', appearance: 'secondary', onClick: o.onCancel });
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      ev.preventDefault();
      o.onCancel();
    }
  });
  const catalog = o.catalog;
  if (!catalog) {
    form.append(h('p', { class: 'muted waiting-strategies', role: 'status' }, 'Waiting for the host’s strategy list…'), h('div', { class: 'form-actions' }, cancel));
    return form;
  }

  let model: RerunFormModel = rerunFormModel(catalog, o.defaults, o.run);
  const fields = h('div', { class: 'form-grid' });
  const summary = h('p', { class: 'muted small strategy-summary' });
  const error = h('div', { class: 'form-error', role: 'alert' });
  const controls = new Map<string, ValueControl>();
  const budgetControls = new Map<keyof Budgets, ValueControl>();

  const renderFields = () => {
    controls.clear();
    fields.replaceChildren();
    summary.textContent = model.strategies.find((s) => s.value === model.strategy)?.summary ?? '';
    for (const f of model.fields) {
      const id = `rerun-${f.name}`;
      const el = control(f, id);
      el.dataset.param = f.name;
      controls.set(f.name, el);
      fields.append(h('label', { class: 'form-label', attrs: { for: id }, title: f.doc }, f.label), el);
      if (f.doc) fields.append(h('div', { class: 'form-help' }, f.doc));
    }
  };

  const strategySelect = dropdown({
    options: model.strategies,
    value: model.strategy,
    ariaLabel: 'Strategy',
    id: 'rerun-strategy',
    onChange: (v) => {
      model = rerunFormModel(catalog, o.defaults, o.run, v);
      renderFields();
    },
  });

  const budgets = h('div', { class: 'form-grid' });
  for (const b of BUDGET_FIELDS) {
    const v = o.run?.config.budgets[b.key];
    const id = `rerun-budget-${b.key}`;
    const el = textField({ value: v === undefined ? '' : String(v), placeholder: 'no limit', ariaLabel: b.label, id, size: 8 });
    budgetControls.set(b.key, el);
    budgets.append(h('label', { class: 'form-label', attrs: { for: id } }, b.label), el);
  }

  const submit = () => {
    const text = <K>(m: Map<K, ValueControl>) => new Map<K, string>([...m].map(([k, el]) => [k, String(el.value ?? '')]));
    const r = readRerunForm(catalog, model, text(controls), text(budgetControls), o.run);
    for (const [name, el] of controls) el.toggleAttribute('aria-invalid', !r.ok && r.invalid.includes(name));
    for (const [key, el] of budgetControls) el.toggleAttribute('aria-invalid', !r.ok && r.invalid.includes(`budget-${key}`));
    error.textContent = r.ok ? '' : r.problems.join('. ');
    if (r.ok) o.onSubmit(r.request);
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      submit();
    }
  });
  renderFields();
  form.append(
    h('div', { class: 'form-grid' }, h('label', { class: 'form-label', attrs: { for: 'rerun-strategy' } }, 'Strategy'), strategySelect),
    summary,
    fields,
    h('div', { class: 'form-subhead' }, 'Budgets'),
    budgets,
    error,
    h(
      'div',
      { class: 'form-actions' },
      button({ label: 'Start run', icon: 'play', title: 'Start the run from this node (Ctrl+Enter)', appearance: 'primary', onClick: submit, id: 'rerun-submit' }),
      cancel,
    ),
  );
  return form;
}
