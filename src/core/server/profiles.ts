/**
 * Server profiles: the reference server behaving like vLLM, SGLang, llama.cpp, Ollama, `transformers serve` or
 * OpenAI (`startReferenceServer({ profile })`, `metacot serve --profile NAME`), and the capabilities a correct
 * probe should find on each (`expectedCapabilities`), derived from the same data.
 */
import type { Capabilities } from '../trace/schema';
import { OPENAI_PROFILE, SGLANG_PROFILE, VLLM_LEGACY_PROFILE, VLLM_PROFILE } from './profiles/hostedAndVllm';
import { LLAMACPP_PROFILE, OLLAMA_PROFILE, TRANSFORMERS_PROFILE } from './profiles/localServers';
import { ServerProfileSchema } from './profiles/schema';
import type { ServerProfile } from './profiles/schema';

export { ServerProfileSchema, ErrorShapeSchema, ProfileErrorSchema, ProfileSourceSchema, ReasoningPlacementSchema } from './profiles/schema';
export type { ErrorShape, ProfileError, ProfileSource, ReasoningPlacement, ServerProfile } from './profiles/schema';

/** Every profile, validated once at load (a data mistake fails fast, in every test). */
export const SERVER_PROFILES: Readonly<Record<string, ServerProfile>> = Object.freeze(
  Object.fromEntries(
    [OPENAI_PROFILE, VLLM_PROFILE, VLLM_LEGACY_PROFILE, SGLANG_PROFILE, LLAMACPP_PROFILE, OLLAMA_PROFILE, TRANSFORMERS_PROFILE].map((p) => [p.name, ServerProfileSchema.parse(p)]),
  ),
);

export function serverProfileNames(): string[] {
  return Object.keys(SERVER_PROFILES);
}

export function getServerProfile(name: string): ServerProfile {
  const p = SERVER_PROFILES[name];
  if (!p) throw new Error(`unknown server profile "${name}" (choose from ${serverProfileNames().join(', ')})`);
  return p;
}

/** A profile by name, or a (possibly modified) profile object, validated. */
export function resolveServerProfile(profile: string | ServerProfile): ServerProfile {
  return typeof profile === 'string' ? getServerProfile(profile) : ServerProfileSchema.parse(profile);
}

export type ExpectedCapabilities = Omit<Capabilities, 'probedAt' | 'requests' | 'notes'>;

/** What a correct capability probe finds on a server started with this profile. */
export function expectedCapabilities(profile: string | ServerProfile, opts: { reasoning?: boolean } = {}): ExpectedCapabilities {
  const p = resolveServerProfile(profile);
  const yes = (b: boolean) => (b ? 'yes' : 'no') as 'yes' | 'no';
  const completions = p.completions === 'served';
  let reasoningField: ExpectedCapabilities['reasoningField'] = 'none';
  if (opts.reasoning) {
    reasoningField = p.reasoning === 'think-close' ? 'think-tags' : p.reasoning;
  }
  return {
    n: yes(p.n === 'native'),
    logprobs: yes(p.logprobs === 'returned'),
    topLogprobs: yes(p.topLogprobs === 'returned'),
    stop: p.stop,
    seed: yes(p.seed === 'honoured'),
    continuation: yes(p.continuation !== 'rejected'),
    completions: yes(completions),
    echo: yes(completions && p.echo === 'supported'),
    reasoningField,
    cachedTokens: yes(p.cachedTokens),
  };
}
