/** Problems: the problem-line contract, problem-set text, and the Countdown sentence and reader. */
export { ProblemLineSchema, ProblemSetError, problemFromLine } from './problemLine';
export type { ProblemLine, ProblemLineWhere } from './problemLine';
export { parseProblemSetText, parseSelect } from './problemSet';
export {
  COUNTDOWN_EXAMPLE,
  MAX_COUNTDOWN_NUMBERS,
  MIN_COUNTDOWN_NUMBERS,
  countdownFromMeta,
  countdownSentence,
  explainCountdownProblem,
  findCountdownStatement,
  readCountdownProblem,
} from './countdown';
export type { CountdownReading, CountdownSpec, CountdownStatement } from './countdown';
