/**
 * Drawing of one node card at the readable zoom level (text, badges, hidden-count chip) and the hatch used for
 * failed nodes. Split from TreeRenderer, which culls and batches; this part draws what it is handed.
 */
import { COLOR_KEYS, colorOf } from './colorScale';
import { copiesLabel, fmtInt, plainMath } from './format';
import { MIN_TEXT_PX, cardFontPx } from './lod';
import { isHumanEdit } from './nodeMarks';
import type { HiddenSummary } from './treeLayout';
import type { RenderScene } from './treeRenderer';
import type { TraceNode } from '../src/protocol/fromCore';


/** Colour key of failed nodes outside the status encoding (one past the scale keys). */
export const FAILED_KEY = COLOR_KEYS;

const ICON = { check: '\ueab2', close: '\uea76', edit: '\uea73', warning: '\uea6c', passFilled: '\uebb3', error: '\uea87', thumbsup: '\ueb6c', thumbsdown: '\ueb6b', circleSlash: '\ueabd', sync: '\uea77', star: '\ueb59' };


interface WrapCache {
  node: TraceNode;
  key: string;
  lines: string[];
}

export class CardPainter {
  private hatch: CanvasPattern | null = null;
  private hatchColor = '';
  private readonly wrapCache = new Map<number, WrapCache>();
  /** Text drawn since the last `resetStats` (for the probe: how many strings, and the smallest font used). */
  textDraws = 0;
  minTextPx = Infinity;

  constructor(private readonly ctx: CanvasRenderingContext2D) {}

  resetStats(): void {
    this.textDraws = 0;
    this.minTextPx = Infinity;
  }

  /** Every string on a card goes through here, so the stats see every font size drawn. */
  private text(str: string, x: number, y: number, px: number): void {
    this.ctx.fillText(str, x, y);
    this.textDraws++;
    if (px < this.minTextPx) this.minTextPx = px;
  }

  /** Drops cached text wrapping (theme font or zoom font size changed). */
  clearTextCache(): void {
    this.wrapCache.clear();
  }

  hatchRect(color: string, x: number, y: number, w: number, h: number, r: number, alpha = 0.3): void {
    const ctx = this.ctx;
    if (!this.hatch || this.hatchColor !== color) {
      const c = document.createElement('canvas');
      c.width = c.height = 8;
      const g = c.getContext('2d');
      if (!g) return;
      g.strokeStyle = color;
      g.lineWidth = 1.5;
      g.beginPath();
      g.moveTo(0, 8);
      g.lineTo(8, 0);
      g.moveTo(-2, 2);
      g.lineTo(2, -2);
      g.moveTo(6, 10);
      g.lineTo(10, 6);
      g.stroke();
      this.hatch = ctx.createPattern(c, 'repeat');
      this.hatchColor = color;
    }
    if (!this.hatch) return;
    ctx.save();
    ctx.fillStyle = this.hatch;
    // Light enough that the card's text stays readable over it.
    ctx.globalAlpha = alpha;
    ctx.beginPath();
    ctx.roundRect(x, y, w, h, r);
    ctx.fill();
    ctx.restore();
  }

