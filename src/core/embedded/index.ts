/** Embedded models: a small Countdown step policy and the reasoners (Stream-of-Search), offline on CPU through onnxruntime-web's
 * WebAssembly backend (runtime.ts, the one loader). */
export { EmbeddedModel } from './model';
export { topAlternatives } from './model';
export type { DecodeRequest, DecodedSample, DecodeStats, LoadOptions, TokenAlternative } from './model';
export { EmbeddedCountdownPolicy, parsePolicyRequest, UnreadableProblemError } from './policy';
export type { EmbeddedPolicyOptions, PolicyInput } from './policy';
export { findWasmDir, loadRuntime, ORT_RUNTIME_FILES, wasmDirCandidates } from './runtime';
export type { OrtModule, OrtRuntime } from './runtime';
export { EmbeddedGenerator } from './generator';
export type { EmbeddedGeneratorOptions } from './generator';
export { serveEmbedded } from './serve';
export { EMBEDDED_LIMITATIONS, EMBEDDED_REFUSED_PARAMS, EMBEDDED_SERVE_NOTES } from './capabilities';
export type { EmbeddedServer, ServeEmbeddedOptions } from './serve';
export { CharTokenizer, GreedyTokenizer } from './tokenizer';
export type { VocabFile } from './tokenizer';
export { defaultModelDir, EmbeddedModelError, readModelFiles, sha256Hex, MODEL_FILE, CHECKSUM_FILE, VOCAB_FILE } from './modelFiles';
export { Prng, hash32, logSoftmax, sampleToken } from './sampler';
export * as countdown from './countdown';
export { EmbeddedReasoner, sosAnswer, sosFirstLine, sosThinking } from './reasoner';
export type { Reasoning, ReasonRequest, ReasonerLoadOptions } from './reasoner';
export { EmbeddedReasonerPolicy, parseReasonerRequest } from './reasonerPolicy';
export { EmbeddedReasonerGenerator, REASONER_LIMITATIONS } from './reasonerGenerator';
export type { ReasonerGeneratorOptions } from './reasonerGenerator';
export { reasonerGenerator, sharedReasoner } from './reasonerLoader';
export { hasReasoner, readReasonerFiles, readReasonerMeta, ReasonerMetaSchema, REASONER_FORMAT } from './reasonerFiles';
export type { ReasonerMeta } from './reasonerFiles';
export { embeddedModelIds, REASONER_MODEL_IDS, reasonerNameOf } from './embeddedNames';
export type { ReasonerModelId, ReasonerName } from './embeddedNames';
