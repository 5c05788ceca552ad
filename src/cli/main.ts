/** `metacot` command line: the same core engine as the extension, for batch runs and CI. */
const USAGE = `metacot <command> [options]

Commands:
  help                 show this help
`;

export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === 'serve') return (await import('./commands/serve')).runServeCommand(argv.slice(1));
  process.stderr.write(`metacot: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
