#!/usr/bin/env node
// Installed mode of the integration tier: the packaged .vsix, installed the way a user installs it, in code-server
// 4.100.3 + headless Debian Chromium. Nothing of the repo is on the extension's path. See docs/testing.md.
//
//   node scripts/integrationInstalled.mjs [--vsix FILE] [--no-package] [--results FILE] [--screenshots DIR]
//                                         [--timeout SEC] [--grep RE] [--keep]
//
// Packages dist/metacot-debugger.vsix (`npm run package`) when it is missing or older than the sources (unless
// --vsix / --no-package), runs `code-server --install-extension <vsix> --extensions-dir <fresh dir>`, starts
// code-server with that folder, a fresh user-data dir and a temp copy of test/integration/installed/workspace on a
// free loopback port (no payload: no extension under development, no test entry), opens the workbench in Chromium
// and runs the UI tests test/integration/installed/*.ui.ts (mocha here in Node, Playwright on the live page).
// Results: --results (default test-results/integration-installed.json, shape of docs/CONTRACTS.md). Exit status 0
// only when every test passed. code-server and Chromium are always stopped.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import {
  CHROMIUM, CODE_SERVER_VERSION, codeServerEnv, freePort, installCodeServer, launchBrowser, registerTsx,
  runMochaFiles, startCodeServer, userSettings, writeResults, writeUserSettings, runDirs,
} from './lib/integrationLib.mjs';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'no-package': { type: 'boolean', default: false },
    results: { type: 'string', default: path.join('test-results', 'integration-installed.json') },
    screenshots: { type: 'string', default: path.join('test-results', 'screenshots', 'installed') },
    // A hang guard, not a speed goal: ~50 s idle, ~95 s on a busy machine; room for three times that.
    timeout: { type: 'string', default: '360' },
    grep: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 15).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const TAG = '[installed]';
const resultsFile = path.resolve(root, opts.results);
const timeoutMs = Number(opts.timeout) * 1000;
if (!(timeoutMs > 0)) fail('--timeout must be a positive number of seconds');
const screenshotsDir = path.resolve(root, opts.screenshots);
const defaultVsix = path.join(root, 'dist', 'metacot-debugger.vsix');
const artifacts = path.join(path.dirname(resultsFile), path.basename(resultsFile, '.json'));
const log = (...a) => console.log(...a);

/** A missing prerequisite: still one named failure in the results file, so `npm test` counts and shows it. */
function fail(message) {
  console.error(`integration (installed): ${message}`);
  writeResults(resultsFile, [{ name: `${TAG} runner`, state: 'failed', error: message }]);
  process.exit(2);
}

// ---------------------------------------------------------------- cleanup, whatever happens
const cleanups = [];
async function cleanupAll() {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (e) {
      console.error(`integration (installed): cleanup step failed: ${e?.message ?? e}`);
    }
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`\nintegration (installed): ${sig} received, stopping code-server and Chromium`);
    cleanupAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- the package
/** What the .vsix is built from: a package older than any of these is stale. */
const PACKAGE_SOURCES = ['src', 'webview', 'model', 'media/icons', 'media/walkthrough', 'package.json', '.vscodeignore', 'scripts/build.mjs', 'scripts/packageFiles.mjs', 'scripts/listVsix.mjs', 'README.md'];

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)));
  return newest;
}

/** The .vsix to install: --vsix as given; else dist/metacot-debugger.vsix, packaged first when missing or stale. */
function ensureVsix() {
  if (opts.vsix) {
    const f = path.resolve(opts.vsix);
    if (!fs.existsSync(f)) fail(`--vsix ${f} does not exist`);
    return { file: f, note: 'given with --vsix' };
  }
  const have = fs.existsSync(defaultVsix) ? fs.statSync(defaultVsix).mtimeMs : 0;
  const sources = Math.max(...PACKAGE_SOURCES.map((p) => newestMtime(path.join(root, p))));
  if (have && have >= sources) return { file: defaultVsix, note: 'up to date' };
  const why = have ? 'older than the sources' : 'missing';
  if (opts['no-package']) fail(`${path.relative(root, defaultVsix)} is ${why} and --no-package was given`);
  log(`${TAG} ${path.relative(root, defaultVsix)} is ${why}: npm run package`);
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(defaultVsix)) fail(`npm run package failed (exit ${r.status})`);
  return { file: defaultVsix, note: `packaged now (was ${why})` };
}

