/**
 * Pan / zoom state. Breadth (y) scales with k; depth (x) scales with max(k, floorX), where floorX spreads the depth
 * columns over the panel's width. Without that floor a fitted 10k-node tree (thousands of rows, a dozen levels) would
 * be a sliver a few pixels wide; with it, the overview fills the panel and zooming in restores true proportions.
 *
 * Every move is bounded: the tree's box always keeps min(KEEP_VISIBLE × the panel, the whole tree) on screen on each
 * axis, and zooming out stops at half the fitted scale, so no drag, wheel, key or restored state can lose the tree.
 */
import { CARD_H, CARD_W, LEVEL_GAP } from './treeLayout';

export const MIN_K = 0.0002;
export const MAX_K = 4;
const PAD = 24;
/** Share of the panel (per axis) the tree keeps on screen, or all of the tree when it is smaller than that. */
export const KEEP_VISIBLE = 0.25;
/** Zooming out stops at this fraction of the scale "fit" would choose (further out, the tree is a dot). */
const MIN_ZOOM_OF_FIT = 0.5;
/** Zoom per 100 px of wheel delta (one mouse-wheel notch in Chromium): ×1.2, a step you can follow. */
export const ZOOM_PER_NOTCH = 1.2;

export interface CameraState {
  tx: number;
  ty: number;
  k: number;
}

/** What the camera needs of the laid-out tree: node anchors span depth 0..maxDepth and rows minY..maxY. */
export interface TreeExtent {
  minY: number;
  maxY: number;
  maxDepth: number;
}

/** Screen space covered by overlays (px from each edge of the canvas): targets are centred in what is left. */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const NO_INSETS: Insets = { top: 0, right: 0, bottom: 0, left: 0 };

export class Camera implements CameraState {
  tx = 0;
  ty = 0;
  k = 1;
  width = 1;
  height = 1;
  floorX = 1;
  private extent: (() => TreeExtent | null) | null = null;

  get sx(): number {
    return Math.max(this.k, this.floorX);
  }

  /** Where the bounds come from (the current layout); until set, moves are unbounded. */
  bindExtent(source: () => TreeExtent | null): void {
    this.extent = source;
    this.clamp();
  }

  /**
   * Recomputes the depth floor for a tree `maxDepth` levels deep. Called after every layout and resize, so it also
   * re-applies the bounds (a restored camera, a panel that shrank, a tree that changed shape).
   */
  setExtent(maxDepth: number): void {
    const span = maxDepth * LEVEL_GAP + CARD_W;
    this.floorX = Math.min(1, Math.max(0.05, (this.width - 2 * PAD) / span));
    this.clamp();
  }

  toScreenX(wx: number): number {
    return wx * this.sx + this.tx;
  }
  toScreenY(wy: number): number {
    return wy * this.k + this.ty;
  }
  toWorldX(px: number): number {
    return (px - this.tx) / this.sx;
  }
  toWorldY(py: number): number {
    return (py - this.ty) / this.k;
  }

  /** Smallest zoom allowed now: half of the fitted scale of the current tree (MIN_K before a layout). */
  minZoom(): number {
    const e = this.currentExtent();
    return e ? Math.max(MIN_K, MIN_ZOOM_OF_FIT * this.fitScale(e.minY, e.maxY, e.maxDepth, 0)) : MIN_K;
  }

  /** Zoom by `factor` keeping the world point under (px, py) fixed (as far as the bounds allow). */
  zoomAt(factor: number, px: number, py: number): void {
    if (!(factor > 0) || !Number.isFinite(factor)) return;
    const wx = this.toWorldX(px);
    const wy = this.toWorldY(py);
    this.k = Math.min(MAX_K, Math.max(Math.min(this.k, this.minZoom()), this.k * factor));
    this.tx = px - wx * this.sx;
    this.ty = py - wy * this.k;
    this.clamp();
  }

  panBy(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
    this.clamp();
  }

