/**
 * Cutting generated text into steps and separating reasoning from the answer. A step ends at the stop sequence
 * (the server cuts there) or, when a `stepPattern` regex is configured, at its first match after the step's
 * start. Reasoning arrives as `reasoning_content` or inline as `<think>…</think>`; both are kept apart from the answer.
 */

/** Splits `<think>…</think>` out of content. Handles R1-style output whose `<think>` was in the prompt (only `</think>`), and a thought cut off by max_tokens. */
export function splitThinking(content: string): { answer: string; thinking?: string } {
  const open = content.indexOf('<think>');
  const close = content.indexOf('</think>');
  if (open < 0 && close < 0) return { answer: content };
  if (close < 0) return { answer: content.slice(0, open).trim(), thinking: content.slice(open + 7).trim() };
  const start = open >= 0 && open < close ? open + 7 : 0;
  const before = open >= 0 && open < close ? content.slice(0, open) : '';
  return { answer: (before + content.slice(close + 8)).trim(), thinking: content.slice(start, close).trim() };
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
