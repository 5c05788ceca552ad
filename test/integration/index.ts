// Entry point of the integration suite inside a real VS Code extension host (code-server or desktop).
// Bundled by scripts/build.mjs to dist/test/integration/index.js with `mocha` and `vscode` left external.
// Both runners pass this file as extensionTestsPath; VS Code calls run() and ends the extension host when
// the returned promise settles, so run() awaits everything, including writing the results file.
//
// Configuration (see RunConfig in harness.ts), first found wins:
//   1. env METACOT_TEST_CONFIG = path of a JSON RunConfig (both runners set it),
//   2. <first workspace folder>/.metacot-test/run.json,
//   3. defaults: results in <repo>/test-results/integration-host.json, no hold, no probe.
// Test files are listed in test/integration/suite/index.ts (one import per file: add yours there).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type MochaNs from 'mocha';
import * as vscode from 'vscode';
import { findExtensionRoot, readManifest, setHarness, type RunConfig } from './harness';
import { openUiProbe } from './uiProbe';

/** Title tag of tests that need a trusted workspace (see docs/testing.md). */
const TRUSTED_ONLY = '@trusted-only';

type MochaModule = typeof MochaNs;

interface TestRecord {
  name: string;
  state: 'passed' | 'failed' | 'skipped';
  durationMs?: number;
  error?: string;
}

export interface HostResults {
  passed: number;
  failed: number;
  skipped: number;
  failures: { name: string; error: string }[];
  tests: TestRecord[];
  environment: {
    runner: string;
    vscodeVersion: string;
    appName: string;
    appHost: string;
    uiKind: string;
    remoteName: string | null;
    isTrusted: boolean;
    expectTrusted: boolean | null;
    workspaceFolder: string | null;
  };
  startedAt: string;
  durationMs: number;
}

function loadConfig(extensionRoot: string): RunConfig {
  const fromEnv = process.env.METACOT_TEST_CONFIG;
  if (fromEnv) return JSON.parse(fs.readFileSync(fromEnv, 'utf8')) as RunConfig;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (folder?.uri.scheme === 'file') {
    const inWorkspace = path.join(folder.uri.fsPath, '.metacot-test', 'run.json');
    if (fs.existsSync(inWorkspace)) return JSON.parse(fs.readFileSync(inWorkspace, 'utf8')) as RunConfig;
  }
  return { resultsFile: path.join(extensionRoot, 'test-results', 'integration-host.json'), runner: 'unknown' };
}

/** mocha is external to the bundle: load it from the extension's own node_modules, whatever the host's cwd. */
function loadMocha(extensionRoot: string): MochaModule {
  const req = createRequire(path.join(extensionRoot, 'package.json'));
  return req('mocha') as MochaModule;
}

function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2));
  fs.renameSync(tmp, file);
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