  private fitScale(minY: number, maxY: number, maxDepth: number, bottomInset: number): number {
    const h = maxY - minY + CARD_H;
    const span = maxDepth * LEVEL_GAP + CARD_W;
    const usableH = Math.max(10, this.height - 2 * PAD - bottomInset);
    const ky = usableH / Math.max(h, 1);
    // Small trees: x must fit at true proportions too (the depth floor only helps when k is below it).
    const kx = (this.width - 2 * PAD) / span;
    return Math.min(1, Math.max(MIN_K, Math.min(ky, Math.max(kx, this.floorX))));
  }

  /**
   * Fit the world box [0, maxX] × [minY, maxY] (node anchors) into the canvas, never zooming in beyond 1.
   * `bottomInset` keeps the last row clear of overlays (the legend).
   */
  fit(minY: number, maxY: number, maxDepth: number, bottomInset = 0): void {
    this.setExtent(maxDepth);
    const span = maxDepth * LEVEL_GAP + CARD_W;
    const usableH = Math.max(10, this.height - 2 * PAD - bottomInset);
    this.k = this.fitScale(minY, maxY, maxDepth, bottomInset);
    this.tx = Math.max(PAD, (this.width - span * this.sx) / 2);
    this.ty = PAD + (usableH - (maxY + minY) * this.k) / 2;
  }

  /**
   * Centre a world point (a card's left-centre anchor) in the part of the canvas the insets leave free; with `minK`,
   * zoom in at least that far (readable labels).
   */
  centerOn(wx: number, wy: number, minK?: number, insets: Insets = NO_INSETS): void {
    if (minK !== undefined && this.k < minK) this.k = Math.min(MAX_K, minK);
    const cx = (insets.left + this.width - insets.right) / 2;
    const cy = (insets.top + this.height - insets.bottom) / 2;
    this.tx = cx - (wx + CARD_W / 2) * this.sx;
    this.ty = cy - wy * this.k;
    this.clamp();
  }

  /** Pan just enough to bring a world point (card) into view with a margin. */
  ensureVisible(wx: number, wy: number): void {
    const m = 32;
    const x0 = this.toScreenX(wx);
    const x1 = this.toScreenX(wx + CARD_W);
    const y = this.toScreenY(wy);
    if (x0 < m) this.tx += m - x0;
    else if (x1 > this.width - m) this.tx -= Math.min(x1 - (this.width - m), x0 - m);
    if (y < m) this.ty += m - y;
    else if (y > this.height - m) this.ty -= y - (this.height - m);
    this.clamp();
  }

  /** The tree's box on screen, or null before a layout. */
  treeBox(): { x0: number; x1: number; y0: number; y1: number } | null {
    const e = this.currentExtent();
    if (!e) return null;
    return {
      x0: this.toScreenX(0),
      x1: this.toScreenX(e.maxDepth * LEVEL_GAP + CARD_W),
      y0: this.toScreenY(e.minY - CARD_H / 2),
      y1: this.toScreenY(e.maxY + CARD_H / 2),
    };
  }

  /** Moves the view the least that puts min(KEEP_VISIBLE × panel, tree) of the tree's box back on screen per axis. */
  clamp(): void {
    const b = this.treeBox();
    if (!b) return;
    this.tx += keepInside(b.x0, b.x1, this.width);
    this.ty += keepInside(b.y0, b.y1, this.height);
  }

  get state(): CameraState {
    return { tx: this.tx, ty: this.ty, k: this.k };
  }

  /** Puts a saved view back; the bounds apply at the next layout (setExtent), when the tree it belongs to is known. */
  restore(s: CameraState): void {
    if ([s.tx, s.ty, s.k].every(Number.isFinite) && s.k > 0) {
      this.tx = s.tx;
      this.ty = s.ty;
      this.k = Math.min(MAX_K, Math.max(MIN_K, s.k));
    }
  }

