/**
 * Removes secrets from any text that may reach a user, a log or a trace: the known API key(s) wherever they appear
 * (servers echo presented keys in 401 bodies), credential header values (`Authorization`, `api-key`, `x-api-key`),
 * credentials written into a URL (`https://user:pass@host`, `?key=…`), and anything shaped like a bearer token or an
 * `sk-` key. Applied before text is stored in a trace, logged or printed; applying it twice changes nothing.
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
const URL_QUERY_SECRET = /([?&](?:key|token|access_token|auth|secret|password)=)[^&\s"'#]+/gi;
const AUTH_HEADER = /\b((?:proxy-)?authorization["'\s]*[:=]["'\s]*)(?:(Bearer|Basic|Token|Digest|Negotiate)\s+)?[^\s"',};&]+/gi;
const KEY_SHAPED = /\b(sk|pk|rk)-[A-Za-z0-9_-]{6,}/g;
const SCHEME_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const KEY_FIELD = /\b(api[-_]?key|x-api-key)(["'\s:=]+)[^\s"',};&]+/gi;

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    out = out.split(s).join('***');
  }
  out = out.replace(URL_USERINFO, (_m, scheme: string) => `${scheme}***@`);
  out = out.replace(URL_QUERY_SECRET, (_m, k: string) => `${k}***`);
  out = out.replace(AUTH_HEADER, (_m, head: string, scheme: string | undefined) => `${head}${scheme ? `${scheme} ` : ''}***`);
  out = out.replace(KEY_SHAPED, (_m, p: string) => `${p}-***`);
  out = out.replace(SCHEME_TOKEN, (_m, p: string) => `${p} ***`);
  out = out.replace(KEY_FIELD, (_m, k: string, sep: string) => `${k}${sep}***`);
  return out;
}

/** The values of credential headers in a header record, masked (for logging a request's headers). */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = /^(authorization|proxy-authorization|api-key|x-api-key|cookie)$/i.test(k) ? '***' : redact(v);
  return out;
}
