// The README's main job: build, then run a search on a sample Countdown problem with the embedded default
// endpoint (the offline ONNX Countdown model behind the local OpenAI-compatible server), print the tree and
// the path of the trace file it wrote.
// Usage: npm run demo [-- --strategy mcts --select 2]
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
  '--strategy', opt('strategy', 'astar'),
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