export async function run(): Promise<void> {
  const started = Date.now();
  const extensionRoot = findExtensionRoot(__dirname);
  const manifest = readManifest(extensionRoot);
  const config = loadConfig(extensionRoot);
  setHarness({ config, extensionRoot, manifest, extensionId: `${manifest.publisher}.${manifest.name}` });

  const progress = (event: Record<string, unknown>): void => {
    if (config.progressFile) fs.appendFileSync(config.progressFile, `${JSON.stringify({ ...event, t: Date.now() })}\n`);
  };
  progress({ event: 'start', pid: process.pid });

  const Mocha = loadMocha(extensionRoot);
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: config.testTimeoutMs ?? 20_000,
    ...(config.grep ? { grep: config.grep } : {}),
  });
  // Tests that need a trusted workspace carry TRUSTED_ONLY in their title; the restricted pass leaves them out
  // (they run, and count, in the trusted pass) instead of reporting them as skipped.
  if (config.expectTrusted === false && !config.grep) mocha.grep(TRUSTED_ONLY).invert();
  const records: TestRecord[] = [];
  const C = Mocha.Runner.constants;

  // Records every outcome (hooks included) for the results file and the progress file, and prints a spec
  // line per test on the extension host's console (forwarded to the browser console in code-server).
  class ResultsReporter extends Mocha.reporters.Base {
    constructor(runner: MochaNs.Runner, options?: MochaNs.MochaOptions) {
      super(runner, options);
      runner.on(C.EVENT_TEST_BEGIN, (test: MochaNs.Test) => progress({ event: 'begin', name: test.fullTitle() }));
      runner.on(C.EVENT_HOOK_BEGIN, (hook: MochaNs.Hook) => progress({ event: 'hook', name: hook.fullTitle() }));
      runner.on(C.EVENT_TEST_PASS, (test: MochaNs.Test) => {
        records.push({ name: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
        progress({ event: 'pass', name: test.fullTitle(), durationMs: test.duration ?? 0 });
        console.log(`[metacot-it] ✓ ${test.fullTitle()} (${test.duration ?? 0} ms)`);
      });
      runner.on(C.EVENT_TEST_FAIL, (test: MochaNs.Runnable, err: unknown) => {
        const name = test.fullTitle();
        records.push({ name, state: 'failed', durationMs: test.duration ?? 0, error: errorText(err) });
        progress({ event: 'fail', name, error: err instanceof Error ? err.message : String(err) });
        console.log(`[metacot-it] ✗ ${name}: ${errorText(err)}`);
      });
      runner.on(C.EVENT_TEST_PENDING, (test: MochaNs.Test) => {
        records.push({ name: test.fullTitle(), state: 'skipped' });
        progress({ event: 'skip', name: test.fullTitle() });
        console.log(`[metacot-it] - ${test.fullTitle()} (skipped)`);
      });
    }
  }
  mocha.reporter(ResultsReporter);

  // The bundle holds every test file; loading the suite index registers them with mocha's BDD globals.
  const bundleFile = __filename;
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, bundleFile, mocha);
  let loadError: unknown;
  try {
    require('./suite/index');
  } catch (e) {
    loadError = e;
  }
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_REQUIRE, {}, bundleFile, mocha);
  mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_POST_REQUIRE, globalThis, bundleFile, mocha);

  if (loadError) {
    records.push({ name: 'loading test/integration/suite', state: 'failed', error: errorText(loadError) });
  } else {
    await new Promise<void>((resolve) => {
      mocha.run(() => resolve());
    });
  }

  const failures = records.filter((r) => r.state === 'failed');
  const results: HostResults = {
    passed: records.filter((r) => r.state === 'passed').length,
    failed: failures.length,
    skipped: records.filter((r) => r.state === 'skipped').length,
    failures: failures.map((r) => ({ name: r.name, error: r.error ?? '' })),
    tests: records,
    environment: {
      runner: config.runner ?? 'unknown',
      vscodeVersion: vscode.version,
      appName: vscode.env.appName,
      appHost: vscode.env.appHost,
      uiKind: vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop',
      remoteName: vscode.env.remoteName ?? null,
      isTrusted: vscode.workspace.isTrusted,
      expectTrusted: config.expectTrusted ?? null,
      workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? null,
    },
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
  };
  writeJsonAtomic(config.resultsFile, results);
  progress({ event: 'end', passed: results.passed, failed: results.failed, skipped: results.skipped });
  console.log(`[metacot-it] ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);

  if (config.holdUntilFile) await holdForUiTests(config);

  if (results.failed > 0) {
    // Desktop runner (@vscode/test-electron) turns a rejected run() into a non-zero exit code.
    throw new Error(`${results.failed} integration test(s) failed: ${failures.map((f) => f.name).join('; ')}`);
  }
}

/**
 * Keeps the extension host alive while the runner drives the UI tests. The probe webview (uiProbe.ts) opens
 * only when a UI test asks for it by creating `<probeFile>.open`, so it does not cover the state that the
 * last in-host tests leave for the UI tests.
 */
async function holdForUiTests(config: RunConfig): Promise<void> {
  let probe: vscode.Disposable | undefined;
  fs.writeFileSync(`${config.holdUntilFile}.holding`, String(Date.now()));
  const deadline = Date.now() + (config.holdTimeoutMs ?? 120_000);
  try {
    while (!fs.existsSync(config.holdUntilFile!) && Date.now() < deadline) {
      if (!probe && config.probeFile && fs.existsSync(`${config.probeFile}.open`)) {
        probe = await openUiProbe(config.probeFile);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    probe?.dispose();
  }
}
