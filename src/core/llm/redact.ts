/**
 * Removes secrets from any text that may reach a user, a log or a trace: the known API key(s) wherever they
 * appear (servers echo presented keys in 401 bodies), plus anything shaped like a bearer token or an `sk-` key.
 */
const TOKENISH = [/\b(sk|pk|rk)-[A-Za-z0-9_-]{6,}/g, /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, /\b(api[-_]?key|x-api-key)(["'\s:=]+)[^\s"',}]+/gi];

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join('***');
  }
  out = out.replace(TOKENISH[0] as RegExp, (_m, p: string) => `${p}-***`);
  out = out.replace(TOKENISH[1] as RegExp, (_m, p: string) => `${p} ***`);
  out = out.replace(TOKENISH[2] as RegExp, (_m, k: string, sep: string) => `${k}${sep}***`);
  return out;
}
