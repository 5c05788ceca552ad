/**
 * What the renderer draws over and beside the cards once they are filled: status outlines and markers of box cards
 * (zoomed out, no text), the summary cards of collapsed nodes, and tree-diff outlines. Split from TreeRenderer,
 * which culls and batches; these walk only what is on screen.
 */
import type { CardPainter } from './cardPainter';
import type { NumList } from './canvasBatch';
import { isHumanEdit } from './nodeMarks';
import { DIFF_MARK } from './panelStore';
import type { RenderScene } from './treeRenderer';
import { LEVEL_GAP, lowerBound } from './treeLayout';

/** Screen box of a column band: depth range and the world-y range in view. */
export interface Band {
  dMin: number;
  dMax: number;
  y0: number;
  y1: number;
}

/** Card mode: outlines that carry status (pruned dashed, best path gold, human edits) and small markers. */
export function cardDecorations(
  ctx: CanvasRenderingContext2D, cards: CardPainter, s: RenderScene, cardW: number, cardH: number, band: Band,
  shown: (i: number) => boolean, dim: (i: number) => boolean,
): void {
  const { layout: L, camera: cam, model: m, theme } = s;
  const r = Math.min(5, cardH * 0.3);
  ctx.lineWidth = 1;
  for (let d = band.dMin; d <= band.dMax; d++) {
    const lv = L.levels[d];
    const lvY = L.levelY[d];
    if (!lv) continue;
    const x = d * LEVEL_GAP * cam.sx + cam.tx;
    for (let j = lowerBound(lvY, band.y0), end = lowerBound(lvY, band.y1); j < end; j++) {
      const i = lv[j];
      if (!shown(i)) continue;
      const n = m.nodes[i];
      const y = cam.toScreenY(lvY[j]) - cardH / 2;
      let stroke: string | null = null;
      let dash: number[] = [];
      if (m.bestPath.has(i)) stroke = theme.best;
      else if (isHumanEdit(n)) stroke = theme.human;
      else if (dim(i) && n.status === 'pruned') {
        stroke = theme.muted;
        dash = [3, 3];
      } else if (theme.contrastBorder) stroke = theme.contrastBorder;
      if (stroke) {
        ctx.strokeStyle = stroke;
        ctx.setLineDash(dash);
        ctx.lineWidth = m.bestPath.has(i) ? 2 : 1;
        ctx.beginPath();
        ctx.roundRect(x + 0.5, y + 0.5, cardW - 1, cardH - 1, r);
        ctx.stroke();
      }
      if (n.status === 'failed') cards.hatchRect(theme.error, x, y, cardW, cardH, r, 0.6);
      if (n.verified !== undefined || n.label) {
        const ok = n.label ? n.label === 'correct' : n.verified;
        ctx.fillStyle = ok ? theme.success : theme.error;
        ctx.beginPath();
        ctx.arc(x + cardW - Math.min(cardH / 2, 8), y + cardH / 2, Math.min(5, Math.max(1.5, cardH * 0.28)), 0, Math.PI * 2);
        ctx.fill();
      }
    }
  }
  ctx.setLineDash([]);
}

/**
 * Summary cards of collapsed nodes, one column right of their owner at its y (the layout keeps that slot free), with
 * a dashed connector. With `text`, each says what it hides ("37 more · best 0.53 · 2 verified"); zoomed out it is an
 * empty dashed box. Returns how many were drawn.
 */
export function drawSummaries(
  ctx: CanvasRenderingContext2D, cards: CardPainter, s: RenderScene, cardW: number, cardH: number, band: Band,
  text: boolean, shown: (i: number) => boolean,
): number {
  const { layout: L, camera: cam, theme } = s;
  if (L.hiddenSummary.size === 0) return 0;
  let count = 0;
  const colW = LEVEL_GAP * cam.sx;
  for (let d = Math.max(0, band.dMin - 1); d <= band.dMax; d++) {
    const owners = L.summaryLevels[d];
    const ys = L.summaryLevelY[d];
    if (!owners || owners.length === 0) continue;
    const ownerRight = d * colW + cam.tx + cardW;
    const x = (d + 1) * colW + cam.tx;
    for (let j = lowerBound(ys, band.y0), end = lowerBound(ys, band.y1); j < end; j++) {
      const i = owners[j];
      if (!shown(i)) continue;
      const sum = L.hiddenSummary.get(i);
      if (!sum) continue;
      const yc = cam.toScreenY(ys[j]);
      ctx.save();
      ctx.strokeStyle = theme.edge;
      ctx.globalAlpha = 0.7;
      ctx.setLineDash([3, 3]);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(ownerRight, yc);
      ctx.lineTo(x, yc);
      ctx.stroke();
      ctx.restore();
      cards.drawSummaryCard(s, sum, x, yc, cardW, cardH, text);
      count++;
    }
  }
  return count;
}

/** Diff mark → outline colour and dash (dashes too, so the marks differ without colour). */
export function diffStyle(mark: number, theme: RenderScene['theme']): { color: string; dash: number[] } | null {
  if (mark === DIFF_MARK.added) return { color: theme.diffAdded, dash: [] };
  if (mark === DIFF_MARK.removed) return { color: theme.diffRemoved, dash: [5, 3] };
  if (mark === DIFF_MARK.changed) return { color: theme.diffChanged, dash: [2, 2] };
  return null;
}

/**
 * Strokes the diff batches: per mark, the boxes gathered while culling (x, y, w, h). Boxes and text cards get an
 * outline; dense bars (`bars`) a solid tick on their left end, which stays visible at one pixel per row.
 */
export function strokeDiffs(ctx: CanvasRenderingContext2D, batches: readonly NumList[], theme: RenderScene['theme'], bars: boolean): void {
  for (let mark = 1; mark < batches.length; mark++) {
    const b = batches[mark];
    const st = diffStyle(mark, theme);
    if (b.n === 0 || !st) continue;
    const a = b.a;
    ctx.save();
    if (bars) {
      ctx.fillStyle = st.color;
      ctx.beginPath();
      for (let q = 0; q < b.n; q += 4) ctx.rect(a[q] - 4, a[q + 1], 3, Math.max(1, a[q + 3]));
      ctx.fill();
    } else {
      ctx.strokeStyle = st.color;
      ctx.lineWidth = 2;
      ctx.setLineDash(st.dash);
      ctx.beginPath();
      for (let q = 0; q < b.n; q += 4) ctx.roundRect(a[q] - 2, a[q + 1] - 2, a[q + 2] + 4, a[q + 3] + 4, Math.min(6, a[q + 3] / 2 + 2));
      ctx.stroke();
    }
    ctx.restore();
  }
}
