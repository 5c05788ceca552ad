/**
 * The embedded Countdown model as a reference-server `Policy` (docs/CONTRACTS.md).
 *
 * Input: the last Countdown problem statement found in the chat messages (or the completions prompt), and the
 * steps so far: step lines after that statement in the last user message (chat mode: the partial solution is
 * placed in the prompt), in the final assistant message (`continueFinalMessage`), or in the completions prompt.
 * Step lines are re-rendered canonically (`a op b = c (left: ...)`), so `5x3=15` works too.
 *
 * Output: the model writes one line per step; in the returned text a step is followed by a blank line, so the
 * default stop (a blank line) gives one step per request, and an empty `stop` gives the whole remaining solution,
 * ending with the `Answer:` line. A finished `Answer:` line always ends the choice ('stop').
 */
import { randomInt } from 'node:crypto';
import type { Policy, PolicyChoice, PolicyRequest, PolicyResult } from '../server/policy';
import {
  applyStep,
  type CountdownProblem,
  findProblem,
  isAnswerLine,
  parseStep,
  promptLine,
  stepLine,
  unreadableProblemMessage,
} from './countdown';
import { explainCountdownProblem } from '../problems/countdown';
import { EmbeddedModelError } from './modelFiles';
import { POLICY_MODEL_ID } from './embeddedNames';
import { EmbeddedModel, type LoadOptions } from './model';

/** What the policy feeds the model, parsed from a request. */
export interface PolicyInput {
  problem: CountdownProblem;
  /** complete step lines so far, canonical */
  steps: string[];
  /** an unfinished step line to continue (continue / completions mode only) */
  partial: string;
  /** text put before the generated text so that `partial answer + output` stays well formed */
  separator: string;
  /** an Answer line is already there: nothing to add */
  finished: boolean;
}

const STEP_SEPARATOR = '\n\n';

/** A request whose problem the model cannot read: the caller's mistake (the loopback server answers 400). */
export class UnreadableProblemError extends EmbeddedModelError {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableProblemError';
  }
}

