/**
 * The side pane: a trace overview when nothing is selected; for a node its text (Markdown + KaTeX), path from the
 * root, why the search chose or pruned it, its metrics, and the editing actions (disabled in read-only mode).
 */
import type { Run, TraceNode } from '../src/protocol/fromCore';
import { pruneBlocker, unpruneBlocker } from '../src/protocol/fromCore';
import { checkNodeDetail } from '../src/protocol/compactTrace';
import { h, icon } from './dom';
import { fmt, fmtInt, fmtMs, metaNotes, nodeTitle, oneLine, valueSourceText } from './format';
import { setMarkdown } from './markdown';
import { rerunForm } from './rerunForm';
import type { RerunRequest } from './rerunForm';
import type { PanelStore } from './panelStore';
import { badge, button, textArea } from './toolkit';
import type { ButtonControl } from './toolkit';
import type { TraceModel } from './traceModel';
import { isHumanEdit } from './nodeMarks';
import { importanceButton, importanceSection } from './importanceView';

export interface DetailActions {
  select(i: number): void;
  edit(i: number, text: string, mode: 'replace' | 'sibling'): void;
  prune(i: number): void;
  unprune(i: number): void;
  mark(i: number, label: 'correct' | 'incorrect' | null): void;
  rerun(i: number, r: RerunRequest): void;
  openAsText(i: number | null): void;
  exportPath(i: number | null, format: 'trace' | 'linearized' | 'solution'): void;
  cancelRun(runId: string): void;
  zoomTo(i: number): void;
  measureImportance(i: number): void;
}

type Mode = 'view' | 'edit' | 'rerun';

export class DetailPane {
  readonly el: HTMLElement;
  private current = -1;
  private mode: Mode = 'view';
  private model: TraceModel | null = null;

  /** Reads read-only state, the strategy catalog and re-run defaults from the store (their one owner). */
  constructor(
    private readonly store: PanelStore,
    private readonly actions: DetailActions,
  ) {
    this.el = h('section', { class: 'detail', id: 'detail', attrs: { 'aria-label': 'Node details', tabindex: '-1' } });
  }

  private get readOnly(): boolean {
    return this.store.readOnly;
  }

  private get readOnlyReason(): string {
    return this.store.readOnlyReason;
  }

  /** Read-only switched: an open editor or form closes when editing is turned off. */
  readOnlyChanged(): void {
    if (this.readOnly && this.mode !== 'view') this.mode = 'view';
    this.refresh();
  }

  /** The host's strategy catalog arrived or changed: an open re-run form is rebuilt from it. */
  catalogChanged(): void {
    if (this.mode === 'rerun') this.refresh();
  }

  get node(): number {
    return this.current;
  }

  get editing(): boolean {
    return this.mode !== 'view';
  }

  show(model: TraceModel, i: number, mode: Mode = 'view'): void {
    this.model = model;
    if (i !== this.current) this.mode = 'view';
    this.current = i;
    if (mode !== 'view' && !this.readOnly) this.mode = mode;
    this.refresh();
  }

  /**
   * After a delta. Skipped while the user is typing in a form (a streamed update must not wipe an edit in progress)
   * and when the shown node did not change; the overview (counts over every node) refreshes at most twice a second
   * while a search streams in.
   */
  update(model: TraceModel): void {
    this.model = model;
    if (this.current >= model.size) this.current = -1;
    if (this.mode !== 'view') return;
    if (this.current >= 0) {
      const n = model.nodes[this.current];
      const sig = `${model.children[this.current].length}|${model.bestPath.has(this.current)}|${model.runOf(this.current)?.status ?? ''}`;
      if (n === this.shownNode && sig === this.shownSig) return;
      this.refresh();
      return;
    }
    if (this.overviewTimer) return;
    const since = performance.now() - this.overviewAt;
    if (since >= 500) this.refresh();
    else
      this.overviewTimer = window.setTimeout(() => {
        this.overviewTimer = 0;
        if (this.current < 0 && this.mode === 'view') this.refresh();
      }, 500 - since);
  }

