/**
 * Camera placement for the reading view a new trace opens on: the collapsed tree (path + alternatives) framed at a
 * zoom where cards carry two lines of text, the root at the left edge, and no card cut by the canvas's edges; and the
 * test that decides whether the whole tree would be readable anyway.
 */
import type { Camera } from './camera';
import { cardLines } from './lod';
import { CARD_H, CARD_W, LEVEL_GAP, ROW_GAP, lowerBound } from './treeLayout';
import type { TreeLayout } from './treeLayout';
import type { TraceModel } from './traceModel';

/** Canvas padding, as Camera.fit uses. */
const PAD = 24;
/** Closest a card may come to the canvas's edge, px. */
const EDGE = 6;
/**
 * Zoom the reading view opens at (at least) when the collapsed tree does not fit: the smallest with two lines of
 * 11 px text on a card (33 px tall, 165 px wide: ~45 characters beside the value).
 */
export const READING_K = 0.75;
/** The most the reading view zooms in to find a column count with no card cut at the right edge. */
export const READING_K_MAX = 1.15;

/**
 * Whether fitting the whole tree would already draw cards of two lines (then nothing is collapsed). O(n), no layout:
 * a tidy layout is at least as tall as its leaf count in rows, and the camera fits depth into the width.
 */
export function wholeTreeReadable(m: TraceModel, width: number, height: number): boolean {
  let leaves = 0;
  let maxDepth = 0;
  for (let i = 0; i < m.size; i++) {
    if (m.children[i].length === 0) leaves++;
    if (m.depth[i] > maxDepth) maxDepth = m.depth[i];
  }
  const ky = (height - 2 * PAD) / (Math.max(1, leaves - 1) * ROW_GAP + CARD_H);
  const kx = (width - 2 * PAD) / (maxDepth * LEVEL_GAP + CARD_W);
  return cardLines(Math.min(1, ky, kx)) >= 2;
}

/**
 * Zoom and left offset for `columns` depth columns in `width` px at no less than READING_K with no card cut at the
 * right edge: the first `n` columns wholly inside (the root at most PAD from the left edge) and column n wholly
 * beyond the edge. The smallest such zoom up to READING_K_MAX; without one, READING_K with the root at PAD (the last
 * column in view is then cut). `shown` is how many columns are wholly in view.
 */
export function readingColumns(width: number, columns: number): { k: number; tx: number; shown: number } {
  let best: { k: number; tx: number; shown: number } | null = null;
  for (let n = 1; n < columns; n++) {
    // Column n's left edge past the right edge with tx = PAD; columns 0..n-1 inside with tx as small as EDGE.
    const lo = Math.max(READING_K, (width - PAD + 1) / (n * LEVEL_GAP));
    const hi = Math.min(READING_K_MAX, (width - 2 * EDGE) / ((n - 1) * LEVEL_GAP + CARD_W));
    if (lo > hi || (best && best.k <= lo)) continue;
    const right = ((n - 1) * LEVEL_GAP + CARD_W) * lo;
    best = { k: lo, tx: Math.max(EDGE, Math.min(PAD, width - EDGE - right)), shown: n };
  }
  if (best) return best;
  const shown = Math.max(1, Math.min(columns, Math.floor((width - PAD - EDGE - CARD_W * READING_K) / (LEVEL_GAP * READING_K)) + 1));
  return { k: READING_K, tx: PAD, shown };
}

/**
 * Frames the laid-out tree for reading: fitted when that already gives two-line cards, else the root at the left
 * edge with as many whole depth columns as fit (readingColumns), the path's nodes in those columns centred
 * vertically, then moved by less than a row so that no card straddles the top or bottom edge (the root stays in).
 */