export function parsePolicyRequest(req: Pick<PolicyRequest, 'messages' | 'prompt' | 'continueFinalMessage'>): PolicyInput {
  // texts holding the steps so far; `continued` marks the one the output is appended to
  let problemText: string | undefined;
  let continuation: string | undefined;
  if (req.prompt !== undefined && (!req.messages || req.messages.length === 0)) {
    problemText = req.prompt;
    continuation = req.prompt;
  } else {
    const msgs = req.messages ?? [];
    const last = msgs.at(-1);
    const partialAnswer = req.continueFinalMessage && last?.role === 'assistant' ? last : undefined;
    const head = partialAnswer ? msgs.slice(0, -1) : msgs;
    // the messages before any partial answer, read as one text: the last problem statement in them counts, and
    // step lines after it (e.g. under "Solution so far:") are the steps so far
    problemText = head.map((m) => m.content).join('\n\n');
    continuation = partialAnswer?.content;
  }
  const found = problemText === undefined ? undefined : findProblem(problemText);
  if (!found || problemText === undefined) {
    // name what was read in the user's words (the last user message), not the system prompt in front of it
    const userText = [...(req.messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? problemText ?? '';
    const read = explainCountdownProblem(userText);
    throw new UnreadableProblemError(unreadableProblemMessage(read.ok ? 'no Countdown problem before the steps' : read.reason));
  }
  let afterProblem = problemText.slice(found.end);
  // the endpoint client's layout: steps follow the last "Solution so far:" line; earlier attempts (revision) are
  // not steps of this attempt
  const markers = [...afterProblem.matchAll(/^(?:Solution so far|Partial solution|Solution):[ \t]*$/gim)];
  const lastMarker = markers.at(-1);
  if (lastMarker) afterProblem = afterProblem.slice(lastMarker.index + lastMarker[0].length);
  else if (/^Previous attempts:/im.test(afterProblem)) afterProblem = '';
  const sources: { text: string; continued: boolean }[] =
    req.prompt !== undefined && continuation === problemText
      ? [{ text: afterProblem, continued: true }]
      : [{ text: afterProblem, continued: false }, ...(continuation !== undefined ? [{ text: continuation, continued: true }] : [])];

  const problem = found.problem;
  let nums = [...problem.numbers];
  const steps: string[] = [];
  let partial = '';
  let finished = false;
  let continuedSteps = 0;
  for (const { text, continued: isContinuation } of sources) {
    const lines = text.split('\n');
    lines.forEach((raw, k) => {
      const line = raw.trim();
      if (!line) return;
      const last = k === lines.length - 1;
      if (isAnswerLine(line) && !(isContinuation && last && !/=\s*\d+$/.test(line))) {
        finished = true;
        return;
      }
      const s = parseStep(line);
      const complete = s !== undefined && (line.endsWith(')') || !last || !isContinuation);
      if (isContinuation && last && !complete && /^(\d|A)/.test(line)) {
        partial = raw.trimStart();
        return;
      }
      if (!s) return; // prose, headings, instructions
      if (isContinuation) continuedSteps++;
      const left = applyStep(nums, s);
      if (left) {
        steps.push(stepLine(s, left));
        nums = left;
      } else {
        steps.push(line.replace(/[^\d+\-*/=(),: lefAnsw]/g, ''));
      }
    });
  }
  let separator = '';
  if (continuation !== undefined && !partial && continuedSteps > 0) {
    const tail = /\s*$/.exec(continuation)?.[0] ?? '';
    const newlines = (tail.match(/\n/g) ?? []).length;
    separator = newlines >= 2 ? '' : newlines === 1 ? '\n' : STEP_SEPARATOR;
  }
  return { problem, steps, partial, separator, finished };
}

export interface EmbeddedPolicyOptions extends LoadOptions {
  /** an already loaded model (shared between policies / tests) */
  model?: EmbeddedModel;
  name?: string;
}

export class EmbeddedCountdownPolicy implements Policy {
  readonly name: string;

  constructor(
    readonly model: EmbeddedModel,
    name = POLICY_MODEL_ID,
  ) {
    this.name = name;
  }

  static async create(opts: EmbeddedPolicyOptions = {}): Promise<EmbeddedCountdownPolicy> {
    return new EmbeddedCountdownPolicy(opts.model ?? (await EmbeddedModel.load(opts)), opts.name);
  }

  /** The model's context for a parsed request. */
  contextText(input: PolicyInput): string {
    return promptLine(input.problem) + '\n' + input.steps.map((s) => s + '\n').join('') + input.partial;
  }

  async generate(req: PolicyRequest, signal: AbortSignal): Promise<PolicyResult> {
    const input = parsePolicyRequest(req);
    const tk = this.model.tokenizer;
    const prefix = [tk.bos, ...tk.encode(this.contextText(input), true)];
    const n = Math.max(1, req.n);
    if (input.finished) {
      return {
        choices: Array.from({ length: n }, () => ({ text: '', finishReason: 'stop' as const, logprobs: [] })),
        promptTokens: prefix.length,
        completionTokens: new Array<number>(n).fill(0),
      };
    }
    const stops = req.stop.filter((s) => s.length > 0);
    const maxStop = Math.max(0, ...stops.map((s) => s.length));
    // per-sample rendering state
    const pieces: string[][] = Array.from({ length: n }, () => []);
    const texts: string[] = new Array<string>(n).fill('');
    const lineStart: number[] = new Array<number>(n).fill(0); // start of the current line in texts[i]
    const cut: (number | undefined)[] = new Array(n).fill(undefined);
    const initialLine = input.partial;
    // A token's text in the answer: a newline ends a step (a blank line follows), the first carries the separator.
    const render = (id: number, first: boolean): string => {
      const ch = tk.token(id);
      return (first ? input.separator : '') + (ch === '\n' ? STEP_SEPARATOR : ch);
    };
    const shouldStop = (i: number, tokens: readonly number[]): boolean => {
      const id = tokens[tokens.length - 1]!;
      const ch = tk.token(id);
      const first = tokens.length === 1;
      const piece = render(id, first);
      const before = texts[i]!.length;
      texts[i] += piece;
      pieces[i]!.push(piece);
      // stop sequences, searched in the generated part (not in the separator put in front of it)
      if (stops.length > 0) {
        const from = Math.max(first ? input.separator.length : 0, before - maxStop + 1);
        let at = -1;
        for (const s of stops) {
          const k = texts[i]!.indexOf(s, from);
          if (k >= 0 && (at < 0 || k < at)) at = k;
        }
        if (at >= 0) {
          cut[i] = at;
          return true;
        }
      }
      if (ch === '\n') {
        const line = (lineStart[i] === 0 ? initialLine : '') + texts[i]!.slice(lineStart[i], before);
        if (isAnswerLine(line.trim())) {
          cut[i] = before; // the solution is complete: no trailing separator
          return true;
        }
        lineStart[i] = texts[i]!.length;
      }
      return false;
    };
    const seed = req.seed ?? randomInt(0, 2 ** 31);
    // greedy choices are all the same: decode one and copy it
    const decodeN = req.temperature <= 0 ? 1 : n;
    const decoded = await this.model.decode({
      prefix,
      n: decodeN,
      maxTokens: req.maxTokens,
      temperature: req.temperature,
      topP: req.topP,
      seed,
      shouldStop,
      signal,
      ...(req.topLogprobs ? { topK: req.topLogprobs } : {}),
    });
    const samples = Array.from({ length: n }, (_, i) => decoded[i % decodeN]!);
    const choices: PolicyChoice[] = samples.map((s, j) => {
      const i = j % decodeN;
      let text = texts[i]!;
      let toks = pieces[i]!;
      let lps = s.logprobs;
      // the model's own alternatives at each position, rendered like the chosen token
      let tops = s.top?.map((row, k) => row.map((a) => ({ token: render(a.id, k === 0), logprob: a.logprob })));
      const c = cut[i];
      if (c !== undefined) {
        text = text.slice(0, c);
        // keep the token boundaries consistent with the cut text
        const kept: string[] = [];
        let pos = 0;
        for (const p of toks) {
          if (pos >= c) break;
          kept.push(p.slice(0, c - pos));
          pos += p.length;
        }
        toks = kept;
        lps = lps.slice(0, kept.length);
        // a token cut short keeps its alternatives; the one naming its own text is cut alike
        tops = tops?.slice(0, kept.length).map((row, k) => row.map((a) => (a.token === pieces[i]![k] ? { ...a, token: kept[k]! } : a)));
      }
      // always given: the server takes them as the token boundaries (max_tokens, stop) even without `logprobs`
      return {
        text,
        finishReason: s.finish,
        logprobs: toks.map((token, k) => ({ token, logprob: lps[k]!, ...(tops ? { top: tops[k]! } : {}) })),
      };
    });
    return { choices, promptTokens: prefix.length, completionTokens: samples.map((s) => s.tokens.length) };
  }
}
