/**
 * Splits streamed model text into thinking and final content at `<think>` / `</think>` tags, chunk by chunk: a tag
 * cut across two chunks (`</thi` + `nk>`) is held back until it is complete, so any chunking gives the same split.
 * Text before `</think>` is thinking even without an opening tag (R1 prompts end with `<think>\n`); text with no
 * tags at all is all thinking. After the thinking ends, stray tags (a second `</think>`, a late `<think>`) are dropped
 * from the content: no answer text holds a think tag.
 */

export interface SplitText {
  thinking: string;
  content: string;
}

export class ThinkSplitter {
  private inThinking: boolean;
  private held = '';
  /** Tags removed from the content after the thinking: the open tag and the closing tags that are tags. */
  private readonly strayTags: readonly string[];
  /** Whether `<think>` / a closing tag was seen. */
  sawOpen = false;
  sawClose = false;

  /**
   * `closeTags`: strings that end the thinking (default `</think>`; e.g. add "\nSolution:\n" for our linearized text).
   * `startInThinking` false: all is content from the start (the thinking came in a separate reasoning field).
   */
  constructor(
    private readonly openTag = '<think>',
    private readonly closeTags: readonly string[] = ['</think>'],
    startInThinking = true,
  ) {
    this.inThinking = startInThinking;
    this.strayTags = [openTag, ...closeTags.filter((t) => t.startsWith('<'))];
  }

  push(chunk: string): SplitText {
    const out: SplitText = { thinking: '', content: '' };
    let s = this.held + chunk;
    this.held = '';
    while (s !== '') {
      if (!this.inThinking) {
        out.content += this.dropStrayTags(s);
        break;
      }
      let at = -1;
      let tag = '';
      for (const t of [this.openTag, ...this.closeTags]) {
        const i = s.indexOf(t);
        if (i >= 0 && (at < 0 || i < at)) {
          at = i;
          tag = t;
        }
      }
      if (at < 0) {
        const keep = this.partialTagSuffix(s);
        out.thinking += s.slice(0, s.length - keep);
        this.held = s.slice(s.length - keep);
        break;
      }
      out.thinking += s.slice(0, at);
      s = s.slice(at + tag.length);
      if (tag === this.openTag) this.sawOpen = true;
      else {
        this.sawClose = true;
        this.inThinking = false;
      }
    }
    return out;
  }

  /** Whatever was held back (an incomplete tag at the very end is plain text after all). */
  flush(): SplitText {
    const s = this.held;
    this.held = '';
    return this.inThinking ? { thinking: s, content: '' } : { thinking: '', content: s };
  }

  /** Content with stray tags removed; a suffix that may begin one is held back for the next chunk. */
  private dropStrayTags(s: string): string {
    let text = s;
    for (const t of this.strayTags) text = text.split(t).join('');
    const keep = this.partialTagSuffix(text, this.strayTags);
    this.held = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  /** Length of the longest suffix of `s` that could begin a tag. */
  private partialTagSuffix(s: string, tags: readonly string[] = [this.openTag, ...this.closeTags]): number {
    let best = 0;
    for (const t of tags) {
      for (let k = Math.min(t.length - 1, s.length); k > best; k--) {
        if (s.endsWith(t.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}