  private currentExtent(): TreeExtent | null {
    const e = this.extent?.() ?? null;
    if (!e || !Number.isFinite(e.minY) || !Number.isFinite(e.maxY) || !Number.isFinite(e.maxDepth) || e.maxY < e.minY) return null;
    return e;
  }
}

/** Shift for a span [lo, hi] on a screen axis of `size` px so that min(KEEP_VISIBLE × size, hi − lo) of it is inside. */
export function keepInside(lo: number, hi: number, size: number): number {
  const keep = Math.min(KEEP_VISIBLE * size, hi - lo);
  if (hi < keep) return keep - hi;
  if (lo > size - keep) return size - keep - lo;
  return 0;
}

/** A box in page pixels (a DOMRect's edges). */
export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Insets that keep targets clear of overlays drawn over the canvas (the legend): each overlay that covers part of
 * the canvas is cut off along the edge that costs the least free space; overlays outside the canvas cost nothing.
 */
export function overlayInsets(canvas: Box, overlays: readonly Box[]): Insets {
  const out = { ...NO_INSETS };
  for (const r of overlays) {
    if (r.right <= canvas.left || r.left >= canvas.right || r.bottom <= canvas.top || r.top >= canvas.bottom || r.right <= r.left || r.bottom <= r.top) continue;
    const cuts: [keyof Insets, number][] = [
      ['bottom', canvas.bottom - r.top],
      ['top', r.bottom - canvas.top],
      ['left', r.right - canvas.left],
      ['right', canvas.right - r.left],
    ];
    const [side, px] = cuts.reduce((a, b) => (b[1] < a[1] ? b : a));
    out[side] = Math.max(out[side], px);
  }
  return out;
}

/** The parts of a wheel event the panel reads. */
export interface WheelInput {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

export type WheelAction = { kind: 'zoom'; factor: number } | { kind: 'pan'; dx: number; dy: number } | { kind: 'none' };

/**
 * Wheel = zoom around the cursor, the convention of map and graph viewers (Google Maps, Gephi, Cytoscape.js, d3-zoom's
 * default): a tree is read by zooming into a region, and with no scrollbars a wheel that pans lost the tree in a dozen
 * notches. Shift+wheel and horizontal (trackpad) swipes pan; Ctrl / ⌘ + wheel and a pinch (Chromium sends it as
 * ctrl+wheel with small deltas) zoom too, pinches amplified as d3-zoom does, capped at ×2 per event.
 */
export function wheelAction(ev: WheelInput, pageHeight: number): WheelAction {
  // Lines (Firefox: 3 per notch) and pages to pixels, so one notch is ~100 px in every mode.
  const unit = ev.deltaMode === 1 ? 33 : ev.deltaMode === 2 ? pageHeight : 1;
  const dx = ev.deltaX * unit;
  const dy = ev.deltaY * unit;
  if (ev.ctrlKey || ev.metaKey) return dy === 0 ? { kind: 'none' } : { kind: 'zoom', factor: zoomFactor(dy * 5) };
  if (ev.shiftKey) {
    // Chromium swaps a shifted wheel into deltaX on Windows and Linux, not everywhere: take whichever is set.
    const d = dx !== 0 ? dx : dy;
    return d === 0 ? { kind: 'none' } : { kind: 'pan', dx: -d, dy: 0 };
  }
  if (Math.abs(dx) > Math.abs(dy)) return { kind: 'pan', dx: -dx, dy: -dy };
  return dy === 0 ? { kind: 'none' } : { kind: 'zoom', factor: zoomFactor(dy) };
}

/** Wheel delta (px, positive = down = out) to a zoom factor: ×ZOOM_PER_NOTCH per 100 px, at most ×2 either way. */
export function zoomFactor(deltaPx: number): number {
  return Math.min(2, Math.max(0.5, Math.pow(ZOOM_PER_NOTCH, -deltaPx / 100)));
}
