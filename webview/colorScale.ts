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

export const valueBucket = (v: number) => Math.min(VALUE_BUCKETS - 1, Math.max(0, Math.floor(v * VALUE_BUCKETS)));

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
export function colorKey(node: TraceNode, by: ColorBy): number {
  if (by === 'status') return STATUS_BASE + STATUS_KEYS.indexOf(node.status);
  if (by === 'author') return AUTHOR_BASE + AUTHOR_KEYS.indexOf(node.author);
  return node.value === undefined ? NO_VALUE : valueBucket(node.value);
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
