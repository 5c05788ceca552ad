#!/usr/bin/env node
// Extension cost measurements: activation time and package size. Prints a table and writes
// test-results/bench/extension.json. Goals: activation <= 50 ms, .vsix <= 3 MB.
//
//   node scripts/measureExtension.mjs [--samples 15] [--no-build] [--no-package]
//
// 1. Activation in Node: a fresh `node` process per sample loads dist/extension.js against a stub `vscode` module
//    (every API a no-op proxy) and calls activate() with a minimal fake context; the time to require the bundle and
//    the time activate() takes are reported separately (median and p90 over the samples). This is the extension's
//    own share: what VS Code adds around it is not in it.
// 2. Activation in real VS Code: the "Activation: N ms" that code-server 4.100.3's Running Extensions view shows for
//    this extension, read by the UI test test/integration/ui/extension.ui.ts into
//    test-results/bench/extension-activation-vscode.json (run `node scripts/integration.mjs --trust off` first).
//    It includes VS Code's own bookkeeping and the extension host's module loader; reported with the file's age.
// 3. Package: `npx vsce package --no-dependencies` into a temp folder; size of the .vsix and its largest entries.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    samples: { type: 'string', default: '15' },
    'no-build': { type: 'boolean', default: false },
    'no-package': { type: 'boolean', default: false },
  },
});
const GOAL_ACTIVATION_MS = 50;
const GOAL_VSIX_BYTES = 3 * 1024 * 1024;

if (!opts['no-build']) {
  // Production build, as shipped (minified, no source maps).
  const b = spawnSync(process.execPath, ['scripts/build.mjs', '--production'], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const bundle = path.join(root, 'dist', 'extension.js');
if (!fs.existsSync(bundle)) {
  console.error('dist/extension.js is missing: run node scripts/build.mjs');
  process.exit(1);
}

// ---------------------------------------------------------------- 1. activation in Node, one process per sample
const child = `
const Module = require('module');
const { performance } = require('perf_hooks');
// A stub of the vscode API: any property is a callable, constructible proxy; enough for activate() to register.
const handler = {
  get(t, p) {
    if (p === 'then') return undefined;
    if (p === Symbol.toPrimitive) return () => 0;
    if (p === 'ExtensionMode') return { Production: 1, Development: 2, Test: 3 };
    if (!(p in t)) t[p] = make();
    return t[p];
  },
  apply() { return make(); },
  construct() { return make(); },
};
function make() { return new Proxy(function () {}, handler); }
// esbuild copies the module's own properties into its namespace object, so the top level is a plain object.
const vscode = {};
for (const name of ['window', 'commands', 'workspace', 'env', 'extensions', 'languages', 'l10n', 'Uri', 'EventEmitter', 'Disposable',
  'TreeItem', 'ThemeIcon', 'ThemeColor', 'MarkdownString', 'Range', 'Position', 'Selection', 'WorkspaceEdit', 'ViewColumn',
  'ProgressLocation', 'StatusBarAlignment', 'TreeItemCollapsibleState', 'ConfigurationTarget', 'TabInputCustom', 'TabInputText',
  'ColorThemeKind', 'UIKind', 'TextEditorRevealType', 'CancellationTokenSource']) vscode[name] = make();
vscode.ExtensionMode = { Production: 1, Development: 2, Test: 3 };
const load = Module._load;
Module._load = function (request, parent, isMain) { return request === 'vscode' ? vscode : load.apply(this, arguments); };
const ctx = { subscriptions: [], extensionMode: 1, extensionUri: vscode.Uri.file('/'), secrets: make(), workspaceState: make(), globalState: make(), logUri: make(), globalStorageUri: make() };
const t0 = performance.now();
const ext = require(${JSON.stringify(bundle)});
const t1 = performance.now();
ext.activate(ctx);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, subscriptions: ctx.subscriptions.length }));
`;
const samples = [];
const n = Math.max(1, Number(opts.samples));
for (let i = 0; i < n; i++) {
  const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`activation sample failed:\n${r.stderr}`);
    process.exit(1);
  }
  samples.push(JSON.parse(r.stdout));
}
const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))], min: s[0] };
};
const requireStat = stat(samples.map((s) => s.requireMs));
const activateStat = stat(samples.map((s) => s.activateMs));
const totalStat = stat(samples.map((s) => s.requireMs + s.activateMs));

// ---------------------------------------------------------------- 2. what real VS Code reported
const vscodeFile = path.join(root, 'test-results', 'bench', 'extension-activation-vscode.json');
let vscodeReport;
if (fs.existsSync(vscodeFile)) {
  const r = JSON.parse(fs.readFileSync(vscodeFile, 'utf8'));
  vscodeReport = { ...r, ageMinutes: Math.round((Date.now() - Date.parse(r.at)) / 60000) };
}

