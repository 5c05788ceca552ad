/**
 * API keys, one per endpoint name, kept only in VS Code's SecretStorage (the OS keychain on desktop). They are never
 * written to settings, traces or logs; every key read in this session is remembered so the log can redact it.
 */
import * as vscode from 'vscode';
import { redact } from '../core/llm/redact';

const PREFIX = 'metacot.apiKey/';

export class ApiKeys {
  /** Keys seen in this session, for redaction of any text that reaches the log or the user. */
  private readonly seen = new Set<string>();

  constructor(private readonly storage: vscode.SecretStorage) {}

  async get(endpoint: string): Promise<string | undefined> {
    const key = await this.storage.get(PREFIX + endpoint);
    if (key) this.seen.add(key);
    return key || undefined;
  }

  async set(endpoint: string, key: string): Promise<void> {
    this.seen.add(key);
    await this.storage.store(PREFIX + endpoint, key);
  }

  async delete(endpoint: string): Promise<void> {
    await this.storage.delete(PREFIX + endpoint);
  }

  redact(text: string): string {
    return redact(text, [...this.seen]);
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
