// Shared state of one in-extension-host test run: the run configuration written by the runner and the
// extension's manifest, read at run time so the tests grow with the contributed surface.
// Tests import from here; `index.ts` fills it in before it loads the suite.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What a runner (scripts/integration.mjs or scripts/integration-electron.mjs) tells the in-host suite. */
export interface RunConfig {
  /** Final JSON results of the in-host suite (written atomically when the suite has finished). */
  resultsFile: string;
  /** JSON lines, one per test event, appended as the suite runs: lets a runner name a hanging test. */
  progressFile?: string;
  /** Only tests whose full title matches this regular expression run. */
  grep?: string;
  /** Trust the runner configured: true = workspace trust disabled (trusted), false = restricted mode. */
  expectTrusted?: boolean;
  runner?: 'code-server' | 'electron' | 'unknown';
  /** Mocha's per-test timeout in ms (default 20000). */
  testTimeoutMs?: number;
  /**
   * After the suite: keep the extension host alive until this file exists (the runner's UI tests use the
   * live workbench meanwhile), at most holdTimeoutMs. Unset: return as soon as the suite ends.
   */
  holdUntilFile?: string;
  holdTimeoutMs?: number;
  /** Where the UI probe webview (see uiProbe.ts) appends the messages it receives; unset: no probe. */
  probeFile?: string;
}

export interface Manifest {
  name: string;
  publisher: string;
  displayName?: string;
  main?: string;
  activationEvents?: string[];
  capabilities?: { untrustedWorkspaces?: { supported: boolean | 'limited'; description?: string } };
  contributes?: { commands?: { command: string; title: string; category?: string; enablement?: string }[] } & Record<
    string,
    unknown
  >;
}

export interface Harness {
  config: RunConfig;
  extensionRoot: string;
  manifest: Manifest;
  /** `publisher.name`, the id `vscode.extensions.getExtension` takes. */
  extensionId: string;
}

let current: Harness | undefined;

export function setHarness(h: Harness): void {
  current = h;
}

/** The running harness; throws when a test file is loaded outside `run()`. */
export function harness(): Harness {
  if (!current) throw new Error('integration harness not initialised: tests must be started through run() in test/integration/index.ts');
  return current;
}

/** The repository root: the nearest folder above `from` whose package.json is this extension's manifest. */
export function findExtensionRoot(from: string): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { contributes?: unknown; engines?: { vscode?: string } };
        if (pkg.engines?.vscode) return dir;
      } catch {
        // not a manifest we can read: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no extension package.json (with engines.vscode) above ${from}`);
    dir = parent;
  }
}

export function readManifest(extensionRoot: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')) as Manifest;
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; the error names `what`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
