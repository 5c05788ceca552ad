/** Endpoint layer: the public surface for the search engine, the extension and the CLI. */
export type { GenerateRequest, GeneratePurpose, Generation, Generator } from './generator';
export { createEndpointGenerator, EndpointGenerator } from './endpointGenerator';
export type { EndpointGeneratorOptions } from './endpointGenerator';
export { createGeneratorPool, GeneratorPool } from './generatorPool';
export type { PoolMember } from './generatorPool';
export { EndpointConfigSchema, describeEndpoint, costOf } from './endpointConfig';
export type { EndpointConfig, EndpointConfigInput } from './endpointConfig';
export { EndpointError, isEndpointError } from './errors';
export type { EndpointErrorKind } from './errors';
export { EndpointClient } from './endpointClient';
export { buildPrompt, STEP_SEPARATOR, DEFAULT_SYSTEM_PROMPT, DEFAULT_COMPLETIONS_TEMPLATE } from './prompt';
export { splitSteps, cutFirstStep, splitThinking } from './segment';
export { summarizeLogprobs } from './logprobs';
export { ReplayCache, cacheKey, canonicalJson } from './replayCache';
export { redact } from './redact';
