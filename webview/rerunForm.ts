/**
 * "Re-run from here" (the paper's reset primitive, §3.3): strategy + its parameters, endpoint and model, verifier and
 * its parameters, budgets with their effective defaults — built only from the catalog and the re-run options the host
 * sends. Until the catalog arrives the form says it is waiting for it. The field logic lives in rerunFormModel.ts
 * (unit-tested); this file only draws controls and reads them back.
 */
import type { Budgets, Run, StrategyCatalog } from '../src/protocol/fromCore';
import { h } from './dom';
import { budgetFields, endpointForm, endpointModel, readRerunForm, rerunFormModel, verifierForm } from './rerunFormModel';
import type { RerunDefaults, RerunExtras, RerunField, RerunFormModel, RerunRequest, VerifierForm } from './rerunFormModel';
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

  /** Draws `list` into `into`, one labelled control each, registered in `into`'s map under the field's name. */
  const drawFields = (list: readonly RerunField[], into: HTMLElement, map: Map<string, ValueControl>, prefix: string) => {
    map.clear();
    into.replaceChildren();
    for (const f of list) {
      const id = `${prefix}${f.name}`;
      const el = control(f, id);
      el.dataset.param = f.name;
      map.set(f.name, el);
      into.append(h('label', { class: 'form-label', attrs: { for: id }, title: f.doc }, f.label), el);
      if (f.doc) into.append(h('div', { class: 'form-help' }, f.doc));
    }
  };
  const renderFields = () => {
    summary.textContent = model.strategies.find((s) => s.value === model.strategy)?.summary ?? '';
    drawFields(model.fields, fields, controls, 'rerun-');
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

  // Endpoint and model: the configured endpoints by name; the model field follows the chosen endpoint.
  const options = o.defaults.options;
  const endpoints = endpointForm(options, o.run);
  const endpointPart = h('div', { class: 'form-grid' });
  let endpointSelect: ValueControl | undefined;
  let modelField: ValueControl | undefined;
  if (endpoints) {
    const first = endpointModel(options, endpoints.endpoint);
    modelField = textField({ value: first.model, ariaLabel: 'Model', id: 'rerun-model', size: 16 });
    modelField.disabled = first.fixed;
    const mf = modelField;
    endpointSelect = dropdown({
      options: endpoints.choices,
      value: endpoints.endpoint,
      ariaLabel: 'Endpoint',
      id: 'rerun-endpoint',
      onChange: (v) => {
        const m = endpointModel(options, v);
        mf.value = m.model;
        mf.disabled = m.fixed;
      },
    });
    endpointPart.append(
      h('label', { class: 'form-label', attrs: { for: 'rerun-endpoint' } }, 'Endpoint'),
      endpointSelect,
      h('label', { class: 'form-label', attrs: { for: 'rerun-model' }, title: 'Model id sent to the endpoint for this run' }, 'Model'),
      modelField,
    );
  }

  // Verifier: every kind the core knows, with its parameters; it opens on the run's (else the settings').
  const openedVerifier = verifierForm(options, o.run);
  let shownVerifier: VerifierForm | undefined = openedVerifier;
  const verifierFields = h('div', { class: 'form-grid' });
  const verifierControls = new Map<string, ValueControl>();
  const verifierPart = h('div', { class: 'form-grid' });
  if (openedVerifier) {
    const select = dropdown({
      options: openedVerifier.choices,
      value: openedVerifier.kind,
      ariaLabel: 'Verifier',
      id: 'rerun-verifier',
      onChange: (v) => {
        shownVerifier = verifierForm(options, o.run, v);
        drawFields(shownVerifier?.fields ?? [], verifierFields, verifierControls, 'rerun-verifier-');
      },
    });
    verifierPart.append(h('label', { class: 'form-label', attrs: { for: 'rerun-verifier' } }, 'Verifier'), select);
    drawFields(openedVerifier.fields, verifierFields, verifierControls, 'rerun-verifier-');
  }

  // Budgets: the run's values; an empty field shows what the run gets instead (the host's effective budgets).
  const budgets = h('div', { class: 'form-grid' });
  for (const b of budgetFields(o.run, options)) {
    const id = `rerun-budget-${b.key}`;
    const el = textField({ value: b.value, placeholder: b.placeholder, ariaLabel: b.label, id, size: 8 });
    budgetControls.set(b.key, el);
    budgets.append(h('label', { class: 'form-label', attrs: { for: id }, title: `Empty: ${b.placeholder}` }, b.label), el);
    // A prefilled field hides its placeholder: say what clearing it gives.
    if (b.value !== '') budgets.append(h('div', { class: 'form-help' }, `empty: ${b.placeholder}`));
  }

  const submit = () => {
    const text = <K>(m: Map<K, ValueControl>) => new Map<K, string>([...m].map(([k, el]) => [k, String(el.value ?? '')]));
    const extras: RerunExtras = {};
    if (endpointSelect && modelField) extras.endpoint = { name: String(endpointSelect.value), model: String(modelField.value ?? '') };
    if (openedVerifier && shownVerifier) extras.verifier = { shown: shownVerifier, opened: openedVerifier, values: text(verifierControls) };
    const r = readRerunForm(catalog, model, text(controls), text(budgetControls), o.run, { ...extras, ...(options ? { options } : {}) });
    for (const [name, el] of controls) el.toggleAttribute('aria-invalid', !r.ok && r.invalid.includes(name));
    for (const [name, el] of verifierControls) el.toggleAttribute('aria-invalid', !r.ok && r.invalid.includes(`verifier-${name}`));
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
    ...(endpoints ? [h('div', { class: 'form-subhead' }, 'Endpoint'), endpointPart] : []),
    ...(openedVerifier ? [h('div', { class: 'form-subhead' }, 'Verifier'), verifierPart, verifierFields] : []),
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
