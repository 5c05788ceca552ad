/**
 * Rewrites package.json's `metacot.search.strategy` and `metacot.search.params` settings from the strategy
 * catalog (src/core/search/catalog), so the settings schema never drifts from what the engine accepts.
 * `npm run sync:manifest` writes the file; `--check` only reports (exit 1) when it is out of date.
 * Runs under tsx (`node --import tsx`) because the catalog is TypeScript.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifestSearchSettings } from '../src/core/search/catalog/index.ts';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
const before = readFileSync(file, 'utf8');
const pkg = JSON.parse(before);
const sections = [pkg.contributes.configuration].flat();
const settings = manifestSearchSettings();
for (const [key, value] of Object.entries(settings)) {
  // Replace in the section that has the key (keeps its place among the settings), else add it to the first one.
  const section = sections.find((s) => key in s.properties) ?? sections[0];
  section.properties[key] = value;
}
const after = `${JSON.stringify(pkg, null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error('package.json: search settings differ from the strategy catalog; run `npm run sync:manifest`');
    process.exit(1);
  }
  console.log('package.json: search settings match the strategy catalog');
} else if (after === before) {
  console.log('package.json: search settings already match the strategy catalog');
} else {
  writeFileSync(file, after);
  console.log(`package.json: wrote ${Object.keys(settings).join(', ')} from the strategy catalog`);
}
