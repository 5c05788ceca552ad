/** The find group of the toolbar: text field, status filter, previous / next and the match count. */
import { NodeStatusSchema } from '../src/protocol/fromCore';
import { h, icon } from './dom';
import { findMatches } from './findMatches';
import type { StatusFilter } from './findMatches';
import { fmtInt, oneLine } from './format';
import type { PanelStore } from './panelStore';
import { button, dropdown, textField } from './toolkit';
import type { ValueControl } from './toolkit';

export interface FindHost {
  /** The matches changed: redraw. */
  changed(): void;
  select(i: number): void;
  announce(text: string): void;
  focusTree(): void;
}

export class FindBar {
  readonly el: HTMLElement;
  private readonly field: ValueControl;
  private readonly status: ValueControl;
  private readonly count: HTMLElement;
  private marks: Uint8Array | null = null;
  private list: number[] = [];
  private pos = -1;
  private timer = 0;

  constructor(
    private readonly store: PanelStore,
    private readonly host: FindHost,
    query: string,
  ) {
    this.field = textField({
      placeholder: 'Find in nodes',
      ariaLabel: 'Find nodes by text',
      id: 'find-text',
      value: query,
      onInput: () => this.schedule(),
      onKeyDown: (ev) => {
        if (ev.key === 'Enter') {
          ev.preventDefault();
          this.step(ev.shiftKey ? -1 : 1);
        } else if (ev.key === 'Escape') {
          ev.preventDefault();
          this.field.value = '';
          this.status.value = 'any';
          this.run();
          this.host.focusTree();
        }
      },
    });
    const search = icon('search');
    search.setAttribute('slot', 'start');
    this.field.append(search);
    const filters: { value: StatusFilter; label: string }[] = [
      { value: 'any', label: 'Any status' },
      ...NodeStatusSchema.options.map((s) => ({ value: s as StatusFilter, label: s })),
      { value: 'human', label: 'human edits' },
      { value: 'verified', label: 'verified answers' },
    ];
    this.status = dropdown<StatusFilter>({ options: filters, value: 'any', ariaLabel: 'Filter by status', id: 'find-status', onChange: () => this.run() });
    this.count = h('span', { class: 'find-count', id: 'find-count', attrs: { 'aria-live': 'polite' } });
    this.el = h(
      'div',
      { class: 'tool-group find' },
      this.field,
      this.status,
      button({ icon: 'arrow-up', title: 'Previous match (Shift+Enter)', onClick: () => this.step(-1), id: 'find-prev' }),
      button({ icon: 'arrow-down', title: 'Next match (Enter)', onClick: () => this.step(1), id: 'find-next' }),
      this.count,
    );
  }

  get query(): string {
    return String(this.field.value ?? '');
  }

  set query(v: string) {
    this.field.value = v;
  }

  /** 1 = match per node; null when no find is active. */
  get matches(): Uint8Array | null {
    return this.marks;
  }

  get matchCount(): number {
    return this.list.length;
  }

  get activeMatch(): number {
    return this.pos >= 0 ? this.list[this.pos] : -1;
  }

  get active(): boolean {
    return this.marks !== null;
  }

  focus(): void {
    this.field.focus();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.run(), 120);
  }

  run(): void {
    const r = findMatches(this.store.model, this.query, (this.status.value || 'any') as StatusFilter);
    this.marks = r?.marks ?? null;
    this.list = r?.list ?? [];
    this.pos = -1;
    this.count.textContent = r === null ? '' : this.list.length ? `${fmtInt(this.list.length)} matches` : 'No matches';
    this.host.changed();
  }

  step(dir: number): void {
    if (!this.marks) this.run();
    const n = this.list.length;
    if (n === 0) {
      this.host.announce('No matches');
      return;
    }
    this.pos = this.pos < 0 ? (dir > 0 ? 0 : n - 1) : (this.pos + dir + n) % n;
    const i = this.list[this.pos];
    this.count.textContent = `${fmtInt(this.pos + 1)} of ${fmtInt(n)}`;
    this.host.select(i);
    this.host.announce(`Match ${this.pos + 1} of ${n}: ${oneLine(this.store.model.nodes[i].text, 80)}`);
  }
}
