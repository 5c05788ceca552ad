/**
 * Camera placement for the reading view a new trace opens on: the collapsed tree (path + alternatives) framed at a
 * zoom where cards carry text, and the test that decides whether the whole tree would be readable anyway.
 */
import type { Camera } from './camera';
import { TEXT_K } from './lod';
import { CARD_H, CARD_W, LEVEL_GAP, ROW_GAP } from './treeLayout';
import type { TreeLayout } from './treeLayout';
import type { TraceModel } from './traceModel';

/** Canvas padding, as Camera.fit uses. */
const PAD = 24;
/**
 * Zoom the reading view opens at when the collapsed tree does not fit at 1: 0.8 gives 22 px cards (one 11 px line with
 * room around it) 157 px wide, about 20 characters of step text beside the value (5.6 px per character at 11 px); in
 * the ~415 px the tree gets of an 800 px panel that is two depth columns: a step with its alternatives and the next.
 */
export const READING_K = 0.8;

/**
 * Whether fitting the whole tree would already draw text cards (then nothing is collapsed). O(n), no layout: a tidy
 * layout is at least as tall as its leaf count in rows, and the camera fits depth into the width.
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
  return Math.min(1, ky, kx) >= TEXT_K;
}

/**
 * Frames the laid-out tree for reading: fitted when that is readable (k ≥ READING_K), else at READING_K with as much
 * of the path as fits, its end included, and, when the tree is taller than the canvas, the path's nodes in the columns
 * that show centred vertically.
 */
export function fitReading(cam: Camera, L: TreeLayout, path: readonly number[]): void {
  cam.fit(L.minY, L.maxY, L.maxDepth);
  if (cam.k >= READING_K) return;
  cam.k = READING_K;
  const sx = cam.sx;
  const span = (L.maxDepth * LEVEL_GAP + CARD_W) * sx;
  // Too wide for the canvas: keep the path's end in view (the answer, or where the search stopped, with the column of
  // its children when it has any) and as many columns before it as fit; the root is one Home key away.
  const end = path.length ? path[path.length - 1] : -1;
  const endCol = end >= 0 && L.visible[end] ? L.x[end] / LEVEL_GAP + (L.firstKid[end] >= 0 || L.hiddenSummary.has(end) ? 1 : 0) : 0;
  const endRight = (endCol * LEVEL_GAP + CARD_W) * sx;
  cam.tx = span <= cam.width - 2 * PAD ? (cam.width - span) / 2 : Math.min(PAD, cam.width - PAD - endRight);
  if ((L.maxY - L.minY + CARD_H) * cam.k <= cam.height - 2 * PAD) {
    cam.ty = cam.height / 2 - ((L.minY + L.maxY) / 2) * cam.k;
    return;
  }
  const firstCol = Math.ceil((PAD - cam.tx) / (LEVEL_GAP * sx));
  const lastCol = Math.floor((cam.width - PAD - cam.tx - CARD_W * sx) / (LEVEL_GAP * sx));
  let lo = Infinity;
  let hi = -Infinity;
  for (const i of path) {
    const col = L.x[i] / LEVEL_GAP;
    if (!L.visible[i] || col < firstCol || col > Math.max(firstCol, lastCol)) continue;
    lo = Math.min(lo, L.y[i]);
    hi = Math.max(hi, L.y[i]);
  }
  if (!Number.isFinite(lo)) {
    lo = L.minY;
    hi = L.minY;
  }
  cam.ty = cam.height / 2 - ((lo + hi) / 2) * cam.k;
}
