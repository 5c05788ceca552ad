/**
 * Camera moves to one node that must end up readable: Find's matches, Best, and "." (zoom to node). The node is
 * centred in the part of the canvas no overlay covers (the legend) and zoomed to at least the level of detail at
 * which cards carry text, so a jump never leaves its target as a 1-px bar or under the legend.
 */
import { MAX_K, MIN_K, overlayInsets } from './camera';
import type { Box } from './camera';
import { TreeRenderer } from './treeRenderer';
import type { TreeView } from './treeView';

let textK = 0;

/** Smallest zoom at which the renderer draws text cards (bisection: lodFor is monotonic in k), read once. */
export function textZoom(): number {
  if (textK > 0) return textK;
  let lo = MIN_K;
  let hi = MAX_K;
  if (TreeRenderer.lodFor(hi) !== 'text') return (textK = hi);
  for (let n = 0; n < 60; n++) {
    const mid = (lo + hi) / 2;
    if (TreeRenderer.lodFor(mid) === 'text') hi = mid;
    else lo = mid;
  }
  return (textK = hi);
}

/** Overlays drawn over the tree canvas that targets must stay clear of. */
const OVERLAYS = ['#legend'];

function box(el: Element): Box {
  const r = el.getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
}

/**
 * Expands the node's ancestors, centres it clear of overlays and zooms in to at least max(minK, the text zoom);
 * false when it cannot be shown (not in the tree).
 */
export function centreReadable(view: TreeView, i: number, minK = 0): boolean {
  view.expandTo(i);
  view.flushLayout();
  const L = view.layout;
  if (!L || i < 0 || !L.visible[i]) return false;
  const overlays = OVERLAYS.flatMap((sel) => [...view.el.querySelectorAll(sel)])
    .filter((el) => el instanceof HTMLElement && el.offsetParent !== null)
    .map(box);
  const insets = overlayInsets(box(view.canvas), overlays);
  view.camera.centerOn(L.x[i], L.y[i], Math.max(minK, textZoom()), insets);
  view.userMovedCamera = true;
  view.invalidate();
  return true;
}
