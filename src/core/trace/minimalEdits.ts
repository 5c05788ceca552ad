/**
 * Smallest text replacements that turn one serialization of a trace into the next. The custom editor applies these
 * as one WorkspaceEdit, so VS Code's own undo restores the exact previous bytes and a 10k-node file is never replaced
 * wholesale for a one-node edit. Pure: no vscode import, offsets are into the old text.
 */

export interface TextReplacement {
  /** Offset in the old text where the replaced span starts. */
  start: number;
  /** Offset in the old text where the replaced span ends (exclusive). */
  end: number;
  text: string;
}

/** Below this many characters of differing middle, one replacement is as good as a line diff. */
const SMALL_MIDDLE = 160;
/** Line-diff edit distance beyond which a single replacement is cheaper than finding the hunks. */
const MAX_LINE_EDITS = 400;

export function minimalEdits(oldText: string, newText: string): TextReplacement[] {
  if (oldText === newText) return [];
  const prefix = commonPrefix(oldText, newText, 0, 0);
  const suffix = commonSuffix(oldText, newText, prefix);
  const oldEnd = oldText.length - suffix;
  const newEnd = newText.length - suffix;
  if (oldEnd - prefix <= SMALL_MIDDLE || newEnd - prefix <= SMALL_MIDDLE) {
    return [{ start: prefix, end: oldEnd, text: newText.slice(prefix, newEnd) }];
  }
  // Edits of a trace touch a few scattered places (a node, the events tail, usage): diff by lines, then trim each hunk.
  const a = splitLines(oldText, prefix, oldEnd);
  const b = splitLines(newText, prefix, newEnd);
  const hunks = lineDiff(a.lines, b.lines, MAX_LINE_EDITS);
  if (!hunks) return [{ start: prefix, end: oldEnd, text: newText.slice(prefix, newEnd) }];
  const out: TextReplacement[] = [];
  for (const h of hunks) {
    const os = a.offsets[h.aStart]!;
    const oe = a.offsets[h.aEnd]!;
    const ns = b.offsets[h.bStart]!;
    const ne = b.offsets[h.bEnd]!;
    // Trim the hunk to the characters that really differ.
    let p = 0;
    while (os + p < oe && ns + p < ne && oldText.charCodeAt(os + p) === newText.charCodeAt(ns + p)) p++;
    let s = 0;
    while (oe - s > os + p && ne - s > ns + p && oldText.charCodeAt(oe - s - 1) === newText.charCodeAt(ne - s - 1)) s++;
    out.push({ start: os + p, end: oe - s, text: newText.slice(ns + p, ne - s) });
  }
  return out;
}

/** Applies replacements (non-overlapping, any order) to the old text: the inverse check used by tests. */
export function applyEdits(oldText: string, edits: readonly TextReplacement[]): string {
  const sorted = [...edits].sort((x, y) => x.start - y.start);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    out += oldText.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + oldText.slice(pos);
}

function commonPrefix(a: string, b: string, ai: number, bi: number): number {
  const max = Math.min(a.length - ai, b.length - bi);
  let i = 0;
  while (i < max && a.charCodeAt(ai + i) === b.charCodeAt(bi + i)) i++;
  return i;
}

function commonSuffix(a: string, b: string, prefix: number): number {
  const max = Math.min(a.length, b.length) - prefix;
  let i = 0;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  return i;
}

/** Lines of text[from, to) including their newline; offsets[k] = start of line k, offsets[n] = to. */
function splitLines(text: string, from: number, to: number): { lines: string[]; offsets: number[] } {
  const lines: string[] = [];
  const offsets: number[] = [];
  let pos = from;
  while (pos < to) {
    offsets.push(pos);
    let nl = text.indexOf('\n', pos);
    if (nl < 0 || nl >= to) nl = to - 1;
    lines.push(text.slice(pos, nl + 1));
    pos = nl + 1;
  }
  offsets.push(to);
  return { lines, offsets };
}

interface Hunk {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/**
 * Myers' O((N+M)·D) diff over lines; null when more than maxD lines differ. Returns maximal runs of differing lines.
 */
function lineDiff(a: readonly string[], b: readonly string[], maxD: number): Hunk[] | null {
  const n = a.length;
  const m = b.length;
  const offset = maxD + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= maxD && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return null;
  // Walk back through the saved frontiers to recover which lines were deleted / inserted.
  const aChanged = new Uint8Array(n);
  const bChanged = new Uint8Array(m);
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
    }
    if (x === prevX) bChanged[prevY] = 1;
    else aChanged[prevX] = 1;
    x = prevX;
    y = prevY;
  }
  const hunks: Hunk[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && !aChanged[i] && !bChanged[j]) {
      i++;
      j++;
      continue;
    }
    const h: Hunk = { aStart: i, aEnd: i, bStart: j, bEnd: j };
    while ((i < n && aChanged[i]) || (j < m && bChanged[j])) {
      while (i < n && aChanged[i]) i++;
      while (j < m && bChanged[j]) j++;
    }
    h.aEnd = i;
    h.bEnd = j;
    hunks.push(h);
  }
  return hunks;
}
