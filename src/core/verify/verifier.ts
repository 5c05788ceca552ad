/**
 * A Verifier = a checker (is the path finished, does its answer verify) + an optional value estimator
 * (rollouts, PRM, judge, Countdown heuristic). Built from the run config's `verifier` section; its resolved params
 * (defaults included) are what the trace saves.
 */
import type { Problem, VerifierConfig } from '../trace/schema';
import { redact } from '../llm/redact';
import { ParamError, bool, num, optNum, optStr, resolveParams, str, type ParamSpec } from '../search/params';
import { answerChecker, autoChecker, countdownChecker, noneChecker, type Checker } from './checker';
import { HEURISTICS, heuristicEstimator, heuristicProblemError, type HeuristicName } from './heuristic';
import { judgeEstimator } from './judge';
import { prmEstimator } from './prm';
import { isEmbeddedPrmUrl } from '../embedded/embeddedNames';
import { rolloutEstimator } from './rolloutValue';
import type { ValueEstimator } from './valueEstimator';

export interface Verifier {
  /** Kind and resolved params, as saved in the run config. */
  readonly config: VerifierConfig;
  readonly checker: Checker;
  readonly estimator?: ValueEstimator;
  /** Keep rollout completions as `rollout` nodes under the valued node (rollout kind only). */
  readonly keepRollouts: boolean;
}

type Kind = VerifierConfig['kind'];

const CHECK: ParamSpec[] = [
  { name: 'check', type: 'string', default: 'auto', choices: ['auto', 'answer', 'countdown', 'none'], doc: 'how finished paths are checked: auto picks countdown for Countdown problems, answer otherwise' },
  { name: 'exactlyOnce', type: 'boolean', default: false, doc: 'Countdown: every given number must be used exactly once (default: at most once)' },
];

/** Every verifier kind's parameters with defaults; docs/engine.md lists the same. */
export const VERIFIER_PARAMS: Record<Kind, ParamSpec[]> = {
  none: [],
  answer: [],
  oracle: [],
  countdown: [CHECK[1]!],
  rollout: [
    ...CHECK,
    { name: 'K', type: 'integer', default: 8, min: 1, doc: 'completions per valued node (paper Eq. 11 uses up to 128)' },
    { name: 'perRequest', type: 'integer', default: 0, min: 0, doc: 'completions per request (n); 0 = all K in one request' },
    { name: 'maxTokens', type: 'integer', default: null, min: 1, doc: 'token limit per rollout (null: the endpoint default)' },
    { name: 'temperature', type: 'number', default: null, min: 0, doc: 'sampling temperature for rollouts (null: the endpoint default)' },
    { name: 'keepRollouts', type: 'boolean', default: false, doc: 'store each rollout as a `rollout` node under the valued node' },
  ],
  prm: [
    ...CHECK,
    { name: 'url', type: 'string', default: null, doc: 'PRM endpoint, e.g. http://host:8000/pooling' },
    { name: 'format', type: 'string', default: 'vllm-pooling', choices: ['vllm-pooling', 'json'], doc: 'request/response shape' },
    { name: 'model', type: 'string', default: null, doc: 'model name sent to the PRM server' },
    { name: 'stepTag', type: 'string', default: '<extra_0>', doc: 'vllm-pooling: text after each step (Math-Shepherd: ки)' },
    { name: 'template', type: 'string', default: '{problem}\n\n{steps}', doc: 'vllm-pooling: input text' },
    { name: 'positiveIndex', type: 'integer', default: 1, min: 0, doc: 'class index of a good step in each step vector' },
    { name: 'scoresPath', type: 'string', default: 'step_scores', doc: 'json: dotted path of the scores in the response' },
    { name: 'apiKeyEnv', type: 'string', default: null, doc: 'environment variable with a bearer token (the token is never saved)' },
    { name: 'timeoutMs', type: 'integer', default: 30000, min: 1, doc: 'per-request timeout' },
  ],
  judge: [
    ...CHECK,
    { name: 'k', type: 'integer', default: 5, min: 1, doc: 'judge samples per valued node (majority verdict, mean score)' },
    { name: 'prompt', type: 'string', default: null, doc: 'judge instruction (null: the built-in one asking for "Score: p")' },
    { name: 'maxTokens', type: 'integer', default: null, min: 1, doc: 'token limit per judge reply' },
    { name: 'temperature', type: 'number', default: null, min: 0, doc: 'judge sampling temperature' },
  ],
  heuristic: [
    ...CHECK,
    { name: 'heuristic', type: 'string', default: 'sum', choices: [...HEURISTICS], doc: 'Countdown distance to the target (Stream-of-Search): sum = mean |target − n|, mult = distance to its factors' },
  ],
};

function checkerFor(name: string, exactlyOnce: boolean): Checker {
  switch (name) {
    case 'answer':
      return answerChecker;
    case 'countdown':
      return countdownChecker({ exactlyOnce });
    case 'none':
      return noneChecker;
    default:
      return autoChecker({ exactlyOnce });
  }
}

