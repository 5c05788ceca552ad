/**
 * A ChatML-style template, so the server sees one prompt string per request like vLLM / SGLang do: used for
 * prompt-token counts, the simulated prefix cache and the request log. `continueFinalMessage` leaves the last
 * assistant turn open (vLLM's `continue_final_message`), instead of opening a new one.
 */
import type { PolicyMessage } from './policy';

export function renderChatTemplate(messages: readonly PolicyMessage[], opts: { addGenerationPrompt: boolean; continueFinalMessage: boolean }): string {
  let out = '';
  messages.forEach((m, i) => {
    const last = i === messages.length - 1;
    if (last && opts.continueFinalMessage && m.role === 'assistant') {
      out += `<|im_start|>assistant\n${m.content}`;
      return;
    }
    out += `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`;
  });
  if (opts.addGenerationPrompt && !opts.continueFinalMessage) out += '<|im_start|>assistant\n';
  return out;
}
