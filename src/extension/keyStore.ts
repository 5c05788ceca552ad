/**
 * The key store behind ApiKeys, free of the `vscode` module (so unit tests run it over an in-memory storage): each key
 * is stored for an origin (scheme, host, port) and an endpoint name, and read only for a request to that origin.
 */
import { endpointOrigin } from '../core/llm/endpointConfig';
import { redact } from '../core/llm/redact';

/** What VS Code's SecretStorage offers and the store uses. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** Entries before keys were bound to origins: `metacot.apiKey/<name>`. */
export const LEGACY_PREFIX = 'metacot.apiKey/';
/** `metacot.apiKey@<origin>/<name>`: an origin has no "/" after its "//", and the legacy prefix cannot collide. */
const PREFIX = 'metacot.apiKey@';

/** What a key is stored for: an endpoint's name and the URL its requests go to. */
export interface KeyTarget {
  name: string;
  baseUrl: string;
}

export function keyStorageName(origin: string, name: string): string {
  return `${PREFIX}${origin}/${name}`;
}

export class OriginKeyStore {
  /** Keys seen in this session, for redaction of any text that reaches the log or the user. */
  private readonly seen = new Set<string>();

  /** `userOriginOf`: the origin the user's own settings give a name (decides the one-time move of a name-only key). */
  constructor(
    private readonly storage: SecretStore,
    private readonly userOriginOf: (name: string) => string | undefined,
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
    const origin = OriginKeyStore.originOf(target);
    if (!origin) return undefined;
    let key = await this.storage.get(keyStorageName(origin, target.name));
    if (!key) {
      const legacy = await this.storage.get(LEGACY_PREFIX + target.name);
      if (legacy && this.userOriginOf(target.name) === origin) {
        await this.storage.store(keyStorageName(origin, target.name), legacy);
        await this.storage.delete(LEGACY_PREFIX + target.name);
        key = legacy;
      }
    }
    if (key) this.seen.add(key);
    return key || undefined;
  }

  async set(target: KeyTarget, key: string): Promise<void> {
    const origin = OriginKeyStore.originOf(target);
    if (!origin) throw new Error(`no API key can be stored for "${target.name}": its base URL "${redact(target.baseUrl)}" is not an http(s) URL`);
    this.seen.add(key);
    await this.storage.store(keyStorageName(origin, target.name), key);
  }

  /** Deletes the target's key, and a name-only key of the same name (asking for no key covers the old entry too). */
  async delete(target: KeyTarget): Promise<void> {
    const origin = OriginKeyStore.originOf(target);
    if (origin) await this.storage.delete(keyStorageName(origin, target.name));
    await this.storage.delete(LEGACY_PREFIX + target.name);
  }

  redact(text: string): string {
    return redact(text, [...this.seen]);
  }
}