  private shownNode: TraceNode | null = null;
  private shownSig = '';
  private overviewAt = 0;
  private overviewTimer = 0;

  startEdit(): void {
    if (this.current >= 0 && !this.readOnly) {
      this.mode = 'edit';
      this.refresh();
      this.el.querySelector<HTMLElement>('#edit-text')?.focus();
    }
  }

  startRerun(): void {
    if (this.current >= 0 && !this.readOnly) {
      this.mode = 'rerun';
      this.refresh();
      this.el.querySelector<HTMLElement>('#rerun-strategy')?.focus();
    }
  }

  private refresh(): void {
    const m = this.model;
    if (!m) {
      this.el.replaceChildren(h('div', { class: 'empty' }, 'Waiting for a trace…'));
      return;
    }
    const scroll = this.el.scrollTop;
    this.el.replaceChildren(...(this.current < 0 ? this.overview(m) : this.nodeView(m, this.current)));
    // Writing scrollTop lays the new content out there and then (about half of a refresh at 10k nodes); at the top,
    // the usual case, the new content starts there anyway and is laid out once, with the frame.
    if (scroll !== 0) this.el.scrollTop = scroll;
    if (this.current < 0) this.overviewAt = performance.now();
    else {
      this.shownNode = m.nodes[this.current];
      this.shownSig = `${m.children[this.current].length}|${m.bestPath.has(this.current)}|${m.runOf(this.current)?.status ?? ''}`;
    }
  }

