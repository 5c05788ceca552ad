/**
 * Canvas renderer for the search tree. Cost per frame is bounded by what is on screen, not by tree size:
 * - culling: per depth column, binary search of the y-sorted level arrays (and of parent spans for edges);
 * - level of detail: `dense` (1-px bars, one per pixel row per column, straight edges), `card` (coloured rounded
 *   boxes, curved edges, never any text) and `text` (cards with wrapped text and badges, never under MIN_TEXT_PX);
 *   collapsed nodes get a summary card beside them ("37 more · best 0.53 · 2 verified" at the text level);
 * - batching: fills are grouped by colour category and edges by width, so a frame issues a few dozen draw calls.
 */
import { cardDecorations, drawSummaries, strokeDiffs } from './cardOverlays';
import type { Band } from './cardOverlays';
import { COLOR_KEYS, NO_VALUE, colorKey, colorOf } from './colorScale';
import { lodFor } from './lod';
import type { Lod } from './lod';
import type { Camera } from './camera';
import type { ReplayIndex } from './replayIndex';
import type { ThemeColors } from './themeColors';
import type { TraceModel } from './traceModel';
import { CARD_H, CARD_W, LEVEL_GAP, ROW_GAP, lowerBound } from './treeLayout';
import type { TreeLayout } from './treeLayout';
import type { ColorBy } from '../src/protocol/hostMessages';
import { CardPainter, FAILED_KEY } from './cardPainter';
import { NumList, edgePath, sampleRange } from './canvasBatch';

export type { Lod } from './lod';

export interface RenderScene {
  model: TraceModel;
  layout: TreeLayout;
  camera: Camera;
  theme: ThemeColors;
  colorBy: ColorBy;
  selected: number;
  focused: number;
  /** Find results: 1 = match. Null when no find is active. */
  matches: Uint8Array | null;
  activeMatch: number;
  /** Scrubber position; Infinity shows everything. */
  iteration: number;
  replay: ReplayIndex;
  /** Whether the codicon font is loaded (badges are drawn with it). */
  iconsReady: boolean;
  hovered: number;
  /** Characters of node text drawn on cards (0: as many as fit). */
  labelChars: number;
  /** PanelStore.faded (1 = draw faded); may lag the model by a delta, so it is length-checked. */
  faded: Uint8Array | null;
  /** PanelStore.diffMarks (DIFF_MARK values); length-checked like `faded`. */
  diffMarks: Uint8Array | null;
}

export interface RenderStats {
  lod: Lod;
  nodes: number;
  edges: number;
  /** Summary cards of collapsed nodes drawn. */
  summaries: number;
  /** Strings drawn on cards, and the smallest font among them (Infinity when none). */
  textDraws: number;
  minTextPx: number;
  /** Text-level cards drawn this frame, in drawing order (node indices), for the probe. */
  textCards: readonly number[];
  ms: number;
}

/** Alpha of faded nodes (superseded subtrees, outside the run filter) and of their edges. */
const FADED_ALPHA = 0.22;

const KEYS = COLOR_KEYS + 1;
const EDGE_WIDTHS = 6;
/** Edge styles: ordinary, dashed (pruned / cancelled / not a find match), faded. */
const EDGE_STYLES = 3;
/** Node styles: ordinary, dimmed, faded. */
const NODE_STYLES = 3;
const NODE_ALPHA = [1, 0.3, FADED_ALPHA];
const TEXT_ALPHA = [1, 0.45, 0.3];

export class TreeRenderer {
  private readonly ctx: CanvasRenderingContext2D;
  private width = 1;
  private height = 1;
  private dpr = 1;
  private readonly nodeBatches: NumList[] = Array.from({ length: KEYS * NODE_STYLES }, () => new NumList());
  private readonly edgeBatches: NumList[] = Array.from({ length: EDGE_WIDTHS * EDGE_STYLES }, () => new NumList());
  /** Boxes to outline per diff mark (index = DIFF_MARK value; 0 unused). */
  private readonly diffBatches: NumList[] = Array.from({ length: 4 }, () => new NumList());
  private readonly cards: CardPainter;

