/**
 * The step-importance chart of the detail pane, as SVG built with DOM calls (no markup strings): accuracy after j
 * steps as a line, each step's TV as a bar, and under it the answer distribution after j steps as a stacked bar
 * (segments by verdict: verified, not verified, unchecked; each with a tooltip naming the answer). The top steps get
 * a ★ and the current node's step is outlined. Colours are classes over VS Code theme variables (importance.css).
 */
import type { PrefixSample, StepImportance } from '../src/protocol/fromCore';

const NS = 'http://www.w3.org/2000/svg';
const W = 300;
const PLOT_H = 110;
const DIST_H = 26;
const PAD = { left: 30, right: 8, top: 14, gap: 16, bottom: 18 };

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(c);
  return e;
}

function tip(text: string): SVGTitleElement {
  return el('title', {}, text);
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

function answerName(a: string): string {
  return a === '' ? '(no answer)' : a;
}

/** `current`: the step (1-based) of the node shown, 0 for none. */
export function importanceChart(r: StepImportance, current: number): SVGSVGElement {
  const n = r.prefixes.length; // prefixes 0 … N
  const innerW = W - PAD.left - PAD.right;
  const colW = innerW / Math.max(1, n);
  const cx = (j: number) => PAD.left + colW * (j + 0.5);
  const y = (v: number) => PAD.top + PLOT_H * (1 - v);
  const distTop = PAD.top + PLOT_H + PAD.gap;
  const H = distTop + DIST_H + PAD.bottom;
  const svg = el('svg', { class: 'imp-chart', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': chartLabel(r) });

  for (const v of [0, 0.5, 1]) {
    svg.append(el('line', { class: 'imp-grid', x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v) }));
    svg.append(el('text', { class: 'imp-axis', x: PAD.left - 4, y: y(v) + 3, 'text-anchor': 'end' }, pct(v)));
  }
  // TV of step i sits between prefix i − 1 and prefix i: the change that keeping step i made.
  for (const s of r.steps) {
    if (s.tv === undefined) continue;
    const x = PAD.left + colW * (s.index - 0.5) + colW * 0.2;
    const bar = el('rect', { class: `imp-tv${s.top ? ' top' : ''}${s.index === current ? ' current' : ''}`, x, y: y(s.tv), width: colW * 0.6, height: Math.max(0.5, PLOT_H * s.tv), 'data-step': s.index }, tip(`step ${s.index} (${s.nodeId}): TV ${s.tv.toFixed(2)}${s.accuracyDelta !== undefined ? `, Δacc ${signed(s.accuracyDelta)}` : ''}`));
    svg.append(bar);
    if (s.top) svg.append(el('text', { class: 'imp-star', x: PAD.left + colW * s.index, y: Math.max(10, y(s.tv) - 3), 'text-anchor': 'middle' }, '★'));
  }
  const pts = r.prefixes.map((p, j) => (p.accuracy === undefined ? null : `${cx(j)},${y(p.accuracy)}`));
  // Gaps (prefixes without answers) break the line rather than joining across them.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) svg.append(el('polyline', { class: 'imp-acc', points: run.join(' ') }));
    run = [];
  };
  for (const p of pts) {
    if (p) run.push(p);
    else flush();
  }
  flush();
  r.prefixes.forEach((p, j) => {
    if (p.accuracy !== undefined) svg.append(el('circle', { class: 'imp-acc-dot', cx: cx(j), cy: y(p.accuracy), r: 2.5 }, tip(`after ${j} steps: accuracy ${pct(p.accuracy)} (${p.correct}/${p.got})`)));
    svg.append(distribution(p, PAD.left + colW * j + colW * 0.15, distTop, colW * 0.7));
    svg.append(el('text', { class: `imp-axis${j === current ? ' current' : ''}`, x: cx(j), y: H - 5, 'text-anchor': 'middle' }, String(j)));
  });
  svg.append(el('text', { class: 'imp-axis', x: PAD.left, y: distTop - 4 }, 'answers after j steps'));
  return svg;
}

/** One prefix's answers as a stacked bar, largest first; empty outline when nothing came back. */
function distribution(p: PrefixSample, x: number, top: number, w: number): SVGGElement {
  const g = el('g', { class: 'imp-dist', 'data-steps': p.steps });
  if (p.got === 0) {
    g.append(el('rect', { class: 'imp-empty', x, y: top, width: w, height: DIST_H }, tip(`after ${p.steps} steps: ${p.status}, no answers`)));
    return g;
  }
  let y = top;
  for (const a of p.answers) {
    const h = (DIST_H * a.count) / p.got;
    const verdict = a.verified === true ? 'ok' : a.verified === false ? 'bad' : 'unknown';
    g.append(el('rect', { class: `imp-seg ${verdict}`, x, y, width: w, height: h }, tip(`after ${p.steps} steps: ${answerName(a.answer)} ×${a.count} of ${p.got}${a.verified === undefined ? '' : a.verified ? ' (verified)' : ' (not verified)'}`)));
    y += h;
  }
  return g;
}

function signed(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(2)}`;
}

export { signed as signedDelta };

function chartLabel(r: StepImportance): string {
  const acc = r.prefixes.map((p, j) => `${j}: ${p.accuracy === undefined ? 'n/a' : pct(p.accuracy)}`).join(', ');
  const top = r.steps.filter((s) => s.top).map((s) => s.index);
  return `Accuracy after j steps (${acc}); TV per step${top.length ? `; top steps ${top.join(', ')}` : ''}`;
}
