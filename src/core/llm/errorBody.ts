/**
 * The server's own words from an error response body. openai-node reads only `body.error`, so FastAPI's `detail`,
 * flat vLLM/SGLang errors, plain text and a proxy's HTML page would be lost; this reads every shape real
 * OpenAI-compatible servers send, bounded and redacted, and names the request field when the body names one.
 */
import { redact } from './redact';
import { closeCutJson } from './wire';

/** What an error body says. */
export interface ServerErrorInfo {
  /** The server's message: bounded, redacted, whitespace folded, no trailing period ("empty body" when none). */
  message: string;
  /** The request field the body names (OpenAI `param`, FastAPI `loc`, or named in the message), e.g. "n". */
  field?: string;
  /** The body's error code or type (`model_not_found`, `invalid_request_error`, "404"). */
  code?: string;
}

/** Longest server message kept (characters). */
export const MAX_SERVER_MESSAGE = 500;

const MAX_DEPTH = 4;

type Found = { message?: string; field?: string; code?: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const codeText = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** A FastAPI / pydantic `loc` (["body", "x", 0]) as a field path without the request part ("x.0"). */
function locField(loc: unknown): string | undefined {
  if (!Array.isArray(loc)) return undefined;
  const parts = loc.map(String);
  const rest = ['body', 'query', 'path', 'header'].includes(parts[0] ?? '') ? parts.slice(1) : parts;
  return rest.length > 0 ? rest.join('.') : undefined;
}

/** One FastAPI validation item: `body.x: Extra inputs are not permitted`. */
function validationItem(item: unknown): Found {
  if (!isRecord(item)) return { message: typeof item === 'string' ? item : JSON.stringify(item) };
  const msg = str(item.msg) ?? str(item.message) ?? JSON.stringify(item);
  const loc = Array.isArray(item.loc) ? item.loc.map(String).join('.') : undefined;
  const field = locField(item.loc);
  return { message: loc ? `${loc}: ${msg}` : msg, ...(field ? { field } : {}), ...(codeText(item.type) ? { code: codeText(item.type)! } : {}) };
}

function fromList(list: unknown[]): Found {
  const items = list.slice(0, 20).map(validationItem);
  const out: Found = { message: items.map((i) => i.message).join('; ') };
  const first = items.find((i) => i.field);
  if (first?.field) out.field = first.field;
  if (items[0]?.code) out.code = items[0].code;
  return out;
}

/** A message that is itself JSON (a proxy wrapping an upstream body): read the inner body instead. */
function nested(message: string, depth: number): Found | undefined {
  const t = message.trim();
  if (depth >= MAX_DEPTH || !/^[[{]/.test(t)) return undefined;
  try {
    const inner = fromJson(JSON.parse(t), depth + 1);
    return inner.message ? inner : undefined;
  } catch {
    return undefined;
  }
}

/** An error object: `{message, type, param, code}` (OpenAI, llama.cpp, vLLM flat, Ollama /v1). */
function fromObject(o: Record<string, unknown>, depth: number): Found {
  const out: Found = {};
  const param = str(o.param);
  if (param) out.field = param.replace(/^body\./, '');
  const code = codeText(o.code) ?? codeText(o.type);
  if (code) out.code = code;
  const message = o.message ?? o.msg ?? o.error_description;
  if (typeof message === 'string' && message.trim() !== '') {
    const inner = nested(message, depth);
    return inner ? { ...out, ...inner } : { ...out, message };
  }
  if (Array.isArray(message)) return { ...out, ...fromList(message) };
  if (isRecord(message)) return { ...out, ...fromJson(message, depth + 1) };
  return out;
}

function fromJson(v: unknown, depth: number): Found {
  if (depth > MAX_DEPTH) return { message: JSON.stringify(v) };
  if (typeof v === 'string') return nested(v, depth) ?? { message: v };
  if (Array.isArray(v)) return fromList(v);
  if (!isRecord(v)) return { message: JSON.stringify(v) };
  // OpenAI, llama.cpp, Ollama: `error` is an object or a string.
  if (typeof v.error === 'string' && v.error.trim() !== '') {
    const inner = nested(v.error, depth);
    const out: Found = inner ?? { message: v.error };
    const code = codeText(v.code) ?? codeText(v.type);
    if (code && !out.code) out.code = code;
    return out;
  }
  if (isRecord(v.error)) {
    const found = fromObject(v.error, depth);
    if (found.message) return found;
  }
  // FastAPI: `detail` as text, a validation list or an object of its own.
  if (typeof v.detail === 'string' && v.detail.trim() !== '') return nested(v.detail, depth) ?? { message: v.detail };
  if (Array.isArray(v.detail) && v.detail.length > 0) return fromList(v.detail);
  if (isRecord(v.detail)) {
    const found = fromJson(v.detail, depth + 1);
    if (found.message) return found;
  }
  // vLLM / SGLang flat `{object: "error", message, type, param, code}`, and any top-level message.
  const flat = fromObject(v, depth);
  if (flat.message) return flat;
  // RFC 7807 problem details without a detail.
  if (str(v.title)) return { message: v.title as string };
  return { message: JSON.stringify(v) };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

const decodeEntities = (s: string): string =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (m, e: string) => {
    const lower = e.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16) || 32);
    if (lower.startsWith('#') && lower !== '#39') return String.fromCodePoint(Number.parseInt(lower.slice(1), 10) || 32);
    return ENTITIES[lower] ?? m;
  });

const fold = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** An HTML page (a proxy's 502, a framework's 404): title or first heading first, then the visible text. */
function fromHtml(html: string): string {
  const inner = (tag: string): string | undefined => {
    const m = new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}\\s*>`, 'i').exec(html);
    const text = m ? fold(decodeEntities(m[1]!.replace(/<[^>]*>/g, ' '))) : '';
    return text || undefined;
  };
  const head = inner('title') ?? inner('h1');
  const body = fold(
    decodeEntities(
      html
        .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
        .replace(/<!--[\s\S]*?-->/g, ' ')
        .replace(/<[^>]*>/g, ' '),
    ),
  );
  if (!head) return body;
  const rest = fold(body.split(head).join(' '));
  return rest ? `${head}: ${rest}` : head;
}

const looksLikeHtml = (text: string, contentType: string): boolean => /html|xml/i.test(contentType) || /^\s*<(!doctype|html|head|body|title|h1|center|p|div)\b/i.test(text);

/** Control characters and runs of undecodable bytes (U+FFFD) out; whitespace folded. */
const clean = (s: string): string => fold(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ').replace(/\ufffd+/g, '\ufffd'));

function bound(s: string): string {
  if (s.length <= MAX_SERVER_MESSAGE) return s;
  // Never split a surrogate pair.
  let cut = MAX_SERVER_MESSAGE - 1;
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return `${s.slice(0, cut)}…`;
}

/** Request fields the client sends: a message naming one of these as refused names that field. */
const KNOWN_FIELDS = [
  'continue_final_message',
  'add_generation_prompt',
  'top_logprobs',
  'logprobs',
  'stream_options',
  'max_completion_tokens',
  'max_tokens',
  'temperature',
  'top_p',
  'seed',
  'stop',
  'echo',
  'n',
];

const REFUSAL = /unsupported|not supported|unknown|unrecognized|unexpected|extra|not permitted|not allowed|not a valid|invalid|forbidden|must be|only/i;

/**
 * The request field a refusal message names: "Unrecognized request argument supplied: x", "Unexpected keys in the
 * request: {'x'}", "body.x: Extra inputs are not permitted", "unsupported parameter: 'x'", pydantic's
 * "validation error for Request x Extra inputs…", llama.cpp's "Only one completion choice is allowed" (n).
 */
export function fieldInMessage(text: string): string | undefined {
  const patterns: RegExp[] = [
    /unrecognized request arguments? supplied:?\s*['"`]?([A-Za-z_][\w.]*)/i,
    // "Unsupported fields in the request: {'n'}", "unknown parameter: 'x'", "Unexpected keys in the request: {'x'}".
    /(?:unsupported|unknown|unexpected|unrecognized) (?:request )?(?:param(?:eter)?|field|argument|key|option)s?(?: in (?:the )?request)?(?:\s*[:=]\s*|\s+(?=['"`{[(]))[{[(]?\s*['"`]?([A-Za-z_][\w.]*)/i,
    /\bbody\.([A-Za-z_][\w.]*):\s*(?:extra|unexpected|unknown|unsupported|not)/i,
    /'loc':\s*\(\s*'body',\s*'([A-Za-z_][\w.]*)'/i,
    /validation errors? for \w+\s+([A-Za-z_][\w.]*)\s+(?:extra|unexpected|unknown)/i,
    // A known field opening the message or a clause: "n must be 1", "echo is not supported".
    new RegExp(`(?:^|[:;]\\s)['"\`]?(${KNOWN_FIELDS.join('|')})['"\`]? (?:must|is not|are not|should|not supported|is unsupported|cannot)\\b`, 'i'),
  ];
  for (const p of patterns) {
    const m = p.exec(text);
    if (m?.[1]) return m[1].replace(/^body\./, '');
  }
  if (/only one (?:completion )?choice/i.test(text)) return 'n';
  if (!REFUSAL.test(text)) return undefined;
  for (const f of KNOWN_FIELDS) {
    const quoted = new RegExp(`['"\`]${f}['"\`]`).test(text);
    if (quoted || (f.length > 2 && new RegExp(`(^|[^\\w.])${f}([^\\w]|$)`).test(text))) return f;
  }
  return undefined;
}

/**
 * The server's own message from an error response body of any shape (OpenAI `{error:{message,param,code}}`,
 * `{error:"text"}`, vLLM flat `{object:"error",message}`, FastAPI `{detail}` as text or a validation list,
 * llama.cpp, a top-level `message`, plain text, HTML), bounded to MAX_SERVER_MESSAGE characters and redacted.
 */
export function extractServerMessage(status: number | undefined, bodyText: string, contentType = '', secrets: readonly (string | undefined)[] = []): ServerErrorInfo {
  const text = bodyText.length > 65_536 ? bodyText.slice(0, 65_536) : bodyText;
  let found: Found | undefined;
  if (/^\s*[[{"]/.test(text)) {
    try {
      found = fromJson(JSON.parse(text), 0);
    } catch {
      // A body cut at the bound (or by the server) still says what it began to say.
      const closed = closeCutJson(text);
      found = closed === undefined ? undefined : fromJson(closed, 0);
    }
  }
  found ??= { message: looksLikeHtml(text, contentType) ? fromHtml(text) : text };
  let message = clean(found.message ?? '');
  // No status: an error object inside a 200 stream, which has a body but said nothing.
  if (message === '') message = status === undefined ? 'no message' : 'empty body';
  message = bound(redact(message, secrets)).replace(/\.\s*$/, '');
  const out: ServerErrorInfo = { message };
  const field = found.field ?? fieldInMessage(message);
  if (field) out.field = redact(field, secrets).slice(0, 100);
  if (found.code) out.code = redact(found.code, secrets).slice(0, 100);
  return out;
}
