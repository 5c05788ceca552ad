/**
 * In-process `Generator` (src/core/llm/generator.ts) over the embedded policy: the search engine can run on the
 * embedded model without a server. Requests are laid out like the endpoint client's chat-continue mode (problem
 * as the user message, steps so far as an open assistant message), so the policy reads them the same way.
 * `checkProblem` refuses a problem the model cannot read before any request is made.
 */
import type { GenerateRequest, Generation, Generator, GeneratorLimitation, ProblemCheck } from '../llm/generator';
import { summarizeLogprobs } from '../llm/logprobs';
import { countdownSentence, explainCountdownProblem, findCountdownStatement, type CountdownSpec } from '../problems/countdown';
import type { EndpointDescription, Problem } from '../trace/schema';
import { EMBEDDED_LIMITATIONS } from './capabilities';
import { unreadableProblemMessage } from './countdown';
import { EmbeddedCountdownPolicy } from './policy';
import { embeddedBaseUrl } from './embeddedNames';
import { hash32 } from './sampler';

export interface EmbeddedGeneratorOptions {
  temperature?: number;
  topP?: number;
  /** per-request token limit when the request gives none (default 160: a whole 4-number solution fits) */
  maxTokens?: number;
  /** base seed; requests without a seed get one derived from it and a request counter (reproducible runs) */
  seed?: number;
}

const STEP_STOP = ['\n\n'];

export class EmbeddedGenerator implements Generator {
  private counter = 0;
  /** Checked problems whose numbers come from `meta` while their text states none: text → numbers and target. */
  private readonly metaOnly = new Map<string, CountdownSpec>();

  constructor(
    readonly policy: EmbeddedCountdownPolicy,
    private readonly opts: EmbeddedGeneratorOptions = {},
  ) {}

  describe(): EndpointDescription {
    return {
      name: 'embedded',
      baseUrl: embeddedBaseUrl(this.policy.model.dir),
      model: this.policy.name,
      mode: 'chat-continue',
      sampling: {
        temperature: this.opts.temperature ?? 1,
        topP: this.opts.topP ?? 1,
        maxTokens: this.opts.maxTokens ?? 160,
        stop: STEP_STOP,
        ...(this.opts.seed !== undefined ? { seed: this.opts.seed } : {}),
        logprobs: true,
      },
    };
  }

  /** The model reads only the problem and this attempt's steps: `context` (earlier attempts) never reaches it. */
  limitations(): GeneratorLimitation[] {
    return EMBEDDED_LIMITATIONS.map((l) => ({ ...l }));
  }

  checkProblem(problem: Problem): ProblemCheck {
    const read = explainCountdownProblem(problem);
    if (!read.ok) return { ok: false, message: unreadableProblemMessage(read.reason) };
    if (!findCountdownStatement(problem.text)) this.metaOnly.set(problem.text, read.spec);
    return { ok: true };
  }

  /** The user message: the problem text, led by the Countdown sentence when only its `meta` held the numbers. */
  private userMessage(problem: string): string {
    for (const [text, spec] of this.metaOnly) {
      if (problem.startsWith(text)) return `${countdownSentence(spec.numbers, spec.target)}\n\n${problem}`;
    }
    return problem;
  }

  async generate(req: GenerateRequest): Promise<Generation[]> {
    const t0 = performance.now();
    const stop = req.stop ?? (req.purpose === 'step' ? STEP_STOP : []);
    const partial = req.steps.length > 0 ? req.steps.join('\n\n') + '\n\n' : '';
    const seed = req.seed ?? hash32(this.opts.seed ?? 0, this.counter++);
    const r = await this.policy.generate(
      {
        messages: [
          { role: 'user', content: this.userMessage(req.problem) },
          { role: 'assistant', content: partial },
        ],
        continueFinalMessage: true,
        n: req.n,
        maxTokens: req.maxTokens ?? this.opts.maxTokens ?? 160,
        temperature: req.temperature ?? this.opts.temperature ?? 1,
        topP: this.opts.topP ?? 1,
        seed,
        stop,
        logprobs: true,
      },
      req.signal ?? new AbortController().signal,
    );
    const latencyMs = performance.now() - t0;
    return r.choices.map((c, i) => {
      const g: Generation = {
        text: c.text,
        finishReason: c.finishReason,
        // the prompt is processed once for all n samples (shared prefill)
        tokensIn: i === 0 ? r.promptTokens : 0,
        tokensOut: r.completionTokens[i] ?? 0,
        latencyMs,
        cached: false,
      };
      const logprobs = summarizeLogprobs(c.logprobs);
      if (logprobs) g.logprobs = logprobs;
      return g;
    });
  }
}
