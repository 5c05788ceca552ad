/**
 * Remembered capability probes, one file per endpoint in a folder the caller gives (the CLI: the user cache dir, the
 * extension: its global storage). An endpoint is its server and model as sent: origin + base path + model + mode, so
 * the same name pointed at another server, or another model on the same server, is probed afresh. Files are named by
 * the sha256 of that key (nothing of the URL shows in a file name), written atomically; a corrupt one is a miss.
 */
import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { atomicWrite } from '../trace/io';
import { CapabilitiesSchema } from '../trace/schema';
import type { Capabilities } from '../trace/schema';
import type { EndpointConfig } from './endpointConfig';
import { stripUrlCredentials } from './endpointConfig';

export type CapabilityTarget = Pick<EndpointConfig, 'baseUrl' | 'model' | 'mode'>;

const StoredSchema = z.object({ v: z.literal(1), endpoint: z.string(), capabilities: CapabilitiesSchema });

/** What identifies an endpoint's probe: origin and base path (credentials, query and trailing slash left out), model, mode. */
export function capabilityKey(target: CapabilityTarget): string {
  let where: string;
  try {
    const u = new URL(stripUrlCredentials(target.baseUrl));
    where = `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    where = target.baseUrl;
  }
  return `${where} ${target.model} ${target.mode}`;
}

export class CapabilityStore {
  constructor(readonly dir: string) {}

  /** The file that holds `target`'s probe. */
  file(target: CapabilityTarget): string {
    return join(this.dir, `${createHash('sha256').update(capabilityKey(target)).digest('hex')}.json`);
  }

  /** The remembered probe, or undefined (none, unreadable, or not a valid probe of this endpoint). */
  async get(target: CapabilityTarget): Promise<Capabilities | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(target), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = StoredSchema.safeParse(JSON.parse(text));
      return parsed.success && parsed.data.endpoint === capabilityKey(target) ? parsed.data.capabilities : undefined;
    } catch {
      return undefined;
    }
  }

  async put(target: CapabilityTarget, capabilities: Capabilities): Promise<void> {
    const record: z.infer<typeof StoredSchema> = { v: 1, endpoint: capabilityKey(target), capabilities: CapabilitiesSchema.parse(capabilities) };
    await atomicWrite(this.file(target), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** Forgets `target`'s probe (the next run probes again); true when there was one. */
  async forget(target: CapabilityTarget): Promise<boolean> {
    try {
      await unlink(this.file(target));
      return true;
    } catch {
      return false;
    }
  }
}
