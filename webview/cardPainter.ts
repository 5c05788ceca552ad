/**
 * Drawing of one node card at the readable zoom level (text, badges, hidden-count chip) and the hatch used for
 * failed nodes. Split from TreeRenderer, which culls and batches; this part draws what it is handed.
 */
import { COLOR_KEYS, colorOf } from './colorScale';
import { copiesLabel, fmtInt, plainMath, valueLabel } from './format';
import { LINE_HEIGHT, MIN_TEXT_PX, cardFontPx } from './lod';
import { isHumanEdit } from './nodeMarks';
import { importanceMarks } from './importanceView';
import type { HiddenSummary } from './treeLayout';
import type { RenderScene } from './treeRenderer';
import type { TraceNode } from '../src/protocol/fromCore';


/** Colour key of failed nodes outside the status encoding (one past the scale keys). */
export const FAILED_KEY = COLOR_KEYS;

const ICON = { check: '\ueab2', close: '\uea76', edit: '\uea73', warning: '\uea6c', passFilled: '\uebb3', error: '\uea87', thumbsup: '\ueb6c', thumbsdown: '\ueb6b', circleSlash: '\ueabd', sync: '\uea77', star: '\ueb59' };


/** Share of a one-line card's text width its badges may take; the text keeps the rest. */
const MAX_BADGE_SHARE = 0.35;

interface Badge {
  str: string;
  color: string;
  font: string;
  icon: boolean;
  /** Drawn on a filled chip, so a count ("×3") cannot be read as a word of the text beside it. */
  pill: boolean;
  /** Width taken, gap included. */
  w: number;
}

/** Inner padding of a pill badge, each side, and the gap every badge keeps on its left. */
const PILL_PAD = 3;
const BADGE_GAP = 6;

/** What a card's text drew (its lines joined, without the ellipsis) and whether it was cut. */
export interface DrawnText {
  text: string;
  cut: boolean;
  /** The text badges drawn beside it (value, importance mark, copies), right to left. */
  badges: string[];
  /** Those of them drawn on a chip. */
  pills: string[];
  /** Free space between the end of the first text line and the leftmost badge, in CSS px (Infinity: no badge). */
  badgeGap: number;
}

const painters = new WeakMap<HTMLCanvasElement, CardPainter>();