  /** Text mode: one readable card per node; `alpha` < 1 dims it (pruned, not a find match, faded). */
  drawTextCard(s: RenderScene, i: number, x: number, yc: number, w: number, h: number, alpha: number, key: number): void {
    const { ctx } = this;
    const { theme, model: m } = s;
    const n = m.nodes[i];
    const y = yc - h / 2;
    const r = Math.min(6, h * 0.25);
    const color = key === FAILED_KEY ? theme.error : colorOf(key, theme.noValue);
    const k = s.camera.k;
    ctx.save();
    ctx.globalAlpha = alpha;
    ctx.fillStyle = theme.cardBackground;
    ctx.beginPath();
    ctx.roundRect(x, y, w, h, r);
    ctx.fill();
    ctx.globalAlpha = alpha * 0.14;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = alpha;
    // Colour strip on the left edge carries the encoding.
    const sw = Math.max(4, Math.min(8, 5 * k));
    ctx.beginPath();
    ctx.roundRect(x, y, sw, h, [r, 0, 0, r]);
    ctx.fill();
    if (n.status === 'failed') this.hatchRect(theme.error, x, y, w, h, r);
    // Border: best path gold, human edits orange, pruned dashed.
    const best = m.bestPath.has(i);
    ctx.lineWidth = best ? 2 : 1;
    ctx.strokeStyle = best ? theme.best : isHumanEdit(n) ? theme.human : n.status === 'failed' ? theme.error : theme.cardBorder;
    ctx.setLineDash(n.status === 'pruned' || n.status === 'cancelled' ? [4, 3] : []);
    ctx.beginPath();
    ctx.roundRect(x + 0.5, y + 0.5, w - 1, h - 1, r);
    ctx.stroke();
    ctx.setLineDash([]);

    // Badges on the right, right to left.
    const fs = cardFontPx(k);
    const small = Math.max(MIN_TEXT_PX, fs - 1);
    const iconSize = Math.round(fs * 1.1);
    let right = x + w - 6;
    const midY = y + Math.min(h / 2, fs * 1.05);
    ctx.textBaseline = 'middle';
    const icon = (glyph: string, col: string) => {
      if (!s.iconsReady) return;
      ctx.font = `${iconSize}px codicon`;
      ctx.fillStyle = col;
      ctx.textAlign = 'right';
      ctx.fillText(glyph, right, midY);
      right -= iconSize + 3;
    };
    if (n.verified === true) icon(ICON.passFilled, theme.success);
    else if (n.verified === false) icon(ICON.error, theme.error);
    if (n.label === 'correct') icon(ICON.thumbsup, theme.success);
    else if (n.label === 'incorrect') icon(ICON.thumbsdown, theme.error);
    if (n.status === 'failed') icon(ICON.warning, theme.error);
    if (n.status === 'running') icon(ICON.sync, theme.focus);
    if (isHumanEdit(n)) icon(ICON.edit, theme.human);
    const metric = n.value !== undefined && (s.iteration === Infinity || s.replay.valuedAt[i] <= s.iteration) ? n.value.toFixed(2) : n.visits ? `N${n.visits}` : '';
    if (metric) {
      ctx.font = `${small}px ${theme.monoFamily}`;
      ctx.textAlign = 'right';
      ctx.fillStyle = theme.muted;
      this.text(metric, right, midY, small);
      right -= ctx.measureText(metric).width + 6;
    }
    // Identical sibling samples merged into this node (mergeDuplicates): how many it stands for.
    const copies = copiesLabel(n);
    if (copies) {
      ctx.font = `600 ${small}px ${theme.monoFamily}`;
      ctx.textAlign = 'right';
      ctx.fillStyle = theme.foreground;
      this.text(copies, right, midY, small);
      right -= ctx.measureText(copies).width + 6;
    }
    // Text, wrapped into as many lines as the card holds at this zoom.
    const left = x + sw + 6;
    const lineH = fs * 1.3;
    const maxLines = Math.max(1, Math.floor((h - 4) / lineH));
    ctx.font = `${n.kind === 'answer' || n.kind === 'root' ? '600 ' : ''}${fs}px ${theme.fontFamily}`;
    ctx.textAlign = 'left';
    ctx.fillStyle = theme.foreground;
    const firstW = right - left;
    const lines = this.wrap(i, n, firstW, x + w - 6 - left, maxLines, fs, s.labelChars);
    const top = y + h / 2 - ((lines.length - 1) * lineH) / 2;
    for (let li = 0; li < lines.length; li++) this.text(lines[li], left, lines.length === 1 ? midY : Math.max(top, y + lineH / 2 + 2) + li * lineH, fs);
    ctx.restore();
  }

