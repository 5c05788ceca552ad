/**
 * An embedded reasoning model: given a Countdown problem it writes the whole search as Stream-of-Search text
 * (../trace/linearize/streamOfSearch.ts), token by token with the KV cache of model.ts, until `<eos>`, the context
 * window or `maxTokens`. Given the thinking so far (a fork: the text up to a step), it continues that text.
 * The final answer is read from the text: the goal path's expression via the SoS importer, or an honest line
 * saying the search found none.
 */
import type { TokenLogprob } from '../llm/logprobs';
import { checkCountdown } from '../verify/countdown';
import { SosImporter } from '../trace/import/streamOfSearch';
import { pyNumberList } from '../trace/linearize/countdownText';
import type { CountdownProblem } from './countdown';
import { REASONER_MODEL_IDS, type ReasonerName } from './embeddedNames';
import { EmbeddedModel } from './model';
import { defaultModelDir } from './modelFiles';
import { readReasonerFiles, type ReasonerMeta } from './reasonerFiles';
import type { OrtRuntime } from './runtime';

export interface ReasonRequest {
  problem: CountdownProblem;
  /** The thinking so far (a fork), Stream-of-Search text from its first state line; absent: just that line. */
  thinking?: string;
  temperature: number;
  topP: number;
  seed: number;
  /** generated tokens at most (the context window ends it earlier) */
  maxTokens: number;
  signal?: AbortSignal;
  /** Called with the reasoning as it grows: a fresh search's first line, then each sampled token's text (`<eos>` gives none). */
  onText?: (text: string) => void;
}

export interface Reasoning {
  /** The whole thinking: the given part (or the first state line) and what the model wrote after it. */
  thinking: string;
  /** What the model wrote in this call. */
  generated: string;
  /**
   * What a reply carries as reasoning: the whole thinking for a fresh search (its first state line is the prompt,
   * yet the text reads from it), only the continuation for a fork (the caller has the rest).
   */
  reasoning: string;
  /** 'stop': the model wrote `<eos>`; 'length': maxTokens or the context window ended it */
  finish: 'stop' | 'length';
  /** model tokens generated (`<eos>` included) */
  tokens: number;
  promptTokens: number;
  /** per generated token: its text and log-probability (temperature 1) */
  pieces: TokenLogprob[];
  /** the goal path's expression when the text reaches `Goal Reached` */
  expression?: string;
  /** that expression checks out against the problem (numbers used at most once, value = target) */
  verified: boolean;
  /** the final answer line: `Answer: <expression> = <target>`, or a line saying no solution was found */
  answer: string;
}

export interface ReasonerLoadOptions {
  dir?: string;
  runtime?: OrtRuntime;
}

/** The first line of every Stream-of-Search text for a problem (the model's prompt, after `<bos>`). */
export function sosFirstLine(p: CountdownProblem): string {
  return `Current State: ${p.target}:${pyNumberList(p.numbers.map(String))}, Operations: []`;
}

/** The thinking to continue: think tags and leading blank space dropped; text not starting with the state line gets it. */
export function sosThinking(p: CountdownProblem, given: string | undefined): string {
  const text = (given ?? '').replace(/<\/?think>/g, '').replace(/^\s+/, '');
  if (text.startsWith('Current State:')) return text;
  return `${sosFirstLine(p)}\n${text}`;
}

/** The final answer read from a Stream-of-Search text (what a served choice's content says). */
export function sosAnswer(p: CountdownProblem, thinking: string): { expression?: string; verified: boolean; answer: string } {
  let expression: string | undefined;
  try {
    const imp = new SosImporter({});
    imp.push(thinking);
    imp.finish();
    expression = imp.goalExpression();
  } catch {
    expression = undefined;
  }
  if (expression === undefined) {
    return { verified: false, answer: `No solution found: the search did not reach ${p.target}.` };
  }
  const answer = `Answer: ${expression} = ${p.target}`;
  const verified = checkCountdown(p, [answer], { final: true }).verified === true;
  return { expression, verified, answer };
}

export class EmbeddedReasoner {
  readonly modelId: string;

  private constructor(
    readonly name: ReasonerName,
    readonly model: EmbeddedModel,
    readonly meta: ReasonerMeta,
  ) {
    this.modelId = REASONER_MODEL_IDS[name];
  }

  static async load(name: ReasonerName, opts: ReasonerLoadOptions = {}): Promise<EmbeddedReasoner> {
    const files = readReasonerFiles(opts.dir ?? defaultModelDir(), name);
    const model = await EmbeddedModel.open(files, opts.runtime, `embedded reasoner ${name}`);
    return new EmbeddedReasoner(name, model, files.meta);
  }

  get contextLength(): number {
    return this.meta.ctx;
  }

  /** Model tokens of a text (greedy longest match; characters outside the vocabulary are dropped). */
  countTokens(text: string): number {
    return this.model.tokenizer.encode(text, true).length;
  }

  async reason(req: ReasonRequest): Promise<Reasoning> {
    const tk = this.model.tokenizer;
    const given = sosThinking(req.problem, req.thinking);
    // a bare first line is the training prompt: state line, newline
    const context = given.includes('\n') ? given : `${given}\n`;
    const prefix = [tk.bos, ...tk.encode(context, true)];
    const fresh = req.thinking === undefined || req.thinking.trim() === '' || !given.includes('\n');
    if (fresh) req.onText?.(context);
    const pieces: TokenLogprob[] = [];
    const [sample] = await this.model.decode({
      prefix,
      n: 1,
      maxTokens: req.maxTokens,
      temperature: req.temperature,
      topP: req.topP,
      seed: req.seed,
      signal: req.signal,
      shouldStop: (_i, tokens) => {
        const id = tokens[tokens.length - 1]!;
        if (id === tk.eos) return true;
        const text = tk.token(id);
        req.onText?.(text);
        return false;
      },
    });
    const s = sample!;
    s.tokens.forEach((id, k) => {
      if (id !== tk.eos) pieces.push({ token: tk.token(id), logprob: s.logprobs[k]! });
    });
    const generated = pieces.map((p) => p.token).join('');
    const thinking = context + generated;
    const ended = s.tokens[s.tokens.length - 1] === tk.eos;
    return {
      thinking,
      generated,
      reasoning: fresh ? thinking : generated,
      finish: ended ? 'stop' : 'length',
      tokens: s.tokens.length,
      promptTokens: prefix.length,
      pieces,
      ...sosAnswer(req.problem, thinking),
    };
  }

  async release(): Promise<void> {
    await this.model.release();
  }
}
