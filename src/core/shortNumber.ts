/** A number as reasons and diffs print it: at most 4 decimals, no trailing zeros (0.1 + 0.2 → "0.3"). */
export function shortNumber(x: number): string {
  return String(Number(x.toFixed(4)));
}