export function fitReading(cam: Camera, L: TreeLayout, path: readonly number[]): void {
  cam.fit(L.minY, L.maxY, L.maxDepth);
  if (cardLines(cam.k) >= 2) return;
  const cols = L.maxDepth + 1;
  cam.k = READING_K;
  cam.setExtent(L.maxDepth);
  let shown = cols;
  if ((L.maxDepth * LEVEL_GAP + CARD_W) * cam.sx <= cam.width - 2 * PAD) cam.tx = (cam.width - (L.maxDepth * LEVEL_GAP + CARD_W) * cam.sx) / 2;
  else {
    const c = readingColumns(cam.width, cols);
    cam.k = c.k;
    cam.setExtent(L.maxDepth);
    cam.tx = c.tx;
    shown = c.shown;
  }
  const H = cam.height;
  if ((L.maxY - L.minY + CARD_H) * cam.k <= H - 2 * PAD) {
    cam.ty = H / 2 - ((L.minY + L.maxY) / 2) * cam.k;
    return;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of path) {
    if (!L.visible[i] || L.x[i] / LEVEL_GAP >= shown) continue;
    lo = Math.min(lo, L.y[i]);
    hi = Math.max(hi, L.y[i]);
  }
  if (!Number.isFinite(lo)) lo = hi = L.minY;
  // Taller than the canvas: the path's span centred, but never so that the root (the first column) leaves the view.
  const root = path.length && L.visible[path[0]] ? L.y[path[0]] : lo;
  const half = (CARD_H * cam.k) / 2 + EDGE;
  const ty = H / 2 - ((lo + hi) / 2) * cam.k;
  cam.ty = Math.min(H - half - root * cam.k, Math.max(half - root * cam.k, ty));
  cam.ty += uncutShift(L, cam, shown, root);
}

/**
 * The vertical move (px, under a row) that leaves the fewest cards straddling the top and bottom edges in the first
 * `shown` columns, keeping the card at world y `keep` inside; the smallest such move. Only the cards at the two edges
 * are looked at (binary search per column), so this costs the column count, not the tree size.
 */
function uncutShift(L: TreeLayout, cam: Camera, shown: number, keep: number): number {
  const H = cam.height;
  const h = CARD_H * cam.k;
  const cols = Math.min(shown, L.maxDepth + 1);
  const centres = (d: number, yTop: number, yBot: number, out: number[]) => {
    // Card centres (screen y) of column d, nodes and summary cards, whose cards reach into [yTop, yBot].
    const add = (ys: Float64Array | undefined) => {
      if (!ys) return;
      const a = cam.toWorldY(yTop - h / 2);
      const b = cam.toWorldY(yBot + h / 2);
      for (let j = lowerBound(ys, a); j < ys.length && ys[j] <= b; j++) out.push(cam.toScreenY(ys[j]));
    };
    add(L.levelY[d]);
    if (d > 0) add(L.summaryLevelY[d - 1]);
  };
  const cutsAt = (s: number): number => {
    let n = 0;
    const ys: number[] = [];
    for (let d = 0; d < cols; d++) {
      ys.length = 0;
      centres(d, -s, -s, ys);
      centres(d, H - s, H - s, ys);
      for (const y of ys) {
        const t = y + s - h / 2;
        const b = y + s + h / 2;
        if ((t < EDGE && b > 0) || (t < H && b > H - EDGE)) n++;
      }
    }
    return n;
  };
  const candidates = [0];
  const edgeCards: number[] = [];
  for (let d = 0; d < cols; d++) {
    centres(d, 0, 0, edgeCards);
    centres(d, H, H, edgeCards);
  }
  for (const y of edgeCards) {
    const t = y - h / 2;
    const b = y + h / 2;
    // In at the top, out past the top, in at the bottom, out past the bottom.
    candidates.push(EDGE - t, -b, H - EDGE - b, H - t);
  }
  const keepY = cam.toScreenY(keep);
  let best = 0;
  let bestCuts = cutsAt(0);
  for (const s of candidates) {
    if (Math.abs(s) >= ROW_GAP * cam.k || keepY + s - h / 2 < EDGE || keepY + s + h / 2 > H - EDGE) continue;
    const c = cutsAt(s);
    if (c < bestCuts || (c === bestCuts && Math.abs(s) < Math.abs(best))) {
      best = s;
      bestCuts = c;
    }
  }
  return best;
}
