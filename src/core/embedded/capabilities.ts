/**
 * What the embedded Countdown model honours, ignores and refuses, in one place: the served API (serve.ts), the
 * generator's declared limitations (generator.ts), `metacot serve --model embedded-countdown --help` and the model
 * card (model/README.md, "Capabilities") all say the same. Pure data: importing it loads no runtime.
 */
import type { GeneratorLimitation } from '../llm/generator';

/**
 * Request fields the embedded model cannot honour: refused with a 400 in OpenAI's shape ("Unsupported parameter")
 * whenever present with a value other than null / false, rather than silently ignored.
 */
export const EMBEDDED_REFUSED_PARAMS: readonly string[] = [
  'logit_bias',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'top_k',
  'min_p',
  'best_of',
  'suffix',
  'echo',
  'response_format',
  'tools',
  'tool_choice',
  'functions',
];

/** What the served embedded model honours, ignores and refuses: the serve usage text and the model card say the same. */
export const EMBEDDED_SERVE_NOTES = [
  'honoured: n, stop, seed, max_tokens / max_completion_tokens, temperature (0 = greedy), top_p, stream,',
  '  logprobs / top_logprobs (the model\'s own temperature-1 softmax: the k most likely tokens, summing to <= 1),',
  '  continue_final_message',
  'ignored: "Previous attempts" in the prompt (revision is plain resampling), system prompts and other prose',
  '  around the Countdown problem, user',
  `refused (400): ${EMBEDDED_REFUSED_PARAMS.join(', ')}; a prompt without a readable Countdown problem`,
  'value model: POST /pooling (vLLM pooling API), model "embedded-countdown-value": the problem, then each step',
  '  followed by <extra_0>; one [p_bad, p_good] per step (the PRM verifier: url=http://HOST:PORT/pooling)',
  'reasoners (served when their files are in the model folder): "embedded-countdown-sos" (trained on linearized',
  '  search) and "embedded-countdown-path" (optimal paths): reasoning_content = the whole Stream-of-Search text,',
  '  content = "Answer: <expression> = <target>" from the goal path (or "No solution found"); continue_final_message',
  '  or a completions prompt holding that text continues it; stop strings are not applied inside the thinking',
];

/** What the model does not do, as the Generator contract declares it: a strategy relying on one is told once. */
export const EMBEDDED_LIMITATIONS: readonly GeneratorLimitation[] = [
  {
    feature: 'previous-attempts',
    note: 'the embedded model ignores previous attempts: revision is plain resampling',
  },
];
