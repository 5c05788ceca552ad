/**
 * Where the detail pane goes and how big it is (pure; paneLayout.ts applies it to the page). VS Code opens the panel
 * beside the editor at ~630 px: a pane beside the tree there leaves the tree ~250 px (two columns of cards), so below
 * STACK_BELOW_PX the pane goes below the tree. The person's splitter size is remembered per orientation and
 * re-clamped whenever the panel changes size.
 */

export type PaneOrientation = 'beside' | 'stacked';

/** Panel widths below this stack the detail pane under the tree. */
export const STACK_BELOW_PX = 900;
/** The smallest tree and detail pane the splitter allows (the tree wins when there is room for only one). */
export const MIN_TREE_PX = 240;
export const MIN_DETAIL_PX = 200;
/** The splitter's track in the grid (panelTree.css). */
export const SPLITTER_PX = 5;
/** Splitter keyboard step (arrow keys), px. */
export const SPLITTER_STEP_PX = 24;

/** Sizes a person dragged the splitter to; absent = the default for that orientation. */
export interface PaneSizes {
  detailWidth?: number;
  detailHeight?: number;
}

export function orientationFor(panelWidth: number): PaneOrientation {
  return panelWidth < STACK_BELOW_PX ? 'stacked' : 'beside';
}

/**
 * Default detail size along the split axis of `total` px (the main area's width beside, height stacked): beside
 * clamp(300, 32 %, 440) px, so a wide panel gives the tree most of its width; stacked 40 % of the height (the tree
 * keeps 60 %), never under MIN_DETAIL_PX unless the tree would then get less than 55 %.
 */
export function defaultDetailSize(o: PaneOrientation, total: number): number {
  if (o === 'beside') return clampDetailSize(Math.min(440, Math.max(300, 0.32 * total)), total);
  return clampDetailSize(Math.min(0.45 * total, Math.max(MIN_DETAIL_PX, 0.4 * total)), total, Math.min(MIN_DETAIL_PX, 0.45 * total));
}

/** Keeps the tree ≥ MIN_TREE_PX and the pane ≥ `minDetail`; with room for only one, the tree gets its minimum. */
export function clampDetailSize(size: number, total: number, minDetail = MIN_DETAIL_PX): number {
  const max = Math.max(0, total - SPLITTER_PX - MIN_TREE_PX);
  return Math.round(Math.max(0, Math.min(max, Math.max(minDetail, size))));
}

/** The pane size to apply: the remembered one for this orientation (clamped), else the default. */
export function detailSizeFor(o: PaneOrientation, total: number, saved: PaneSizes): number {
  const s = o === 'beside' ? saved.detailWidth : saved.detailHeight;
  return s === undefined ? defaultDetailSize(o, total) : clampDetailSize(s, total);
}
