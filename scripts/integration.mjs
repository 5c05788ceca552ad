#!/usr/bin/env node
// Runner A of the integration tier: the extension's tests inside real VS Code = code-server 4.100.3 + headless
// Debian Chromium, no internet needed. See docs/testing.md.
//
//   node scripts/integration.mjs [--trust on|off|both] [--grep RE] [--screenshots DIR] [--results FILE]
//                                [--timeout SEC] [--test-timeout MS] [--no-build] [--no-ui] [--keep]
//
// Per trust mode: start code-server on a free loopback port (--auth none, fresh user-data and extensions
// dirs, a temp copy of test/fixtures/workspace), open the workbench in Chromium with the `payload` query that
// loads this repo as the extension under development and dist/test/integration/index.js as the tests; the
// in-host mocha suite writes its results file, then holds the extension host open while this runner drives
// the UI tests (test/integration/ui/*.ui.ts, mocha here in Node, Playwright on the live page). Results of
// both go to --results (default test-results/integration.json, shape of docs/CONTRACTS.md). Exit status 0
// only when every test passed; a mode that does not finish within --timeout is killed and named.
// code-server and Chromium are always stopped (also on errors, SIGINT, SIGTERM).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import {
  CHROMIUM, CODE_SERVER_VERSION, codeServerEnv, freePort, installCodeServer, launchBrowser, readJson, registerTsx, runMochaFiles, sleep,
  startCodeServer, userSettings, writeResults, writeUserSettings, runDirs,
} from './lib/integrationLib.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const { values: opts } = parseArgs({
  options: {
    trust: { type: 'string', default: 'both' },
    grep: { type: 'string' },
    screenshots: { type: 'string', default: path.join('test-results', 'screenshots') },
    results: { type: 'string', default: path.join('test-results', 'integration.json') },
    // A hang guard, not a speed goal: the trusted mode takes ~150 s on an idle 2-core machine and twice that under
    // load (a CI run that took twice as long as usual lost 26 trusted-mode results and failed one: the counts of a kill
    // at the old 240 s, mid-suite).
    timeout: { type: 'string', default: '600' },
    'test-timeout': { type: 'string', default: '20000' },
    'no-build': { type: 'boolean', default: false },
    'no-ui': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'extension-path': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (opts.help) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 17).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const MODES = { on: { name: 'restricted', trusted: false }, off: { name: 'trusted', trusted: true } };
const trustArg = opts.trust;
if (!['on', 'off', 'both'].includes(trustArg)) fail(`--trust must be on, off or both (got ${trustArg})`);
const modes = trustArg === 'both' ? [MODES.off, MODES.on] : [MODES[trustArg]];
const modeTimeoutMs = Number(opts.timeout) * 1000;
const testTimeoutMs = Number(opts['test-timeout']);
if (!(modeTimeoutMs > 0) || !(testTimeoutMs > 0)) fail('--timeout and --test-timeout must be positive numbers');
const screenshotsDir = path.resolve(root, opts.screenshots);
const resultsFile = path.resolve(root, opts.results);
const extensionPath = path.resolve(root, opts['extension-path'] ?? '.');
const testsEntry = path.join(root, 'dist/test/integration/index.js');

function fail(message) {
  console.error(`integration: ${message}`);
  process.exit(2);
}
const log = (...a) => console.log(...a);

// ---------------------------------------------------------------- cleanup, whatever happens
const cleanups = [];
let cleaning;
function cleanupAll() {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (e) {
        console.error(`integration: cleanup step failed: ${e?.message ?? e}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\nintegration: ${sig} received, stopping code-server and Chromium`);
    cleanupAll().finally(() => process.exit(130));
  });
}
process.on('uncaughtException', (e) => {
  console.error('integration: uncaught error:', e);
  cleanupAll().finally(() => process.exit(1));
});

