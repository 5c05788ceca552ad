/** `metacot` command line: the same core engine as the extension, for batch runs and CI. */
import { EXIT, EXIT_CODES_HELP } from './exitCodes';

type Command = (argv: string[]) => Promise<number>;

/** One line per command: name, summary, loader (lazy, so `metacot serve` never loads the search engine). */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'search one problem or a JSONL problem set; writes traces', load: async () => (await import('./commands/run')).runRunCommand },
  show: { summary: 'print a trace as an indented tree with values', load: async () => (await import('./commands/show')).runShowCommand },
  probe: { summary: 'what an endpoint does with n, logprobs, stop, seed, continuation, …, and what the client does about it', load: async () => (await import('./commands/probe')).runProbeCommand },
  serve: { summary: 'local OpenAI-compatible reference server (simulated policies)', load: async () => (await import('./commands/serve')).runServeCommand },
  export: { summary: 'training data (TRL SFT / DPO / PRM, OpenAI chat / DPO, sft, dpo, prm800k, math-shepherd, linear) from traces as JSONL', load: async () => (await import('./commands/export')).runExportCommand },
  import: { summary: 'a long CoT or Stream-of-Search text as a trace', load: async () => (await import('./commands/import')).runImportCommand },
  diff: { summary: 'added / removed / changed nodes between two traces', load: async () => (await import('./commands/diff')).runDiffCommand },
  analyse: { summary: 'pass@k, maj@k, accuracy vs N, backtracks, tokens of a trace; of a folder, the solve rate across its traces', load: async () => (await import('./commands/analyse')).runAnalyseCommand },
  rescore: { summary: 're-score a saved trace with another verifier or aggregation', load: async () => (await import('./commands/rescore')).runRescoreCommand },
  experiment: { summary: 'a problem set × strategies × budgets: traces, summary.json, plots; resumable', load: async () => (await import('./commands/experiment')).runExperimentCommand },
  importance: { summary: 'how much each step of a path matters to the answer (resampling K continuations per prefix); stored in the trace', load: async () => (await import('./commands/importance')).runImportanceCommand },
};

const USAGE = `metacot <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(20)} ${c.summary}`)
  .join('\n')}
  help                 show this help

Run \`metacot <command> --help\` for a command's options.

${EXIT_CODES_HELP}`;

export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`metacot: unknown command "${command}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  return (await entry.load())(argv.slice(1));
}

/**
 * Resolves once everything written to `stream` has been handed to the OS. A pipe takes 64 KiB at a time: exiting
 * before the rest drains would cut the output (a JSONL record mid-line) while reporting success.
 */
export function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    // Writes complete in order: this empty one's callback runs after every earlier chunk is flushed (or failed).
    stream.write('', () => resolve());
  });
}

/** A reader that went away (`metacot export … | head`) is not an error of the command: further output is dropped. */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

async function finish(code: number): Promise<void> {
  process.exitCode = code;
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  // Only now: open handles (keep-alive sockets, model worker threads) must not keep a finished command alive.
  process.exit(code);
}

// Run only as the program (dist/cli.js or src/cli/main.ts), not when a test imports this module.
if (/[\\/](cli|main)\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  main(process.argv.slice(2)).then(finish, (e: unknown) => {
    process.stderr.write(`metacot: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return finish(1);
  });
}
