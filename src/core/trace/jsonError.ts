/**
 * Deepest nesting of arrays and objects a trace file may have. A v1 trace nests about 10 levels (its tree is a flat
 * node list); deeper text is hostile or not a trace, and refusing it up front keeps every later step (the error
 * finder below, schema checks, error paths) within bounds.
 */
export const MAX_JSON_NESTING = 512;

/**
 * Offset of the first `[` or `{` nested deeper than `limit`, or -1. One pass that jumps over strings with indexOf,
 * so it costs little next to JSON.parse on a large trace. Only string syntax matters here: other syntax errors are
 * JSON.parse's to report.
 */
export function findDeepNesting(text: string, limit = MAX_JSON_NESTING): number {
  return scanNesting(text, { pos: 0, depth: 0 }, text.length, limit);
}

/** Where a nesting scan stands: the next offset to read and the depth there. */
export interface NestingScan {
  pos: number;
  depth: number;
}

/**
 * findDeepNesting over [scan.pos, end), resumable: `scan` is advanced (a string that crosses `end` is read to its
 * close), so a caller can scan a large text in slices and yield between them. Returns the offset of the first bracket
 * deeper than `limit`, or -1 (also at an unterminated string: JSON.parse reports it).
 */
export function scanNesting(text: string, scan: NestingScan, end: number, limit = MAX_JSON_NESTING): number {
  let depth = scan.depth;
  const n = Math.min(end, text.length);
  let i = scan.pos;
  for (; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 34) {
      // Skip to the closing quote: one not preceded by an odd run of backslashes.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) {
          scan.pos = text.length;
          return -1;
        }
        let k = j - 1;
        while (text.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
      }
      i = j;
    } else if (ch === 91 || ch === 123) {
      if (++depth > limit) return i;
    } else if (ch === 93 || ch === 125) depth--;
  }
  scan.pos = i;
  scan.depth = depth;
  return -1;
}

/**
 * Finds where JSON text stops being valid. V8's JSON.parse messages often carry no position ("Unexpected token"),
 * and a user fixing a hand-edited trace needs a line and column. Runs only after JSON.parse has failed. Recursive over nesting, which parseTrace has bounded by MAX_JSON_NESTING
 * before; deeper text stops the search at the first bracket past the limit.
 */
export function findJsonErrorOffset(text: string): number {
  let i = 0;
  let depth = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 34) {
        i++;
        return;
      }
      if (ch < 32) fail();
      if (ch === 92) {
        const esc = text[i + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail();
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i += 2;
        else {
          i++;
          fail();
        }
      } else i++;
    }
    fail();
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || !m[0]) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if ((ch === '{' || ch === '[') && depth >= MAX_JSON_NESTING) fail();
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        depth++;
        value();
        depth--;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        depth++;
        value();
        depth--;
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else number();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (pos) {
    if (typeof pos === 'number') return pos;
    throw pos;
  }
}