// ---------------------------------------------------------------- helpers
/** Reads new JSON lines of the in-host progress file, prints them, and remembers what is running. */
class ProgressTail {
  offset = 0;
  running;
  runningSince;
  events = 0;
  /** Outcomes seen so far, kept for the results when the suite never writes its own file (timeout). */
  records = [];
  constructor(file, label) {
    this.file = file;
    this.label = label;
  }
  poll() {
    let buf;
    try {
      buf = fs.readFileSync(this.file);
    } catch {
      return;
    }
    const text = buf.subarray(this.offset).toString('utf8');
    const lastNl = text.lastIndexOf('\n');
    if (lastNl < 0) return;
    this.offset += Buffer.byteLength(text.slice(0, lastNl + 1));
    for (const line of text.slice(0, lastNl).split('\n')) {
      if (!line.trim()) continue;
      let ev;
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      this.events++;
      if (ev.event === 'begin' || ev.event === 'hook') {
        this.running = ev.event === 'hook' ? `hook ${ev.name}` : ev.name;
        this.runningSince = ev.t;
      } else if (ev.event === 'pass') {
        log(`  ✓ host: ${ev.name} (${ev.durationMs} ms)`);
        this.records.push({ name: ev.name, state: 'passed', durationMs: ev.durationMs });
        this.running = undefined;
      } else if (ev.event === 'fail') {
        log(`  ✗ host: ${ev.name}\n      ${String(ev.error).split('\n')[0]}`);
        this.records.push({ name: ev.name, state: 'failed', error: String(ev.error) });
        this.running = undefined;
      } else if (ev.event === 'skip') {
        log(`  - host: ${ev.name} (skipped)`);
        this.records.push({ name: ev.name, state: 'skipped' });
      } else if (ev.event === 'end') {
        this.running = undefined;
      }
    }
  }
}

