/** What an importer found wrong in its input, with the 1-based line when it has one. */
export interface ImportIssue {
  line?: number;
  message: string;
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}
