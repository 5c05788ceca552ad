/**
 * A small SVG line chart for benchmark and experiment plots (solve rate vs tokens): one or more panels side by side,
 * each with series of points and optional interval bars, a log-2 or linear x axis and a legend. Pure string output
 * (no DOM): the CLI and benchmarks turn it into a PNG with a browser, the webview can show it as it is.
 */

export interface ChartPoint {
  x: number;
  y: number;
  /** interval bar, in y units */
  low?: number;
  high?: number;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  /** CSS colour; default from the palette by position */
  color?: string;
  dashed?: boolean;
}

export interface ChartPanel {
  title: string;
  series: ChartSeries[];
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  panels: ChartPanel[];
  /** 'log2' spaces doublings evenly */
  xScale?: 'linear' | 'log2';
  yMin?: number;
  yMax?: number;
  /** y tick labels, e.g. percentages */
  yFormat?: (y: number) => string;
  xFormat?: (x: number) => string;
  panelWidth?: number;
  panelHeight?: number;
}

/** Colour-blind-safe (Okabe–Ito). */
export const CHART_PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceTicks(min: number, max: number, count = 5): number[] {
  const span = max - min || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const TITLE_LINE = 19;
/** A bold 15 px DejaVu Sans character is about 9 px wide on average (measured on the plot titles we write). */
const TITLE_CHAR_PX = 9;

/**
 * The title in lines that fit the chart's width (at most 3, the last cut with "…"): a centred title wider than the
 * chart is clipped at both ends, which is what long problem-set paths did to experiment plots.
 */
export function wrapTitle(title: string, width: number): string[] {
  const max = Math.max(10, Math.floor((width - 16) / TITLE_CHAR_PX));
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= max || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > 3) {
    lines.length = 3;
    lines[2] = `${lines[2]!.slice(0, max - 1)}…`;
  }
  return lines.map((l) => (l.length > max ? `${l.slice(0, max - 1)}…` : l));
}

export function lineChartSvg(opts: LineChartOptions): string {
  const pw = opts.panelWidth ?? 420;
  const ph = opts.panelHeight ?? 300;
  const margin = { top: 56, left: 64, right: 16, bottom: 48 };
  const legendH = 22;
  const gap = 24;
  const panels = opts.panels;
  const width = margin.left + panels.length * pw + (panels.length - 1) * gap + margin.right;
  const titleLines = wrapTitle(opts.title, width);
  margin.top += (titleLines.length - 1) * TITLE_LINE;
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const legendRows = Math.ceil(names.length / 4);
  const height = margin.top + ph + margin.bottom + legendRows * legendH;
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.x)));
  const ys = panels.flatMap((p) => p.series.flatMap((s) => s.points.flatMap((pt) => [pt.y, pt.low ?? pt.y, pt.high ?? pt.y])));
  const log = opts.xScale === 'log2';
  const tx = (x: number) => (log ? Math.log2(x) : x);
  const xMin = Math.min(...xs.map(tx));
  const xMax = Math.max(...xs.map(tx));
  const yMin = opts.yMin ?? Math.min(...ys);
  const yMax = opts.yMax ?? Math.max(...ys);
  const fy = opts.yFormat ?? ((y: number) => String(y));
  const fx = opts.xFormat ?? ((x: number) => String(x));
  const colorOf = (name: string, s?: ChartSeries) => s?.color ?? CHART_PALETTE[names.indexOf(name) % CHART_PALETTE.length]!;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  titleLines.forEach((line, i) => out.push(`<text x="${width / 2}" y="${22 + i * TITLE_LINE}" text-anchor="middle" font-size="15" font-weight="bold">${esc(line)}</text>`));
  const xTicks = log ? [...new Set(xs)].sort((a, b) => a - b) : niceTicks(xMin, xMax);
  const yTicks = niceTicks(yMin, yMax);
  panels.forEach((panel, k) => {
    const ox = margin.left + k * (pw + gap);
    const oy = margin.top;
    const pxBase = (x: number) => ox + (xMax === xMin ? pw / 2 : ((tx(x) - xMin) / (xMax - xMin)) * (pw - 20) + 10);
    const py = (y: number) => oy + ph - (yMax === yMin ? ph / 2 : ((y - yMin) / (yMax - yMin)) * ph);
    out.push(`<text x="${ox + pw / 2}" y="${oy - 10}" text-anchor="middle" font-size="13">${esc(panel.title)}</text>`);
    out.push(`<rect x="${ox}" y="${oy}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
    for (const t of yTicks) {
      out.push(`<line x1="${ox}" x2="${ox + pw}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
      if (k === 0) out.push(`<text x="${ox - 6}" y="${py(t) + 4}" text-anchor="end">${esc(fy(t))}</text>`);
    }
    for (const t of xTicks) {
      out.push(`<line x1="${pxBase(t)}" x2="${pxBase(t)}" y1="${oy + ph}" y2="${oy + ph + 4}" stroke="#888"/>`);
      out.push(`<text x="${pxBase(t)}" y="${oy + ph + 18}" text-anchor="middle">${esc(fx(t))}</text>`);
    }
    out.push(`<text x="${ox + pw / 2}" y="${oy + ph + 36}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
    if (k === 0) out.push(`<text transform="translate(16 ${oy + ph / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
    panel.series.forEach((s, si) => {
      const c = colorOf(s.name, s);
      const pts = [...s.points].sort((a, b) => a.x - b.x);
      // series side by side by a few pixels, so overlapping interval bars stay apart
      const dodge = (si - (panel.series.length - 1) / 2) * 3;
      const px = (x: number) => pxBase(x) + dodge;
      if (pts.length > 1) {
        out.push(`<polyline fill="none" stroke="${c}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
      }
      for (const p of pts) {
        if (p.low !== undefined && p.high !== undefined) {
          out.push(`<line x1="${px(p.x)}" x2="${px(p.x)}" y1="${py(p.low)}" y2="${py(p.high)}" stroke="${c}" stroke-opacity="0.6"/>`);
        }
        out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${c}"/>`);
      }
    });
  });
  names.forEach((name, i) => {
    const s = panels.flatMap((p) => p.series).find((x) => x.name === name);
    const lx = margin.left + (i % 4) * 220;
    const ly = margin.top + ph + margin.bottom + Math.floor(i / 4) * legendH + 6;
    out.push(`<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${colorOf(name, s)}" stroke-width="2"${s?.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${lx + 30}" y="${ly + 4}">${esc(name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