function listUiTests() {
  const dir = path.join(root, 'test/integration/ui');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ui\.(ts|mjs|cjs|js)$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

// ---------------------------------------------------------------- one trust mode
async function runMode(mode, codeServerDir) {
  const started = Date.now();
  const deadline = started + modeTimeoutMs;
  const tag = `[${mode.name}]`;
  const tests = []; // { name, state, error?, durationMs? }
  const modeCleanups = [];
  const addCleanup = (fn) => {
    cleanups.push(fn);
    modeCleanups.push(fn);
  };
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `metacot-it-${mode.name}-`));
  // Logs and host results of this mode, beside the results file and named after it (concurrent runs with
  // different --results do not clobber each other): test-results/integration/<mode>/ by default.
  const artifacts = path.join(path.dirname(resultsFile), path.basename(resultsFile, '.json'), mode.name);
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  fs.mkdirSync(screenshotsDir, { recursive: true });
  if (!opts.keep) addCleanup(() => fs.rmSync(runDir, { recursive: true, force: true }));
  else log(`${tag} keeping ${runDir}`);

  const dirs = runDirs(runDir);
  fs.cpSync(path.join(root, 'test/fixtures/workspace'), dirs.workspace, { recursive: true });

  // Fresh user settings: trust on = restricted mode without the startup modal; trust off = trust disabled.
  writeUserSettings(dirs.userData, userSettings(mode.trusted));

  const files = {
    config: path.join(runDir, 'run.json'),
    hostResults: path.join(runDir, 'host-results.json'), // unique per run; copied to artifacts afterwards
    progress: path.join(runDir, 'progress.jsonl'),
    release: path.join(runDir, 'release'),
    probe: path.join(runDir, 'probe.jsonl'),
  };
  const runConfig = {
    resultsFile: files.hostResults,
    progressFile: files.progress,
    expectTrusted: mode.trusted,
    runner: 'code-server',
    testTimeoutMs,
    holdUntilFile: opts['no-ui'] ? undefined : files.release,
    holdTimeoutMs: Math.max(10_000, deadline - Date.now()),
    probeFile: opts['no-ui'] ? undefined : files.probe,
    ...(opts.grep ? { grep: opts.grep } : {}),
  };
  fs.writeFileSync(files.config, JSON.stringify(runConfig, null, 2));
  // The suite finds it through METACOT_TEST_CONFIG (code-server passes its environment to the extension host);
  // <workspace>/.metacot-test/run.json is the suite's fallback for hosts that do not, unused here.

  // ---- code-server
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const { stop: stopServer, server } = await startCodeServer({
    codeServerDir,
    host,
    userData: dirs.userData,
    extensions: dirs.extensions,
    cwd: dirs.workspace,
    logFile: path.join(artifacts, 'code-server.log'),
    env: codeServerEnv(dirs.xdg, { METACOT_TEST_CONFIG: files.config }),
  });
  addCleanup(stopServer);
  log(`${tag} code-server ${CODE_SERVER_VERSION} listening on http://${host} (${Date.now() - started} ms)`);

  // ---- Chromium
  const browser = await launchBrowser(dirs.browser, path.join(artifacts, 'browser-console.log'));
  addCleanup(browser.close);
  const { page } = browser;
  let automationExit;
  await page.exposeFunction('codeAutomationExit', (code) => {
    automationExit = { code, at: Date.now() };
  });
  let crashed = false;
  page.on('crash', () => {
    crashed = true;
  });

  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${host}${extensionPath}`],
    ['extensionTestsPath', `vscode-remote://${host}${testsEntry}`],
  ];
  const url = `http://${host}/?folder=${encodeURIComponent(dirs.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
  log(`${tag} workbench loaded (${Date.now() - started} ms)`);

  const shot = async (name) => {
    const file = path.join(screenshotsDir, `${mode.name}-${name}.png`);
    try {
      await page.screenshot({ path: file, timeout: 10_000 });
      return file;
    } catch (e) {
      log(`${tag} screenshot ${name} failed: ${e.message}`);
      return undefined;
    }
  };

  // ---- wait for the in-host suite
  const tail = new ProgressTail(files.progress, tag);
  let hostResults;
  let timeoutMessage;
  for (;;) {
    tail.poll();
    hostResults = fs.existsSync(files.hostResults) ? readJson(files.hostResults) : undefined;
    if (hostResults) break;
    if (server.exitCode !== null) {
      timeoutMessage = `code-server exited (code ${server.exitCode}) before the suite wrote its results; see ${path.relative(root, artifacts)}/code-server.log`;
      break;
    }
    if (crashed) {
      timeoutMessage = 'the browser page crashed before the suite wrote its results';
      break;
    }
    if (automationExit && Date.now() - automationExit.at > 3000) {
      timeoutMessage = `the extension host ended (exit code ${automationExit.code}) without writing results: run() threw before the suite ran; see browser-console.log`;
      break;
    }
    if (Date.now() > deadline) {
      const secs = Math.round(modeTimeoutMs / 1000);
      if (tail.running) {
        const ranFor = Math.round((Date.now() - tail.runningSince) / 1000);
        timeoutMessage = `TIMEOUT after ${secs} s: the in-host suite did not finish; still running: "${tail.running}" (for ${ranFor} s). Killed.`;
      } else if (tail.events === 0) {
        timeoutMessage = `TIMEOUT after ${secs} s: the in-host suite never started (no progress events): the extension host did not load ${path.relative(root, testsEntry)}; see ${path.relative(root, artifacts)}/code-server.log and browser-console.log`;
      } else {
        timeoutMessage = `TIMEOUT after ${secs} s: the in-host suite stopped between tests`;
      }
      break;
    }
    await sleep(250);
  }
  tail.poll();

  if (hostResults) {
    fs.copyFileSync(files.hostResults, path.join(artifacts, 'host-results.json'));
    for (const t of hostResults.tests ?? []) tests.push({ ...t, name: `${tag} host: ${t.name}` });
    const env = hostResults.environment ?? {};
    log(`${tag} in-host suite: ${hostResults.passed} passed, ${hostResults.failed} failed, ${hostResults.skipped} skipped ` +
      `(VS Code ${env.vscodeVersion}, ${env.appName}, isTrusted=${env.isTrusted})`);
  } else {
    console.error(`${tag} ${timeoutMessage}`);
    // What finished before the hang still counts; the hung test (or the missing suite) is one failure.
    for (const t of tail.records) tests.push({ ...t, name: `${tag} host: ${t.name}` });
    tests.push({ name: `${tag} host: ${tail.running ?? 'in-host suite'}`, state: 'failed', error: timeoutMessage });
    await shot('timeout');
  }

  // ---- UI tests on the live page while the extension host holds
  if (hostResults && !opts['no-ui']) {
    const holding = `${files.release}.holding`;
    while (!fs.existsSync(holding) && Date.now() < Math.min(deadline, Date.now() + 15_000) && !automationExit) await sleep(100);
    if (!fs.existsSync(holding)) {
      tests.push({ name: `${tag} ui: harness hold phase`, state: 'failed', error: 'the extension host did not enter its hold phase (probe webview not opened); UI tests not run' });
    } else {
      await shot('workbench');
      tests.push(...(await runUiTests({ page, mode, tag, files, dirs, shot, deadline })));
    }
    fs.writeFileSync(files.release, String(Date.now()));
    // run() resolves now; VS Code reports that through codeAutomationExit.
    const until = Date.now() + 10_000;
    while (!automationExit && Date.now() < until) await sleep(100);
  }

  // Stop this mode's server and browser before the next mode starts.
  while (modeCleanups.length) {
    const fn = modeCleanups.pop();
    cleanups.splice(cleanups.lastIndexOf(fn), 1);
    try {
      await fn();
    } catch (e) {
      console.error(`integration: cleanup step failed: ${e?.message ?? e}`);
    }
  }
  log(`${tag} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tests;
}

