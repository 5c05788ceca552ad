/**
 * A small deterministic tokenizer for the reference server: words and punctuation, each carrying the whitespace
 * before it (like GPT-style BPE), so tokens always concatenate back to the text. Counts are only approximate
 * to a real tokenizer, which is all usage accounting and `max_tokens` need here.
 */
const TOKEN = /\s*[A-Za-z0-9_]+|\s*[^\sA-Za-z0-9_]|\s+/gy;

export function tokenize(text: string): string[] {
  if (text === '') return [];
  TOKEN.lastIndex = 0;
  const out: string[] = [];
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(text)) !== null) out.push(m[0]);
  return out;
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}
