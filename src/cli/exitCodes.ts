/** The exit codes every `metacot` command uses: one table, printed in the usage texts and docs/engine.md. */
export const EXIT = {
  /** Done as asked: every run solved, completed or stopped by its budget; a file written or printed. */
  ok: 0,
  /** A run failed or was refused, or an input could not be read (stderr names the cause and what to do). */
  failed: 1,
  /** A usage error: a bad flag or value, an unreadable problem file. */
  usage: 2,
  /** An output file exists and was left as it is (no --force, or it is not a file of the kind that would replace it). */
  refused: 3,
  /** Interrupted (Ctrl-C): the current run ended `cancelled` and its trace was written. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0    done as asked (every run solved, completed or stopped by its budget)
  1    a run failed or was refused, or an input could not be read (stderr says why and what to do)
  2    usage error (a bad flag or value, an unreadable problem file)
  3    an output file exists: not replaced without --force, never replaced when it is not a valid file of its kind
  130  interrupted (Ctrl-C): the current run ended cancelled, its trace was written
`;
