/**
 * Character tokenizer of the embedded Countdown model. The vocabulary comes from model/vocab.json (written by
 * model/train_countdown.py): special tokens first (`<pad>`, `<bos>`), then one token per character.
 */

export interface VocabFile {
  format: string;
  tokens: string[];
  pad: number;
  bos: number;
  layers: number;
  heads: number;
  headDim: number;
  ctx: number;
}

export class CharTokenizer {
  readonly size: number;
  readonly pad: number;
  readonly bos: number;
  private readonly tokens: string[];
  private readonly index = new Map<string, number>();
  private readonly specials: Set<number>;

  constructor(vocab: Pick<VocabFile, 'tokens' | 'pad' | 'bos'>) {
    this.tokens = vocab.tokens;
    this.size = vocab.tokens.length;
    this.pad = vocab.pad;
    this.bos = vocab.bos;
    this.specials = new Set([vocab.pad, vocab.bos]);
    vocab.tokens.forEach((t, i) => {
      if (!this.specials.has(i)) this.index.set(t, i);
    });
  }

  /** True when every character of `text` is in the vocabulary. */
  covers(text: string): boolean {
    for (const ch of text) if (!this.index.has(ch)) return false;
    return true;
  }

  /** Encodes text; throws on a character outside the vocabulary unless `skipUnknown`. */
  encode(text: string, skipUnknown = false): number[] {
    const out: number[] = [];
    for (const ch of text) {
      const id = this.index.get(ch);
      if (id === undefined) {
        if (skipUnknown) continue;
        throw new Error(`character ${JSON.stringify(ch)} is not in the embedded model's vocabulary`);
      }
      out.push(id);
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
