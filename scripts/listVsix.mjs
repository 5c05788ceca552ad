// Lists what a .vsix ships (every file with its size) and its total size, and fails when (a) a file outside the
// intended set slipped in or (b) a file the extension loads at run time is missing (scripts/packageFiles.mjs is
// the list; a font a shipped stylesheet loads counts too). Warns above the 8 MiB goal for the universal package.
// Usage: node scripts/listVsix.mjs dist/metacot-debugger.vsix
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { allowedExtra, requiredFiles, root } from './packageFiles.mjs';

const GOAL_MIB = 8;
const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/listVsix.mjs <file.vsix>');
  process.exit(2);
}

// `unzip -Zl` lines: permissions, version, os, size, type, compressed size, method, date, time, name
const entries = execFileSync('unzip', ['-Zl', file], { encoding: 'utf8' })
  .split('\n')
  .map((l) => /^\S+\s+\S+\s+\S+\s+(\d+)\s+\S+\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(.+)$/.exec(l))
  .filter((m) => m !== null)
  .map((m) => ({ size: Number(m[1]), packed: Number(m[2]), name: m[3] }));
const names = new Set(entries.map((e) => e.name));

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const required = requiredFiles(pkg).map((p) => `extension/${p}`);
// Stylesheets load fonts by relative url(); each @font-face `src` needs at least one of its urls in the package.
for (const css of required.filter((p) => p.endsWith('.css') && names.has(p))) {
  const text = execFileSync('unzip', ['-p', file, css], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const [, src] of text.matchAll(/src:([^;}]+)/g)) {
    const urls = [...src.matchAll(/url\(\s*["']?([^"')?#]+)[^)]*\)/g)].map((m) => m[1]).filter((u) => !/^(data|https?):/.test(u));
    const paths = urls.map((u) => posix.join(posix.dirname(css), u));
    if (paths.length && !paths.some((p) => names.has(p))) required.push(paths[0]);
  }
}

const requiredSet = new Set(required);
const unexpected = entries.filter((e) => !requiredSet.has(e.name) && !allowedExtra.some((re) => re.test(e.name)));
const missing = [...requiredSet].filter((p) => !names.has(p));

const mib = (n) => (n / 1024 / 1024).toFixed(2);
const bytes = statSync(file).size;
console.log(`  ${"bytes".padStart(10)}  ${"packed".padStart(10)}  path`);
for (const e of entries) console.log(`  ${String(e.size).padStart(10)}  ${String(e.packed).padStart(10)}  ${e.name}`);
console.log(`${file}: ${entries.length} files, ${mib(entries.reduce((s, e) => s + e.size, 0))} MiB unpacked, ${mib(bytes)} MiB .vsix`);
if (bytes > GOAL_MIB * 1024 * 1024) console.log(`warning: the .vsix is ${mib(bytes)} MiB, over the ${GOAL_MIB} MiB goal`);
if (unexpected.length) console.error(`unexpected files in the .vsix:\n  ${unexpected.map((e) => e.name).join('\n  ')}`);
if (missing.length) console.error(`files the extension loads at run time are missing from the .vsix:\n  ${missing.join('\n  ')}`);
if (unexpected.length || missing.length) process.exit(1);
