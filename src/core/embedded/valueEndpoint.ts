/**
 * How a search reaches the embedded value model: the PRM verifier's parameters for it. Kept apart from the model and
 * the pooling server so the run set-up and the verifier can name it without loading either.
 */
import type { VerifierConfig } from '../trace/schema';

/** The step policy's model id (served, and recorded in every trace it writes). */
export const POLICY_MODEL_ID = 'embedded-countdown';
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
