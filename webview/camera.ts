/**
 * Pan / zoom state. Breadth (y) scales with k; depth (x) scales with max(k, floorX), where floorX spreads the depth
 * columns over the panel's width. Without that floor a fitted 10k-node tree (thousands of rows, a dozen levels) would
 * be a sliver a few pixels wide; with it, the overview fills the panel and zooming in restores true proportions.
 */
import { CARD_H, CARD_W, LEVEL_GAP } from './treeLayout';

export const MIN_K = 0.0002;
export const MAX_K = 4;
const PAD = 24;

export interface CameraState {
  tx: number;
  ty: number;
  k: number;
}

export class Camera implements CameraState {
  tx = 0;
  ty = 0;
  k = 1;
  width = 1;
  height = 1;
  floorX = 1;

  get sx(): number {
    return Math.max(this.k, this.floorX);
  }

  /** Recomputes the depth floor for a tree `maxDepth` levels deep. */
  setExtent(maxDepth: number): void {
    const span = maxDepth * LEVEL_GAP + CARD_W;
    this.floorX = Math.min(1, Math.max(0.05, (this.width - 2 * PAD) / span));
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

  /** Zoom by `factor` keeping the world point under (px, py) fixed. */
  zoomAt(factor: number, px: number, py: number): void {
    const wx = this.toWorldX(px);
    const wy = this.toWorldY(py);
    this.k = Math.min(MAX_K, Math.max(MIN_K, this.k * factor));
    this.tx = px - wx * this.sx;
    this.ty = py - wy * this.k;
  }

  panBy(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
  }

  /**
   * Fit the world box [0, maxX] × [minY, maxY] (node anchors) into the canvas, never zooming in beyond 1.
   * `bottomInset` keeps the last row clear of overlays (the legend).
   */
  fit(minY: number, maxY: number, maxDepth: number, bottomInset = 0): void {
    this.setExtent(maxDepth);
    const h = maxY - minY + CARD_H;
    const span = maxDepth * LEVEL_GAP + CARD_W;
    const usableH = Math.max(10, this.height - 2 * PAD - bottomInset);
    const ky = usableH / Math.max(h, 1);
    // Small trees: x must fit at true proportions too (the depth floor only helps when k is below it).
    const kx = (this.width - 2 * PAD) / span;
    this.k = Math.min(1, Math.max(MIN_K, Math.min(ky, Math.max(kx, this.floorX))));
    this.tx = Math.max(PAD, (this.width - span * this.sx) / 2);
    this.ty = PAD + (usableH - (maxY + minY) * this.k) / 2;
  }

  /** Centre a world point; with `minK`, zoom in at least that far (readable labels). */
  centerOn(wx: number, wy: number, minK?: number): void {
    if (minK !== undefined && this.k < minK) this.k = minK;
    this.tx = this.width / 2 - (wx + CARD_W / 2) * this.sx;
    this.ty = this.height / 2 - wy * this.k;
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
  }

  get state(): CameraState {
    return { tx: this.tx, ty: this.ty, k: this.k };
  }

  restore(s: CameraState): void {
    if ([s.tx, s.ty, s.k].every(Number.isFinite) && s.k > 0) {
      this.tx = s.tx;
      this.ty = s.ty;
      this.k = Math.min(MAX_K, Math.max(MIN_K, s.k));
    }
  }
}
