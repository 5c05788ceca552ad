/**
 * API keys, kept only in VS Code's SecretStorage (the OS keychain on desktop), each bound to the origin (scheme, host,
 * port) and endpoint name it was stored for: a key is read only for a request to that origin, whatever an endpoint
 * is called, so a workspace endpoint reusing a user endpoint's name with another URL never receives its key. Keys are
 * never written to settings, traces or logs; every key read in this session is remembered so the log can redact it.
 */
import type * as vscode from 'vscode';
import { endpointOrigin } from '../core/llm/endpointConfig';
import { redact } from '../core/llm/redact';
import { userEndpointOrigin } from './settings';

/** Entries before keys were bound to origins: `metacot.apiKey/<name>`. */
const LEGACY_PREFIX = 'metacot.apiKey/';
/** `metacot.apiKey@<origin>/<name>`: an origin has no "/" after its "//", and the legacy prefix cannot collide. */
const PREFIX = 'metacot.apiKey@';

/** What a key is stored for: an endpoint's name and the URL its requests go to. */
export interface KeyTarget {
  name: string;
  baseUrl: string;
}

export class ApiKeys {
  /** Keys seen in this session, for redaction of any text that reaches the log or the user. */
  private readonly seen = new Set<string>();

  /** `userOriginOf`: the origin the user's settings give a name (decides the one-time move of a name-only key). */
  constructor(
    private readonly storage: vscode.SecretStorage,
    private readonly userOriginOf: (name: string) => string | undefined = userEndpointOrigin,
  ) {}

  /** The origin a target's key is bound to; undefined for a URL that does not parse (such a target has no key). */
  static originOf(target: KeyTarget): string | undefined {
    return target.baseUrl ? endpointOrigin(target.baseUrl) : undefined;
  }

  /**
   * The key for requests to the target's origin. A name-only key from an earlier version is moved to this origin
   * (and deleted under its old name) only when the user's own settings give the name this same origin; otherwise it
   * stays where it is and nothing is returned.
   */
  async get(target: KeyTarget): Promise<string | undefined> {
    const origin = ApiKeys.originOf(target);
    if (!origin) return undefined;
    let key = await this.storage.get(storageKey(origin, target.name));
    if (!key) {
      const legacy = await this.storage.get(LEGACY_PREFIX + target.name);
      if (legacy && this.userOriginOf(target.name) === origin) {
        await this.storage.store(storageKey(origin, target.name), legacy);
        await this.storage.delete(LEGACY_PREFIX + target.name);
        key = legacy;
      }
    }
    if (key) this.seen.add(key);
    return key || undefined;
  }

  async set(target: KeyTarget, key: string): Promise<void> {
    const origin = ApiKeys.originOf(target);
    if (!origin) throw new Error(`no API key can be stored for "${target.name}": its base URL "${redact(target.baseUrl)}" is not an http(s) URL`);
    this.seen.add(key);
    await this.storage.store(storageKey(origin, target.name), key);
  }

  /** Deletes the target's key, and a name-only key of the same name (asking for no key covers the old entry too). */
  async delete(target: KeyTarget): Promise<void> {
    const origin = ApiKeys.originOf(target);
    if (origin) await this.storage.delete(storageKey(origin, target.name));
    await this.storage.delete(LEGACY_PREFIX + target.name);
  }

  redact(text: string): string {
    return redact(text, [...this.seen]);
  }
}

function storageKey(origin: string, name: string): string {
  return `${PREFIX}${origin}/${name}`;
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
