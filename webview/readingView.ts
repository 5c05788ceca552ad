/**
 * Reading mode (toolbar button or M): the selected node's path from the root as flowing text (Markdown + KaTeX), each
 * step's value in the margin, and the children of the last step as the choices to read on with: clicking one selects
 * it, which extends the reading by that step. With nothing selected it reads the path the tree opened on (the best
 * path, else the highest-value one). It takes the tree's place in the column; M or Escape returns to the tree.
 */
import type { TraceNode } from '../src/protocol/fromCore';
import { h, icon } from './dom';
import { fmtInt, nodeTitle, valueLabel } from './format';
import { setMarkdown } from './markdown';
import { isHumanEdit } from './nodeMarks';
import type { PanelStore } from './panelStore';
import { readingPath } from './readingPath';

export interface ReadingHost {
  /** Select a node (the detail pane and the tree follow). */
  select(i: number): void;
  /** Reading mode switched on or off (the app moves focus and says it). */
  changed(active: boolean): void;
}

export class ReadingView {
  readonly el: HTMLElement;
  active = false;
  /** What the view shows now: model, its data version and the node read to; re-rendered when one changes. */
  private shown: { model: unknown; version: number; node: number } | null = null;

  /** `treeParts` are hidden while reading (the canvas and its legend); M on them switches reading on. */
  constructor(
    private readonly store: PanelStore,
    private readonly host: ReadingHost,
    private readonly treeParts: readonly HTMLElement[],
  ) {
    this.el = h('section', { class: 'reading', id: 'reading', attrs: { 'aria-label': 'Reading mode: the selected path as text', tabindex: '-1' } });
    this.el.hidden = true;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key === 'm' || ev.key === 'M' || (ev.key === 'Escape' && this.active)) {
        ev.preventDefault();
        ev.stopPropagation();
        this.toggle();
      }
    };
    this.el.addEventListener('keydown', onKey);
    treeParts[0]?.addEventListener('keydown', onKey);
    // The toolbar's button is in the page once the app has built it (after this constructor).
    queueMicrotask(() => document.getElementById('tool-reading')?.setAttribute('aria-pressed', 'false'));
  }

  toggle(): void {
    this.setActive(!this.active);
  }

  setActive(on: boolean): void {
    if (on === this.active) return;
    this.active = on;
    this.el.hidden = !on;
    for (const p of this.treeParts) p.hidden = on;
    // The toolbar's button carries the pressed state (it is created by the toolbar, found by its id).
    document.getElementById('tool-reading')?.setAttribute('aria-pressed', String(on));
    this.shown = null;
    if (on) this.sync();
    this.host.changed(on);
  }

  /** The node the reading runs to: the selection, else the end of the opening path. */
  target(): number {
    const s = this.store;
    if (s.selected >= 0 && s.selected < s.model.size) return s.selected;
    const path = readingPath(s.model);
    return path.length ? path[path.length - 1] : -1;
  }

  /** Re-renders when the selection or the model changed since the last render (called after every frame). */
  sync(): void {
    if (!this.active) return;
    const m = this.store.model;
    const node = this.target();
    const sh = this.shown;
    if (sh && sh.model === m && sh.version === m.dataVersion && sh.node === node) return;
    const extended = sh !== null && sh.model === m && node >= 0 && m.parent[node] === sh.node;
    this.shown = { model: m, version: m.dataVersion, node };
    this.render(node);
    // Choosing a next step appends it: bring the new step into view instead of jumping to the top.
    if (extended) this.el.querySelector('.reading-step.last')?.scrollIntoView({ block: 'nearest' });
  }

  private render(node: number): void {
    // A click on a choice focuses it, and re-rendering removes it: keep the keyboard in the reading view.
    const hadFocus = this.el.contains(document.activeElement);
    this.renderContent(node);
    if (hadFocus && !this.el.contains(document.activeElement)) this.el.focus({ preventScroll: true });
  }

  private renderContent(node: number): void {
    const m = this.store.model;
    if (node < 0) {
      this.el.replaceChildren(h('div', { class: 'reading-empty muted' }, this.store.loaded ? 'The trace has no nodes.' : 'Waiting for a trace…'));
      return;
    }
    const path = m.pathTo(node);
    const close = h('button', { class: 'reading-close', id: 'reading-close', title: 'Back to the tree (M)', attrs: { type: 'button' } }, icon('type-hierarchy'), h('span', {}, 'Tree'));
    close.addEventListener('click', () => this.setActive(false));
    const head = h('header', { class: 'reading-head' }, h('span', { class: 'reading-title' }, `Path to ${m.nodes[node].id} · ${fmtInt(path.length)} ${path.length === 1 ? 'step' : 'steps'}`), close);
    const steps = h('ol', { class: 'reading-steps', attrs: { 'aria-label': 'Path from the root' } });
    path.forEach((i, k) => steps.append(this.step(i, k, k === path.length - 1)));
    const kids = m.children[node];
    const choices = h('div', { class: 'reading-choices', role: 'group', attrs: { 'aria-label': 'Next steps' } });
    choices.append(h('h3', { class: 'reading-choices-head' }, kids.length ? `${fmtInt(kids.length)} next ${kids.length === 1 ? 'step' : 'steps'} — choose one to read on` : 'No next steps: this is a leaf'));
    for (const c of kids) choices.append(this.choice(c));
    this.el.replaceChildren(head, steps, choices);
  }

  private step(i: number, k: number, last: boolean): HTMLElement {
    const n = this.store.model.nodes[i];
    const body = h('div', { class: 'markdown reading-text' });
    setMarkdown(body, n.text || '*(empty)*');
    const label = k === 0 ? nodeTitle(n) : `${nodeTitle(n)} ${k}`;
    const li = h(
      'li',
      { class: `reading-step${last ? ' last' : ''}`, attrs: { 'data-node-id': n.id } },
      margin(n),
      h('div', { class: 'reading-body' }, h('div', { class: 'reading-label' }, label, ...flags(n)), body),
    );
    li.addEventListener('click', (ev) => {
      if (!(ev.target instanceof HTMLAnchorElement)) this.host.select(i);
    });
    return li;
  }

  private choice(i: number): HTMLElement {
    const n = this.store.model.nodes[i];
    const body = h('div', { class: 'markdown reading-text' });
    setMarkdown(body, n.text || '*(empty)*');
    const b = h(
      'div',
      { class: `reading-choice${n.status === 'pruned' || n.status === 'cancelled' ? ' dim' : ''}`, role: 'button', attrs: { tabindex: '0', 'data-node-id': n.id, 'aria-label': `Read on with ${n.id}` } },
      margin(n),
      h('div', { class: 'reading-body' }, h('div', { class: 'reading-label' }, nodeTitle(n), ...flags(n), childCount(this.store.model.children[i].length)), body),
    );
    const pick = () => this.host.select(i);
    b.addEventListener('click', (ev) => {
      if (!(ev.target instanceof HTMLAnchorElement)) pick();
    });
    b.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        pick();
        // The chosen step's own choices replace this list: keep the keyboard in it.
        queueMicrotask(() => this.el.querySelector<HTMLElement>('.reading-choice')?.focus());
      }
    });
    return b;
  }
}

