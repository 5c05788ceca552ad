/**
 * Tokenizer of the embedded models. The vocabulary comes from the model's JSON file (model/vocab.json for the step
 * policy, model/countdown-*.json for the reasoners): special tokens first (`<pad>`, `<bos>`, and `<eos>` for the
 * reasoners), then the text tokens. Encoding is greedy longest match (at each position the longest text token the
 * text starts with), as model/train_reasoner.py does; with the policy's one-character vocabulary that is exactly one
 * token per character.
 */

export interface VocabFile {
  format: string;
  tokens: string[];
  pad: number;
  bos: number;
  /** end of text (the reasoners; the step policy has none) */
  eos?: number;
  layers: number;
  heads: number;
  headDim: number;
  ctx: number;
}

export class GreedyTokenizer {
  readonly size: number;
  readonly pad: number;
  readonly bos: number;
  /** end-of-text id, or -1 when the vocabulary has none */
  readonly eos: number;
  private readonly tokens: string[];
  private readonly index = new Map<string, number>();
  private readonly specials: Set<number>;
  /** the longest text token, in UTF-16 code units (how far a match may reach) */
  private readonly maxLen: number;

  constructor(vocab: Pick<VocabFile, 'tokens' | 'pad' | 'bos' | 'eos'>) {
    this.tokens = vocab.tokens;
    this.size = vocab.tokens.length;
    this.pad = vocab.pad;
    this.bos = vocab.bos;
    this.eos = vocab.eos ?? -1;
    this.specials = new Set([vocab.pad, vocab.bos, ...(vocab.eos !== undefined ? [vocab.eos] : [])]);
    let maxLen = 1;
    vocab.tokens.forEach((t, i) => {
      if (this.specials.has(i) || t === '') return;
      // a token listed twice keeps its first id
      if (!this.index.has(t)) this.index.set(t, i);
      maxLen = Math.max(maxLen, t.length);
    });
    this.maxLen = maxLen;
  }

  /** The id of the longest text token at `pos`, with its length; undefined when none matches there. */
  private match(text: string, pos: number): { id: number; len: number } | undefined {
    for (let len = Math.min(this.maxLen, text.length - pos); len >= 1; len--) {
      const id = this.index.get(text.slice(pos, pos + len));
      if (id !== undefined) return { id, len };
    }
    return undefined;
  }

  /** True when the whole of `text` can be encoded. */
  covers(text: string): boolean {
    for (let pos = 0; pos < text.length; ) {
      const m = this.match(text, pos);
      if (!m) return false;
      pos += m.len;
    }
    return true;
  }

  /** Encodes text; throws on a character no token starts with unless `skipUnknown` (then that character is dropped). */
  encode(text: string, skipUnknown = false): number[] {
    const out: number[] = [];
    for (let pos = 0; pos < text.length; ) {
      const m = this.match(text, pos);
      if (m) {
        out.push(m.id);
        pos += m.len;
        continue;
      }
      // a whole code point, so an astral character is named (and skipped) as one
      const ch = String.fromCodePoint(text.codePointAt(pos)!);
      if (!skipUnknown) throw new Error(`character ${JSON.stringify(ch)} is not in the embedded model's vocabulary`);
      pos += ch.length;
    }
    return out;
  }

  isSpecial(id: number): boolean {
    return this.specials.has(id);
  }

  /** The text of one token (special tokens decode to ''). */
  token(id: number): string {
    return this.isSpecial(id) ? '' : (this.tokens[id] ?? '');
  }

  decode(ids: number[]): string {
    return ids.map((id) => this.token(id)).join('');
  }
}

/** The step policy's name for the tokenizer (its vocabulary is one character per token). */
export const CharTokenizer = GreedyTokenizer;
export type CharTokenizer = GreedyTokenizer;
