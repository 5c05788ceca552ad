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