/** The node text each text card got in the canvas's last frame, by node index (for the probe). */
export function drawnTextOf(canvas: HTMLCanvasElement): ReadonlyMap<number, DrawnText> {
  return painters.get(canvas)?.drawn ?? new Map<number, DrawnText>();
}

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
  /** Node text drawn on each text card since the last `resetStats`. */
  readonly drawn = new Map<number, DrawnText>();

  constructor(private readonly ctx: CanvasRenderingContext2D) {
    painters.set(ctx.canvas, this);
  }

  resetStats(): void {
    this.textDraws = 0;
    this.minTextPx = Infinity;
    this.drawn.clear();
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

    // Badges on the first line's right, right to left; the text wraps beside and below them.
    const fs = cardFontPx(k);
    const small = Math.max(MIN_TEXT_PX, fs - 1);
    const iconSize = Math.round(fs * 1.1);
    const lineH = fs * LINE_HEIGHT;
    const maxLines = Math.max(1, Math.floor((h - 4) / lineH));
    const left = x + sw + 6;
    const fullW = x + w - 6 - left;
    const badges = this.badges(s, i, n, small, iconSize, maxLines === 1 ? fullW * MAX_BADGE_SHARE : Infinity);
    const badgeW = badges.reduce((a, b) => a + b.w, 0);
    ctx.font = `${n.kind === 'answer' || n.kind === 'root' ? '600 ' : ''}${fs}px ${theme.fontFamily}`;
    const lines = this.wrap(i, n, fullW - badgeW, fullW, maxLines, fs, s.labelChars);
    // Lines centred in the card (a one-line text in a two-line card sits in the middle, badges beside it).
    const top = Math.max(y + 2 + lineH / 2, y + h / 2 - ((lines.length - 1) * lineH) / 2);
    ctx.textBaseline = 'middle';
    let right = x + w - 6;
    let inkLeft = Infinity;
    for (const b of badges) {
      inkLeft = right - b.w + (b.icon ? 3 : BADGE_GAP);
      ctx.textAlign = 'right';
      ctx.font = b.font;
      if (b.pill) {
        const pw = b.w - BADGE_GAP;
        const ph = Math.min(lineH, small + 2 * PILL_PAD);
        ctx.fillStyle = theme.badgeBackground;
        ctx.beginPath();
        ctx.roundRect(right - pw, top - ph / 2, pw, ph, ph / 2);
        ctx.fill();
        // High contrast themes draw badges black on black and rely on their border.
        if (theme.contrastBorder) {
          ctx.strokeStyle = theme.contrastBorder;
          ctx.lineWidth = 1;
          ctx.stroke();
        }
      }
      ctx.fillStyle = b.color;
      if (b.icon) ctx.fillText(b.str, right, top);
      else this.text(b.str, b.pill ? right - PILL_PAD : right, top, small);
      right -= b.w;
    }
    ctx.font = `${n.kind === 'answer' || n.kind === 'root' ? '600 ' : ''}${fs}px ${theme.fontFamily}`;
    ctx.textAlign = 'left';
    ctx.fillStyle = theme.foreground;
    for (let li = 0; li < lines.length; li++) this.text(lines[li], left, top + li * lineH, fs);
    const firstRight = left + (lines.length ? ctx.measureText(lines[0]).width : 0);
    ctx.restore();
    const last = lines[lines.length - 1] ?? '';
    const cut = last.endsWith('…');
    // Lines joined as the text had them: a space between, none after a hyphen the line broke at.
    const shown = (cut ? [...lines.slice(0, -1), last.slice(0, -1)] : lines).reduce((a, l) => (a === '' || a.endsWith('-') ? a + l : `${a} ${l}`), '');
    const texts = badges.filter((b) => !b.icon);
    const badgeGap = inkLeft - firstRight;
    this.drawn.set(i, { text: shown, cut, badges: texts.map((b) => b.str), pills: texts.filter((b) => b.pill).map((b) => b.str), badgeGap });
  }

  /**
   * The badges of a card, right to left, with their widths: verified mark, value (or visits), failed, person's mark,
   * running, human edit, merged copies. `maxW` caps their total on one-line cards so the text keeps most of the line:
   * the least telling ones are left out first (the outline shows a human edit, the detail pane the rest).
   */
  private badges(s: RenderScene, i: number, n: TraceNode, small: number, iconSize: number, maxW: number): Badge[] {
    const { ctx } = this;
    const { theme } = s;
    const out: Badge[] = [];
    const iconFont = `${iconSize}px codicon`;
    const icon = (str: string, color: string) => {
      if (s.iconsReady) out.push({ str, color, font: iconFont, icon: true, pill: false, w: iconSize + 3 });
    };
    const label = (str: string, font: string, color: string, pill = false) => {
      ctx.font = font;
      out.push({ str, color, font, icon: false, pill, w: ctx.measureText(str).width + BADGE_GAP + (pill ? 2 * PILL_PAD : 0) });
    };
    if (n.verified === true) icon(ICON.passFilled, theme.success);
    else if (n.verified === false) icon(ICON.error, theme.error);
    const metric = n.value !== undefined && (s.iteration === Infinity || s.replay.valuedAt[i] <= s.iteration) ? valueLabel(n.value) : n.visits ? `N${n.visits}` : '';
    if (metric) label(metric, `${small}px ${theme.monoFamily}`, theme.muted);
    // Step importance of a measured path's step (TV; ★ on a top step).
    const imp = importanceMarks(s.model).get(i);
    if (imp) label(imp.text, `${imp.top ? '600 ' : ''}${small}px ${theme.monoFamily}`, imp.top ? theme.best : theme.muted);
    if (n.status === 'failed') icon(ICON.warning, theme.error);
    if (n.label === 'correct') icon(ICON.thumbsup, theme.success);
    else if (n.label === 'incorrect') icon(ICON.thumbsdown, theme.error);
    if (n.status === 'running') icon(ICON.sync, theme.focus);
    if (isHumanEdit(n)) icon(ICON.edit, theme.human);
    // Identical sibling samples merged into this node (mergeDuplicates): how many it stands for.
    const copies = copiesLabel(n);
    if (copies) label(copies, `600 ${small}px ${theme.monoFamily}`, theme.badgeForeground, true);
    let total = out.reduce((a, b) => a + b.w, 0);
    while (out.length > 1 && total > maxW) total -= out.pop()?.w ?? 0;
    return out;
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
      if (!Number.isNaN(sum.best)) parts.push(`best ${valueLabel(sum.best)}`);
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

  /**
   * Wraps a node's text: the first line leaves room for badges, the last is filled up to its width and gets an
   * ellipsis when cut. Lines break at spaces and after a hyphen inside a word ("double-" | "check"), so a long word
   * does not leave a line nearly empty; a word longer than a whole line is broken where it reaches the edge.
   */
  private wrap(i: number, n: TraceNode, firstW: number, fullW: number, maxLines: number, fs: number, maxChars: number): string[] {
    const key = `${Math.round(firstW)}|${Math.round(fullW)}|${maxLines}|${fs}|${maxChars}`;
    const hit = this.wrapCache.get(i);
    if (hit && hit.node === n && hit.key === key) return hit.lines;
    const ctx = this.ctx;
    let text = plainMath(n.text).replace(/\s+/g, ' ').trim() || (n.kind === 'root' ? '(problem)' : '(empty)');
    if (maxChars > 0 && text.length > maxChars) text = `${text.slice(0, maxChars)}…`;
    const fits = (str: string, w: number) => ctx.measureText(str).width <= w;
    /** Longest prefix of `str` (at least one character) that fits `w` with `tail` after it. */
    const longest = (str: string, w: number, tail: string) => {
      let lo = 1;
      let hi = str.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (fits(str.slice(0, mid) + tail, w)) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    // Where a line may end: before each space, after a hyphen between letters, at the end.
    const breaks: number[] = [];
    for (const m of text.matchAll(/ |(?<=\p{L}-)(?=\p{L})/gu)) breaks.push(m.index);
    breaks.push(text.length);
    const lines: string[] = [];
    let start = 0;
    let bi = 0;
    for (let li = 0; li < maxLines && start < text.length; li++) {
      const w = li === 0 ? firstW : fullW;
      const rest = text.slice(start);
      if (li === maxLines - 1 || fits(rest, w)) {
        // The last line: all that is left when it fits, else as much as fits before the ellipsis.
        lines.push(fits(rest, w) ? rest : rest.slice(0, longest(rest.slice(0, 400), w, '…')).trimEnd() + '…');
        break;
      }
      while (bi < breaks.length && breaks[bi] <= start) bi++;
      // The furthest break whose line fits (line widths grow with the break, so a binary search).
      let lo = bi;
      let hi = breaks.length - 1;
      let end = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (fits(text.slice(start, breaks[mid]), w)) {
          end = breaks[mid];
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (end < 0) end = start + longest(rest, w, '');
      lines.push(text.slice(start, end).trimEnd());
      start = text[end] === ' ' ? end + 1 : end;
    }
    this.wrapCache.set(i, { node: n, key, lines });
    return lines;
  }
}