/** `code-server --install-extension`, as a user installs a .vsix; returns the installed extension's folder. */
function installVsix(codeServerDir, vsix, dirs) {
  const r = spawnSync(
    process.execPath,
    [path.join(codeServerDir, 'out/node/entry.js'), '--install-extension', vsix, '--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData],
    { cwd: dirs.run, encoding: 'utf8', timeout: 120_000, env: codeServerEnv(dirs.xdg) },
  );
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  fs.writeFileSync(path.join(artifacts, 'install-extension.log'), `${output}\n`);
  if (r.status !== 0) throw new Error(`code-server --install-extension exited ${r.status ?? r.signal}: ${output.split('\n').slice(-5).join(' | ')}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`.toLowerCase();
  const folder = fs.readdirSync(dirs.extensions).find((d) => d.toLowerCase().startsWith(`${id}-`));
  if (!folder) throw new Error(`no ${id}-* folder in the extensions dir after --install-extension (it holds: ${fs.readdirSync(dirs.extensions).join(', ') || 'nothing'}); output: ${output}`);
  return path.join(dirs.extensions, folder);
}

// ---------------------------------------------------------------- one run
async function run(codeServerDir, vsix) {
  const started = Date.now();
  const deadline = started + timeoutMs;
  const tests = [];
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metacot-it-installed-'));
  if (!opts.keep) cleanups.push(() => fs.rmSync(runDir, { recursive: true, force: true }));
  else log(`${TAG} keeping ${runDir}`);
  const dirs = { run: runDir, ...runDirs(runDir) };
  fs.cpSync(path.join(root, 'test/integration/installed/workspace'), dirs.workspace, { recursive: true });
  // A person trusts the folder they opened; the trust prompt itself is not what this mode tests.
  writeUserSettings(dirs.userData, userSettings(true));

  const t = Date.now();
  let extensionDir;
  try {
    extensionDir = installVsix(codeServerDir, vsix.file, dirs);
    tests.push({ name: `${TAG} code-server --install-extension installs the .vsix`, state: 'passed', durationMs: Date.now() - t });
    log(`  ✓ ${TAG} code-server --install-extension installs the .vsix (${Date.now() - t} ms): ${extensionDir}`);
  } catch (e) {
    tests.push({ name: `${TAG} code-server --install-extension installs the .vsix`, state: 'failed', error: e.message });
    log(`  ✗ ${TAG} ${e.message}`);
    return tests;
  }

  // No payload and nothing of the repo in the environment: the extension host sees only the installed folder.
  const env = codeServerEnv(dirs.xdg);
  for (const k of Object.keys(env)) if (k === 'NODE_PATH' || k.startsWith('METACOT_') || k.startsWith('VSCODE_')) delete env[k];
  const host = `127.0.0.1:${await freePort()}`;
  const codeServerLog = path.join(artifacts, 'code-server.log');
  const { stop } = await startCodeServer({
    codeServerDir, host, userData: dirs.userData, extensions: dirs.extensions, cwd: dirs.workspace, logFile: codeServerLog, env,
  });
  cleanups.push(stop);
  log(`${TAG} code-server ${CODE_SERVER_VERSION} listening on http://${host} (${Date.now() - started} ms)`);
  const browserConsole = path.join(artifacts, 'browser-console.log');
  const browser = await launchBrowser(dirs.browser, browserConsole);
  cleanups.push(browser.close);
  const { page } = browser;
  await page.goto(`http://${host}/?folder=${encodeURIComponent(dirs.workspace)}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
  log(`${TAG} workbench loaded (${Date.now() - started} ms)`);

  registerTsx();
  const { Workbench } = require(path.join(root, 'test/integration/ui/workbench.ts'));
  globalThis.__metacotInstalled = {
    page,
    workbench: new Workbench(page, { screenshotsDir, prefix: 'installed-' }),
    manifest: JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8')),
    extensionDir,
    repoRoot: root,
    workspaceDir: dirs.workspace,
    userDataDir: dirs.userData,
    logs: { codeServer: codeServerLog, browserConsole },
    screenshotsDir,
  };
  const dir = path.join(root, 'test/integration/installed');
  // installed.ui.ts first: its tests start from the fresh install, and the others change settings.
  const files = fs.readdirSync(dir).filter((f) => /\.ui\.ts$/.test(f))
    .sort((a, b) => Number(b === 'installed.ui.ts') - Number(a === 'installed.ui.ts') || a.localeCompare(b)).map((f) => path.join(dir, f));
  try {
    tests.push(...(await runMochaFiles({
      files,
      prefix: `${TAG} ui: `,
      timeoutMs: 90_000,
      grep: opts.grep,
      deadline,
      onFailed: async (test) => {
        const file = path.join(screenshotsDir, `installed-FAILED-${test.fullTitle().replace(/[^\w.-]+/g, '_').slice(0, 80)}.png`);
        await page.screenshot({ path: file, timeout: 10_000 }).then(() => log(`      screenshot: ${path.relative(root, file)}`), () => undefined);
      },
    })));
  } finally {
    delete globalThis.__metacotInstalled;
  }
  log(`${TAG} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return tests;
}

// ---------------------------------------------------------------- main
async function main() {
  const t0 = Date.now();
  if (!fs.existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM} (Debian: apt-get install -y chromium; or set CHROMIUM_PATH)`);
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  fs.mkdirSync(screenshotsDir, { recursive: true });
  for (const f of fs.readdirSync(screenshotsDir)) if (/^installed-.*\.png$/.test(f)) fs.rmSync(path.join(screenshotsDir, f));
  let codeServerDir;
  try {
    codeServerDir = installCodeServer(root);
  } catch (e) {
    fail(e.message);
  }
  const vsix = ensureVsix();
  log(`${TAG} ${path.relative(root, vsix.file)}: ${(fs.statSync(vsix.file).size / 1024 / 1024).toFixed(2)} MiB, ${vsix.note}`);
  let tests;
  try {
    tests = await run(codeServerDir, vsix);
  } catch (e) {
    console.error(`${TAG} runner error: ${e?.stack ?? e}`);
    tests = [{ name: `${TAG} runner`, state: 'failed', error: String(e?.message ?? e) }];
  } finally {
    await cleanupAll();
  }
  const summary = writeResults(resultsFile, tests);
  if (summary.failed) {
    log('\nfailures:');
    for (const f of summary.failures) log(`  ✗ ${f.name}\n      ${String(f.error).split('\n').slice(0, 12).join('\n      ')}`);
  }
  log(`\nintegration (installed): ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped ` +
    `in ${((Date.now() - t0) / 1000).toFixed(1)} s -> ${path.relative(root, resultsFile)} (logs: ${path.relative(root, artifacts)}/)`);
  return summary.failed || tests.length === 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(`integration (installed): ${e?.stack ?? e}`);
} finally {
  await cleanupAll();
}
process.exit(code);