  /**
   * The card standing for a collapsed node's hidden descendants: a dashed box, and with `withText` what it hides
   * ("37 more · best 0.53 · 2 verified"), cut to the card's width. Clicking it expands the node (the hit test maps
   * it to its owner, and a click right of the owner's card toggles it).
   */
  drawSummaryCard(s: RenderScene, sum: HiddenSummary, x: number, yc: number, w: number, h: number, withText: boolean): void {
    const { ctx } = this;
    const { theme } = s;
    const y = yc - h / 2;
    const r = Math.min(6, h * 0.25);
    ctx.save();
    ctx.fillStyle = theme.cardBackground;
    ctx.strokeStyle = theme.muted;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.roundRect(x + 0.5, y + 0.5, w - 1, h - 1, r);
    ctx.fill();
    ctx.stroke();
    ctx.setLineDash([]);
    if (withText) {
      const fs = Math.max(MIN_TEXT_PX, cardFontPx(s.camera.k) - 1);
      const parts = [`${fmtInt(sum.count)} more`];
      if (!Number.isNaN(sum.best)) parts.push(`best ${sum.best.toFixed(2)}`);
      if (sum.verified) parts.push(`${fmtInt(sum.verified)} verified`);
      if (sum.failed) parts.push(`${fmtInt(sum.failed)} failed`);
      ctx.font = `${fs}px ${theme.fontFamily}`;
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      ctx.fillStyle = theme.muted;
      const maxW = w - 16;
      let label = parts.join(' · ');
      while (parts.length > 1 && ctx.measureText(label).width > maxW) {
        parts.pop();
        label = parts.join(' · ');
      }
      this.text(label, x + 8, yc, fs);
    }
    ctx.restore();
  }

  /** Word-wraps a node's text: the first line leaves room for badges, the last gets an ellipsis when cut. */
  private wrap(i: number, n: TraceNode, firstW: number, fullW: number, maxLines: number, fs: number, maxChars: number): string[] {
    const key = `${Math.round(firstW)}|${Math.round(fullW)}|${maxLines}|${fs}|${maxChars}`;
    const hit = this.wrapCache.get(i);
    if (hit && hit.node === n && hit.key === key) return hit.lines;
    const ctx = this.ctx;
    let text = plainMath(n.text).replace(/\s+/g, ' ').trim() || (n.kind === 'root' ? '(problem)' : '(empty)');
    if (maxChars > 0 && text.length > maxChars) text = `${text.slice(0, maxChars)}…`;
    const words = text.split(' ');
    const lines: string[] = [];
    let cur = '';
    let wi = 0;
    const width = () => (lines.length === 0 ? firstW : fullW);
    while (wi < words.length && lines.length < maxLines) {
      const next = cur ? `${cur} ${words[wi]}` : words[wi];
      if (ctx.measureText(next).width <= width() || !cur) {
        cur = next;
        wi++;
        if (ctx.measureText(cur).width > width()) {
          // A single word longer than the line: cut it.
          lines.push(cur);
          cur = '';
        }
      } else {
        lines.push(cur);
        cur = '';
      }
    }
    if (cur && lines.length < maxLines) lines.push(cur);
    const truncated = wi < words.length || lines.some((l) => ctx.measureText(l).width > fullW + 0.5);
    if (lines.length && (truncated || ctx.measureText(lines[lines.length - 1]).width > width())) {
      const li = lines.length - 1;
      const w = li === 0 ? firstW : fullW;
      if (truncated || ctx.measureText(lines[li]).width > w) {
        // Fill the last line up to its width with what follows (a long next word would otherwise leave "Let me…"),
        // then cut at the longest prefix that fits with the ellipsis (binary search: a few measures, not one a char).
        const s = wi < words.length ? `${lines[li]} ${words.slice(wi).join(' ')}`.slice(0, 400) : lines[li];
        let lo = 1;
        let hi = s.length;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (ctx.measureText(s.slice(0, mid) + '…').width <= w) lo = mid;
          else hi = mid - 1;
        }
        lines[li] = s.slice(0, lo).trimEnd() + '…';
      }
    }
    this.wrapCache.set(i, { node: n, key, lines });
    return lines;
  }
}