async function runUiTests({ page, mode, tag, files, dirs, shot, deadline }) {
  const uiFiles = listUiTests();
  if (!uiFiles.length) return [];
  registerTsx();
  const { Workbench } = require(path.join(root, 'test/integration/ui/workbench.ts'));
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8'));
  globalThis.__metacotUi = {
    page,
    workbench: new Workbench(page, { screenshotsDir, prefix: `${mode.name}-` }),
    trusted: mode.trusted,
    mode: mode.name,
    manifest,
    workspaceDir: dirs.workspace,
    probeFile: files.probe,
    screenshotsDir,
  };
  try {
    return await runMochaFiles({
      files: uiFiles,
      prefix: `${tag} ui: `,
      timeoutMs: Math.max(testTimeoutMs, 60_000), // a UI step waits up to 30 s for a webview; leave room for two
      grep: opts.grep,
      // Same rule as the in-host suite (test/integration/index.ts): trusted-only UI tests run in the trusted pass.
      invertGrep: !mode.trusted && !opts.grep ? '@trusted-only' : undefined,
      deadline,
      onFailed: async (t) => {
        const file = await shot(`FAILED-${t.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 80)}`);
        if (file) log(`      screenshot: ${path.relative(root, file)}`);
      },
    });
  } finally {
    delete globalThis.__metacotUi;
  }
}

// ---------------------------------------------------------------- main
async function main() {
  const t0 = Date.now();
  if (!fs.existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH)`);

  let codeServerDir;
  try {
    codeServerDir = installCodeServer(root);
  } catch (e) {
    fail(e.message);
  }
  log(`integration: code-server ready in ${Date.now() - t0} ms: ${codeServerDir}`);

  if (!opts['no-build']) {
    const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) fail('node scripts/build.mjs failed');
  }
  if (!fs.existsSync(testsEntry)) fail(`${path.relative(root, testsEntry)} is missing: run node scripts/build.mjs`);

  const all = [];
  for (const mode of modes) {
    log(`\nintegration: ${mode.name} mode (workspace trust ${mode.trusted ? 'disabled' : 'enabled, folder untrusted'})`);
    try {
      all.push(...(await runMode(mode, codeServerDir)));
    } catch (e) {
      console.error(`[${mode.name}] runner error: ${e?.stack ?? e}`);
      all.push({ name: `[${mode.name}] runner`, state: 'failed', error: String(e?.message ?? e) });
      await cleanupAll();
      cleaning = undefined;
    }
  }

  const summary = writeResults(resultsFile, all);
  const failures = summary.failures;
  if (failures.length) {
    log('\nfailures:');
    for (const f of failures) log(`  ✗ ${f.name}\n      ${String(f.error).split('\n').slice(0, 3).join('\n      ')}`);
  }
  log(`\nintegration: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped ` +
    `in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${path.relative(root, resultsFile)}`);
  return failures.length || all.length === 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`integration: ${e?.stack ?? e}`);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
