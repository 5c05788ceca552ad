/** Screen point → node, using the same y-sorted level arrays as culling (O(log n)). */
import type { Camera } from './camera';
import { CARD_H, CARD_W, LEVEL_GAP, lowerBound } from './treeLayout';
import type { TreeLayout } from './treeLayout';

/** Returns the node under (px, py) in canvas pixels, or -1. `shown` filters nodes hidden by the scrubber. */
export function hitTest(layout: TreeLayout, cam: Camera, px: number, py: number, shown: (i: number) => boolean): number {
  const wx = cam.toWorldX(px);
  const wy = cam.toWorldY(py);
  const d = Math.floor(wx / LEVEL_GAP);
  if (d < 0 || d > layout.maxDepth) return -1;
  // Tolerance: the card itself, but at least a few pixels so tiny zoomed-out bars stay clickable.
  const slackX = 3 / cam.sx;
  if (wx - d * LEVEL_GAP > CARD_W + slackX) return -1;
  const ys = layout.levelY[d];
  const tol = Math.max(CARD_H / 2, 4 / cam.k);
  let j = lowerBound(ys, wy - tol);
  let best = -1;
  let bestDist = Infinity;
  for (; j < ys.length && ys[j] <= wy + tol; j++) {
    const i = layout.levels[d][j];
    if (!shown(i)) continue;
    const dist = Math.abs(ys[j] - wy);
    if (dist < bestDist) {
      bestDist = dist;
      best = i;
    }
  }
  return best;
}
