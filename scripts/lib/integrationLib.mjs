// Pieces both code-server runners share: scripts/integration.mjs (the extension under development, in-host suite +
// UI tests) and scripts/integrationInstalled.mjs (the packaged .vsix installed into a fresh extensions folder).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
/** The runners' browser size: every screenshot in the README is taken at it. */
export const VIEWPORT = { width: 1400, height: 900 };

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** SIGTERM to the child's process group, SIGKILL after 5 s (code-server's extension host is in that group). */
export async function stopProcessGroup(child, label) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = await Promise.race([exited.then(() => 'exited'), sleep(5000).then(() => 'timeout')]);
  if (t === 'timeout') {
    console.error(`integration: ${label} ignored SIGTERM, killing its process group`);
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await Promise.race([exited, sleep(2000)]);
  }
}

export async function waitForHttp(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before it listened`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await sleep(200);
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs} ms (${last})`);
}

export function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Installs (or reuses) code-server through scripts/installCodeServer.sh and returns its package folder. */
export function installCodeServer(root) {
  const install = spawnSync('bash', [path.join(root, 'scripts/installCodeServer.sh')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, CODE_SERVER_VERSION },
  });
  if (install.status !== 0) throw new Error(`scripts/installCodeServer.sh failed (exit ${install.status})`);
  return install.stdout.trim().split('\n').pop();
}

/** The fresh folders of one code-server run under `runDir` (created): user data, extensions, browser profile, XDG, workspace. */
export function runDirs(runDir) {
  const dirs = {
    userData: path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
    browser: path.join(runDir, 'browser-profile'),
    xdg: path.join(runDir, 'xdg'),
    workspace: path.join(runDir, 'workspace'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  return dirs;
}

/** Fresh user settings: trusted = workspace trust disabled; otherwise restricted mode without the startup modal. */
export function userSettings(trusted) {
  return {
    'security.workspace.trust.enabled': !trusted,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'window.restoreWindows': 'none',
    'chat.commandCenter.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
}

export function writeUserSettings(userDataDir, settings) {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Environment for code-server: its config, data and cache under `xdg` (nothing written to ~/.config). */
export function codeServerEnv(xdg, extra = {}) {
  return { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, XDG_CACHE_HOME: path.join(xdg, 'cache'), ...extra };
}

/** Starts code-server on `host` (127.0.0.1:port) in its own process group; resolves once /healthz answers. */
export async function startCodeServer({ codeServerDir, host, userData, extensions, cwd, logFile, env }) {
  const serverLog = fs.openSync(logFile, 'w');
  const server = spawn(
    process.execPath,
    [
      path.join(codeServerDir, 'out/node/entry.js'),
      '--bind-addr', host,
      '--auth', 'none',
      '--user-data-dir', userData,
      '--extensions-dir', extensions,
      '--disable-telemetry',
      '--disable-update-check',
      '--ignore-last-opened',
      '--log', 'info',
    ],
    // detached: own process group, so stopping it also stops the extension host and pty host
    { cwd, detached: true, stdio: ['ignore', serverLog, serverLog], env },
  );
  const stop = async () => {
    await stopProcessGroup(server, 'code-server');
    fs.closeSync(serverLog);
  };
  try {
    await waitForHttp(`http://${host}/healthz`, 30_000, server);
  } catch (e) {
    await stop();
    throw e;
  }
  return { server, stop };
}

/** Headless Chromium with a persistent profile in `profileDir`; the first page's console goes to `consoleFile`. */
export async function launchBrowser(profileDir, consoleFile) {
  const { chromium } = await import('playwright-core');
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: VIEWPORT,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    timeout: 30_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLog = fs.createWriteStream(consoleFile);
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
  const close = async () => {
    await Promise.race([context.close(), sleep(10_000)]);
    await new Promise((r) => consoleLog.end(r));
  };
  return { context, page, close };
}

let tsxRegistered = false;
/** UI tests are TypeScript, loaded with require (so mocha can unload them between runs). */
export function registerTsx() {
  if (tsxRegistered) return;
  require('tsx/cjs/api').register();
  tsxRegistered = true;
}

/**
 * Runs mocha test files in this process and returns one record per test ({name, state, durationMs?, error?}),
 * names prefixed with `prefix`. `onFailed(test)` runs after each failed test (a screenshot); past `deadline` the
 * files are unloaded so the run ends.
 */
export async function runMochaFiles({ files, prefix, timeoutMs, grep, invertGrep, deadline, onFailed, log = console.log }) {
  registerTsx();
  const Mocha = require('mocha');
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: timeoutMs, ...(grep ? { grep } : {}) });
  if (invertGrep) mocha.grep(invertGrep).invert();
  const records = [];
  const C = Mocha.Runner.constants;
  mocha.reporter(
    class extends Mocha.reporters.Base {
      constructor(runner, options) {
        super(runner, options);
        runner.on(C.EVENT_TEST_PASS, (t) => {
          records.push({ name: `${prefix}${t.fullTitle()}`, state: 'passed', durationMs: t.duration });
          log(`  ✓ ${prefix}${t.fullTitle()} (${t.duration} ms)`);
        });
        runner.on(C.EVENT_TEST_FAIL, (t, err) => {
          records.push({ name: `${prefix}${t.fullTitle()}`, state: 'failed', durationMs: t.duration, error: err?.stack ?? String(err) });
          log(`  ✗ ${prefix}${t.fullTitle()}\n      ${String(err?.message ?? err).split('\n')[0]}`);
        });
        runner.on(C.EVENT_TEST_PENDING, (t) => {
          records.push({ name: `${prefix}${t.fullTitle()}`, state: 'skipped' });
          log(`  - ${prefix}${t.fullTitle()} (skipped)`);
        });
      }
    },
  );
  if (onFailed) {
    mocha.suite.afterEach(async function () {
      if (this.currentTest?.state === 'failed') await onFailed(this.currentTest);
    });
  }
  for (const f of files) mocha.addFile(f);
  const timer = setTimeout(() => {
    log(`${prefix}tests ran past the timeout; aborting them`);
    mocha.unloadFiles();
  }, Math.max(deadline - Date.now(), 1000));
  try {
    mocha.loadFiles();
    await new Promise((resolve) => mocha.run(() => resolve()));
  } catch (e) {
    records.push({ name: `${prefix}loading the test files`, state: 'failed', error: e?.stack ?? String(e) });
  } finally {
    clearTimeout(timer);
    mocha.dispose(); // unloads the test files so a later run registers them again
  }
  return records;
}

/** The result-file shape of docs/CONTRACTS.md, written to `file`. */
export function writeResults(file, tests) {
  const failures = tests.filter((t) => t.state === 'failed');
  const summary = {
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: failures.length,
    skipped: tests.filter((t) => t.state === 'skipped').length,
    failures: failures.map((t) => ({ name: t.name, error: t.error ?? '' })),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
