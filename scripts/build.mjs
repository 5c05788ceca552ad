// Bundles the extension host code, the CLI, the webview and the integration tests with esbuild.
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assetCopies, root } from './packageFiles.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/**
 * Every bundle this project ships or tests; an entry whose source is absent is a build error, not a skip.
 * onnxruntime-web is bundled in (its Node build is plain CommonJS, ~30 kB with onnxruntime-common), so the installed
 * extension needs no node_modules; only its WebAssembly module and glue ship beside the bundles, in dist/ort/.
 */
const targets = [
  {
    name: 'extension',
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    // The extension's working half, loaded on first use by dist/extension.js (keeps activation light).
    name: 'extension-host',
    entryPoints: ['src/extension/host.ts'],
    outfile: 'dist/extensionHost.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    name: 'cli',
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // An ES module with code splitting: markdown-it and KaTeX (webview/markdownRender.ts, imported dynamically) are a
    // chunk of their own, loaded after the first frame, so the script the panel waits for is a fraction of the size.
    // The page loads main.js as <script type="module" nonce>; the nonce carries over to the chunks it imports.
    name: 'webview',
    entryPoints: ['webview/main.ts'],
    outdir: 'media/webview',
    entryNames: '[name]',
    chunkNames: 'chunks/[name]',
    splitting: true,
    platform: 'browser',
    format: 'esm',
    loader: { '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
  },
  {
    // The Experiment view's page (src/extension/experimentView.ts); its CSS is bundled to experiment.css.
    name: 'webview-experiment',
    entryPoints: ['webview/experiment/main.ts'],
    outfile: 'media/webview/experiment.js',
    platform: 'browser',
    format: 'iife',
  },
  {
    name: 'integration-tests',
    entryPoints: ['test/integration/index.ts'],
    outfile: 'dist/test/integration/index.js',
    platform: 'node',
    format: 'cjs',
    external: ['vscode', 'mocha'],
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
  // Runtime and webview assets (scripts/packageFiles.mjs names them; listVsix.mjs checks the package against it).
  // dist/ort/ is emptied first so it holds exactly the runtime files the loader reads.
  rmSync(join(root, 'dist/ort'), { recursive: true, force: true });
  for (const { from, to } of assetCopies()) {
    if (!existsSync(join(root, from))) {
      console.error(`build: ${from} is missing (npm ci?)`);
      process.exit(1);
    }
    mkdirSync(dirname(join(root, to)), { recursive: true });
    cpSync(join(root, from), join(root, to));
  }
  console.log(`build: ${targets.length} bundles in ${Date.now() - started} ms`);
}
