/** Screen point → node, using the same y-sorted level arrays as culling (O(log n)). */
import type { Camera } from './camera';
import { CARD_H, CARD_W, LEVEL_GAP, lowerBound } from './treeLayout';
import type { TreeLayout } from './treeLayout';

/**
 * Returns the node under (px, py) in canvas pixels, or -1. `shown` filters nodes hidden by the scrubber. A point on
 * a collapsed node's summary card (one column to its right) returns that collapsed node: the caller sees the point is
 * right of the node's card and toggles it, so clicking a summary expands what it stands for.
 */
export function hitTest(layout: TreeLayout, cam: Camera, px: number, py: number, shown: (i: number) => boolean): number {
  const wx = cam.toWorldX(px);
  const wy = cam.toWorldY(py);
  const d = Math.floor(wx / LEVEL_GAP);
  if (d < 0 || d > layout.maxDepth) return -1;
  // Tolerance: the card itself, but at least a few pixels so tiny zoomed-out bars stay clickable.
  const slackX = 3 / cam.sx;
  if (wx - d * LEVEL_GAP > CARD_W + slackX) return -1;
  const tol = Math.max(CARD_H / 2, 4 / cam.k);
  const node = nearest(layout.levels[d], layout.levelY[d], wy, tol, shown);
  if (node >= 0 || d === 0) return node;
  return nearest(layout.summaryLevels[d - 1], layout.summaryLevelY[d - 1], wy, tol, shown);
}

function nearest(ids: Int32Array | undefined, ys: Float64Array | undefined, wy: number, tol: number, shown: (i: number) => boolean): number {
  if (!ids || !ys) return -1;
  let best = -1;
  let bestDist = Infinity;
  for (let j = lowerBound(ys, wy - tol); j < ys.length && ys[j] <= wy + tol; j++) {
    const i = ids[j];
    if (!shown(i)) continue;
    const dist = Math.abs(ys[j] - wy);
    if (dist < bestDist) {
      bestDist = dist;
      best = i;
    }
  }
  return best;
}
