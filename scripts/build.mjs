// Bundles the extension host code, the CLI, the webview and the integration tests with esbuild.
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** Every bundle this project ships or tests; an entry whose source is absent is a build error, not a skip. */
const targets = [
  {
    name: 'extension',
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'onnxruntime-node'],
  },
  {
    // The extension's working half, loaded on first use by dist/extension.js (keeps activation light).
    name: 'extension-host',
    entryPoints: ['src/extension/host.ts'],
    outfile: 'dist/extensionHost.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'onnxruntime-node'],
  },
  {
    name: 'cli',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    external: ['onnxruntime-node'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    name: 'webview',
    entryPoints: ['webview/main.ts'],
    outfile: 'media/webview/main.js',
    platform: 'browser',
    format: 'iife',
    loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
  },
  {
    name: 'integration-tests',
    entryPoints: ['test/integration/index.ts'],
    outfile: 'dist/test/integration/index.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'onnxruntime-node', 'mocha'],
  },
];

const common = {
  bundle: true,
  target: 'es2022',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const missing = targets.filter((t) => !existsSync(join(root, t.entryPoints[0])));
if (missing.length) {
  console.error(`build: missing entry points: ${missing.map((t) => t.entryPoints[0]).join(', ')}`);
  process.exit(1);
}

mkdirSync(join(root, 'media/webview'), { recursive: true });
const contexts = await Promise.all(targets.map(({ name, ...opts }) => esbuild.context({ ...common, ...opts })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('build: watching');
} else {
  const started = Date.now();
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  // Codicons ship a font the webview loads through its CSP-restricted media root.
  cpSync(join(root, 'node_modules/@vscode/codicons/dist/codicon.css'), join(root, 'media/webview/codicon.css'));
  cpSync(join(root, 'node_modules/@vscode/codicons/dist/codicon.ttf'), join(root, 'media/webview/codicon.ttf'));
  // Webview: the panel's own CSS is bundled by esbuild into main.css (webview/main.ts imports it); KaTeX's stylesheet
  // is copied with its fonts, which katex.min.css loads from ./fonts/.
  mkdirSync(join(root, 'media/webview/katex/fonts'), { recursive: true });
  cpSync(join(root, 'node_modules/katex/dist/katex.min.css'), join(root, 'media/webview/katex/katex.min.css'));
  for (const f of readdirSync(join(root, 'node_modules/katex/dist/fonts'))) {
    if (f.endsWith('.woff2')) cpSync(join(root, 'node_modules/katex/dist/fonts', f), join(root, 'media/webview/katex/fonts', f));
  }
  console.log(`build: ${targets.length} bundles in ${Date.now() - started} ms`);
}
