/** Embedded default model: a small Countdown step policy that runs offline on CPU through onnxruntime-web's
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
export { CharTokenizer } from './tokenizer';
export type { VocabFile } from './tokenizer';
export { defaultModelDir, EmbeddedModelError, readModelFiles, sha256Hex, MODEL_FILE, CHECKSUM_FILE, VOCAB_FILE } from './modelFiles';
export { Prng, hash32, logSoftmax, sampleToken } from './sampler';
export * as countdown from './countdown';
