/**
 * Level of detail and legible text sizes, shared by the renderer, the camera moves and the tests (no DOM here).
 * Measured in the harness's Chromium with VS Code's font stack (system-ui → DejaVu Sans here): at 11 px the font box
 * (ascent + descent) is 13 px and the ink of "Hgjy" 10 px, an average character 5.6 px.
 */
import { CARD_H } from './treeLayout';

export type Lod = 'dense' | 'card' | 'text';

/**
 * Smallest font drawn on a card, in CSS pixels: nothing smaller is ever drawn (below the text level of detail cards
 * carry no text at all). 11 px is VS Code's own smallest UI text (badges, the status bar's small items).
 */
export const MIN_TEXT_PX = 11;

/**
 * Card height on screen from which cards carry text: 17 px holds one 11 px line (13 px font box) with 2 px above and
 * below, at k ≥ 0.61 (CARD_H = 28). Below it a card is a coloured box with no text (the tooltip names it).
 */
export const TEXT_CARD_PX = 17;

/** Below this card height cards are 1-px-per-row bars (a heatmap of the encoding). */
export const CARD_MIN_PX = 4;

/** Smallest zoom where cards carry text. */
export const TEXT_K = TEXT_CARD_PX / CARD_H;

export function lodFor(k: number): Lod {
  const h = CARD_H * k;
  return h >= TEXT_CARD_PX ? 'text' : h >= CARD_MIN_PX ? 'card' : 'dense';
}

/** Font size of card text at zoom k: 12 px at k = 1, never under MIN_TEXT_PX, at most 13 px. */
export function cardFontPx(k: number): number {
  return Math.min(13, Math.max(MIN_TEXT_PX, 12 * k));
}
