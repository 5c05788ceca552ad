/**
 * Marker phrases of in-context search (paper §4.4) and the classification of a step by them. The lists are the
 * paper's examples plus the variants R1-style traces use most; every list is configurable.
 */

export const STEP_TYPES = ['progress', 'backtrack', 'verification', 'regret'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export interface MarkerLists {
  backtrack: readonly string[];
  verification: readonly string[];
  regret: readonly string[];
}

export const DEFAULT_MARKERS: MarkerLists = {
  backtrack: [
    'wait, but',
    'wait, no',
    'but wait',
    'alternatively',
    "this doesn't seem right",
    "that doesn't seem right",
    "that doesn't make sense",
    "that can't be right",
    "that's not right",
    "that's not quite right",
    "that's not correct",
    'let me try to think differently',
    'let me approach this differently',
    'let me try a different approach',
    'let me think again',
    'on second thought',
  ],
  verification: [
    'let me double-check',
    'let me double check',
    "let's double-check",
    "let's re-read the problem",
    'let me re-read',
    'let me check',
    "let's check",
    'let me verify',
    "let's verify",
    'let me confirm',
    'just to make sure',
    'let me recalculate',
  ],
  regret: ['i made a mistake', 'oops', 'let me reconsider', 'i was wrong', 'my mistake', 'that was a mistake'],
};

export interface Classification {
  type: StepType;
  /** The marker phrase found, as listed. */
  marker?: string;
  /** Where it starts in the step text (characters). */
  at?: number;
}

/** Curly quotes and runs of spaces as a reader would not notice them. */
export function normalizeForMarkers(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, ' ').toLowerCase();
}

const PRIORITY: Record<StepType, number> = { regret: 3, backtrack: 2, verification: 1, progress: 0 };

/**
 * The type of the longest marker phrase starting in the first `window` characters of the step (ties: the earlier,
 * then regret > backtrack > verification); `progress` when there is none. The longest wins because it is the most
 * specific: "Wait, but let me double-check" is a verification, not a backtrack. A marker deep inside a long step
 * is usually a clause ("we could alternatively…"), not a move of the search.
 */
export function classifyStep(text: string, markers: MarkerLists = DEFAULT_MARKERS, window = 60): Classification {
  const norm = normalizeForMarkers(text);
  let best: { type: StepType; marker: string; at: number } | undefined;
  for (const type of ['backtrack', 'verification', 'regret'] as const) {
    for (const phrase of markers[type]) {
      const p = normalizeForMarkers(phrase);
      let from = 0;
      while (from <= Math.min(window, norm.length)) {
        const at = norm.indexOf(p, from);
        if (at < 0 || at > window) break;
        const before = at === 0 ? '' : norm[at - 1]!;
        const after = norm[at + p.length] ?? '';
        if (!/[a-z0-9]/.test(before) && !(/[a-z0-9]/.test(after) && /[a-z0-9]$/.test(p))) {
          const len = normalizeForMarkers(best?.marker ?? '').length;
          if (!best || p.length > len || (p.length === len && (at < best.at || (at === best.at && PRIORITY[type] > PRIORITY[best.type])))) {
            best = { type, marker: phrase, at };
          }
          break;
        }
        from = at + 1;
      }
    }
  }
  return best ?? { type: 'progress' };
}

/** The step without its marker phrase and the punctuation after it: what is left to compare with earlier steps. */
export function withoutMarker(text: string, c: Classification): string {
  if (c.at === undefined || c.marker === undefined) return text;
  // `at` indexes the normalized text, so match the phrase again on the original, allowing its quote and space shapes.
  const re = new RegExp(c.marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "['\u2019]").replace(/ /g, '\\s+'), 'i');
  return text.replace(re, ' ').replace(/^[\s,.;:!?-]+/, '');
}
