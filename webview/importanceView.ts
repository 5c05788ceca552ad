/**
 * Step importance in the panel: the detail pane's section for a node on a measured path (formula with this step's
 * numbers, the answers kept and resampled, the chart, a "stale" notice when the path changed since), the
 * "Step importance…" action, and the small marks on the measured path's cards ("★ 0.42" on a top step, "Δ 0.12"
 * on the others: the step's TV).
 */
import type { StepImportance } from '../src/protocol/fromCore';
import { IMPORTANCE_FORMULA, IMPORTANCE_LEGEND, TOP_MIN_TV, importanceStaleness } from '../src/protocol/fromCore';
import { h, icon } from './dom';
import { fmtInt } from './format';
import { importanceChart, signedDelta } from './importanceChart';
import { button } from './toolkit';
import type { ButtonControl } from './toolkit';
import type { TraceModel } from './traceModel';
import './importance.css';

export interface ImportanceHit {
  result: StepImportance;
  /** The node's step on the measured path (1-based). */
  step: number;
  /** Why the stored numbers no longer describe the trace, if they do not. */
  stale?: string;
}

function staleness(m: TraceModel, r: StepImportance): string | undefined {
  return importanceStaleness(r, (id) => {
    const i = m.index.get(id);
    return i === undefined ? undefined : m.nodes[i];
  });
}

/** The result whose path holds node i: the one measured at i itself first, else the latest that passes through it. */
export function importanceAt(m: TraceModel, i: number): ImportanceHit | undefined {
  const list = m.analyses?.stepImportance;
  const node = m.nodes[i];
  if (!list?.length || !node) return undefined;
  const own = list.find((r) => r.nodeId === node.id);
  const result = own ?? [...list].reverse().find((r) => r.path.some((p) => p.id === node.id));
  if (!result) return undefined;
  const step = result.path.findIndex((p) => p.id === node.id) + 1;
  if (step === 0) return undefined;
  const stale = staleness(m, result);
  return { result, step, ...(stale ? { stale } : {}) };
}

export interface CardMark {
  text: string;
  top: boolean;
  stale: boolean;
}

const marksCache = new WeakMap<TraceModel, { version: number; marks: Map<number, CardMark> }>();

/** Card marks by node index, recomputed when the model's data changes (an edit can make a result stale). */
export function importanceMarks(m: TraceModel): Map<number, CardMark> {
  const hit = marksCache.get(m);
  if (hit && hit.version === m.dataVersion) return hit.marks;
  const marks = new Map<number, CardMark>();
  for (const r of m.analyses?.stepImportance ?? []) {
    const stale = staleness(m, r) !== undefined;
    for (const s of r.steps) {
      const i = m.index.get(s.nodeId);
      if (i === undefined || s.tv === undefined) continue;
      const text = stale ? 'stale' : `${s.top ? '★' : 'Δ'} ${s.tv.toFixed(2)}`;
      marks.set(i, { text, top: s.top === true && !stale, stale });
    }
  }
  marksCache.set(m, { version: m.dataVersion, marks });
  return marks;
}

export interface ImportanceActions {
  measure(i: number): void;
  select(i: number): void;
}

/** The action bar's button; disabled (with the reason in its title) on the root and in read-only mode. */
export function importanceButton(m: TraceModel, i: number, actions: ImportanceActions, readOnly: string | undefined): ButtonControl {
  const b = button({ label: 'Step importance…', icon: 'graph-line', title: 'Resample K continuations from every step of the path to this node and measure how much each step changes the answer', onClick: () => actions.measure(i), id: 'action-importance' });
  const why = m.nodes[i]?.parentId === null ? 'the root has no steps' : readOnly;
  if (why) {
    b.disabled = true;
    b.setAttribute('title', `${b.getAttribute('title')} — ${why}`);
  }
  return b;
}

const pct = (x: number | undefined) => (x === undefined ? '—' : `${Math.round(x * 100)}%`);
const num = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));

