/**
 * The page side of a tree diff: takes the host's diffMarks, fills PanelStore.diffMarks / diffLabel (the renderer
 * draws them), and shows a bar under the message bar with the summary ("12 added, 3 removed, 5 changed, 7 values
 * changed"), previous / next change (keys [ and ], in preorder of the tree), and what A and B had for the selected
 * node when it differs. Marks are kept by node id, so the dense arrays are rebuilt whenever the model changes.
 */
import type { DiffMark, DiffMarksMessage } from '../src/protocol/hostMessages';
import { h, icon } from './dom';
import { fmt } from './format';
import { DIFF_MARK } from './panelStore';
import type { PanelStore } from './panelStore';
import { button } from './toolkit';

export interface DiffActions {
  /** Select (and reveal) a node. */
  select(i: number): void;
  invalidate(): void;
  announce(text: string): void;
}

export interface DiffCounts {
  added: number;
  removed: number;
  changed: number;
  valueChanged: number;
}

export function diffCounts(marks: readonly DiffMark[]): DiffCounts {
  const c = { added: 0, removed: 0, changed: 0, valueChanged: 0 };
  for (const m of marks) {
    if (m.kind !== 'same') c[m.kind]++;
    if (m.valueChanged) c.valueChanged++;
  }
  return c;
}

/** "12 added, 3 removed, 5 changed, 7 values changed" (the CLI's order of kinds). */
export function diffSummary(c: DiffCounts): string {
  if (c.added + c.removed + c.changed + c.valueChanged === 0) return 'No differences';
  return `${c.added} added, ${c.removed} removed, ${c.changed} changed, ${c.valueChanged} ${c.valueChanged === 1 ? 'value' : 'values'} changed`;
}

const KIND_WORDS: Record<DiffMark['kind'], string> = { added: 'only in B', removed: 'only in A', changed: 'text changed', same: 'value changed' };

const val = (v: number | undefined, verified: boolean | undefined) => `${v === undefined ? '—' : fmt(v, 4)}${verified === undefined ? '' : verified ? ' ✓' : ' ✗'}`;

/**
 * Styles set through CSSOM (the CSP allows it, unlike inline style attributes): this bar's few rules live with it
 * instead of in the stylesheets other modules own. Colours are VS Code theme variables, so every theme applies.
 */
function css(el: HTMLElement, rules: Record<string, string>): HTMLElement {
  for (const [k, v] of Object.entries(rules)) el.style.setProperty(k, v);
  return el;
}

export class DiffView {
  readonly el: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly compareEl: HTMLElement;
  private readonly prevButton: HTMLElement;
  private readonly nextButton: HTMLElement;
  /** The message being shown (its trace may not have arrived yet). */
  private message: DiffMarksMessage | null = null;
  private byId = new Map<string, DiffMark>();
  /** Marked node indices in preorder (children in order), rebuilt with the arrays. */
  private order: number[] = [];
  private builtFor = { traceId: '', size: -1, structure: -1 };

  constructor(
    private readonly store: PanelStore,
    private readonly actions: DiffActions,
  ) {
    this.summaryEl = h('span', { class: 'diff-summary message-text' });
    this.prevButton = button({ icon: 'arrow-up', title: 'Previous change ([)', onClick: () => this.step(-1) });
    this.nextButton = button({ icon: 'arrow-down', title: 'Next change (])', onClick: () => this.step(1) });
    this.compareEl = css(h('div', { class: 'diff-compare', attrs: { 'aria-live': 'polite' } }), {
      display: 'none',
      'grid-template-columns': '1fr 1fr',
      gap: '4px 12px',
      padding: '4px 10px 6px',
      'max-height': '30vh',
      overflow: 'auto',
      'border-bottom': '1px solid var(--border)',
      background: 'var(--vscode-sideBar-background, var(--vscode-editor-background))',
    });
    const bar = h('div', { class: 'message info diff-bar' }, icon('diff'), this.summaryEl, this.prevButton, this.nextButton);
    this.el = h('div', { class: 'diff-view', id: 'diff-view', role: 'region', attrs: { 'aria-label': 'Tree diff' } }, bar, this.compareEl);
    this.el.hidden = true;
  }

  get active(): boolean {
    return this.store.diffMarks !== null;
  }

  /** The host's marks: applied now if their trace is loaded, else when it is. */
  apply(m: DiffMarksMessage): void {
    this.message = m;
    this.byId = new Map(m.marks.map((x) => [x.nodeId, x]));
    this.builtFor.size = -1;
    this.modelChanged();
  }

