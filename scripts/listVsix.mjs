// Lists what a .vsix ships and its size, and fails if anything outside the intended set slipped in.
// Usage: node scripts/listVsix.mjs dist/metacot-debugger.vsix
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const file = process.argv[2];
const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
const allowed = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|LICENSE)$/i,
  /^extension\/dist\/(extension|extensionHost|cli)\.js$/,
  /^extension\/media\/(webview\/[^/]+\.(js|css|ttf|woff2)|webview\/katex\/.+|icons\/.+)$/,
  /^extension\/model\/[^/]+\.(onnx|json|sha256|md)$/,
];
const unexpected = listing.filter((f) => !allowed.some((re) => re.test(f)));
const bytes = statSync(file).size;
console.log(`${file}: ${listing.length} files, ${(bytes / 1024 / 1024).toFixed(2)} MiB`);
for (const f of listing) console.log(`  ${f}`);
if (unexpected.length) {
  console.error(`unexpected files in the .vsix:\n  ${unexpected.join('\n  ')}`);
  process.exit(1);
}
