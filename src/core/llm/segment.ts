/**
 * Cutting generated text into steps and separating reasoning from the answer. A step ends at the stop sequence
 * (the server cuts there) or, when a `stepPattern` regex is configured, at its first match after the step's
 * start. Reasoning arrives as `reasoning_content` or inline as `<think>…</think>`; both are kept apart from the answer.
 */

const OPEN = '<think>';
const CLOSE = '</think>';
const dropTags = (s: string): string => s.split(OPEN).join('').split(CLOSE).join('');

/**
 * Splits `<think>…</think>` out of content, like `splitThinking`, and says where the answer starts in `content`
 * (`answerStart`, when the answer is one piece) so logprobs can be summarised over the answer's tokens only.
 */
export function splitThinkingAt(content: string): { answer: string; thinking?: string; answerStart?: number } {
  const firstOpen = content.indexOf(OPEN);
  const firstClose = content.indexOf(CLOSE);
  if (firstOpen < 0 && firstClose < 0) return { answer: content, answerStart: 0 };
  // R1-style templates put `<think>` in the prompt: a `</think>` before any `<think>` ends thinking begun at the start.
  let inThink = firstClose >= 0 && (firstOpen < 0 || firstClose < firstOpen);
  const thinking: string[] = [];
  const answer: { text: string; at: number }[] = [];
  let i = 0;
  while (i <= content.length) {
    const tag = inThink ? CLOSE : OPEN;
    const at = content.indexOf(tag, i);
    const raw = content.slice(i, at < 0 ? content.length : at);
    // A stray tag of the other kind (a `</think>` in the answer, a nested `<think>`) is dropped: no text keeps a tag.
    const clean = dropTags(raw);
    const piece = clean.trim();
    if (piece !== '') {
      if (inThink) thinking.push(piece);
      // The offset is only meaningful when no stray tag was dropped from the piece.
      else answer.push({ text: piece, at: clean === raw ? i + (raw.length - raw.trimStart().length) : -1 });
    }
    if (at < 0) break;
    i = at + tag.length;
    inThink = !inThink;
  }
  const out: { answer: string; thinking?: string; answerStart?: number } = { answer: answer.map((a) => a.text).join('\n\n'), thinking: thinking.join('\n\n') };
  if (answer.length === 1 && answer[0]!.at >= 0) out.answerStart = answer[0]!.at;
  return out;
}

/** Splits `<think>…</think>` out of content. Handles R1-style output whose `<think>` was in the prompt (only `</think>`), and a thought cut off by max_tokens. */
export function splitThinking(content: string): { answer: string; thinking?: string } {
  const { answerStart: _a, ...split } = splitThinkingAt(content);
  return split;
}

/** What `enforceStop` did: 'cut' (the server ran past a stop string), 'removed' (it kept the stop string at the end). */
export interface StopEnforcement {
  text: string;
  action?: 'cut' | 'removed';
  /** Characters of the input kept (the logprob summary covers only these). */
  keptChars: number;
}

/**
 * The text up to the first stop string, as a server that honours `stop` would have returned it. Servers that ignore
 * `stop` (or keep the stop text) otherwise put several steps into one node. Leading white space is skipped so a
 * blank-line stop does not match a continuation's leading newlines.
 */
export function enforceStop(text: string, stops: readonly string[]): StopEnforcement {
  const lead = text.length - text.trimStart().length;
  let at = -1;
  let len = 0;
  for (const s of stops) {
    if (s === '') continue;
    const i = text.indexOf(s, lead);
    if (i >= 0 && (at < 0 || i < at)) ((at = i), (len = s.length));
  }
  if (at < 0) return { text, keptChars: text.length };
  const rest = text.slice(at + len);
  return { text: text.slice(0, at), action: rest.trim() === '' ? 'removed' : 'cut', keptChars: at };
}

function boundaryRegex(pattern: string): RegExp {
  return new RegExp(pattern, 'gm');
}

/** The first step of `text`: up to the first boundary match that is not at the very start. */
export function cutFirstStep(text: string, stepPattern?: string): { step: string; cut: boolean; keptChars: number } {
  const lead = text.length - text.trimStart().length;
  if (stepPattern) {
    const re = boundaryRegex(stepPattern);
    for (const m of text.matchAll(re)) {
      const at = m.index ?? 0;
      if (at <= lead || (m[0].length === 0 && at === 0)) continue;
      return { step: text.slice(0, at).trim(), cut: true, keptChars: at };
    }
  }
  return { step: text.trim(), cut: false, keptChars: text.length };
}

/** All steps of a full solution (default boundary: a blank line). Empty pieces are dropped. */
export function splitSteps(text: string, stepPattern?: string): string[] {
  const re = stepPattern ? boundaryRegex(stepPattern) : /\n[ \t]*\n/gm;
  const out: string[] = [];
  let from = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (at === 0 && m[0].length === 0) continue;
    out.push(text.slice(from, at));
    // Pattern boundaries that match a header ("Step 2:") start the next step; blank-line boundaries are dropped.
    from = stepPattern ? at : at + m[0].length;
  }
  out.push(text.slice(from));
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}