  private overview(m: TraceModel): Node[] {
    const out: Node[] = [];
    out.push(h('h2', { class: 'detail-title' }, icon('graph'), ' Search overview'));
    const problem = h('div', { class: 'markdown problem' });
    setMarkdown(problem, m.problem.text);
    out.push(section('Problem', problem));
    const best = m.result?.bestNodeId ? m.index.get(m.result.bestNodeId) : undefined;
    out.push(
      section(
        'Result',
        m.result
          ? table([
              ['Answer', m.result.finalAnswer ?? '—'],
              ['Verified', m.result.verified ? 'yes' : 'no'],
              ['Best node', best !== undefined ? linkTo(m, best, this.actions) : '—'],
              ['Found by', foundBy(this.store.resultRun, best === undefined ? undefined : m.nodes[best])],
            ])
          : h('p', { class: 'muted' }, 'No result yet.'),
      ),
    );
    out.push(section('Runs', ...(m.runs.length ? m.runs.map((r) => this.runCard(r)) : [h('p', { class: 'muted' }, 'No runs recorded.')])));
    const counts = new Map<string, number>();
    for (const n of m.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
    out.push(
      section(
        'Tree',
        table([
          ['Nodes', fmtInt(m.size)],
          ...[...counts].map(([k, v]) => [k, fmtInt(v)] as [string, string]),
          ['Iterations', fmtInt(m.maxIteration)],
          ['Events', fmtInt(m.events.length)],
        ]),
      ),
    );
    out.push(
      section(
        'Usage',
        table([
          ['Requests', `${fmtInt(m.usage.requests)} (${fmtInt(m.usage.cachedRequests)} cached)`],
          ['Tokens in / out', `${fmtInt(m.usage.tokensIn)} / ${fmtInt(m.usage.tokensOut)}`],
          ['Cost', `$${m.usage.cost.toFixed(2)}`],
        ]),
      ),
    );
    out.push(
      h(
        'div',
        { class: 'actions' },
        button({ label: 'Open as JSON', icon: 'go-to-file', title: 'Open the trace file as text', onClick: () => this.actions.openAsText(null) }),
        button({ label: 'Export Meta-CoT', icon: 'export', title: 'Export the linearized search (Meta-CoT training text)', onClick: () => this.actions.exportPath(null, 'linearized') }),
      ),
    );
    out.push(h('p', { class: 'muted hint' }, 'Select a node (click, or arrow keys in the tree) to inspect and edit it.'));
    return out;
  }

  private runCard(r: Run): HTMLElement {
    const running = r.status === 'running';
    const params = Object.entries(r.config.params)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
      .join(' · ');
    return h(
      'div',
      { class: `run-card status-${r.status}` },
      h('div', { class: 'run-head' }, h('strong', {}, r.config.strategy), ' ', badge(r.status), running ? button({ icon: 'debug-stop', title: `Cancel run ${r.id}`, onClick: () => this.actions.cancelRun(r.id) }) : null),
      h('div', { class: 'muted small' }, params || 'no parameters'),
      h('div', { class: 'muted small' }, `${r.config.endpoint.model} · ${fmtInt(r.usage.tokensIn + r.usage.tokensOut)} tokens · ${fmtInt(r.usage.requests)} requests`),
      r.reason ? h('div', { class: 'small' }, r.reason) : null,
      r.result ? h('div', { class: 'small run-result' }, runResultText(r.result)) : null,
    );
  }

  private nodeView(m: TraceModel, i: number): Node[] {
    const checked = checkNodeDetail(m.nodes[i]);
    const n = checked.node;
    const out: Node[] = [];
    const badges: HTMLElement[] = [badge(n.status, 'Status')];
    if (isHumanEdit(n)) badges.push(badge('human edit', 'Author'));
    else if (n.author === 'imported') badges.push(badge('imported', 'Author'));
    if (n.verified === true) badges.push(h('span', { class: 'chip ok' }, icon('pass-filled'), ' verified'));
    if (n.verified === false) badges.push(h('span', { class: 'chip bad' }, icon('error'), ' not verified'));
    if (n.label) badges.push(h('span', { class: `chip ${n.label === 'correct' ? 'ok' : 'bad'}` }, icon(n.label === 'correct' ? 'thumbsup' : 'thumbsdown'), ` marked ${n.label}`));
    if (m.bestPath.has(i)) badges.push(h('span', { class: 'chip best' }, icon('star-full'), ' best path'));
    out.push(
      h(
        'header',
        { class: 'detail-head' },
        h('h2', { class: 'detail-title' }, `${nodeTitle(n)} `, h('span', { class: 'muted node-id' }, n.id), ' ', h('span', { class: 'muted' }, `· depth ${m.depth[i]} · iteration ${n.iteration}`)),
        h('div', { class: 'badges' }, badges),
      ),
    );
    if (checked.problems.length) out.push(h('div', { class: 'notice warning', role: 'status' }, icon('warning'), ` Some fields of this node are invalid and are not shown: ${checked.problems.join('; ')}`));
    if (n.error) out.push(h('div', { class: 'notice error', role: 'alert' }, icon('error'), ' ', h('strong', {}, 'Failed: '), n.error));

    // Text, or the editor.
    if (this.mode === 'edit') out.push(this.editor(i, n));
    else {
      const text = h('div', { class: 'markdown node-text', id: 'node-text' });
      setMarkdown(text, n.text || '*(empty)*');
      out.push(text);
      if (n.originalText !== undefined) {
        const orig = h('div', { class: 'markdown' });
        setMarkdown(orig, n.originalText);
        out.push(h('details', { class: 'original' }, h('summary', {}, 'Original model text'), orig));
      }
      if (n.reasoning) {
        const r = h('div', { class: 'markdown reasoning' });
        setMarkdown(r, n.reasoning);
        out.push(h('details', { class: 'reasoning-block' }, h('summary', {}, `Reasoning (${fmtInt(n.reasoning.length)} chars)`), r));
      }
    }
    if (this.mode === 'rerun') {
      out.push(
        section(
          'Re-run from here',
          rerunForm({
            catalog: this.store.catalog,
            run: m.runOf(i),
            defaults: this.store.rerunDefaults,
            onSubmit: (r) => {
              this.mode = 'view';
              this.actions.rerun(i, r);
              this.refresh();
            },
            onCancel: () => {
              this.mode = 'view';
              this.refresh();
            },
          }),
        ),
      );
    }
    if (this.mode === 'view') out.push(this.actionBar(m, i, n));

    out.push(this.whySection(m, i, n));
    const importance = importanceSection(m, i, { measure: (j) => this.actions.measureImportance(j), select: (j) => this.actions.select(j) });
    if (importance) out.push(importance);
    out.push(section('Metrics', this.metrics(m, i, n)));
    out.push(this.pathSection(m, i));
    return out;
  }

  private actionBar(m: TraceModel, i: number, n: TraceNode): HTMLElement {
    const ro = this.readOnly;
    const off = <T extends ButtonControl>(b: T, why: string | undefined): T => {
      if (why) {
        b.disabled = true;
        b.setAttribute('title', `${b.getAttribute('title')} — ${why}`);
      }
      return b;
    };
    const disable = <T extends ButtonControl>(b: T): T => off(b, ro ? this.readOnlyReason || 'read-only' : undefined);
    const bar = h(
      'div',
      { class: 'actions', role: 'toolbar', attrs: { 'aria-label': 'Node actions' } },
      disable(button({ label: 'Edit', icon: 'edit', title: 'Edit this step (E)', onClick: () => this.startEdit(), id: 'action-edit' })),
      disable(button({ label: 'Re-run from here', icon: 'debug-restart', title: 'Start a new search from this node (R)', onClick: () => this.startRerun(), id: 'action-rerun' })),
      disable(this.pruneButton(i, n, off)),
      disable(
        button({
          label: n.label === 'correct' ? 'Unmark' : 'Correct',
          icon: 'thumbsup',
          title: n.label === 'correct' ? 'Clear the mark' : 'Mark this node correct (C)',
          onClick: () => this.actions.mark(i, n.label === 'correct' ? null : 'correct'),
          id: 'action-correct',
        }),
      ),
      disable(
        button({
          label: n.label === 'incorrect' ? 'Unmark' : 'Incorrect',
          icon: 'thumbsdown',
          title: n.label === 'incorrect' ? 'Clear the mark' : 'Mark this node incorrect (X)',
          onClick: () => this.actions.mark(i, n.label === 'incorrect' ? null : 'incorrect'),
          id: 'action-incorrect',
        }),
      ),
      importanceButton(m, i, { measure: (j) => this.actions.measureImportance(j), select: (j) => this.actions.select(j) }, ro ? this.readOnlyReason || 'read-only' : undefined),
      button({ icon: 'zoom-in', title: 'Zoom to this node (.)', onClick: () => this.actions.zoomTo(i) }),
      button({ icon: 'go-to-file', title: 'Show in the trace JSON', onClick: () => this.actions.openAsText(i) }),
      button({ icon: 'export', title: 'Export the path to this node as Meta-CoT text', onClick: () => this.actions.exportPath(i, 'linearized') }),
    );
    void m;
    if (ro) return h('div', {}, bar, h('p', { class: 'muted small readonly-note' }, icon('lock'), ` Editing is off: ${this.readOnlyReason || 'read-only'}`));
    return bar;
  }

  /**
   * Prune, or Un-prune on a pruned node; disabled where it means nothing (the root, an engine prune, a node pruned
   * with its ancestor), with the reason in its title — the same rules the host enforces (core pruneRules).
   */
  private pruneButton(i: number, n: TraceNode, off: (b: ButtonControl, why: string | undefined) => ButtonControl): ButtonControl {
    if (n.status === 'pruned') {
      const b = button({ label: 'Un-prune', icon: 'discard', title: 'Restore this branch to the status it had before it was pruned (U)', onClick: () => this.actions.unprune(i), id: 'action-unprune' });
      return off(b, unpruneBlocker(n));
    }
    return off(button({ label: 'Prune', icon: 'circle-slash', title: 'Terminate this branch (Delete)', onClick: () => this.actions.prune(i), id: 'action-prune' }), pruneBlocker(n));
  }

  private editor(i: number, n: TraceNode): HTMLElement {
    const area = textArea({ value: n.text, ariaLabel: 'Node text', rows: Math.min(16, Math.max(5, n.text.split('\n').length + 2)), id: 'edit-text' });
    const value = () => String(area.value ?? '');
    const done = (mode: 'replace' | 'sibling') => {
      this.mode = 'view';
      this.actions.edit(i, value(), mode);
      this.refresh();
    };
    const cancel = () => {
      this.mode = 'view';
      this.refresh();
    };
    const form = h(
      'div',
      { class: 'editor' },
      area,
      h('p', { class: 'muted small' }, 'Replace keeps the model text as the original; Save as sibling adds your version next to it and keeps the original branch.'),
      h(
        'div',
        { class: 'actions' },
        button({ label: 'Replace', icon: 'check', title: 'Replace the text (Ctrl+Enter)', appearance: 'primary', onClick: () => done('replace'), id: 'edit-replace' }),
        button({ label: 'Save as sibling', icon: 'type-hierarchy', title: 'Add as a new sibling, keep the original (Ctrl+Shift+Enter)', appearance: 'secondary', onClick: () => done('sibling'), id: 'edit-sibling' }),
        button({ label: 'Cancel', title: 'Discard (Escape)', appearance: 'secondary', onClick: cancel, id: 'edit-cancel' }),
      ),
    );
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        done(ev.shiftKey ? 'sibling' : 'replace');
      } else if (ev.key === 'Escape') {
        ev.preventDefault();
        cancel();
      }
    });
    return form;
  }

  private whySection(m: TraceModel, i: number, n: TraceNode): HTMLElement {
    const parts: Node[] = [];
    const s = n.selection;
    if (s) {
      parts.push(h('p', { class: 'why-reason' }, icon('target'), ' ', s.reason));
      if (s.uct) {
        const u = s.uct;
        parts.push(
          h(
            'div',
            { class: 'formula', attrs: { 'aria-label': `UCT score ${fmt(u.score)}` } },
            h('span', {}, 'UCT = Q + c·√(ln N', h('sub', {}, 'parent'), ' / N)'),
            h('span', { class: 'formula-values' }, `= ${fmt(u.q)} + ${fmt(u.c)}·√(ln ${u.parentVisits} / ${u.visits}) = ${fmt(u.q)} + ${fmt(u.explore)} = `, h('strong', {}, fmt(u.score))),
            ...(u.range ? [h('span', { class: 'formula-values' }, `Q scaled to [0, 1] (qNormalize minmax) by the search's Q range [${fmt(u.range[0], 4)}, ${fmt(u.range[1], 4)}]: (Q − ${fmt(u.range[0], 4)}) / ${fmt(u.range[1] - u.range[0], 4)}`)] : []),
          ),
        );
      }
      if (s.beam) parts.push(table([['Beam rank', `${s.beam.rank} of ${s.beam.width}`], ['Beam score', fmt(s.beam.score)], ['Cutoff', fmt(s.beam.cutoff)]]));
      if (s.priority !== undefined) parts.push(table([['Priority (A*)', fmt(s.priority)]]));
    }
    const p = n.prune;
    if (p) {
      parts.push(
        h('div', { class: 'notice prune' }, icon('circle-slash'), ' ', h('strong', {}, `Pruned by ${p.by === 'human' ? 'a person' : 'the engine'}: `), p.reason),
        table([
          ['Rank', p.rank === undefined ? '—' : String(p.rank)],
          ['Score', fmt(p.score)],
          ['Cutoff', fmt(p.cutoff)],
        ].filter(([, v]) => v !== '—') as [string, string][]),
      );
    }
    if (n.supersededBy) parts.push(h('p', { class: 'muted' }, `Superseded by re-run ${n.supersededBy}.`));
    for (const note of metaNotes(n.meta)) parts.push(h('p', { class: 'muted' }, note));
    if (parts.length === 0) parts.push(h('p', { class: 'muted' }, n.kind === 'root' ? 'The root holds the problem.' : 'No selection or pruning recorded for this node.'));
    void m;
    void i;
    return section('Why', ...parts);
  }

  private metrics(m: TraceModel, i: number, n: TraceNode): HTMLElement {
    const run = m.runOf(i);
    const rows: [string, string | Node][] = [
      ['Value', n.value === undefined ? '—' : h('span', {}, h('strong', {}, fmt(n.value)), n.valueSource ? h('span', { class: 'muted' }, ` (${valueSourceText(n.valueSource)})`) : '')],
      ['Q', fmt(n.q)],
      ['Visits N', fmtInt(n.visits)],
    ];
    if (n.valueSource?.kind === 'prm' && n.valueSource.stepScores?.length) rows.push(['PRM step scores', n.valueSource.stepScores.map((x) => fmt(x, 2)).join(', ')]);
    if (n.answer !== undefined) rows.push(['Answer', n.answer]);
    if (n.copies !== undefined && n.copies > 1) rows.push(['Copies', `${n.copies} (identical sibling samples merged into this node, valued once)`]);
    rows.push(
      ['Tokens in / out', `${fmtInt(n.tokensIn)} / ${fmtInt(n.tokensOut)}`],
      ['Latency', fmtMs(n.latencyMs)],
      ['Finish reason', n.finishReason ?? '—'],
    );
    if (n.logprobs) rows.push(['Logprobs', `mean ${fmt(n.logprobs.mean)} · min ${fmt(n.logprobs.min)} · ${fmtInt(n.logprobs.tokens)} tokens`]);
    rows.push(['Children', fmtInt(m.children[i].length)], ['Run', run ? `${run.config.strategy} (${run.id}, ${run.status})` : (n.runId ?? '—')]);
    return table(rows);
  }

  private pathSection(m: TraceModel, i: number): HTMLElement {
    const path = m.pathTo(i);
    const list = h('ol', { class: 'path-list', attrs: { 'aria-label': 'Path from the root' } });
    const item = (v: number) => {
      const n = m.nodes[v];
      const li = h('li', { class: v === i ? 'current' : '' });
      const a = h('button', { class: 'path-link', title: n.text.slice(0, 400) }, h('span', { class: 'path-text' }, oneLine(n.text, 70)), n.value !== undefined ? h('span', { class: 'path-value' }, fmt(n.value, 2)) : null);
      a.type = 'button';
      if (v === i) a.setAttribute('aria-current', 'true');
      a.addEventListener('click', () => this.actions.select(v));
      li.append(a);
      return li;
    };
    const LIMIT = 12;
    if (path.length <= LIMIT) for (const v of path) list.append(item(v));
    else {
      for (const v of path.slice(0, 3)) list.append(item(v));
      const more = h('button', { class: 'path-more' }, `… ${path.length - 9} more steps`);
      more.type = 'button';
      more.addEventListener('click', () => {
        list.replaceChildren(...path.map(item));
      });
      list.append(h('li', { class: 'path-gap' }, more));
      for (const v of path.slice(-6)) list.append(item(v));
    }
    return section(`Path from the root (${path.length} nodes)`, list);
  }
}

