/**
 * Runs apart: a collapsible list above the tree, one row per run (strategy, endpoint, status, answer, nodes, tokens,
 * cost, time; a failed run's reason; the no-value-signal warning). Clicking a row filters the tree to that run
 * (store.runFilter, and store.faded for everything else); clicking it again or "All runs" clears the filter. Without a
 * filter, store.faded holds the subtrees later re-runs superseded. Both follow the model on every load and delta.
 * It sits in the page's flow (never over the tree) and scrolls inside a capped height.
 */
import { fadedMask } from '../src/protocol/fromCore';
import { h, icon } from './dom';
import { fmtInt, fmtMs, oneLine } from './format';
import type { PanelStore } from './panelStore';
import { RUN_STATUS, fmtCost, rowSummary, runRows } from './runListModel';
import type { RunRow, SignalCache } from './runListModel';
import { button } from './toolkit';
import './runList.css';

/** Page height (CSS px) from which the list opens by itself: below it, toolbar, list and legend would squeeze the tree. */
const AUTO_OPEN_MIN_HEIGHT = 800;
/** Runs named in the summary line; more are counted. */
const SUMMARY_RUNS = 6;
/** While a search streams, rows and the fade mask are rebuilt at most this often (each reads every node). */
const STREAM_REBUILD_MS = 250;

export interface RunListHost {
  /** store.faded or store.runFilter changed: redraw the tree. */
  changed(): void;
  announce(text: string): void;
}

export class RunList {
  readonly el: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly summaryText: HTMLElement;
  private readonly rowsEl: HTMLElement;
  private readonly allRuns: HTMLElement;
  private rows: RunRow[] = [];
  /** What the rows were drawn from: rows are rebuilt only when it changes. */
  private drawnKey = '';
  private maskVersion = -1;
  private maskFilter: string | null = null;
  private maskModel: unknown = null;
  private shapeKey = '';
  private builtAt = 0;
  private trailing = 0;
  private readonly signals: SignalCache = new Map();
  /** Whether the person opened or closed the list; until then it opens when a trace has two runs or more. */
  private userToggled = false;

  constructor(
    private readonly store: PanelStore,
    private readonly host: RunListHost,
  ) {
    this.summary = h('summary', { class: 'run-list-summary' }, 'Runs');
    this.allRuns = button({
      label: 'All runs',
      title: 'Show every run (clear the run filter)',
      onClick: (ev) => {
        // The button sits in the summary line: it clears the filter without folding the list.
        ev.preventDefault();
        this.setFilter(null);
      },
      id: 'run-list-all',
    });
    this.allRuns.hidden = true;
    this.rowsEl = h('div', { class: 'run-rows', role: 'group', attrs: { 'aria-label': 'Runs of this trace' } });
    this.summaryText = h('span', { class: 'run-list-title' });
    this.summary.replaceChildren(this.summaryText, this.allRuns);
    this.el = h('details', { class: 'run-list', id: 'run-list' }, this.summary, h('div', { class: 'run-list-body' }, this.rowsEl));
    this.el.hidden = true;
    this.summary.addEventListener('click', (ev) => {
      if (!this.allRuns.contains(ev.target as Node)) this.userToggled = true;
    });
  }

  /**
   * The model was replaced or patched: rows and the fade mask follow it; a filter on a run that is gone is dropped.
   * Both read every node, so while a search streams (nodes, values and usage arriving) they are rebuilt at most every
   * STREAM_REBUILD_MS, with a trailing rebuild (a node outside the filter may show bright until then); a new model, a
   * run's start or end, a filter or a catalog rebuild at once.
   */
  update(): void {
    const s = this.store;
    const m = s.model;
    if (s.runFilter !== null && !m.runs.some((r) => r.id === s.runFilter)) s.runFilter = null;
    // New nodes and values stream in at every delta; runs starting or ending, a filter or a catalog change do not.
    const key = `${s.runFilter}|${m.runs.map((r) => `${r.id}:${r.status}`).join(',')}|${s.catalog === null}`;
    const fresh = this.maskModel !== m || key !== this.shapeKey;
    const now = performance.now();
    if (!fresh && now - this.builtAt < STREAM_REBUILD_MS) {
      if (!this.trailing) this.trailing = window.setTimeout(() => this.rebuildLater(), STREAM_REBUILD_MS - (now - this.builtAt));
      return;
    }
    if (this.maskModel !== m) this.signals.clear();
    this.shapeKey = key;
    this.builtAt = now;
    this.refreshMask();
    const { runs, nodes } = m;
    this.rows = runRows({ runs, nodes, header: this.header() }, s.catalog, Date.now(), m.index, this.signals);
    this.el.hidden = !s.loaded || this.rows.length === 0;
    // Opens by itself for two runs or more where the page is tall enough to keep the tree readable below it; the
    // summary line names every run's state either way.
    if (!this.userToggled) this.el.open = this.rows.length >= 2 && window.innerHeight >= AUTO_OPEN_MIN_HEIGHT;
    const drawn = `${s.runFilter}|${this.rows.map(rowSummary).join('\n')}|${this.rows.map((r) => `${r.reason}|${r.warning}`).join('\n')}`;
    if (drawn !== this.drawnKey) {
      this.drawnKey = drawn;
      this.draw();
    }
  }