/** The detail pane's section for node i, or null when no stored result covers it. */
export function importanceSection(m: TraceModel, i: number, actions: ImportanceActions): HTMLElement | null {
  const hit = importanceAt(m, i);
  if (!hit) return null;
  const { result: r, step } = hit;
  const s = r.steps[step - 1];
  const kept = r.prefixes[step];
  const resampled = r.prefixes[step - 1];
  const out = h('section', { class: 'detail-section importance', id: 'importance' }, h('h3', {}, 'Step importance'));
  if (hit.stale) out.append(h('div', { class: 'notice warning imp-stale', role: 'status' }, icon('warning'), ' ', h('strong', {}, 'Stale: '), `${hit.stale}. The numbers below are from before; measure again for current ones.`));
  const tv = s?.tv;
  out.append(
    h(
      'div',
      { class: 'formula', attrs: { 'aria-label': `Importance of step ${step}: TV ${num(tv)}` } },
      h('span', {}, IMPORTANCE_FORMULA),
      h('span', { class: 'formula-values', id: 'imp-tv-values' }, `TV_${step} = ½ Σ_a |p_${step}(a) − p_${step - 1}(a)| = `, h('strong', {}, num(tv))),
      h(
        'span',
        { class: 'formula-values', id: 'imp-acc-values' },
        `Δacc_${step} = acc_${step} − acc_${step - 1} = ${pct(kept?.accuracy)} − ${pct(resampled?.accuracy)} = `,
        h('strong', {}, s?.accuracyDelta === undefined ? '—' : signedDelta(s.accuracyDelta)),
      ),
      h('span', { class: 'muted small' }, IMPORTANCE_LEGEND),
    ),
  );
  const topSteps = r.steps.filter((x) => x.top).sort((a, b) => (b.tv ?? 0) - (a.tv ?? 0) || a.index - b.index);
  out.append(
    h(
      'table',
      { class: 'kv' },
      h(
        'tbody',
        {},
        row('Step', `${step} of ${r.steps.length}${s?.top ? ' — a top step' : ''}`),
        row(`Kept (p_${step})`, answers(kept)),
        row(`Resampled (p_${step - 1})`, answers(resampled)),
        row('Top steps', topSteps.length ? topSteps.map((x) => `${x.index} (TV ${num(x.tv)})`).join(', ') : `none with TV ≥ ${TOP_MIN_TV}`),
        row('Measured', `K = ${r.k} · ${r.model} · checker ${r.checker} · ${fmtInt(r.usage.requests)} requests · ${fmtInt(r.usage.tokensIn + r.usage.tokensOut)} tokens · ${r.createdAt.slice(0, 16).replace('T', ' ')}`),
        incomplete(r),
      ),
    ),
  );
  const chart = h('div', { class: 'imp-chart-box' }, importanceChart(r, step));
  out.append(chart, h('p', { class: 'muted small' }, 'Line: accuracy after j steps. Bars: TV of step i (★ top). Stacks: answers after j steps (green verified, red not, grey unchecked).'));
  // Clicking a step's bar shows that step's node.
  chart.addEventListener('click', (ev) => {
    const at = (ev.target as Element).closest('[data-step]')?.getAttribute('data-step');
    const id = at ? r.steps[Number(at) - 1]?.nodeId : undefined;
    const j = id === undefined ? undefined : m.index.get(id);
    if (j !== undefined) actions.select(j);
  });
  return out;
}

function row(k: string, v: string | Node): HTMLTableRowElement {
  return h('tr', {}, h('th', { attrs: { scope: 'row' } }, k), h('td', {}, v));
}

function answers(p: StepImportance['prefixes'][number] | undefined): string {
  if (!p) return '—';
  if (p.got === 0) return `${p.status}${p.error ? `: ${p.error}` : ''}`;
  const list = p.answers.slice(0, 4).map((a) => `${a.answer === '' ? '(no answer)' : a.answer} ×${a.count}${a.verified === true ? ' ✓' : a.verified === false ? ' ✗' : ''}`);
  const more = p.answers.length > 4 ? `, +${p.answers.length - 4} more` : '';
  const acc = p.accuracy === undefined ? '' : ` — accuracy ${pct(p.accuracy)}`;
  return `${list.join(', ')}${more}${acc}${p.fromPath ? ' (the path’s own answer)' : ''}`;
}

function incomplete(r: StepImportance): HTMLTableRowElement | null {
  const left = r.prefixes.filter((p) => p.status !== 'done');
  if (!left.length) return null;
  return row('Incomplete', `${left.map((p) => `after ${p.steps} steps: ${p.status}`).join('; ')}${r.stopped ? ` (${r.stopped})` : ''}`);
}
