/**
 * Whether a re-run may take the verifier recorded in a trace. A trace is a file anyone can send: a PRM verifier in it
 * names a URL that receives every step and an environment variable whose value goes there as a bearer token. So the
 * trace's verifier is used without asking only when it names no URL and no variable, or exactly the ones the user's
 * own verifier setting names; otherwise the client shows what it names and asks, or refuses.
 */
import { redact } from '../llm/redact';
import type { VerifierConfig } from '../trace/schema';
import { isEmbeddedPrmUrl } from '../embedded/embeddedNames';

/** Where a verifier sends requests and which variable's value it sends: the PRM's `url` and `apiKeyEnv`. */
export interface VerifierDestinations {
  url?: string;
  apiKeyEnv?: string;
}

function textParam(v: VerifierConfig, name: string): string | undefined {
  const value = v.params?.[name];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

export function verifierDestinations(verifier: VerifierConfig | 'auto' | undefined): VerifierDestinations {
  if (!verifier || verifier === 'auto') return {};
  const url = textParam(verifier, 'url');
  // The embedded value model is answered in process: nothing is sent anywhere, so there is nothing to ask about.
  if (isEmbeddedPrmUrl(url)) return {};
  const apiKeyEnv = textParam(verifier, 'apiKeyEnv');
  return { ...(url !== undefined ? { url } : {}), ...(apiKeyEnv !== undefined ? { apiKeyEnv } : {}) };
}

/** "prm, http://host/pooling, token from $VAR": a verifier as a person should see it before it is used. */
export function describeVerifier(verifier: VerifierConfig | 'auto' | undefined): string {
  if (!verifier || verifier === 'auto') return 'auto (by problem)';
  if (isEmbeddedPrmUrl(textParam(verifier, 'url'))) return `${verifier.kind}, the embedded value model (in process)`;
  const d = verifierDestinations(verifier);
  return [verifier.kind, d.url !== undefined ? redact(d.url) : undefined, d.apiKeyEnv !== undefined ? `token from $${d.apiKeyEnv}` : undefined].filter(Boolean).join(', ');
}

/**
 * Undefined when the trace's verifier may be used as it is; otherwise what it would do that the setting does not,
 * in words naming the URL and the variable (for a confirmation or a refusal).
 */
export function traceVerifierConcern(traceVerifier: VerifierConfig | undefined, setting: VerifierConfig | 'auto' | undefined): string | undefined {
  const fromTrace = verifierDestinations(traceVerifier);
  if (fromTrace.url === undefined && fromTrace.apiKeyEnv === undefined) return undefined;
  const own = verifierDestinations(setting);
  if (fromTrace.url === own.url && fromTrace.apiKeyEnv === own.apiKeyEnv) return undefined;
  const where = fromTrace.url !== undefined ? `sends every step to ${redact(fromTrace.url)}` : 'sends its requests';
  const token = fromTrace.apiKeyEnv !== undefined ? ` with the value of $${fromTrace.apiKeyEnv} as a bearer token` : '';
  return `the trace's verifier (${traceVerifier!.kind}) ${where}${token}, which your metacot.verifier setting does not name`;
}
