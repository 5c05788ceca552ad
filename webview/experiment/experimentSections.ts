/**
 * The three sections of the Experiment view, built from a summary: the plots (the folder's SVG files), the table
 * of cells and the problem × cell grid. Plain DOM, no inline styles or handlers (the page's CSP forbids both).
 */
import type { ExperimentCell, ExperimentSummary } from '../../src/protocol/experimentMessages';
import { entryLabel, entryOutcome, fmtCost, fmtParams, fmtSeconds, fmtSolveRate, fmtTokens, OUTCOME_LOOK } from './experimentFormat';
import type { EntryOutcome } from './experimentFormat';

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function icon(name: string): HTMLElement {
  const i = el('span', `codicon codicon-${name}`);
  i.setAttribute('aria-hidden', 'true');
  return i;
}

function section(title: string, iconName: string, id: string): HTMLElement {
  const s = el('section', 'x-section');
  s.id = id;
  const h = el('h2', 'x-heading');
  h.append(icon(iconName), document.createTextNode(` ${title}`));
  s.setAttribute('aria-labelledby', `${id}-h`);
  h.id = `${id}-h`;
  s.append(h);
  return s;
}

/**
 * One figure per plot the summary lists. A plot whose file is not there yet (an experiment still running writes
 * them at its end) is named with that reason instead of a broken image. Resolves once every image has loaded or
 * failed, with how many loaded.
 */
export function plotsSection(summary: ExperimentSummary, plotUris: Record<string, string>): { node: HTMLElement; loaded: Promise<number>; images: number } {
  const s = section('Plots', 'graph', 'x-plots');
  const row = el('div', 'x-plot-row');
  const waits: Promise<boolean>[] = [];
  for (const p of summary.plots) {
    const fig = el('figure', 'x-plot');
    fig.dataset.kind = p.kind;
    const uri = plotUris[p.svg];
    if (uri) {
      const img = el('img');
      img.alt = p.title;
      img.src = uri;
      waits.push(img.decode().then(() => true, () => false).then((ok) => {
        fig.classList.toggle('x-plot-broken', !ok);
        if (!ok) fig.append(el('p', 'x-note', `${p.svg} could not be read`));
        return ok;
      }));
      fig.append(img);
    } else {
      fig.append(el('p', 'x-note', `${p.svg} is not written yet (plots are drawn when the experiment ends)`));
    }
    fig.append(el('figcaption', undefined, p.title));
    row.append(fig);
  }
  if (summary.plots.length === 0) row.append(el('p', 'x-note', 'This summary lists no plots (they are drawn when the experiment ends).'));
  s.append(row);
  if (summary.accuracyVsNMethod) s.append(el('p', 'x-note', `Accuracy vs N: ${summary.accuracyVsNMethod}`));
  return { node: s, images: waits.length, loaded: Promise.all(waits).then((r) => r.filter(Boolean).length) };
}

const COLUMNS = ['Cell', 'Strategy', 'Params', 'Budget', 'Solve rate (95% CI)', 'Solved / finished', 'Failed', 'Tokens (mean)', 'Tokens / solved', 'Cost', 'Time (mean)'];

function cellRow(c: ExperimentCell): string[] {
  return [
    c.id,
    c.strategy,
    fmtParams(c.params),
    c.budget.toLocaleString('en-US'),
    fmtSolveRate(c),
    `${c.solved} / ${c.finished} of ${c.problems}`,
    String(c.failed),
    fmtTokens(c.tokens.mean),
    c.tokensPerSolved === null ? '—' : fmtTokens(c.tokensPerSolved),
    fmtCost(c.cost.total),
    fmtSeconds(c.seconds.mean),
  ];
}