/**
 * Value estimators that talk to a server (PRM, judge) pass every error through `redact` before the engine stores it
 * as a node's error: a server's error body may echo the presented key or a credential header. The error keeps its
 * class (the engine tells a stop from a failure by it); only its text is cleaned.
 */
function redactingEstimator(estimator: ValueEstimator, secrets: () => readonly (string | undefined)[]): ValueEstimator {
  return {
    kind: estimator.kind,
    async estimate(input) {
      try {
        return await estimator.estimate(input);
      } catch (err) {
        if (err instanceof Error && !input.signal.aborted) {
          err.message = redact(err.message, secrets());
          if (err.stack) err.stack = redact(err.stack, secrets());
        }
        throw err;
      }
    },
  };
}

/**
 * The embedded value model's pooling server, answered in process (loaded on first use): the PRM adapter sends it the
 * same request it sends a vLLM reward model.
 */
const embeddedFetch: typeof fetch = async (input, init) => {
  const { embeddedPrmFetch } = await import('../embedded/valuePooling');
  return embeddedPrmFetch()(input, init);
};

export interface VerifierDeps {
  /** Used by the PRM adapter; tests pass their own. */
  fetch?: typeof fetch;
  /**
   * What answers the embedded value model's URL (default: its in-process pooling server); the budget benchmark's
   * upper bound puts exact solvability behind the same adapter this way.
   */
  embeddedFetch?: typeof fetch;
}

/**
 * `problem`: the problem the run is for, when the caller knows it; a verifier that cannot value it (heuristic on a
 * non-Countdown problem) is then refused here, at run set-up, instead of failing every node.
 */
export function createVerifier(config: VerifierConfig, deps: VerifierDeps = {}, problem?: Problem): Verifier {
  const specs = VERIFIER_PARAMS[config.kind];
  if (!specs) throw new ParamError(`unknown verifier "${config.kind}"`);
  const p = resolveParams(specs, config.params ?? {}, `verifier ${config.kind}`);
  if (config.kind === 'heuristic' && problem) {
    const why = heuristicProblemError(problem);
    if (why) throw new ParamError(why);
  }
  const resolved: VerifierConfig = { kind: config.kind, params: p };
  const exactlyOnce = p.exactlyOnce === true;
  switch (config.kind) {
    case 'none':
      return { config: resolved, checker: noneChecker, keepRollouts: false };
    case 'answer':
    case 'oracle':
      return { config: resolved, checker: answerChecker, keepRollouts: false };
    case 'countdown':
      return { config: resolved, checker: countdownChecker({ exactlyOnce }), keepRollouts: false };
    case 'rollout': {
      const checker = checkerFor(str(p, 'check'), exactlyOnce);
      const K = num(p, 'K');
      const estimator = rolloutEstimator({
        K,
        checker,
        perRequest: num(p, 'perRequest') || K,
        maxTokens: optNum(p, 'maxTokens'),
        temperature: optNum(p, 'temperature'),
      });
      return { config: resolved, checker, estimator, keepRollouts: bool(p, 'keepRollouts') };
    }
    case 'prm': {
      const url = optStr(p, 'url');
      if (!url) throw new ParamError('verifier prm: parameter "url" is required (e.g. url=http://localhost:8000/pooling)');
      const apiKeyEnv = optStr(p, 'apiKeyEnv');
      const prm = prmEstimator(
        {
          url,
          format: str(p, 'format') as 'vllm-pooling' | 'json',
          model: optStr(p, 'model'),
          stepTag: str(p, 'stepTag'),
          template: str(p, 'template'),
          positiveIndex: num(p, 'positiveIndex'),
          scoresPath: str(p, 'scoresPath'),
          apiKeyEnv,
          timeoutMs: num(p, 'timeoutMs'),
        },
        isEmbeddedPrmUrl(url) ? (deps.embeddedFetch ?? embeddedFetch) : deps.fetch,
      );
      const estimator = redactingEstimator(prm, () => [apiKeyEnv ? process.env[apiKeyEnv] : undefined]);
      return { config: resolved, checker: checkerFor(str(p, 'check'), exactlyOnce), estimator, keepRollouts: false };
    }
    case 'judge': {
      const judge = judgeEstimator({ k: num(p, 'k'), prompt: optStr(p, 'prompt'), maxTokens: optNum(p, 'maxTokens'), temperature: optNum(p, 'temperature') });
      const estimator = redactingEstimator(judge, () => []);
      return { config: resolved, checker: checkerFor(str(p, 'check'), exactlyOnce), estimator, keepRollouts: false };
    }
    case 'heuristic': {
      const checker = checkerFor(str(p, 'check'), exactlyOnce);
      const estimator = heuristicEstimator({ heuristic: str(p, 'heuristic') as HeuristicName, checker });
      return { config: resolved, checker, estimator, keepRollouts: false };
    }
  }
}
