/**
 * API keys, kept only in VS Code's SecretStorage (the OS keychain on desktop), each bound to the origin (scheme, host,
 * port) and endpoint name it was stored for: a key is read only for a request to that origin, whatever an endpoint
 * is called, so a workspace endpoint reusing a user endpoint's name with another URL never receives its key. Keys are
 * never written to settings, traces or logs; every key read in this session is remembered so the log can redact it.
 */
import type * as vscode from 'vscode';
import { redact } from '../core/llm/redact';
import { OriginKeyStore } from './keyStore';
import { userEndpointOrigin } from './settings';

export type { KeyTarget } from './keyStore';

/** ApiKeys over VS Code's SecretStorage; a name-only key moves to the origin the user's settings give its name. */
export class ApiKeys extends OriginKeyStore {
  constructor(storage: vscode.SecretStorage, userOriginOf: (name: string) => string | undefined = userEndpointOrigin) {
    super(storage, userOriginOf);
  }
}

export type Log = Pick<vscode.LogOutputChannel, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'show'> & {
  /** The last lines logged at info level or above (already redacted), for the test API. */
  readonly recent: string[];
};

/** The output channel behind a redacting front: nothing reaches it without passing through `redact`. */
export function redactingLog(channel: vscode.LogOutputChannel, keys: () => ApiKeys | undefined): Log {
  const recent: string[] = [];
  const clean = (m: string | Error, level?: string) => {
    const text = m instanceof Error ? `${m.message}${m.stack ? `\n${m.stack}` : ''}` : m;
    const out = keys()?.redact(text) ?? redact(text);
    if (level) {
      recent.push(`[${level}] ${out}`);
      if (recent.length > 200) recent.shift();
    }
    return out;
  };
  return {
    recent,
    trace: (m: string, ...a: unknown[]) => channel.trace(clean(m), ...a),
    debug: (m: string, ...a: unknown[]) => channel.debug(clean(m), ...a),
    info: (m: string, ...a: unknown[]) => channel.info(clean(m, 'info'), ...a),
    warn: (m: string, ...a: unknown[]) => channel.warn(clean(m, 'warn'), ...a),
    error: (m: string | Error, ...a: unknown[]) => channel.error(clean(m, 'error'), ...a),
    show: (preserveFocus?: boolean) => channel.show(preserveFocus),
  } as Log;
}
