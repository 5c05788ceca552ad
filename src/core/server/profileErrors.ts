/**
 * Error bodies in each server's own layout (ServerProfile.errorShape), plus the non-JSON bodies a proxy in front
 * of a server sends, so clients can be tested on every shape they meet in the wild.
 */
import { HttpError } from './httpReply';
import type { ErrorShape, ProfileError, ServerProfile } from './profiles/schema';

/** The `type` each style uses for a status when the profile's error does not name one. */
function defaultType(shape: ErrorShape, status: number): string {
  if (shape === 'vllm' || shape === 'vllm-flat') return status === 404 ? 'NotFoundError' : status >= 500 ? 'InternalServerError' : 'BadRequestError';
  if (shape === 'ollama') return status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error';
  if (shape === 'llamacpp') return status === 404 ? 'not_found_error' : status === 401 ? 'authentication_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

export interface RenderedError {
  contentType: string;
  body: string;
}

export function renderErrorBody(shape: ErrorShape, status: number, message: string, extra: { type?: string | undefined; param?: string | null | undefined; code?: string | null | undefined } = {}): RenderedError {
  const type = extra.type ?? defaultType(shape, status);
  const param = extra.param ?? null;
  const json = (v: unknown): RenderedError => ({ contentType: 'application/json', body: JSON.stringify(v) });
  switch (shape) {
    case 'openai':
      return json({ error: { message, type, param, code: extra.code ?? null } });
    case 'vllm':
      return json({ error: { message, type, param, code: status } });
    case 'vllm-flat':
      return json({ object: 'error', message, type, param, code: status });
    case 'fastapi':
      return json({ detail: message });
    case 'llamacpp':
      return json({ error: { code: status, message, type } });
    case 'ollama':
      return json({ error: { message, type, param: null, code: null } });
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: message };
  }
}

/** FastAPI's request-validation 422: `{"detail":[{"type","loc","msg","input"}]}`. */
export function fastapiValidationBody(loc: (string | number)[], msg: string, input: unknown): RenderedError {
  return { contentType: 'application/json', body: JSON.stringify({ detail: [{ type: 'missing', loc, msg, input }] }) };
}

/** What a reverse proxy answers when the server behind it is down: HTML, not JSON. */
export const PROXY_502_HTML = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** `{fields}` as the server lists them: Python set repr (sorted, for stable tests) or a comma list. */
export function formatFields(profile: ServerProfile, fields: string[]): string {
  const sorted = [...fields].sort();
  return profile.fieldList === 'python-set' ? `{${sorted.map((f) => `'${f}'`).join(', ')}}` : sorted.join(', ');
}

/** A profile error as an HttpError whose body is already in the profile's layout. */
export function profileHttpError(profile: ServerProfile, e: ProfileError, fill: { model?: string; fields?: string[]; path?: string; param?: string | null } = {}): HttpError {
  const fields = fill.fields ?? [];
  const message = e.message
    .replaceAll('{model}', fill.model ?? '')
    .replaceAll('{fields}', formatFields(profile, fields))
    .replaceAll('{field}', [...fields].sort()[0] ?? '')
    .replaceAll('{path}', fill.path ?? '');
  const err = new HttpError(e.status, message, e.type ?? defaultType(e.shape ?? profile.errorShape, e.status), fill.param ?? null, e.code ?? null);
  err.rendered = renderErrorBody(e.shape ?? profile.errorShape, e.status, message, { type: e.type, param: fill.param ?? null, code: e.code });
  return err;
}

/** Any HttpError (auth, 429, context length, injected faults) re-laid out in the profile's error shape. */
export function inProfileShape(profile: ServerProfile, e: HttpError): HttpError {
  if (e.rendered) return e;
  const out = new HttpError(e.status, e.message, e.type, e.param, e.code, e.headers);
  const type = profile.errorShape === 'openai' ? e.type : undefined;
  out.rendered = renderErrorBody(profile.errorShape, e.status, e.message, { type, param: e.param, code: e.code });
  return out;
}
