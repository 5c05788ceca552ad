/**
 * Prompt layout for the three continuation modes. Rule: the problem comes first, then the steps in order, and
 * anything that varies per request (purpose wording, judge questions) comes after the steps. So siblings send
 * byte-identical prompts and a descendant's prompt starts with its ancestor's problem + steps, which is what
 * vLLM / SGLang prefix caches need to hit. Nothing variable (ids, timestamps) is ever put in a prompt.
 */
import type { GenerateRequest } from './generator';
import type { EndpointConfig } from './endpointConfig';

export const STEP_SEPARATOR = '\n\n';
export const DEFAULT_SYSTEM_PROMPT =
  'Solve the problem step by step. Write one step per paragraph, with a blank line between steps. End with the final answer.';
export const DEFAULT_COMPLETIONS_TEMPLATE = 'Problem: {problem}\n\nSolution:\n\n{steps}';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type WirePrompt =
  | { kind: 'chat'; messages: ChatMessage[]; continueFinalMessage: boolean }
  | { kind: 'completions'; prompt: string };

/** Earlier attempts (revision) rendered after the problem: fixed once the attempts are fixed. */
function contextBlock(req: GenerateRequest): string {
  if (req.purpose !== 'revision' || !req.context || req.context.length === 0) return '';
  return `\n\nPrevious attempts:\n\n${req.context.map((a, i) => `Attempt ${i + 1}:\n${a}`).join('\n\n')}`;
}

function instruction(req: GenerateRequest): string {
  const started = req.steps.length > 0;
  switch (req.purpose) {
    case 'step':
      return started ? 'Continue with the next step only.' : 'Write the first step only.';
    case 'full':
    case 'rollout':
      return started ? 'Continue the solution to the end.' : 'Solve the problem.';
    case 'revision':
      return started ? 'Continue this new attempt to the end.' : 'Write a new attempt that avoids the mistakes of the previous ones.';
    case 'judge':
      return (req.context ?? []).join('\n\n');
  }
}

const partialBlock = (steps: readonly string[]): string => (steps.length === 0 ? '' : `\n\nSolution so far:\n\n${steps.join(STEP_SEPARATOR)}`);

export function buildPrompt(config: Pick<EndpointConfig, 'mode' | 'systemPrompt' | 'promptTemplate'>, req: GenerateRequest): WirePrompt {
  const system: ChatMessage = { role: 'system', content: config.systemPrompt ?? DEFAULT_SYSTEM_PROMPT };
  const head = req.problem + contextBlock(req);
  if (config.mode === 'completions') {
    const template = config.promptTemplate ?? DEFAULT_COMPLETIONS_TEMPLATE;
    const steps = req.steps.map((s) => s + STEP_SEPARATOR).join('');
    // A judge question has to follow the steps; everything else continues right after them.
    const tail = req.purpose === 'judge' ? `${instruction(req)}\n\n` : '';
    const values: Record<string, string> = { problem: head, steps: steps + tail, context: '' };
    // One pass over the template: inserted text ("$&", "{steps}" inside a problem) is never re-read as a placeholder.
    const prompt = template.replace(/\{(problem|steps|context)\}/g, (_m, k: string) => values[k] ?? '');
    return { kind: 'completions', prompt };
  }
  if (config.mode === 'chat-continue' && req.purpose !== 'judge') {
    const messages: ChatMessage[] = [system, { role: 'user', content: head }];
    if (req.steps.length === 0) return { kind: 'chat', messages, continueFinalMessage: false };
    messages.push({ role: 'assistant', content: req.steps.join(STEP_SEPARATOR) + STEP_SEPARATOR });
    return { kind: 'chat', messages, continueFinalMessage: true };
  }
  const user = `${head}${partialBlock(req.steps)}\n\n${instruction(req)}`;
  return { kind: 'chat', messages: [system, { role: 'user', content: user }], continueFinalMessage: false };
}