  private rebuildLater(): void {
    this.trailing = 0;
    this.builtAt = 0;
    this.update();
    this.host.changed();
  }

  /** Filters the tree to one run (null: every run). */
  setFilter(runId: string | null): void {
    const s = this.store;
    if (runId !== null && !s.model.runs.some((r) => r.id === runId)) return;
    s.runFilter = runId;
    this.update();
    this.host.announce(runId === null ? 'Showing every run' : `Showing run ${runId}; other runs faded`);
    this.host.changed();
  }

  private header() {
    const m = this.store.model;
    return { format: 'metacot.trace' as const, version: 1 as const, id: m.id, createdAt: '', problem: m.problem, events: m.events, usage: m.usage, result: m.result };
  }

  /** store.faded for the current model and filter, rebuilt only when either changed. */
  private refreshMask(): void {
    const s = this.store;
    const m = s.model;
    if (this.maskModel === m && this.maskVersion === m.dataVersion && this.maskFilter === s.runFilter) return;
    this.maskModel = m;
    this.maskVersion = m.dataVersion;
    this.maskFilter = s.runFilter;
    const run = s.runFilter === null ? null : (m.runs.find((r) => r.id === s.runFilter) ?? null);
    s.faded = fadedMask(m, run);
  }

  private draw(): void {
    const s = this.store;
    const running = this.rows.filter((r) => r.status === 'running').length;
    this.summaryText.replaceChildren(
      icon('run-all'),
      ` Runs (${fmtInt(this.rows.length)})`,
      ...(running ? [h('span', { class: 'muted' }, ` · ${fmtInt(running)} running`)] : []),
      h(
        'span',
        { class: 'run-chips' },
        this.rows.slice(0, SUMMARY_RUNS).map((r) => {
          const i = icon(RUN_STATUS[r.status].icon);
          if (r.status === 'running') i.classList.add('codicon-modifier-spin');
          return h('span', { class: `run-chip run-state status-${r.status}`, title: `${r.id}: ${RUN_STATUS[r.status].word}` }, i, ` ${r.id}`);
        }),
        this.rows.length > SUMMARY_RUNS ? ` +${fmtInt(this.rows.length - SUMMARY_RUNS)}` : null,
      ),
      ...(s.runFilter !== null ? [h('span', { class: 'run-filter-note' }, ` · showing ${s.runFilter}`)] : []),
    );
    this.allRuns.hidden = s.runFilter === null;
    this.rowsEl.replaceChildren(...this.rows.map((r) => this.rowEl(r)));
  }

  private rowEl(r: RunRow): HTMLElement {
    const st = RUN_STATUS[r.status];
    const active = this.store.runFilter === r.id;
    const statusIcon = icon(st.icon);
    if (r.status === 'running') statusIcon.classList.add('codicon-modifier-spin');
    const answer =
      r.answer === undefined
        ? h('span', { class: 'run-answer muted' }, 'no answer')
        : h(
            'span',
            { class: `run-answer ${r.verified === true ? 'ok' : r.verified === false ? 'bad' : ''}`, title: r.answer },
            r.verified === true ? icon('pass-filled', 'verified') : r.verified === false ? icon('close', 'not verified') : null,
            ` ${oneLine(r.answer, 40)}`,
          );
    const cell = (cls: string, label: string, value: string) => h('span', { class: `run-num ${cls}`, title: label }, value);
    const row = h(
      'div',
      {
        class: `run-row status-${r.status}${active ? ' active' : ''}`,
        role: 'button',
        title: `${rowSummary(r)}${r.reason ? ` — ${r.reason}` : ''}\n${active ? 'Click to show every run' : 'Click to show only this run'}`,
        attrs: { tabindex: '0', 'aria-pressed': String(active), 'data-run': r.id, 'aria-label': rowSummary(r) },
      },
      h('div', { class: 'run-line' }, h('span', { class: `run-state status-${r.status}` }, statusIcon, ` ${st.word}`), h('strong', { class: 'run-strategy' }, r.strategy), h('span', { class: 'run-endpoint muted' }, r.endpoint), h('span', { class: 'run-id muted' }, r.id)),
      h(
        'div',
        { class: 'run-line run-figures' },
        answer,
        cell('nodes', 'nodes this run created', `${fmtInt(r.nodes)} nodes`),
        cell('tokens', 'tokens in + out', `${fmtInt(r.tokens)} tok`),
        cell('cost', 'cost', fmtCost(r.cost)),
        cell('time', 'wall time', fmtMs(r.timeMs)),
        // A mark on the figures line (the full text in its title and to screen readers) keeps each row to two lines.
        r.warning ? h('span', { class: 'run-warning', role: 'note', title: r.warning, attrs: { 'aria-label': r.warning } }, icon('warning'), ' no value signal') : null,
      ),
      r.status === 'failed' && r.reason ? h('div', { class: 'run-reason', role: 'note' }, icon('error'), ` ${r.reason}`) : null,
    );
    const toggle = () => this.setFilter(active ? null : r.id);
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        ev.stopPropagation();
        toggle();
        // The rows were redrawn: keep the keyboard on this run's row.
        for (const el of this.rowsEl.querySelectorAll<HTMLElement>('.run-row')) if (el.dataset.run === r.id) el.focus();
      }
    });
    return row;
  }
}
