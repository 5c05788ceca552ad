/**
 * Level of detail and legible text sizes, shared by the renderer, the camera moves and the tests (no DOM here).
 * Measured in the harness's Chromium with VS Code's font stack (system-ui → DejaVu Sans here): at 11 px the font box
 * (ascent + descent) is 13 px and the ink of "Hgjy" 10 px, an average character 5.6 px.
 */
import { CARD_H, CARD_W } from './treeLayout';

export type Lod = 'dense' | 'card' | 'text';

/**
 * Smallest font drawn on a card, in CSS pixels: nothing smaller is ever drawn (below the text level of detail cards
 * carry no text at all). 11 px is VS Code's own smallest UI text (badges, the status bar's small items).
 */
export const MIN_TEXT_PX = 11;

/** Card height on screen that holds one 11 px line (13 px font box) with 2 px above and below. */
export const TEXT_CARD_PX = 17;

/**
 * Card width on screen from which cards carry text: 132 px leaves ~15 characters of 11 px text beside a value label
 * (strip, padding and "0.78" take ~50 px). Narrower, a card would show a word and an ellipsis.
 */
export const TEXT_CARD_W_PX = 132;

/** Below this card height cards are 1-px-per-row bars (a heatmap of the encoding). */
export const CARD_MIN_PX = 4;

/** Line height of card text, in font sizes. */
export const LINE_HEIGHT = 1.3;

/** Smallest zoom where cards carry text: tall enough for a legible line and wide enough for a phrase (k = 0.6). */
export const TEXT_K = Math.max(TEXT_CARD_PX / CARD_H, TEXT_CARD_W_PX / CARD_W);

export function lodFor(k: number): Lod {
  return k >= TEXT_K ? 'text' : CARD_H * k >= CARD_MIN_PX ? 'card' : 'dense';
}

/** Font size of card text at zoom k: 12 px at k = 1, never under MIN_TEXT_PX, at most 13 px. */
export function cardFontPx(k: number): number {
  return Math.min(13, Math.max(MIN_TEXT_PX, 12 * k));
}

/** Lines of text a card holds at zoom k (2 px above and below); 0 below the text level of detail. */
export function cardLines(k: number): number {
  if (lodFor(k) !== 'text') return 0;
  return Math.max(1, Math.floor((CARD_H * k - 4) / (cardFontPx(k) * LINE_HEIGHT)));
}
