// Runs every benchmark in test/bench (or the ones named) one after another; each prints its table and writes
// test-results/bench/<name>.json. Benchmarks are measurements, not tests: a missed goal is reported, not failed.
// Usage: npm run bench [-- traceLoad searchScheduling ...]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wanted = process.argv.slice(2);
const all = readdirSync(join(root, 'test/bench')).filter((f) => f.endsWith('.ts')).map((f) => basename(f, '.ts'));
const chosen = wanted.length ? all.filter((n) => wanted.includes(n)) : all;
const unknown = wanted.filter((n) => !all.includes(n));
if (unknown.length) {
  console.error(`bench: unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of chosen) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test/bench', `${name}.ts`)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.error(`bench: ${name} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