export function cellTable(summary: ExperimentSummary): HTMLElement {
  const s = section('Cells', 'table', 'x-cells');
  const wrap = el('div', 'x-scroll');
  const table = el('table', 'x-table');
  table.id = 'x-cell-table';
  const head = el('tr');
  for (const c of COLUMNS) {
    const th = el('th', undefined, c);
    th.scope = 'col';
    head.append(th);
  }
  table.createTHead().append(head);
  const body = table.createTBody();
  for (const c of summary.cells) {
    const tr = el('tr');
    tr.dataset.cell = c.id;
    cellRow(c).forEach((text, i) => {
      const td = el(i === 0 ? 'th' : 'td', i >= 3 ? 'x-num' : undefined, text);
      if (i === 0) (td as HTMLTableCellElement).scope = 'row';
      tr.append(td);
    });
    body.append(tr);
  }
  wrap.append(table);
  s.append(wrap);
  return s;
}

function legend(): HTMLElement {
  const l = el('ul', 'x-legend');
  l.setAttribute('aria-label', 'Legend');
  for (const o of ['solved', 'unsolved', 'failed', 'missing'] as EntryOutcome[]) {
    const li = el('li', `x-outcome x-${o}`);
    li.title = OUTCOME_LOOK[o].description;
    li.append(icon(OUTCOME_LOOK[o].icon), document.createTextNode(` ${OUTCOME_LOOK[o].word}`));
    l.append(li);
  }
  return l;
}

/**
 * Problems down, cells across. Every entry is a button (keyboard and screen reader reach it) showing its outcome
 * as icon + word + colour and its tokens; `onOpen` opens its trace.
 */
export function cellGrid(summary: ExperimentSummary, onOpen: (cellId: string, index: number, button: HTMLButtonElement) => void): { node: HTMLElement; count: number } {
  const s = section('Problems × cells', 'beaker', 'x-grid');
  s.append(legend());
  const wrap = el('div', 'x-scroll');
  const table = el('table', 'x-table x-grid-table');
  table.id = 'x-grid-table';
  const head = el('tr');
  const corner = el('th', undefined, 'Problem');
  corner.scope = 'col';
  head.append(corner);
  for (const c of summary.cells) {
    const th = el('th', 'x-grid-col', c.id);
    th.scope = 'col';
    th.title = `${c.strategy} (${fmtParams(c.params)}), budget ${c.budget.toLocaleString('en-US')}: ${fmtSolveRate(c)}`;
    head.append(th);
  }
  table.createTHead().append(head);
  const body = table.createTBody();
  const problems = new Map<number, string>();
  for (const c of summary.cells) for (const r of c.results) if (!problems.has(r.index)) problems.set(r.index, r.problemId);
  const byCell = summary.cells.map((c) => new Map(c.results.map((r) => [r.index, r])));
  let count = 0;
  for (const index of [...problems.keys()].sort((a, b) => a - b)) {
    const tr = el('tr');
    const th = el('th', 'x-problem', `${index + 1}. ${problems.get(index)}`);
    th.scope = 'row';
    tr.append(th);
    summary.cells.forEach((c, ci) => {
      const td = el('td', 'x-entry-cell');
      const r = byCell[ci]!.get(index);
      if (r) {
        const o = entryOutcome(r);
        const b = el('button', `x-entry x-outcome x-${o}`);
        b.type = 'button';
        b.dataset.cell = c.id;
        b.dataset.index = String(index);
        b.dataset.outcome = o;
        const label = entryLabel(r, c.id);
        b.setAttribute('aria-label', label);
        b.title = `${label}${o === 'missing' ? '' : ' — open its trace'}`;
        b.append(icon(OUTCOME_LOOK[o].icon), el('span', 'x-entry-word', OUTCOME_LOOK[o].word), el('span', 'x-entry-tokens', o === 'missing' ? '' : fmtTokens(r.tokens)));
        b.addEventListener('click', () => onOpen(c.id, index, b));
        td.append(b);
        count++;
      }
      tr.append(td);
    });
    body.append(tr);
  }
  wrap.append(table);
  s.append(wrap);
  return { node: s, count };
}
