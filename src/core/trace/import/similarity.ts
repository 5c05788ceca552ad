/**
 * Restatement similarity: does a backtracking step restate an earlier one ("Wait, but the problem asks for the
 * coefficient of a²b²…")? Content words of both (LaTeX commands reduced to their names, filler words dropped),
 * compared as sets with the Dice coefficient.
 */

const STOP = new Set(
  (
    'a an the and or but so then now also just only very too that this these those there here it its is are was were be been being ' +
    'to of in on at by for with from as into than if when which what who how why do does did done have has had i me my we our us you ' +
    "let lets let's s t wait hmm okay ok well yes no not alternatively perhaps maybe actually think again right sure really " +
    'would will can could should shall must might need get got make sure one thing way'
  ).split(' '),
);

const COMMAND_ALIASES: Record<string, string> = { dfrac: 'frac', tfrac: 'frac', dbinom: 'binom', tbinom: 'binom', cdot: 'times' };
const DROPPED_COMMANDS = new Set(['left', 'right', 'displaystyle', 'text', 'mathrm', 'quad', 'qquad', 'boxed']);

export function contentTokens(text: string): string[] {
  const withCommands = text.replace(/\\([a-zA-Z]+)/g, (_m, name: string) => {
    const n = name.toLowerCase();
    return DROPPED_COMMANDS.has(n) ? ' ' : ` ${COMMAND_ALIASES[n] ?? n} `;
  });
  return withCommands
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .split(/[^a-z0-9']+/)
    .map((t) => t.replace(/^'+|'+$/g, ''))
    .filter((t) => t !== '' && !STOP.has(t));
}

/** Dice coefficient of the two token sets (0 when either is empty). */
export function dice(a: readonly string[], b: readonly string[]): number {
  const A = new Set(a);
  const B = new Set(b);
  if (A.size === 0 || B.size === 0) return 0;
  let both = 0;
  for (const t of A) if (B.has(t)) both++;
  return (2 * both) / (A.size + B.size);
}
