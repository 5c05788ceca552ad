/** Reference server and simulated policies: the public surface for tests, benchmarks and the CLI. */
export type { Policy, PolicyChoice, PolicyMessage, PolicyRequest, PolicyResult } from './policy';
export { startReferenceServer } from './referenceServer';
export type { ReferenceServer, ReferenceServerOptions, ServerKnobs } from './referenceServer';
export { FaultKindSchema, FaultPlanSchema, parseFaultSpec } from './faults';
export type { FaultKind, FaultPlan } from './faults';
export { RequestLog, prefixReuse } from './requestLog';
export type { RequestLogEntry } from './requestLog';
export { countdownPolicy, parseCountdownProblem } from './policies/countdownProposer';
export type { CountdownPolicyOptions } from './policies/countdownProposer';
export { arithmeticPolicy } from './policies/arithmeticSolver';
export type { ArithmeticPolicyOptions, TableProblem } from './policies/arithmeticSolver';
export { longCotPolicy } from './policies/longCotResponder';
export type { LongCotPolicyOptions } from './policies/longCotResponder';
export { scriptedPolicy } from './policies/scriptedPolicy';
export { defaultPolicies } from './policies/defaultPolicies';
export { tokenize, countTokens } from './tokenize';
export { SERVER_PROFILES, serverProfileNames, getServerProfile, resolveServerProfile, expectedCapabilities, ServerProfileSchema } from './profiles';
export type { ExpectedCapabilities, ServerProfile, ErrorShape, ReasoningPlacement } from './profiles';
