/**
 * A policy whose answers a test writes: `respond(req, choiceIndex)` returns each choice's text (or a full
 * PolicyChoice). For search and fault tests that need exact texts rather than a simulated solver.
 */
import type { Policy, PolicyChoice, PolicyRequest } from '../policy';
import { tokenize } from '../tokenize';
import { promptTokenCount } from './promptParts';

export function scriptedPolicy(name: string, respond: (req: PolicyRequest, choiceIndex: number) => string | PolicyChoice): Policy {
  return {
    name,
    async generate(req) {
      const choices: PolicyChoice[] = [];
      for (let c = 0; c < req.n; c++) {
        const r = respond(req, c);
        choices.push(typeof r === 'string' ? { text: r, finishReason: 'stop' } : r);
      }
      return { choices, promptTokens: promptTokenCount(req), completionTokens: choices.map((ch) => tokenize(ch.text).length) };
    },
  };
}