/** Who found the trace's answer, and whether a later re-run replaced the subtree it sits in. */
function foundBy(run: Run | null, best: TraceNode | undefined): string {
  const who = run ? `run ${run.id} (${run.config.strategy})` : best?.author === 'imported' ? 'the import' : '—';
  return best?.supersededBy !== undefined ? `${who}; subtree superseded by run ${best.supersededBy}` : who;
}

/** A run's own result on its card: what it chose, whatever the trace's overall answer is. */
function runResultText(r: NonNullable<Run['result']>): string {
  if (r.bestNodeId === undefined && r.finalAnswer === undefined) return 'Found: nothing';
  const answer = r.finalAnswer !== undefined ? `answer ${r.finalAnswer}` : 'no answer';
  return `Found: ${answer}${r.bestNodeId !== undefined ? ` (${r.bestNodeId})` : ''}, ${r.verified ? 'verified' : 'not verified'}`;
}

function section(title: string, ...body: Node[]): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', {}, title), ...body);
}

function table(rows: [string, string | Node][]): HTMLElement {
  return h('table', { class: 'kv' }, h('tbody', {}, rows.map(([k, v]) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, k), h('td', {}, v)))));
}

function linkTo(m: TraceModel, i: number, actions: DetailActions): HTMLElement {
  const b = h('button', { class: 'path-link inline' }, `${m.nodes[i].id}: ${oneLine(m.nodes[i].text, 40)}`);
  b.type = 'button';
  b.addEventListener('click', () => actions.select(i));
  return b;
}
