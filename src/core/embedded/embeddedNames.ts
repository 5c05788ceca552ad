/**
 * The embedded models' names: model ids, how the in-process policy's endpoint is recorded, and how a search reaches
 * the value model (the PRM verifier's parameters for it). Kept apart from the models and the pooling server so the
 * engine, the run set-up and the verifier can name them without loading either.
 */
import type { EndpointDescription, VerifierConfig } from '../trace/schema';

/** The step policy's model id (served, and recorded in every trace it writes). */
export const POLICY_MODEL_ID = 'embedded-countdown';
/** The in-process policy's recorded base URL: `embedded:<model folder>` (not a network address). */
export function embeddedBaseUrl(dir: string): string {
  return `embedded:${dir}`;
}

/** The in-process embedded Countdown policy (as EmbeddedGenerator.describe records it). */
export function isEmbeddedEndpoint(endpoint: EndpointDescription): boolean {
  return endpoint.baseUrl.startsWith('embedded:') && endpoint.model === POLICY_MODEL_ID;
}

/** The model id the value model is served and recorded under. */
export const VALUE_MODEL_ID = 'embedded-countdown-value';
/** The step tag the embedded set-up sends (the PRM adapter's default, Qwen2.5-Math-PRM's `<extra_0>`). */
export const EMBEDDED_STEP_TAG = '<extra_0>';
/** Where the in-process PRM is reached: not a network address; the verifier answers it in process. */
export const EMBEDDED_PRM_URL = 'embedded://countdown-value/pooling';

export function isEmbeddedPrmUrl(url: string | undefined): boolean {
  return url === EMBEDDED_PRM_URL;
}

/** The embedded set-up's default verifier: Countdown checks, then the value model through the PRM adapter. */
export function embeddedValueVerifier(): VerifierConfig {
  return { kind: 'prm', params: { url: EMBEDDED_PRM_URL, model: VALUE_MODEL_ID, format: 'vllm-pooling', stepTag: EMBEDDED_STEP_TAG } };
}

/**
 * The embedded reasoning models (model/train_reasoner.py): each writes a whole Stream-of-Search text for a Countdown
 * problem. `sos` learnt the search as A* / MCTS visited it (backtracking included), `path` only the optimal paths,
 * `sos-star` is `sos` after one STaR round (shipped only when trained).
 */
export const REASONER_MODEL_IDS = {
  'countdown-sos': 'embedded-countdown-sos',
  'countdown-path': 'embedded-countdown-path',
  'countdown-sos-star': 'embedded-countdown-sos-star',
} as const;
export type ReasonerName = keyof typeof REASONER_MODEL_IDS;
export type ReasonerModelId = (typeof REASONER_MODEL_IDS)[ReasonerName];

/** The reasoner a model id names (`embedded-countdown-sos` → `countdown-sos`), or undefined. */
export function reasonerNameOf(modelId: string): ReasonerName | undefined {
  return (Object.keys(REASONER_MODEL_IDS) as ReasonerName[]).find((k) => REASONER_MODEL_IDS[k] === modelId);
}

/** Every model id the embedded set-up can serve or run in process: the step policy and the reasoners. */
export function embeddedModelIds(): string[] {
  return [POLICY_MODEL_ID, ...Object.values(REASONER_MODEL_IDS)];
}
