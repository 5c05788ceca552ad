/**
 * A configured endpoint as the core's run path takes it: the embedded models in process (a model override naming an
 * embedded reasoner runs it; otherwise the core picks the step policy, or the reasoner for a strategy that searches
 * in its thinking), any other endpoint through the endpoint client with its key from SecretStorage. One mapping for
 * searches, re-runs of experiment failures and step importance.
 */
import type { EndpointChoice } from '../core/run';
import type { ApiKeys } from './secrets';
import type { ResolvedEndpoint } from './settings';
import { EMBEDDED_ENDPOINT } from './settings';

export async function endpointChoiceFor(keys: ApiKeys, endpoint: ResolvedEndpoint, stepDelimiter: string): Promise<EndpointChoice> {
  if (endpoint.origin === 'embedded' || endpoint.setting.name === EMBEDDED_ENDPOINT) {
    const { reasonerNameOf } = await import('../core/embedded/embeddedNames');
    return { kind: 'embedded', ...(reasonerNameOf(endpoint.setting.model) ? { model: endpoint.setting.model } : {}) };
  }
  const apiKey = await keys.get(endpoint.setting);
  if (endpoint.setting.requiresKey && !apiKey) {
    const { RunSetupError } = await import('../core/run');
    throw new RunSetupError('api-key', `endpoint "${endpoint.setting.name}" needs an API key: run "Meta-CoT: Set API Key".`, 'Run "Meta-CoT: Set API Key".');
  }
  const { endpointConfigFromSetting } = await import('../core/llm/endpointConfig');
  return { kind: 'openai', config: endpointConfigFromSetting(endpoint.setting, { stepDelimiter }), ...(apiKey ? { apiKey } : {}) };
}
