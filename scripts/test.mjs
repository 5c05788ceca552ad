// `npm test`: every test tier in order (unit, webview, integration), then one closing line `N passed, N failed`.
// Usage: node scripts/test.mjs [--tier unit|webview|integration ...]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });

const requested = process.argv.flatMap((a, i, all) => (all[i - 1] === '--tier' ? [a] : []));

function testFiles(dir) {
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.test.ts')) out.push(p);
    }
  };
  walk(join(root, dir));
  return out.sort();
}

function nodeTestTier(name, dir, concurrency) {
  const files = testFiles(dir);
  if (!files.length) return { status: 1, note: `no test files under ${dir}` };
  const out = join(results, `${name}.json`);
  const r = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      `--test-reporter=${join(root, 'scripts/countReporter.mjs')}`, `--test-reporter-destination=${out}`,
      ...files,
    ],
    { cwd: root, stdio: 'inherit' },
  );
  return { status: r.status ?? 1 };
}

const INTEGRATION_FILES = ['integration-trust-off.json', 'integration-trust-on.json', 'integration-installed.json'];
const tiers = [
  { name: 'unit', run: () => nodeTestTier('unit', 'test/unit', 2) },
  // One browser at a time: the webview tests measure nothing, but two Chromiums on two cores only add flakiness.
  { name: 'webview', run: () => nodeTestTier('webview', 'test/webview', 1) },
  {
    name: 'integration',
    run: () => {
      let status = 0;
      for (const trust of ['off', 'on']) {
        const r = spawnSync(process.execPath, [join(root, 'scripts/integration.mjs'), '--trust', trust, '--results', join(results, `integration-trust-${trust}.json`)], { cwd: root, stdio: 'inherit' });
        status ||= r.status ?? 1;
      }
      // Installed mode last: it packages the .vsix when it is older than the sources (CI packaged it already).
      const r = spawnSync(process.execPath, [join(root, 'scripts/integrationInstalled.mjs'), '--results', join(results, 'integration-installed.json')], { cwd: root, stdio: 'inherit' });
      status ||= r.status ?? 1;
      return { status, files: INTEGRATION_FILES };
    },
  },
];

// Everything the tiers need, so `npm test` works on a fresh clone after `npm ci`: bundles, Debian packages
// (chromium, rg, krb5 headers) and code-server, each step a no-op when already in place.
function prepare(label, cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`test: ${label} failed (exit ${r.status})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}
const wants = (tier) => !requested.length || requested.includes(tier);
prepare('build', process.execPath, [join(root, 'scripts/build.mjs')]);
if (wants('webview') || wants('integration')) prepare('system packages', 'bash', [join(root, 'scripts/ensureSystemDeps.sh')]);
if (wants('integration')) prepare('code-server install', 'bash', [join(root, 'scripts/installCodeServer.sh')]);

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
for (const tier of tiers) {
  if (requested.length && !requested.includes(tier.name)) continue;
  const files = [`${tier.name}.json`];
  for (const f of [...files, ...INTEGRATION_FILES]) rmSync(join(results, f), { force: true });
  console.log(`\n=== ${tier.name} tests ===`);
  const r = tier.run();
  let tp = 0, tf = 0, ts = 0;
  for (const f of r.files ?? files) {
    const p = join(results, f);
    if (!existsSync(p)) continue;
    const c = JSON.parse(readFileSync(p, 'utf8'));
    tp += c.passed; tf += c.failed; ts += c.skipped ?? 0;
  }
  // A tier that exits non-zero without recording a failure (crash, build error, no tests) still counts as one.
  if (r.status !== 0 && tf === 0) tf = 1;
  passed += tp; failed += tf; skipped += ts;
  summary.push(`${tier.name}: ${tp} passed, ${tf} failed, ${ts} skipped${r.note ? ` (${r.note})` : ''}`);
}
console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