// ---------------------------------------------------------------- 3. the package
let vsix;
if (!opts['no-package']) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metacot-vsix-'));
  const out = path.join(dir, 'metacot-debugger.vsix');
  const r = spawnSync('npx', ['--no-install', 'vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license',
    // No repository in package.json: give vsce a base URL for README links so it packages (size is unaffected).
    '--baseContentUrl', 'https://example.invalid/metacot', '--baseImagesUrl', 'https://example.invalid/metacot', '-o', out], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(out)) {
    vsix = { error: (r.stderr || r.stdout || '').trim().split('\n').slice(-5).join('\n') };
  } else {
    const bytes = fs.statSync(out).size;
    // Entries and their sizes, from the zip's central directory (no unzip needed).
    const buf = fs.readFileSync(out);
    const entries = [];
    const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd >= 0) {
      let p = buf.readUInt32LE(eocd + 16);
      const count = buf.readUInt16LE(eocd + 10);
      for (let i = 0; i < count; i++) {
        const nameLen = buf.readUInt16LE(p + 28);
        const extra = buf.readUInt16LE(p + 30);
        const comment = buf.readUInt16LE(p + 32);
        entries.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), compressed: buf.readUInt32LE(p + 20), size: buf.readUInt32LE(p + 24) });
        p += 46 + nameLen + extra + comment;
      }
    }
    entries.sort((a, b) => b.compressed - a.compressed);
    // The two extension bundles must ship together (.vscodeignore): the first loads the second on first use.
    const missing = ['extension/dist/extension.js', 'extension/dist/extensionHost.js'].filter((f) => !entries.some((e) => e.name === f));
    vsix = { bytes, files: entries.length, largest: entries.slice(0, 8), missing };
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- report
const f = (x) => (x === undefined ? '-' : x.toFixed(1));
const rows = [
  ['require(dist/extension.js)', `${f(requireStat.median)} ms`, `${f(requireStat.p90)} ms`, ''],
  ['activate() with stub vscode', `${f(activateStat.median)} ms`, `${f(activateStat.p90)} ms`, ''],
  ['load + activate (Node)', `${f(totalStat.median)} ms`, `${f(totalStat.p90)} ms`, totalStat.median <= GOAL_ACTIVATION_MS ? `ok (<= ${GOAL_ACTIVATION_MS} ms)` : `OVER ${GOAL_ACTIVATION_MS} ms`],
  [
    'VS Code Running Extensions',
    vscodeReport?.activationMs != null ? `${vscodeReport.activationMs} ms` : '-',
    '',
    vscodeReport ? `${vscodeReport.ageMinutes} min old; ${vscodeReport.activationMs <= GOAL_ACTIVATION_MS ? 'ok' : `OVER ${GOAL_ACTIVATION_MS} ms`}` : 'not measured (run the UI tests)',
  ],
  ['.vsix size', vsix?.bytes ? `${(vsix.bytes / 1024).toFixed(0)} KiB` : '-', '', vsix?.bytes ? (vsix.bytes <= GOAL_VSIX_BYTES ? 'ok (<= 3 MB)' : 'OVER 3 MB') : (vsix?.error ?? 'skipped')],
];
console.log(`\nextension measurements (${n} samples, Node ${process.version})`);
console.log(['what'.padEnd(30), 'median'.padStart(10), 'p90'.padStart(10), '  verdict'].join(''));
for (const r of rows) console.log([r[0].padEnd(30), r[1].padStart(10), r[2].padStart(10), `  ${r[3]}`].join(''));
if (vsix?.missing?.length) console.log(`\nWARNING: the .vsix lacks ${vsix.missing.join(', ')} (add them to .vscodeignore's allow list)`);
if (vsix?.largest) {
  console.log('\nlargest .vsix entries (compressed):');
  for (const e of vsix.largest) console.log(`  ${(e.compressed / 1024).toFixed(0).padStart(6)} KiB  ${e.name}`);
}
const result = {
  at: new Date().toISOString(),
  node: process.version,
  samples: n,
  activation: { requireMs: requireStat, activateMs: activateStat, totalMs: totalStat, goalMs: GOAL_ACTIVATION_MS },
  vscode: vscodeReport ?? null,
  vsix: vsix ?? null,
  bundleBytes: fs.statSync(bundle).size,
  goalVsixBytes: GOAL_VSIX_BYTES,
};
if (!opts['no-build']) {
  // Leave the development build (source maps) in dist/ for whoever runs the tests next.
  spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });
}
const out = path.join(root, 'test-results', 'bench', 'extension.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\n-> ${path.relative(root, out)}`);
