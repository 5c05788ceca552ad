/**
 * What every `metacot <command>` does before its own work: where output goes, how a usage error reads
 * (`metacot <command>: …`, exit code 2) and `--help` (the usage on stdout, exit code 0), so all commands agree.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command writes; tests pass collectors, the program leaves them to stdout / stderr. */
export interface CommandOutput {
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export interface Command {
  out: (text: string) => void;
  err: (text: string) => void;
  /** A usage error: `metacot <command>: <msg>` on stderr; returns the exit code 2. */
  bad: (msg: string) => 2;
  /** The same followed by the command's usage text. */
  badWithUsage: (msg: string) => 2;
}

/** parseArgs's config less `args` (the command's argv is given apart); it must declare `--help`. */
type CommandArgsConfig = Omit<ParseArgsConfig, 'args'> & { options: { help: { type: 'boolean' } } };

type Parsed<T extends CommandArgsConfig> = ReturnType<typeof parseArgs<T & { args: string[] }>>;

/**
 * Parses `argv` for command `name`. Returns the exit code when the command is done already (a parse error: 2, with
 * the usage; `--help`: 0), else the parsed values and positionals with the command's writers.
 */
export function startCommand<T extends CommandArgsConfig>(name: string, usage: string, argv: string[], output: CommandOutput, config: T): number | (Parsed<T> & Command) {
  const out = output.out ?? ((t: string) => void process.stdout.write(t));
  const err = output.err ?? ((t: string) => void process.stderr.write(t));
  const bad = (msg: string): 2 => {
    err(`metacot ${name}: ${msg}\n`);
    return 2;
  };
  const badWithUsage = (msg: string): 2 => {
    err(`metacot ${name}: ${msg}\n\n${usage}`);
    return 2;
  };
  let parsed: Parsed<T>;
  try {
    parsed = parseArgs({ ...config, args: argv });
  } catch (e) {
    return badWithUsage((e as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    out(usage);
    return 0;
  }
  return { ...parsed, out, err, bad, badWithUsage };
}
