#!/usr/bin/env node
// Runner B of the integration tier: the same in-host suite (dist/test/integration/index.js) on VS Code
// desktop through @vscode/test-electron 2.x. Not used by CI here (no download possible); see docs/testing.md.
//
//   node scripts/integration-electron.mjs [--trust on|off] [--grep RE] [--vscode-version 1.100.3]
//                                         [--results FILE] [--timeout SEC] [--no-build] [--keep]
//
// VS Code comes from VSCODE_EXECUTABLE (path of a local `code` / Electron binary) or is downloaded once into
// ${METACOT_CACHE:-~/.cache/metacot}/vscode-test. On Linux without a display run it under `xvfb-run -a`.
// UI tests (test/integration/ui) need runner A's browser page and are not run here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    trust: { type: 'string', default: 'off' },
    grep: { type: 'string' },
    'vscode-version': { type: 'string', default: process.env.VSCODE_VERSION ?? '1.100.3' },
    results: { type: 'string', default: path.join('test-results', 'integration-electron.json') },
    timeout: { type: 'string', default: '300' },
    'test-timeout': { type: 'string', default: '20000' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 10).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

function fail(message, code = 2) {
  console.error(`integration-electron: ${message}`);
  process.exit(code);
}
if (!['on', 'off'].includes(opts.trust)) fail(`--trust must be on or off (got ${opts.trust})`);
const trusted = opts.trust === 'off';
const resultsFile = path.resolve(root, opts.results);
const testsEntry = path.join(root, 'dist/test/integration/index.js');
const cacheDir = path.join(process.env.METACOT_CACHE ?? path.join(os.homedir(), '.cache', 'metacot'), 'vscode-test');

let testElectron;
try {
  testElectron = await import('@vscode/test-electron');
} catch (e) {
  fail(`cannot load @vscode/test-electron (run npm ci first): ${e.message}`);
}

// ---- VS Code: a local executable or a (cached) download
async function resolveVSCode() {
  const local = process.env.VSCODE_EXECUTABLE;
  if (local) {
    if (!fs.existsSync(local)) fail(`VSCODE_EXECUTABLE=${local} does not exist`);
    return local;
  }
  const version = opts['vscode-version'];
  console.log(`integration-electron: VS Code ${version} from ${cacheDir} (downloaded on first use)`);
  try {
    return await testElectron.downloadAndUnzipVSCode({ version, cachePath: cacheDir, timeout: 15_000 });
  } catch (e) {
    fail(
      `could not download VS Code ${version} (${e?.message ?? e}).\n` +
        '  This runner needs update.code.visualstudio.com, or a local VS Code:\n' +
        '    VSCODE_EXECUTABLE=/path/to/code node scripts/integration-electron.mjs\n' +
        '  Without internet use runner A instead: node scripts/integration.mjs (code-server + Chromium).',
    );
  }
}

const vscodeExecutablePath = await resolveVSCode();
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail('VS Code desktop needs a display: run under a virtual one, e.g. `xvfb-run -a node scripts/integration-electron.mjs`');
}

if (!opts['no-build']) {
  const b = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) fail('node scripts/build.mjs failed');
}
if (!fs.existsSync(testsEntry)) fail(`${path.relative(root, testsEntry)} is missing: run node scripts/build.mjs`);

// ---- a fresh profile, extensions folder and workspace copy
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `metacot-ite-${trusted ? 'trusted' : 'restricted'}-`));
const userData = path.join(runDir, 'user-data');
const extensions = path.join(runDir, 'extensions');
const workspace = path.join(runDir, 'workspace');
fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
fs.mkdirSync(extensions, { recursive: true });
fs.cpSync(path.join(root, 'test/fixtures/workspace'), workspace, { recursive: true });
fs.writeFileSync(
  path.join(userData, 'User', 'settings.json'),
  JSON.stringify(
    {
      'security.workspace.trust.enabled': !trusted,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.banner': 'never',
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'extensions.autoUpdate': false,
      'extensions.autoCheckUpdates': false,
      'update.mode': 'none',
      'window.restoreWindows': 'none',
    },
    null,
    2,
  ),
);
const hostResultsFile = path.join(runDir, 'host-results.json');
const progressFile = path.join(runDir, 'progress.jsonl');
const configFile = path.join(runDir, 'run.json');
fs.writeFileSync(
  configFile,
  JSON.stringify({
    resultsFile: hostResultsFile,
    progressFile,
    expectTrusted: trusted,
    runner: 'electron',
    testTimeoutMs: Number(opts['test-timeout']),
    ...(opts.grep ? { grep: opts.grep } : {}),
  }),
);

// ---- run, with an overall timeout that names the test still running
const timeoutMs = Number(opts.timeout) * 1000;
let timedOut;
const timer = setTimeout(() => {
  const running = lastRunningTest();
  timedOut = `TIMEOUT after ${opts.timeout} s${running ? `; still running: "${running}"` : ': the suite never started'}. Killed.`;
  console.error(`integration-electron: ${timedOut}`);
  killChildren();
  finish();
}, timeoutMs);

function lastRunningTest() {
  let running;
  try {
    for (const line of fs.readFileSync(progressFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line);
      if (ev.event === 'begin') running = ev.name;
      else if (ev.event === 'pass' || ev.event === 'fail' || ev.event === 'end') running = undefined;
    }
  } catch {
    /* no progress yet */
  }
  return running;
}

function killChildren() {
  // VS Code was spawned by @vscode/test-electron as our child; stop it (and what it started) by pid.
  const r = spawnSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' });
  for (const pid of (r.stdout ?? '').split('\n').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

let finished = false;
function finish(exitCodeOfRun) {
  if (finished) return;
  finished = true;
  clearTimeout(timer);
  let host;
  try {
    host = JSON.parse(fs.readFileSync(hostResultsFile, 'utf8'));
  } catch {
    host = undefined;
  }
  const summary = host
    ? { passed: host.passed, failed: host.failed, skipped: host.skipped, failures: host.failures }
    : {
        passed: 0,
        failed: 1,
        skipped: 0,
        failures: [{ name: lastRunningTest() ?? 'in-host suite', error: timedOut ?? `VS Code exited (${exitCodeOfRun}) without writing results` }],
      };
  if (timedOut && host === undefined) summary.failures[0].error = timedOut;
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(summary, null, 2)}\n`);
  for (const f of summary.failures) console.log(`  ✗ ${f.name}\n      ${String(f.error).split('\n')[0]}`);
  console.log(`integration-electron: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped -> ${path.relative(root, resultsFile)}`);
  if (!opts.keep) fs.rmSync(runDir, { recursive: true, force: true });
  process.exit(summary.failed > 0 || summary.passed + summary.skipped === 0 ? 1 : 0);
}

let code;
try {
  code = await testElectron.runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: testsEntry,
    extensionTestsEnv: { METACOT_TEST_CONFIG: configFile },
    launchArgs: [
      workspace,
      '--user-data-dir', userData,
      '--extensions-dir', extensions,
      '--skip-welcome',
      '--skip-release-notes',
      '--disable-telemetry',
      '--disable-updates',
      ...(trusted ? ['--disable-workspace-trust'] : []),
    ],
  });
} catch (e) {
  code = e?.code ?? 1; // TestRunFailedError: the suite reported failures (run() rejected)
}
finish(code);
