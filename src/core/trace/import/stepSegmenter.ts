/**
 * Cuts streamed thinking text into steps, incrementally: a boundary is decided only once the characters it depends
 * on have arrived, so feeding the text in any chunks yields exactly the steps of feeding it at once.
 * Boundaries: a blank line; in `sentence` mode also a sentence end (`.`, `?`, `!` then whitespace then a capital,
 * a digit, `**`, `\`, a quote or `[`), never inside display or inline math (`\[…\]`, `$$…$$`, `\(…\)`), never after a
 * list number (`1.`) or a common abbreviation; and before a `[BACK]` token that does not start the step.
 * Each step keeps the whitespace before it (`sep`), so the steps concatenate back to the exact text.
 */

export type SegmentMode = 'sentence' | 'paragraph';

export interface RawStep {
  text: string;
  /** Whitespace between the previous step and this one. */
  sep: string;
  /** Offset of `text` in the whole thinking text. */
  start: number;
}

const SENTENCE_END = '.?!';
const CLOSERS = `"')\u201d\u2019`;
const NEXT_START = /[A-Z0-9*\\"'[\u201c\u2018]/;
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'approx', 'cf', 'fig', 'eq', 'dr', 'mr', 'mrs']);

export class StepSegmenter {
  private buf = '';
  /** Offset of `buf` in the whole text. */
  private base = 0;
  private i = 0;
  private contentStart = -1;
  /** Open math: the closing delimiter we wait for. */
  private mathClose: string | undefined;

  constructor(
    private readonly mode: SegmentMode = 'sentence',
    private readonly backToken = '[BACK]',
  ) {}

  push(text: string): RawStep[] {
    this.buf += text;
    return this.scan(false);
  }

  /** The rest as a last step; `tail` is the whitespace after it. */
  flush(): { steps: RawStep[]; tail: string } {
    const steps = this.scan(true);
    const rest = this.buf;
    const content = rest.trimStart();
    if (content.trim() !== '') {
      const sepLen = rest.length - content.length;
      const textBody = content.trimEnd();
      steps.push({ sep: rest.slice(0, sepLen), text: textBody, start: this.base + sepLen });
      this.buf = content.slice(textBody.length);
    }
    const tail = this.buf;
    this.buf = '';
    this.i = 0;
    this.contentStart = -1;
    this.mathClose = undefined;
    return { steps, tail };
  }

  private scan(final: boolean): RawStep[] {
    const out: RawStep[] = [];
    const b = () => this.buf;
    while (this.i < b().length) {
      const buf = b();
      const i = this.i;
      const ch = buf[i]!;
      if (this.contentStart < 0) {
        if (/\s/.test(ch)) {
          this.i++;
          continue;
        }
        this.contentStart = i;
      }
      // Need a few characters of lookahead for every rule below; wait for them unless the text is complete.
      const need = (n: number) => !final && i + n > buf.length;

      if (ch === '\n') {
        let j = i + 1;
        while (j < buf.length && (buf[j] === ' ' || buf[j] === '\t' || buf[j] === '\r')) j++;
        if (j >= buf.length && !final) break;
        if (buf[j] === '\n') {
          this.mathClose = undefined; // a blank line ends any unclosed math: a model's stray `\(` must not swallow the rest
          out.push(this.cut(i));
          continue;
        }
        this.i++;
        continue;
      }
      if (ch === '\\' || ch === '$') {
        if (need(2)) break;
        const two = buf.slice(i, i + 2);
        if (this.mathClose !== undefined) {
          if (two === this.mathClose) {
            this.mathClose = undefined;
            this.i += 2;
            continue;
          }
        } else if (two === '\\[') {
          this.mathClose = '\\]';
          this.i += 2;
          continue;
        } else if (two === '\\(') {
          this.mathClose = '\\)';
          this.i += 2;
          continue;
        } else if (two === '$$') {
          this.mathClose = '$$';
          this.i += 2;
          continue;
        }
        this.i += ch === '\\' ? 2 : 1; // an escaped character is never a boundary
        continue;
      }
      if (ch === this.backToken[0] && i > this.contentStart) {
        if (need(this.backToken.length)) break;
        if (buf.startsWith(this.backToken, i) && !this.onlyTokensSoFar(buf, i)) {
          out.push(this.cut(i));
          continue;
        }
      }
      if (this.mode === 'sentence' && this.mathClose === undefined && SENTENCE_END.includes(ch)) {
        let j = i + 1;
        while (j < buf.length && CLOSERS.includes(buf[j]!)) j++;
        if (j >= buf.length && !final) break;
        if (j < buf.length && /\s/.test(buf[j]!)) {
          let k = j;
          while (k < buf.length && /\s/.test(buf[k]!)) k++;
          // `*` starts a sentence only as bold (`**Final Answer**`), not as a product (`2! * 3!`).
          if (k + (buf[k] === '*' ? 1 : 0) >= buf.length && !final) break;
          const starts = k < buf.length && NEXT_START.test(buf[k]!) && (buf[k] !== '*' || buf[k + 1] === '*');
          if (starts && !this.noSentenceEnd(buf, i)) {
            out.push(this.cut(j));
            continue;
          }
          // Whitespace holding a blank line is handled by the newline rule.
          this.i = j;
          continue;
        }
      }
      this.i++;
    }
    return out;
  }

  /** `[BACK] [BACK]` at the start of a step belong to it. */
  private onlyTokensSoFar(buf: string, i: number): boolean {
    return buf.slice(this.contentStart, i).split(this.backToken).every((part) => part.trim() === '');
  }

  /** A period after a list number (`1.`) or an abbreviation is not a sentence end. */
  private noSentenceEnd(buf: string, i: number): boolean {
    if (buf[i] !== '.') return false;
    const soFar = buf.slice(this.contentStart, i);
    if (/^\s*(?:\d+|[a-zA-Z]|[ivxIVX]+)$/.test(soFar)) return true;
    const word = /([A-Za-z.]+)$/.exec(soFar);
    return word !== null && ABBREVIATIONS.has(word[1]!.toLowerCase());
  }

  /** Ends the current step at `end` (its trailing whitespace goes to the next step's `sep`). */
  private cut(end: number): RawStep {
    const raw = this.buf.slice(this.contentStart, end);
    const text = raw.trimEnd();
    const step = { sep: this.buf.slice(0, this.contentStart), text, start: this.base + this.contentStart };
    const consumed = this.contentStart + text.length;
    this.buf = this.buf.slice(consumed);
    this.base += consumed;
    this.i = 0;
    this.contentStart = -1;
    this.mathClose = undefined;
    return step;
  }
}