  constructor(private readonly canvas: HTMLCanvasElement) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('canvas 2d context unavailable');
    this.ctx = ctx;
    this.cards = new CardPainter(ctx);
  }

  resize(width: number, height: number, dpr: number): void {
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.dpr = dpr;
    this.canvas.width = Math.round(this.width * dpr);
    this.canvas.height = Math.round(this.height * dpr);
  }

  /** Drops cached text wrapping (theme font or zoom font size changed). */
  clearTextCache(): void {
    this.cards.clearTextCache();
  }

  /** The level of detail at zoom k (thresholds and their measurement in lod.ts). */
  static lodFor(k: number): Lod {
    return lodFor(k);
  }

  render(s: RenderScene): RenderStats {
    const t0 = performance.now();
    const { ctx, width: W, height: H } = this;
    const { camera: cam, layout: L, model: m, theme } = s;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.globalAlpha = 1;
    ctx.setLineDash([]);
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, W, H);
    this.cards.resetStats();
    if (L.visibleCount === 0) return { lod: 'dense', nodes: 0, edges: 0, summaries: 0, textDraws: 0, minTextPx: Infinity, textCards: [], ms: performance.now() - t0 };

    const k = cam.k;
    const sx = cam.sx;
    const lod = TreeRenderer.lodFor(k);
    const cardW = CARD_W * sx;
    const cardH = CARD_H * k;
    const colW = LEVEL_GAP * sx;
    const margin = Math.max(cardH, 4);
    const y0 = cam.toWorldY(-margin);
    const y1 = cam.toWorldY(H + margin);
    const it = s.iteration;
    const all = it === Infinity;
    const nodes = m.nodes;
    const Y = L.y;
    const replay = s.replay;
    // Per-node attributes as typed arrays, rebuilt only when data, colouring, find or scrubber change: the hot
    // loops below then touch no node objects.
    const attrs = this.attributes(s);
    const hiddenArr = attrs.hidden;
    const dimArr = attrs.dim;
    const keyArr = attrs.key;
    const shown = (i: number) => hiddenArr[i] === 0;
    /** 0 ordinary, 1 dimmed, 2 faded (dimming wins: it carries status). */
    const style = (i: number) => dimArr[i];
    const dim = (i: number) => dimArr[i] === 1;
    const keyOf = (i: number) => keyArr[i];
    const marks = s.diffMarks !== null && s.diffMarks.length === m.size ? s.diffMarks : null;
    void nodes;
    void replay;
    void all;
    const colX = (d: number) => d * colW + cam.tx;
    const dMin = Math.max(0, Math.floor(-cam.tx / colW) - 1);
    const dMax = Math.min(L.maxDepth, Math.ceil((W - cam.tx) / colW));

    // ---- edges ----
    for (const b of this.edgeBatches) b.n = 0;
    let edgeCount = 0;
    const maxV = Math.max(1, m.maxVisits);
    const curved = lod !== 'dense';
    const visitWidths = lod === 'text' || lod === 'card';
    for (let d = Math.max(1, dMin); d <= dMax; d++) {
      const pd = d - 1;
      const parents = L.parentLevels[pd];
      if (!parents || parents.length === 0) continue;
      const sLo = L.spanLo[pd];
      const sHi = L.spanHi[pd];
      const lvY = L.levelY[d];
      const lv = L.levels[d];
      const px = colX(pd) + cardW;
      const cx = colX(d);
      const inLo = lowerBound(lvY, y0);
      const inHi = lowerBound(lvY, y1); // exclusive
      let lastRow = -Infinity;
      const emitEdge = (p: number, c: number, dense: boolean) => {
        if (!shown(c) || !shown(p)) return;
        const cy = cam.toScreenY(Y[c]);
        if (dense) {
          const row = Math.floor(cy);
          if (row === lastRow) return;
          lastRow = row;
        }
        let wb = 0;
        if (visitWidths) {
          const v = nodes[c].visits ?? 0;
          wb = v > 0 ? Math.min(EDGE_WIDTHS - 1, Math.round(Math.sqrt(v / maxV) * (EDGE_WIDTHS - 1))) : 0;
        }
        const st = dim(p) || dim(c) ? 1 : style(p) === 2 || style(c) === 2 ? 2 : 0;
        this.edgeBatches[st * EDGE_WIDTHS + wb].push4(px, cam.toScreenY(Y[p]), cx, cy);
        edgeCount++;
      };
      const emitCrossing = (j: number) => {
        // A parent whose span crosses a band edge: its edges to children beyond the band still cross the band.
        const p = parents[j];
        const f = L.levelPos[L.firstKid[p]];
        const l = L.levelPos[L.lastKid[p]];
        if (Y[p] >= y0 && f < inLo) sampleRange(f, Math.min(inLo - 1, l), (j2) => emitEdge(p, lv[j2], false));
        if (Y[p] <= y1 && l >= inHi) sampleRange(Math.max(inHi, f), l, (j2) => emitEdge(p, lv[j2], false));
      };
      if (lod === 'dense') {
        // Several nodes per pixel row: one representative child per row (binary search to the next row), so the
        // cost follows the canvas height, not the node count.
        let j = inLo;
        while (j < inHi) {
          const c = lv[j];
          emitEdge(m.parent[c], c, true);
          const nextRowY = cam.toWorldY(Math.floor(cam.toScreenY(lvY[j])) + 1);
          const nj = lowerBound(lvY, nextRowY);
          j = nj > j ? nj : j + 1;
        }
        for (let q = lowerBound(sHi, y0), end = lowerBound(sLo, y0); q < end && q < parents.length; q++) emitCrossing(q);
        for (let q = lowerBound(sHi, y1), end = lowerBound(sLo, y1); q < end && q < parents.length; q++) emitCrossing(q);
        continue;
      }
      for (let q = lowerBound(sHi, y0); q < parents.length && sLo[q] <= y1; q++) {
        const p = parents[q];
        const f = L.levelPos[L.firstKid[p]];
        const l = L.levelPos[L.lastKid[p]];
        const a = Math.max(f, inLo);
        const b = Math.min(l, inHi - 1);
        for (let j2 = a; j2 <= b; j2++) emitEdge(p, lv[j2], false);
        emitCrossing(q);
      }
    }
    ctx.strokeStyle = theme.edge;
    ctx.lineCap = 'round';
    for (let st = 0; st < EDGE_STYLES; st++) {
      const dashed = st === 1;
      for (let wb = 0; wb < EDGE_WIDTHS; wb++) {
        const batch = this.edgeBatches[st * EDGE_WIDTHS + wb];
        if (batch.n === 0) continue;
        ctx.globalAlpha = st === 2 ? FADED_ALPHA * (lod === 'dense' ? 0.6 : 1) : lod === 'dense' ? 0.3 : dashed ? 0.5 : 0.85;
        ctx.lineWidth = lod === 'dense' ? 0.6 : (0.9 + wb * 0.8) * Math.min(1, Math.max(0.5, k * 1.5));
        ctx.setLineDash(dashed && lod !== 'dense' ? [4, 4] : []);
        ctx.beginPath();
        const a = batch.a;
        for (let q = 0; q < batch.n; q += 4) edgePath(ctx, a[q], a[q + 1], a[q + 2], a[q + 3], curved);
        ctx.stroke();
      }
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;

    // Highlighted paths over the ordinary edges: the selected node's path as a wider focus-coloured band underneath,
    // the best path (gold) on top, so where they coincide both stay visible.
    if (s.selected >= 0) this.strokePath(s, new Set(m.pathTo(s.selected)), theme.focus, lod === 'dense' ? 4 : 6, curved);
    this.strokePath(s, m.bestPath, theme.best, lod === 'dense' ? 2 : 2.5, curved);

    // ---- nodes ----
    for (const b of this.nodeBatches) b.n = 0;
    for (const b of this.diffBatches) b.n = 0;
    let nodeCount = 0;
    const textNodes: number[] = [];
    // Dense mode fills each row so columns read as a heatmap of the encoding; cards keep their true height.
    const rowPx = ROW_GAP * k;
    const barH = lod === 'dense' ? Math.max(1, rowPx > 3 ? rowPx - 1 : rowPx) : Math.max(1, cardH);
    for (let d = dMin; d <= dMax; d++) {
      const lv = L.levels[d];
      const lvY = L.levelY[d];
      if (!lv) continue;
      const x = colX(d);
      if (x > W || x + cardW < 0) continue;
      let lastRow = -Infinity;
      for (let j = lowerBound(lvY, y0), end = lowerBound(lvY, y1); j < end; j++) {
        const i = lv[j];
        if (!shown(i)) continue;
        const sy = cam.toScreenY(lvY[j]);
        if (lod === 'dense') {
          const row = Math.floor(sy);
          if (row === lastRow) {
            // Skip the rest of this pixel row in one binary search.
            const nj = lowerBound(lvY, cam.toWorldY(row + 1)) - 1;
            if (nj > j) j = nj;
            continue;
          }
          lastRow = row;
        }
        nodeCount++;
        if (marks !== null && marks[i] > 0 && marks[i] < 4) this.diffBatches[marks[i]].push4(x, sy - barH / 2, cardW, barH);
        if (lod === 'text') {
          textNodes.push(i);
          continue;
        }
        this.nodeBatches[style(i) * KEYS + keyOf(i)].push4(x, sy - barH / 2, cardW, barH);
      }
    }
    const band: Band = { dMin, dMax, y0, y1 };
    let summaries = 0;
    if (lod !== 'text') {
      const r = lod === 'card' ? Math.min(5, cardH * 0.3) : 0;
      // Box cards get a thin neutral outline once they are tall enough for it not to swamp the fill: the ends of
      // viridis (dark purple on dark themes, yellow on light) are otherwise close to the background.
      const outline = lod === 'card' && cardH >= 7;
      ctx.strokeStyle = theme.cardOutline;
      ctx.lineWidth = 1;
      for (let b = 0; b < KEYS * NODE_STYLES; b++) {
        const batch = this.nodeBatches[b];
        if (batch.n === 0) continue;
        const key = b % KEYS;
        ctx.globalAlpha = NODE_ALPHA[Math.floor(b / KEYS)];
        ctx.fillStyle = key === FAILED_KEY ? theme.error : colorOf(key, theme.noValue);
        ctx.beginPath();
        const a = batch.a;
        for (let q = 0; q < batch.n; q += 4) {
          if (r > 0.5) ctx.roundRect(a[q], a[q + 1], a[q + 2], a[q + 3], r);
          else ctx.rect(a[q], a[q + 1], a[q + 2], a[q + 3]);
        }
        ctx.fill();
        if (outline) ctx.stroke();
      }
      ctx.globalAlpha = 1;
      if (lod === 'card') {
        cardDecorations(ctx, this.cards, s, cardW, cardH, band, shown, dim);
        summaries = drawSummaries(ctx, this.cards, s, cardW, cardH, band, false, shown);
      }
    } else {
      // A faded node reads at full strength while it is hovered or selected.
      for (const i of textNodes) {
        const st = style(i) === 2 && (i === s.hovered || i === s.selected) ? 0 : style(i);
        this.cards.drawTextCard(s, i, colX(m.depth[i]), cam.toScreenY(Y[i]), cardW, cardH, TEXT_ALPHA[st], keyOf(i));
      }
      summaries = drawSummaries(ctx, this.cards, s, cardW, cardH, band, true, shown);
    }
    if (marks !== null) strokeDiffs(ctx, this.diffBatches, theme, lod === 'dense');

    // Zoomed out, the ends of the highlighted paths get a dot so they can be found at a glance.
    if (lod === 'dense') {
      const bestId = m.result?.bestNodeId;
      const best = bestId === undefined ? undefined : m.index.get(bestId);
      if (best !== undefined) this.dot(s, best, theme.best);
      if (s.selected >= 0) this.dot(s, s.selected, theme.focus);
    }

    // ---- overlays: iteration activity, find matches, hover, focus, selection ----
    if (!all) for (const i of replay.touched.get(it) ?? []) this.ring(s, i, theme.best, 1.5, [3, 2]);
    if (s.matches && s.activeMatch >= 0) this.ring(s, s.activeMatch, theme.best, 2.5);
    if (s.hovered >= 0 && s.hovered !== s.selected) this.ring(s, s.hovered, theme.muted, 1);
    if (s.focused >= 0 && s.focused !== s.selected) this.ring(s, s.focused, theme.focus, 1.5, [2, 2]);
    if (s.selected >= 0) this.ring(s, s.selected, theme.focus, 2.5);
    const c = this.cards;
    return { lod, nodes: nodeCount, edges: edgeCount, summaries, textDraws: c.textDraws, minTextPx: c.minTextPx, textCards: textNodes, ms: performance.now() - t0 };
  }

  private attrCache: {
    model: TraceModel | null;
    dataVersion: number;
    colorBy: string;
    iteration: number;
    matches: Uint8Array | null;
    replay: ReplayIndex | null;
    faded: Uint8Array | null;
    hidden: Uint8Array;
    dim: Uint8Array;
    key: Uint8Array;
  } = { model: null, dataVersion: -1, colorBy: '', iteration: NaN, matches: null, replay: null, faded: null, hidden: new Uint8Array(0), dim: new Uint8Array(0), key: new Uint8Array(0) };

  /**
   * hidden (after the scrubber's iteration), dim (1: pruned, cancelled, or not a find match; 2: faded) and colour key
   * per node. Rebuilt when data, colouring, find, the scrubber or the faded array (by identity) change.
   */
  private attributes(s: RenderScene) {
    const c = this.attrCache;
    const m = s.model;
    const faded = s.faded !== null && s.faded.length === m.size ? s.faded : null;
    if (c.model === m && c.dataVersion === m.dataVersion && c.colorBy === s.colorBy && c.iteration === s.iteration && c.matches === s.matches && c.replay === s.replay && c.faded === faded && c.key.length === m.size) return c;
    const n = m.size;
    const hidden = c.hidden.length === n ? c.hidden : new Uint8Array(n);
    const dimA = c.dim.length === n ? c.dim : new Uint8Array(n);
    const key = c.key.length === n ? c.key : new Uint8Array(n);
    const it = s.iteration;
    const all = it === Infinity;
    const r = s.replay;
    // The whole trace's span, also while replaying, so a node keeps its colour as the scrubber moves.
    const span = m.valueSpan();
    for (let i = 0; i < n; i++) {
      const node = m.nodes[i];
      hidden[i] = all || node.iteration <= it ? 0 : 1;
      const pruned = all ? node.status === 'pruned' : r.prunedAt[i] <= it;
      dimA[i] = (s.matches !== null && s.matches[i] === 0) || node.status === 'cancelled' || pruned ? 1 : faded !== null && faded[i] === 1 ? 2 : 0;
      if (node.status === 'failed' && s.colorBy !== 'status') key[i] = FAILED_KEY;
      else if (!all && s.colorBy === 'value' && r.valuedAt[i] > it) key[i] = NO_VALUE;
      else key[i] = colorKey(node, s.colorBy, span);
    }
    Object.assign(c, { model: m, dataVersion: m.dataVersion, colorBy: s.colorBy, iteration: it, matches: s.matches, replay: s.replay, faded, hidden, dim: dimA, key });
    return c;
  }

  private anchor(s: RenderScene, i: number): { x: number; y: number } | null {
    const L = s.layout;
    if (i < 0 || i >= L.x.length || !L.visible[i]) return null;
    return { x: s.camera.toScreenX(L.x[i]), y: s.camera.toScreenY(L.y[i]) };
  }

  private dot(s: RenderScene, i: number, color: string): void {
    const p = this.anchor(s, i);
    if (!p || (s.iteration !== Infinity && s.model.nodes[i].iteration > s.iteration)) return;
    const ctx = this.ctx;
    ctx.save();
    ctx.fillStyle = color;
    ctx.strokeStyle = s.theme.background;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(p.x + (CARD_W * s.camera.sx) / 2, p.y, 4.5, 0, Math.PI * 2);
    ctx.fill();
    ctx.stroke();
    ctx.restore();
  }

  private ring(s: RenderScene, i: number, color: string, width: number, dash: number[] = []): void {
    const p = this.anchor(s, i);
    if (!p) return;
    if (s.iteration !== Infinity && s.model.nodes[i].iteration > s.iteration) return;
    const ctx = this.ctx;
    const w = CARD_W * s.camera.sx;
    const h = Math.max(CARD_H * s.camera.k, 3);
    const pad = 2 + width / 2;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    ctx.roundRect(p.x - pad, p.y - h / 2 - pad, w + 2 * pad, h + 2 * pad, Math.min(6, h / 2 + pad));
    ctx.stroke();
    ctx.restore();
  }

  /** Strokes the edges joining consecutive members of `path` (a root-to-node chain). */
  private strokePath(s: RenderScene, path: ReadonlySet<number>, color: string, width: number, curved: boolean): void {
    if (path.size < 2) return;
    const { ctx } = this;
    const cam = s.camera;
    const L = s.layout;
    const cardW = CARD_W * cam.sx;
    ctx.save();
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.lineCap = 'round';
    ctx.beginPath();
    for (const c of path) {
      const p = s.model.parent[c];
      if (p < 0 || !path.has(p) || !L.visible[c] || !L.visible[p]) continue;
      if (s.iteration !== Infinity && s.model.nodes[c].iteration > s.iteration) continue;
      edgePath(ctx, cam.toScreenX(L.x[p]) + cardW, cam.toScreenY(L.y[p]), cam.toScreenX(L.x[c]), cam.toScreenY(L.y[c]), curved);
    }
    ctx.stroke();
    ctx.restore();
  }
}
