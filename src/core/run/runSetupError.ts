/** Why a run could not be set up: a caller mistake or a missing resource, found before any request or file write. */
export type RunSetupErrorKind = 'strategy' | 'params' | 'start-node' | 'endpoint' | 'api-key' | 'embedded-model' | 'problem' | 'rerun';

export class RunSetupError extends Error {
  /** What to do about it, one sentence a client can show as is (the CLI may replace it with its own flags). */
  readonly advice: string;
  readonly kind: RunSetupErrorKind;

  constructor(kind: RunSetupErrorKind, message: string, advice: string) {
    super(message);
    this.name = 'RunSetupError';
    this.kind = kind;
    this.advice = advice;
  }
}