  /**
   * After a load or deltas: marks of the loaded trace are (re)indexed to its dense indices; another trace clears the
   * diff (a panel re-pointed elsewhere shows no stale marks).
   */
  modelChanged(): void {
    const s = this.store;
    const m = this.message;
    if (!m || !s.loaded || m.traceId !== s.model.id) {
      if (s.diffMarks !== null) {
        s.diffMarks = null;
        s.diffLabel = '';
        this.order = [];
        this.el.hidden = true;
        this.actions.invalidate();
      }
      return;
    }
    const model = s.model;
    const b = this.builtFor;
    if (b.traceId === model.id && b.size === model.size && b.structure === model.structureVersion && s.diffMarks) return;
    const marks = new Uint8Array(model.size);
    const differs = new Uint8Array(model.size);
    for (const [id, mark] of this.byId) {
      const i = model.index.get(id);
      if (i === undefined) continue;
      marks[i] = DIFF_MARK[mark.kind];
      differs[i] = 1;
    }
    s.diffMarks = marks;
    s.diffLabel = m.label;
    this.order = this.preorder(differs);
    this.builtFor = { traceId: model.id, size: model.size, structure: model.structureVersion };
    this.summaryEl.textContent = `${diffSummary(diffCounts(m.marks))} · ${m.label}${m.sameProblem ? '' : ' (the problems differ)'}`;
    const none = this.order.length === 0;
    this.prevButton.toggleAttribute('disabled', none);
    this.nextButton.toggleAttribute('disabled', none);
    this.el.hidden = false;
    this.selectionChanged();
    this.actions.invalidate();
  }

  /** Marked indices in the tree's preorder (an explicit stack: trees can be deep). */
  private preorder(differs: Uint8Array): number[] {
    const model = this.store.model;
    const out: number[] = [];
    const stack: number[] = [];
    for (let r = model.roots.length - 1; r >= 0; r--) stack.push(model.roots[r]!);
    while (stack.length) {
      const v = stack.pop()!;
      if (differs[v]) out.push(v);
      const kids = model.children[v]!;
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
    }
    return out;
  }

  /** Next (dir 1) or previous (-1) change after the selected node in preorder, wrapping around. */
  step(dir: 1 | -1): void {
    if (!this.active) return;
    const n = this.order.length;
    if (n === 0) {
      this.actions.announce('No changes in this diff');
      return;
    }
    const sel = this.store.selected;
    const at = sel < 0 ? -1 : this.order.indexOf(sel);
    let k: number;
    if (at >= 0) k = (at + dir + n) % n;
    else if (sel < 0) k = dir > 0 ? 0 : n - 1;
    else {
      // The selection is unchanged: go to the nearest change after (or before) it in preorder.
      const rank = this.preorderRank();
      const r = rank[sel]!;
      const after = this.order.findIndex((i) => rank[i]! > r);
      k = dir > 0 ? (after < 0 ? 0 : after) : (after < 0 ? n : after) - 1;
      if (k < 0) k = n - 1;
    }
    const i = this.order[k]!;
    this.actions.select(i);
    const mark = this.byId.get(this.store.model.nodes[i]!.id);
    this.actions.announce(`Change ${k + 1} of ${n}: ${mark ? KIND_WORDS[mark.kind] : ''}`);
  }

  private preorderRank(): Int32Array {
    const model = this.store.model;
    const rank = new Int32Array(model.size);
    const stack: number[] = [];
    for (let r = model.roots.length - 1; r >= 0; r--) stack.push(model.roots[r]!);
    let next = 0;
    while (stack.length) {
      const v = stack.pop()!;
      rank[v] = next++;
      const kids = model.children[v]!;
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
    }
    return rank;
  }

  /** Keys [ and ] on the tree: previous / next change (only while a diff is shown). */
  bindKeys(tree: HTMLElement): void {
    tree.addEventListener('keydown', (ev) => {
      if (!this.active || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      if (ev.key !== ']' && ev.key !== '[') return;
      ev.preventDefault();
      this.step(ev.key === ']' ? 1 : -1);
    });
  }

  /** What A and B had for the selected node, when it differs. */
  selectionChanged(): void {
    const s = this.store;
    const i = s.selected;
    const mark = this.active && i >= 0 ? this.byId.get(s.model.nodes[i]!.id) : undefined;
    if (!mark) {
      this.compareEl.replaceChildren();
      this.compareEl.style.display = 'none';
      return;
    }
    const node = s.model.nodes[i]!;
    const side = (title: string, text: string | null, value: string | null) =>
      h(
        'div',
        { class: 'diff-side' },
        h('div', { class: 'muted small' }, title),
        text === null ? null : css(h('div', { class: 'diff-text' }, text), { 'white-space': 'pre-wrap', 'overflow-wrap': 'anywhere' }),
        value === null ? null : h('div', { class: 'diff-value small' }, `Value ${value}`),
      );
    const idA = mark.idA ? ` (${mark.idA})` : '';
    let parts: HTMLElement[];
    switch (mark.kind) {
      case 'changed':
        parts = [side(`A${idA}`, mark.textA ?? '', val(mark.valueA, mark.verifiedA)), side(`B (${node.id})`, node.text, val(mark.valueB, mark.verifiedB))];
        break;
      case 'same':
        parts = [side(`A${idA}: same text`, null, val(mark.valueA, mark.verifiedA)), side(`B (${node.id})`, null, val(mark.valueB, mark.verifiedB))];
        break;
      case 'removed':
        parts = [side(`Only in A${idA}`, node.text, val(node.value, node.verified)), side('B', 'not in B', null)];
        break;
      case 'added':
        parts = [side('A', 'not in A', null), side(`Only in B (${node.id})`, node.text, val(node.value, node.verified))];
        break;
    }
    this.compareEl.replaceChildren(...parts);
    this.compareEl.style.display = 'grid';
  }

  /** For the probe: the marked node ids in navigation order. */
  get changeIds(): string[] {
    return this.order.map((i) => this.store.model.nodes[i]!.id);
  }
}
