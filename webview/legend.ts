/** The legend drawn over the tree: the current colour encoding plus the outline and marker meanings. */
import type { ColorBy } from '../src/protocol/hostMessages';
import { VALUE_COLORS, categoricalLegend } from './colorScale';
import { h, icon } from './dom';
import type { ThemeColors } from './themeColors';

export function renderLegend(el: HTMLElement, colorBy: ColorBy, theme: ThemeColors): void {
  const items: Node[] = [];
  if (colorBy === 'value') {
    const bar = h('span', { class: 'legend-gradient' });
    bar.style.backgroundImage = `linear-gradient(to right, ${VALUE_COLORS.filter((_, i) => i % 4 === 0 || i === VALUE_COLORS.length - 1).join(', ')})`;
    const none = h('span', { class: 'legend-swatch' });
    none.style.backgroundColor = theme.noValue;
    items.push(h('span', { class: 'legend-item' }, h('span', { class: 'legend-label' }, 'value 0'), bar, h('span', { class: 'legend-label' }, '1')), h('span', { class: 'legend-item' }, none, 'no value'));
  } else {
    for (const e of categoricalLegend(colorBy)) {
      const sw = h('span', { class: 'legend-swatch' });
      sw.style.backgroundColor = e.color;
      items.push(h('span', { class: 'legend-item' }, sw, e.label));
    }
  }
  const line = (cls: string, label: string) => h('span', { class: 'legend-item' }, h('span', { class: `legend-line ${cls}` }), label);
  items.push(line('best', 'best path'), line('selected', 'selected path'), line('pruned', 'pruned'), line('failed', 'failed'), line('human', 'human edit'));
  const check = h('span', { class: 'legend-item' }, icon('pass-filled'), 'verified');
  check.firstElementChild?.classList.add('ok');
  items.push(check);
  el.replaceChildren(...items);
}