/** The margin: value (or visits, or a dash) with the verified mark under it. */
function margin(n: TraceNode): HTMLElement {
  const v = n.value !== undefined ? valueLabel(n.value) : n.visits ? `N${fmtInt(n.visits)}` : '—';
  const title = n.value !== undefined ? `value ${n.value}` : n.visits ? `${n.visits} visits, no value` : 'no value';
  const el = h('div', { class: `reading-margin${n.value === undefined ? ' none' : ''}`, title }, h('span', { class: 'reading-value' }, v));
  if (n.verified !== undefined) el.append(icon(n.verified ? 'pass-filled' : 'error', n.verified ? 'verified' : 'verification failed'));
  return el;
}

function flags(n: TraceNode): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (n.status === 'pruned') out.push(h('span', { class: 'reading-flag' }, 'pruned'));
  if (n.status === 'failed') out.push(h('span', { class: 'reading-flag error' }, 'failed'));
  if (isHumanEdit(n)) out.push(h('span', { class: 'reading-flag human' }, 'edited'));
  if (n.label) out.push(h('span', { class: 'reading-flag' }, `marked ${n.label}`));
  return out;
}

function childCount(k: number): HTMLElement | null {
  return k ? h('span', { class: 'reading-flag muted' }, `${fmtInt(k)} ${k === 1 ? 'child' : 'children'}`) : null;
}
