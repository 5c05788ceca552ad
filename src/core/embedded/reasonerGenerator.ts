/**
 * In-process `Generator` over an embedded reasoner: the extension and the CLI run `in-context` on it without a
 * server. Each call writes one whole search; its text streams as reasoning (`onDelta`), token by token, and the
 * answer line follows as content. A request with steps is a fork: the steps (the thinking up to a step, think tag
 * and all) are continued.
 */
import type { GenerateRequest, Generation, Generator, GeneratorLimitation, ProblemCheck } from '../llm/generator';
import { summarizeLogprobs } from '../llm/logprobs';
import { explainCountdownProblem } from '../problems/countdown';
import type { EndpointDescription, Problem } from '../trace/schema';
import { unreadableProblemMessage, type CountdownProblem } from './countdown';
import { embeddedBaseUrl } from './embeddedNames';
import type { EmbeddedReasoner, Reasoning } from './reasoner';
import { hash32 } from './sampler';

export interface ReasonerGeneratorOptions {
  temperature?: number;
  topP?: number;
  /** per-request token limit when the request gives none (default: the model's context window) */
  maxTokens?: number;
  /** base seed; requests without a seed get one derived from it and a request counter (reproducible runs) */
  seed?: number;
}

/** What a reasoner does not do, as the Generator contract declares it. */
export const REASONER_LIMITATIONS: readonly GeneratorLimitation[] = [
  { feature: 'previous-attempts', note: 'the embedded reasoner ignores previous attempts: revision is plain resampling' },
  { feature: 'stop', note: 'the embedded reasoner writes a whole search per request and ignores stop strings: step-by-step strategies get whole searches' },
];

export class EmbeddedReasonerGenerator implements Generator {
  private counter = 0;
  /** Checked problems, by text: what the model is asked (text that states no numbers is read from its meta). */
  private readonly specs = new Map<string, CountdownProblem>();

  constructor(
    readonly reasoner: EmbeddedReasoner,
    private readonly opts: ReasonerGeneratorOptions = {},
  ) {}

  describe(): EndpointDescription {
    return {
      name: 'embedded',
      baseUrl: embeddedBaseUrl(this.reasoner.model.dir),
      model: this.reasoner.modelId,
      mode: 'chat-continue',
      sampling: {
        temperature: this.opts.temperature ?? 1,
        topP: this.opts.topP ?? 1,
        maxTokens: this.opts.maxTokens ?? this.reasoner.contextLength,
        ...(this.opts.seed !== undefined ? { seed: this.opts.seed } : {}),
        logprobs: true,
      },
    };
  }

  limitations(): GeneratorLimitation[] {
    return REASONER_LIMITATIONS.map((l) => ({ ...l }));
  }

  checkProblem(problem: Problem): ProblemCheck {
    const read = explainCountdownProblem(problem);
    if (!read.ok) return { ok: false, message: unreadableProblemMessage(read.reason) };
    this.specs.set(problem.text, read.spec);
    return { ok: true };
  }

  /** The problem a request asks about: a checked one its text starts with, else what the text states. */
  private problemOf(text: string): CountdownProblem {
    for (const [t, spec] of this.specs) if (text.startsWith(t)) return spec;
    const read = explainCountdownProblem(text);
    if (!read.ok) throw new Error(unreadableProblemMessage(read.reason));
    return read.spec;
  }

  async generate(req: GenerateRequest): Promise<Generation[]> {
    const t0 = performance.now();
    const problem = this.problemOf(req.problem);
    const thinking = req.steps.length > 0 ? req.steps.join('') : undefined;
    const seed = req.seed ?? hash32(this.opts.seed ?? 0, this.counter++);
    const n = Math.max(1, req.n);
    const greedy = (req.temperature ?? this.opts.temperature ?? 1) <= 0;
    const runs: Reasoning[] = [];
    for (let i = 0; i < (greedy ? 1 : n); i++) {
      const stream = i === 0 ? req.onDelta : undefined;
      const r = await this.reasoner.reason({
        problem,
        ...(thinking !== undefined ? { thinking } : {}),
        temperature: req.temperature ?? this.opts.temperature ?? 1,
        topP: this.opts.topP ?? 1,
        seed: n === 1 ? seed : hash32(seed, i),
        maxTokens: req.maxTokens ?? this.opts.maxTokens ?? this.reasoner.contextLength,
        ...(req.signal ? { signal: req.signal } : {}),
        ...(stream ? { onText: (t: string) => stream({ reasoning: t }) } : {}),
      });
      stream?.({ text: r.answer });
      runs.push(r);
    }
    const latencyMs = performance.now() - t0;
    return Array.from({ length: n }, (_, i) => {
      const r = runs[i % runs.length]!;
      const first = i < runs.length;
      const g: Generation = {
        text: r.answer,
        reasoning: r.reasoning,
        finishReason: r.finish,
        // each sampled search reads its prompt itself; a copied greedy sample costs nothing more
        tokensIn: first ? r.promptTokens : 0,
        tokensOut: first ? r.tokens : 0,
        latencyMs,
        cached: false,
      };
      const logprobs = summarizeLogprobs(r.pieces);
      if (logprobs) g.logprobs = logprobs;
      return g;
    });
  }
}
