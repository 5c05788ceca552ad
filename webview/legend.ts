/**
 * The legend: a strip below the tree that takes its own space (it never covers a node), with the colour encoding,
 * the outline and marker meanings, and while a tree diff is shown its marks and what it compares. The button at its
 * start folds it to one line's width so a short panel keeps the rows for the tree.
 */
import type { ColorBy } from '../src/protocol/hostMessages';
import { LOG_RATIO, VALUE_COLORS, categoricalLegend, spanLabel, type ValueSpan } from './colorScale';
import { h, icon } from './dom';
import type { ThemeColors } from './themeColors';

export interface LegendContent {
  colorBy: ColorBy;
  /** The values the value colours run between (TraceModel.valueSpan). */
  span: ValueSpan;
  theme: ThemeColors;
  /** PanelStore.diffLabel while a diff is shown ('' otherwise, or when the diff has no name). */
  diffLabel: string;
  diff: boolean;
  faded: boolean;
}

export class Legend {
  readonly el: HTMLElement;
  private readonly items: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private folded = false;
  private key = '';

  constructor(private readonly onResize: () => void) {
    this.toggle = h('button', { class: 'legend-toggle', id: 'legend-toggle', title: 'Hide the legend', attrs: { type: 'button', 'aria-expanded': 'true', 'aria-controls': 'legend-items' } }, icon('chevron-down'), h('span', {}, 'Legend'));
    this.toggle.addEventListener('click', () => this.setFolded(!this.folded));
    this.items = h('div', { class: 'legend-items', id: 'legend-items' });
    this.el = h('div', { class: 'legend', id: 'legend', role: 'group', attrs: { 'aria-label': 'Legend' } }, this.toggle, this.items);
  }

  setFolded(folded: boolean): void {
    this.folded = folded;
    this.el.classList.toggle('folded', folded);
    this.toggle.setAttribute('aria-expanded', String(!folded));
    this.toggle.title = folded ? 'Show the legend' : 'Hide the legend';
    this.toggle.firstElementChild?.classList.replace(folded ? 'codicon-chevron-down' : 'codicon-chevron-right', folded ? 'codicon-chevron-right' : 'codicon-chevron-down');
    this.onResize();
  }

  /** Rebuilds the items when what they show changed (cheap to call every frame). */
  update(c: LegendContent): void {
    const key = `${c.colorBy}|${c.span.lo}|${c.span.hi}|${c.span.log}|${c.theme.noValue}|${c.theme.diffAdded}|${c.diff ? c.diffLabel : '-'}|${c.faded}`;
    if (key === this.key) return;
    this.key = key;
    this.items.replaceChildren(...legendItems(c));
    this.onResize();
  }
}

function legendItems(c: LegendContent): Node[] {
  const items: Node[] = [];
  const swatch = (color: string) => {
    const sw = h('span', { class: 'legend-swatch' });
    sw.style.backgroundColor = color;
    return sw;
  };
  if (c.colorBy === 'value') {
    const bar = h('span', { class: 'legend-gradient' });
    bar.style.backgroundImage = `linear-gradient(to right, ${VALUE_COLORS.filter((_, i) => i % 4 === 0 || i === VALUE_COLORS.length - 1).join(', ')})`;
    const { lo, hi, log } = c.span;
    const scale = h(
      'span',
      { class: 'legend-item', title: log ? `Colours span this trace's values on a log scale (they range over ${LOG_RATIO}× or more); ${spanLabel(lo)} and below share the first colour` : "Colours span this trace's lowest to highest value" },
      h('span', { class: 'legend-label' }, `value ${log ? '≤' : ''}${spanLabel(lo)}`),
      bar,
      h('span', { class: 'legend-label' }, log ? `${spanLabel(hi)} (log)` : spanLabel(hi)),
    );
    items.push(scale, h('span', { class: 'legend-item' }, swatch(c.theme.noValue), 'no value'));
  } else {
    for (const e of categoricalLegend(c.colorBy)) items.push(h('span', { class: 'legend-item' }, swatch(e.color), e.label));
  }
  const line = (cls: string, label: string) => h('span', { class: 'legend-item' }, h('span', { class: `legend-line ${cls}` }), label);
  items.push(line('best', 'best path'), line('selected', 'selected path'), line('pruned', 'pruned'), line('failed', 'failed'), line('human', 'human edit'));
  const check = h('span', { class: 'legend-item' }, icon('pass-filled'), 'verified');
  check.firstElementChild?.classList.add('ok');
  items.push(check, h('span', { class: 'legend-item' }, h('span', { class: 'legend-summary' }), 'collapsed (click to expand)'));
  if (c.faded) items.push(h('span', { class: 'legend-item faded' }, h('span', { class: 'legend-swatch legend-faded' }), 'faded: superseded or another run'));
  if (c.diff) {
    const mark = (cls: string, color: string, label: string) => {
      const l = h('span', { class: `legend-line ${cls}` });
      l.style.borderTopColor = color;
      return h('span', { class: 'legend-item' }, l, label);
    };
    items.push(
      h('span', { class: 'legend-item legend-diff-label' }, icon('diff'), c.diffLabel ? `diff ${c.diffLabel}:` : 'diff:'),
      mark('diff-added', c.theme.diffAdded, 'added'),
      mark('diff-removed', c.theme.diffRemoved, 'removed'),
      mark('diff-changed', c.theme.diffChanged, 'changed'),
    );
  }
  return items;
}
