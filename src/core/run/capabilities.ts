/**
 * An endpoint's capabilities for a run or a connection test: the remembered probe when there is one, else a probe
 * (when allowed) that is then remembered. One path for the CLI, the extension and tests.
 */
import { probeCapabilities } from '../llm/capabilityProbe';
import { CapabilityStore } from '../llm/capabilityStore';
import type { EndpointConfig } from '../llm/endpointConfig';
import type { Capabilities } from '../trace/schema';

export interface CapabilityLookup {
  /** Where probes are remembered; absent: nothing is remembered (a probe runs each time it is allowed). */
  dir?: string;
  /** Send probe requests when nothing is remembered (false: use only what is remembered). */
  probe: boolean;
  /** Probe even when a probe is remembered (and replace it). */
  refresh?: boolean;
  apiKey?: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export interface FoundCapabilities {
  capabilities: Capabilities;
  /** Whether this call probed the server (false: remembered). */
  probed: boolean;
}

/** Remembered or probed capabilities; undefined when none are remembered and probing is off. Throws the probe's EndpointError. */
export async function endpointCapabilities(config: EndpointConfig, lookup: CapabilityLookup): Promise<FoundCapabilities | undefined> {
  const store = lookup.dir !== undefined ? new CapabilityStore(lookup.dir) : undefined;
  if (store && !lookup.refresh) {
    const remembered = await store.get(config);
    if (remembered) return { capabilities: remembered, probed: false };
  }
  if (!lookup.probe) return undefined;
  const capabilities = await probeCapabilities(config, {
    ...(lookup.apiKey !== undefined ? { apiKey: lookup.apiKey } : {}),
    ...(lookup.signal ? { signal: lookup.signal } : {}),
    ...(lookup.fetch ? { fetch: lookup.fetch } : {}),
  });
  // A folder that cannot be written costs the next run a probe, not this one its result.
  await store?.put(config, capabilities).catch(() => undefined);
  return { capabilities, probed: true };
}
