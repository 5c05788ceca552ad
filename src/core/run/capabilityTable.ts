/**
 * A probe's findings in words, one row per capability with what the client does about it: the table `metacot probe`
 * prints and the extension's "Show Capabilities" document holds (one text for both, so they never disagree).
 */
import type { Capabilities, ContinuationMode } from '../trace/schema';

export interface CapabilityRow {
  /** What was asked, e.g. "n (several choices per request)". */
  capability: string;
  /** What the server did: yes / no / unknown, or the stop or reasoning answer. */
  found: string;
  /** True when the finding is a limitation (shown as ✗). */
  lacking: boolean;
  /** What the client does about it. */
  client: string;
}

type Key = Exclude<keyof Capabilities, 'probedAt' | 'requests' | 'notes'>;

/** Short names for a one-line summary ("n ✓ logprobs ✗ …"), in table order. */
export const CAPABILITY_LABELS: Record<Key, string> = {
  n: 'n',
  logprobs: 'logprobs',
  topLogprobs: 'top_logprobs',
  stop: 'stop',
  seed: 'seed',
  continuation: 'continuation',
  completions: 'completions',
  echo: 'echo',
  reasoningField: 'reasoning',
  cachedTokens: 'cached tokens',
};

function row(key: Key, caps: Capabilities, mode: ContinuationMode | undefined): CapabilityRow {
  const v = caps[key];
  const no = v === 'no';
  switch (key) {
    case 'n':
      return { capability: 'n (several choices in one request)', found: v, lacking: no, client: no ? 'sends one request per sample; each is counted as a request, with its own tokens and cost' : v === 'yes' ? 'asks for all siblings in one request' : 'tries n once and falls back to one request per sample if fewer choices come back' };
    case 'logprobs':
      return { capability: 'logprobs (token log-probabilities)', found: v, lacking: no, client: no ? 'does not ask for them; logprob-based values are unknown, not 0' : 'records mean and min logprob per node' };
    case 'topLogprobs':
      return { capability: 'top_logprobs (alternatives per token)', found: v, lacking: no, client: no ? 'nothing depends on them: only the chosen tokens are used' : 'available (not needed by the search)' };
    case 'stop':
      return {
        capability: 'stop (a step ends at a blank line)',
        found: v,
        lacking: v === 'ignored' || v === 'keeps',
        client: v === 'ignored' ? 'cuts each step at the delimiter itself and records the cut (the text past it is not kept)' : v === 'keeps' ? 'removes the stop text the server leaves at the end of a step' : v === 'cuts' ? 'relies on the server to end steps' : 'cuts at the delimiter itself when a step holds more than one',
      };
    case 'seed':
      return { capability: 'seed (same seed, same text)', found: v, lacking: no, client: no ? 'runs are not reproducible from their seed; the replay cache still answers identical requests' : 'varies the seed per separate sample so siblings differ' };
    case 'continuation':
      return {
        capability: 'continuation (continue_final_message)',
        found: v,
        lacking: no,
        client: no
          ? `chat-continue is not usable: falls back to completions mode when served, else to chat with the partial steps in the prompt (said once per run)${mode === 'chat-continue' ? '; this endpoint is set to chat-continue' : ''}`
          : 'chat-continue mode continues the assistant message (prefix-cache friendly)',
      };
    case 'completions':
      return { capability: '/v1/completions', found: v, lacking: no, client: no ? `completions mode is not usable${mode === 'completions' ? ' (this endpoint is set to it)' : ''}; chat modes still work` : 'completions mode and the chat-continue fallback can use it' };
    case 'echo':
      return { capability: 'echo (prompt returned before the completion)', found: v, lacking: no, client: 'not used by the client' };
    case 'reasoningField':
      return { capability: 'reasoning text', found: v, lacking: false, client: v === 'none' ? 'none seen; <think> tags and reasoning fields are still kept apart if they appear' : `kept apart from the answer (${v === 'think-tags' ? 'inline <think> tags' : `the ${v} field`})` };
    case 'cachedTokens':
      return { capability: 'cached prompt tokens (usage)', found: v, lacking: no, client: no ? 'cached tokens are recorded as unknown, not 0' : 'records the prompt tokens served from the prefix cache' };
  }
}

/** The table's rows, in a fixed order. `mode`: the endpoint's configured mode, named where a finding affects it. */
export function capabilityRows(caps: Capabilities, mode?: ContinuationMode): CapabilityRow[] {
  return (Object.keys(CAPABILITY_LABELS) as Key[]).map((k) => row(k, caps, mode));
}

/** "n ✓ logprobs ✗ stop cuts …": one line for a notification. */
export function capabilitySummary(caps: Capabilities): string {
  return (Object.keys(CAPABILITY_LABELS) as Key[])
    .map((k) => {
      const v = caps[k];
      const mark = v === 'yes' ? '✓' : v === 'no' ? '✗' : v;
      return `${CAPABILITY_LABELS[k]} ${mark}`;
    })
    .join(' ');
}

/** A markdown document: the table, then the server's words for what it refused. */
export function capabilityMarkdown(title: string, caps: Capabilities, mode?: ContinuationMode): string {
  // Server notes are the server's own text: HTML in them (or a bare <think>) must show as text, not as markup.
  const cell = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# ${cell(title)}`,
    '',
    `Probed ${caps.probedAt} with ${caps.requests} request${caps.requests === 1 ? '' : 's'}.`,
    '',
    '| capability | found | what the client does |',
    '| --- | --- | --- |',
    ...capabilityRows(caps, mode).map((r) => `| ${cell(r.capability)} | ${r.lacking ? '✗ ' : r.found === 'yes' ? '✓ ' : ''}${cell(r.found)} | ${cell(r.client)} |`),
  ];
  if (caps.notes?.length) lines.push('', '## What the server said', '', ...caps.notes.map((n) => `- ${cell(n)}`));
  return `${lines.join('\n')}\n`;
}
