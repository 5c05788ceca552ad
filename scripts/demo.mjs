// The README's main jobs: build, then run a search on a sample Countdown problem with the embedded default
// endpoint (the offline ONNX models, in process), print the tree and the path of the trace file it wrote.
//   npm run demo [-- --strategy mcts --select 2]   external search (A*) by the step policy
//   npm run demo -- --in-context                    the reasoner countdown-sos searching in its own chain of thought
//                                                   (in-context strategy: its backtracks drawn as branches)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const inContext = args.includes('--in-context');
const out = join(root, '.metacot', 'traces');

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run(process.execPath, [join(root, 'scripts/build.mjs')]);
const started = Date.now();
run(process.execPath, [
  join(root, 'dist/cli.js'), 'run',
  '--problems', join(root, 'test/fixtures/workspace/problems/countdown.jsonl'),
  '--select', opt('select', '1'),
  ...(inContext
    ? ['--strategy', 'in-context', '--model', opt('model', 'embedded-countdown-sos'), '--param', `seed=${opt('seed', '1')}`]
    : ['--strategy', opt('strategy', 'astar')]),
  '--out', out,
]);
const written = readdirSync(out)
  .filter((f) => f.endsWith('.metacot.json'))
  .map((f) => join(out, f))
  .filter((f) => statSync(f).mtimeMs >= started - 1000);
for (const file of written) {
  console.log(`\n${file}`);
  run(process.execPath, [join(root, 'dist/cli.js'), 'show', file]);
}
console.log(`\nTrace written: ${written.join(', ')}\nOpen it in VS Code (Meta-CoT: Open Trace) to inspect and edit the search.`);
console.log(`Run and show took ${((Date.now() - started) / 1000).toFixed(1)} s after the build.`);
