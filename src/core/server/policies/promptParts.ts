/**
 * How simulated policies read a request: the problem text and the partial solution to continue, whatever the
 * continuation mode. chat-continue: the open assistant message is the partial solution. Otherwise the partial
 * solution follows the last "Solution so far:" / "Solution:" line (the endpoint client's prompt layout), or the
 * problem itself when there is no such line.
 */
import type { PolicyRequest } from '../policy';
import { countTokens } from '../tokenize';

export interface PromptParts {
  /** Everything before the partial solution. */
  context: string;
  /** The partial solution (may be empty). */
  partial: string;
}

const SOLUTION_MARKER = /^(?:Solution so far|Partial solution|Solution):[ \t]*$/gim;

export function promptParts(req: PolicyRequest): PromptParts {
  const messages = req.messages ?? [];
  const last = messages[messages.length - 1];
  if (req.continueFinalMessage && last && last.role === 'assistant') {
    return { context: messages.slice(0, -1).map((m) => m.content).join('\n\n'), partial: last.content };
  }
  const text = req.prompt ?? messages.map((m) => m.content).join('\n\n');
  let cut = -1;
  let markerEnd = -1;
  for (const m of text.matchAll(SOLUTION_MARKER)) {
    cut = m.index ?? -1;
    markerEnd = cut + m[0].length;
  }
  if (cut < 0) return { context: text, partial: '' };
  return { context: text.slice(0, cut), partial: text.slice(markerEnd) };
}

/** Token count of everything the policy was shown (the server recounts with its chat template; this is a fallback). */
export function promptTokenCount(req: PolicyRequest): number {
  return countTokens(req.prompt ?? (req.messages ?? []).map((m) => m.content).join('\n'));
}

/**
 * Text to write after the partial solution: the separator a continuation needs so the next step starts
 * on its own paragraph (nothing when the partial already ends with a blank line or is empty).
 */
export function continuationLead(req: PolicyRequest, partial: string): string {
  // In plain chat the reply is a new message: nothing to separate from.
  if (!req.continueFinalMessage && req.prompt === undefined) return '';
  if (partial.trim() === '') return '';
  if (/\n\s*\n\s*$/.test(partial)) return '';
  return partial.endsWith('\n') ? '\n' : '\n\n';
}
