/**
 * Colour encodings. Values use viridis (perceptually uniform, readable with the common colour-vision deficiencies and
 * in greyscale); categories (status, author) use the Okabe–Ito palette, designed to stay distinguishable for
 * colour-blind readers. Both are fixed across themes so a screenshot means the same thing in light and dark.
 */
import type { Author, NodeStatus, TraceNode } from '../src/protocol/fromCore';
import type { ColorBy } from '../src/protocol/hostMessages';

const VIRIDIS = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];

export const VALUE_BUCKETS = 32;

const hex = (h: string): [number, number, number] => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const toHex = (c: number[]) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');

/** Viridis at t ∈ [0, 1], linearly interpolated between the 11 published stops. */
export function viridis(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = hex(VIRIDIS[i]);
  const b = hex(VIRIDIS[i + 1]);
  const f = x - i;
  return toHex([0, 1, 2].map((j) => a[j] + (b[j] - a[j]) * f));
}

/** The value scale, precomputed per bucket so the renderer batches fills by colour. */
export const VALUE_COLORS: readonly string[] = Array.from({ length: VALUE_BUCKETS }, (_, i) => viridis((i + 0.5) / VALUE_BUCKETS));

/**
 * The values the colour scale spans, lowest to highest, and whether it is logarithmic. The panel stretches it over the
 * trace's own values: a calibrated value model's estimates (chances of solving, 0.003–0.1 on Countdown, beside
 * verifier 0s and a verified answer's 1) all fell in the first buckets of a fixed linear 0–1 scale, one dark colour
 * for every card. When the positive values span a factor of LOG_RATIO or more and crowd the bottom of the span (their
 * mean in its lowest quarter) the scale is logarithmic from the smallest positive value (0 shares its colour). The
 * legend prints both ends and says "log".
 */
export interface ValueSpan {
  lo: number;
  hi: number;
  log: boolean;
}

export const FULL_SPAN: ValueSpan = { lo: 0, hi: 1, log: false };

/** Positive values at least this many times apart may get a log scale (PRM scores of 0.1–0.9 stay linear). */
export const LOG_RATIO = 20;

/** The span of `nodes`' values (see ValueSpan); 0–1 linear when fewer than two distinct values. */
export function valueSpanOf(nodes: Iterable<Pick<TraceNode, 'value'>>): ValueSpan {
  let lo = Infinity;
  let hi = -Infinity;
  let pos = Infinity;
  let sum = 0;
  let count = 0;
  for (const n of nodes) {
    const v = n.value;
    if (v === undefined) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (v > 0) {
      if (v < pos) pos = v;
      sum += v;
      count++;
    }
  }
  if (!(hi - lo > 1e-9)) return FULL_SPAN;
  // A mean, not a median: one pass, no sort on every streamed delta of a 100k-node trace.
  const crowded = count > 0 && (sum / count - lo) / (hi - lo) < 0.25;
  return crowded && hi / pos >= LOG_RATIO ? { lo: pos, hi, log: true } : { lo, hi, log: false };
}

/** Where `v` falls on the span, 0 to 1 (clamped). */
export function spanPosition(v: number, span: ValueSpan): number {
  const t = span.log ? Math.log(v / span.lo) / Math.log(span.hi / span.lo) : (v - span.lo) / (span.hi - span.lo);
  return Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
}

export const valueBucket = (v: number, span: ValueSpan = FULL_SPAN) => Math.min(VALUE_BUCKETS - 1, Math.floor(spanPosition(v, span) * VALUE_BUCKETS));

/** A scale end as the legend prints it: two decimals, or two significant digits below 0.01. */
export function spanLabel(v: number): string {
  return v !== 0 && Math.abs(v) < 0.01 ? v.toPrecision(2) : v.toFixed(2);
}

export const STATUS_COLORS: Record<NodeStatus, string> = {
  open: '#E69F00',
  running: '#56B4E9',
  expanded: '#0072B2',
  terminal: '#009E73',
  pruned: '#999999',
  failed: '#D55E00',
  cancelled: '#CC79A7',
};

export const AUTHOR_COLORS: Record<Author, string> = {
  model: '#0072B2',
  human: '#E69F00',
  imported: '#CC79A7',
};

/** Colour categories: 0..31 value buckets, then "no value", statuses, authors. */
export const NO_VALUE = VALUE_BUCKETS;
const STATUS_KEYS = Object.keys(STATUS_COLORS) as NodeStatus[];
const AUTHOR_KEYS = Object.keys(AUTHOR_COLORS) as Author[];
const STATUS_BASE = NO_VALUE + 1;
const AUTHOR_BASE = STATUS_BASE + STATUS_KEYS.length;
export const COLOR_KEYS = AUTHOR_BASE + AUTHOR_KEYS.length;

/** Colour category of a node under an encoding (an integer so the renderer can bucket without strings). */
export function colorKey(node: TraceNode, by: ColorBy, span: ValueSpan = FULL_SPAN): number {
  if (by === 'status') return STATUS_BASE + STATUS_KEYS.indexOf(node.status);
  if (by === 'author') return AUTHOR_BASE + AUTHOR_KEYS.indexOf(node.author);
  return node.value === undefined ? NO_VALUE : valueBucket(node.value, span);
}

/** Colour of a category; `noValue` is theme-dependent (a neutral grey that reads on the background). */
export function colorOf(key: number, noValue: string): string {
  if (key < VALUE_BUCKETS) return VALUE_COLORS[key];
  if (key === NO_VALUE) return noValue;
  if (key < AUTHOR_BASE) return STATUS_COLORS[STATUS_KEYS[key - STATUS_BASE]];
  return AUTHOR_COLORS[AUTHOR_KEYS[key - AUTHOR_BASE]];
}

export interface LegendEntry {
  label: string;
  color: string;
}

/** Legend content for the categorical encodings (the value encoding draws a gradient instead). */
export function categoricalLegend(by: Exclude<ColorBy, 'value'>): LegendEntry[] {
  return by === 'status'
    ? STATUS_KEYS.map((k) => ({ label: k, color: STATUS_COLORS[k] }))
    : AUTHOR_KEYS.map((k) => ({ label: k, color: AUTHOR_COLORS[k] }));
}

/** Relative luminance (WCAG) of a #rrggbb colour, to pick readable text on top of it. */
export function luminance(color: string): number {
  const [r, g, b] = hex(color).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** VS Code's theme kinds (the body's vscode-* class). */
export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/**
 * Fill of unvalued nodes: a neutral grey with at least 3:1 contrast against the theme's editor background (WCAG
 * non-text contrast). Measured on the Modern themes: #8a8a8a is 4.8:1 on #1f1f1f and 6.1:1 on black, #858585 3.7:1 on
 * white (the old #5a5a5a was 2.4:1 on dark, #b4b4b4 2.1:1 on white). test/unit/textFirst.test.ts checks them.
 */
export function noValueColor(kind: ThemeKind): string {
  return kind === 'light' || kind === 'high-contrast-light' ? '#858585' : '#8a8a8a';
}
