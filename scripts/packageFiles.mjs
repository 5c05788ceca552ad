// What the .vsix must carry, named in one place: build.mjs copies the runtime and webview assets from here, and
// listVsix.mjs checks the package against it (required: loaded at run time; allowed: may ship). The embedded
// model's and the ONNX runtime's file names come from src/core/embedded/shipped.json, which the loader reads too.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shipped = JSON.parse(readFileSync(join(root, 'src/core/embedded/shipped.json'), 'utf8'));

/** The bundles the extension and its CLI run (build.mjs writes them; dist/extension.js is package.json `main`). */
export const bundles = ['dist/extension.js', 'dist/extensionHost.js', 'dist/cli.js'];

const katexFonts = 'node_modules/katex/dist/fonts';
/** Files build.mjs copies from node_modules, as { from, to } relative to the repository root. */
export function assetCopies() {
  const copies = [
    // onnxruntime-web's WebAssembly backend: the module and its Emscripten glue, read by src/core/embedded/runtime.ts
    ...shipped.ortFiles.map((f) => ({ from: `node_modules/onnxruntime-web/dist/${f}`, to: `${shipped.ortFolder}/${f}` })),
    // Codicons ship a font the webview loads through its CSP-restricted media root.
    { from: 'node_modules/@vscode/codicons/dist/codicon.css', to: 'media/webview/codicon.css' },
    { from: 'node_modules/@vscode/codicons/dist/codicon.ttf', to: 'media/webview/codicon.ttf' },
    // KaTeX's stylesheet loads its fonts from ./fonts/.
    { from: 'node_modules/katex/dist/katex.min.css', to: 'media/webview/katex/katex.min.css' },
  ];
  if (existsSync(join(root, katexFonts))) {
    for (const f of readdirSync(join(root, katexFonts))) {
      if (f.endsWith('.woff2')) copies.push({ from: `${katexFonts}/${f}`, to: `media/webview/katex/fonts/${f}` });
    }
  }
  return copies;
}

/** Every `media/...` file package.json refers to (view icons, walkthrough media, ...). */
export function manifestMedia(pkg) {
  const found = new Set();
  const walk = (v) => {
    if (typeof v === 'string') {
      const p = v.replace(/^\.\//, '');
      if (/^media\/[^\s*]+\.[A-Za-z0-9]+$/.test(p)) found.add(p);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(pkg);
  return [...found].sort();
}

/** Paths (relative to the extension folder) the installed extension loads at run time; a package lacking one is broken. */
export function requiredFiles(pkg) {
  return [
    ...bundles,
    ...assetCopies().map((c) => c.to),
    'media/webview/main.js',
    'media/webview/main.css',
    // The panel's lazily imported chunks (markdown-it + KaTeX and what main.js shares with them; scripts/build.mjs).
    'media/webview/chunks/markdownRender.js',
    'media/webview/chunks/chunk.js',
    // The Experiment view's page.
    'media/webview/experiment.js',
    'media/webview/experiment.css',
    ...Object.values(shipped.modelFiles).map((f) => `${shipped.modelFolder}/${f}`),
    ...Object.values(shipped.valueFiles).map((f) => `${shipped.modelFolder}/${f}`),
    // The embedded reasoners (in-context search; src/core/embedded/reasonerFiles.ts).
    ...Object.values(shipped.reasonerFiles).flatMap((r) => Object.values(r)).map((f) => `${shipped.modelFolder}/${f}`),
    // The held-out sets `metacot experiment --problems heldout-test` and the Experiment view read (spec.ts NAMED_SETS).
    `${shipped.modelFolder}/heldout.json`,
    ...manifestMedia(pkg),
  ];
}

/** Files that may ship besides the required ones: the manifest files vsce writes and the docs it includes. */
export const allowedExtra = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|LICENSE)$/i,
  /^extension\/model\/README\.md$/,
  // the STaR reasoner ships only when it was trained (shipped.json optionalReasonerFiles)
  ...Object.values(shipped.optionalReasonerFiles).flatMap((r) => Object.values(r)).map((f) => new RegExp(`^extension/${shipped.modelFolder}/${f.replace(/\./g, '\\.')}$`)),
  /^extension\/media\/icons\/[^/]+$/,
  // pictures a walkthrough page links to (the pages themselves are required: package.json names them)
  /^extension\/media\/walkthrough\/[^/]+\.(png|svg|gif|jpg|jpeg|webp)$/,
];
