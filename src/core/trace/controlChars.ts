/**
 * Trace text is untrusted: a model (or a hand-edited file) can put ESC sequences, BEL, CR or backspaces in a step,
 * and printed raw they recolour, rewrite or hide terminal output. Everything the CLI prints from a trace goes
 * through these, which turn C0 / DEL / C1 control characters into visible escapes (`\x1b`, `\x9b`, `\r`, …).
 */

// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F): the ranges terminals act on.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
// What JSON.stringify leaves raw: DEL and C1 (it escapes C0 itself).
const JSON_RAW_CONTROL = /[\u007f-\u009f]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(ch: string): string {
  return SHORT[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * `text` with every control character written as a visible escape. `keepNewlines`: leave `\n` alone, for text
 * whose line breaks are layout (multi-line error messages); a CR is always escaped, it would overwrite the line.
 */
export function escapeControlChars(text: string, opts: { keepNewlines?: boolean } = {}): string {
  // Most text has none: one test, no copy.
  if (!CONTROL.test(text)) return text;
  return text.replace(opts.keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL_ALL, visible);
}

/** JSON text (from JSON.stringify) safe for a terminal: DEL and C1 as `\u00XX` escapes, so it stays the same JSON. */
export function escapeJsonControlChars(json: string): string {
  return json.replace(JSON_RAW_CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
