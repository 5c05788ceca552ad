/**
 * The one runtime loader (src/core/embedded/runtime.ts): onnxruntime-web's WebAssembly backend, found beside the
 * bundle (dist/ort/) or in node_modules. A missing runtime folder is a clear EmbeddedModelError naming where it
 * looked, and only the embedded model is lost: the rest of core still imports. Native onnxruntime-node is never used.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedModelError } from '../../src/core/embedded/modelFiles';
import { findWasmDir, ORT_RUNTIME_FILES, wasmDirCandidates } from '../../src/core/embedded/runtime';

const root = join(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'metacot-ort-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function folder(name: string, files: readonly string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f), '');
  return dir;
}

function runScript(script: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
}

test('the runtime is the WebAssembly module and its glue', () => {
  assert.deepEqual([...ORT_RUNTIME_FILES], ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']);
});

test('findWasmDir takes the first folder holding every runtime file', () => {
  const partial = folder('partial', ['ort-wasm-simd-threaded.wasm']);
  const full = folder('full', ORT_RUNTIME_FILES);
  const alsoFull = folder('alsoFull', ORT_RUNTIME_FILES);
  assert.equal(findWasmDir([join(tmp, 'absent'), partial, full, alsoFull]), full);
});

test('findWasmDir names every folder it looked in and the files each one lacks', () => {
  const partial = folder('onlyWasm', ['ort-wasm-simd-threaded.wasm']);
  const absent = join(tmp, 'nowhere');
  assert.throws(
    () => findWasmDir([absent, partial]),
    (e: unknown) => {
      assert.ok(e instanceof EmbeddedModelError);
      assert.ok(
        e.message.startsWith(
          `the embedded model's WebAssembly runtime is missing: looked in ${absent} (missing ort-wasm-simd-threaded.wasm, ort-wasm-simd-threaded.mjs); ` +
            `${partial} (missing ort-wasm-simd-threaded.mjs). Reinstall the extension (its dist/ort/ folder holds`,
        ),
        e.message,
      );
      assert.match(e.message, /set METACOT_ORT_WASM_DIR .* or configure an OpenAI-compatible endpoint instead/);
      return true;
    },
  );
});

test('candidates: $METACOT_ORT_WASM_DIR alone when set; else ort/ beside the module, then onnxruntime-web in node_modules', () => {
  const saved = process.env['METACOT_ORT_WASM_DIR'];
  try {
    process.env['METACOT_ORT_WASM_DIR'] = join(tmp, 'chosen');
    assert.deepEqual(wasmDirCandidates(), [join(tmp, 'chosen')]);
    delete process.env['METACOT_ORT_WASM_DIR'];
    assert.deepEqual(wasmDirCandidates(), [join(root, 'src/core/embedded/ort'), join(root, 'node_modules/onnxruntime-web/dist')]);
    // from the repository the node_modules copy is complete
    assert.equal(findWasmDir(), join(root, 'node_modules/onnxruntime-web/dist'));
  } finally {
    if (saved === undefined) delete process.env['METACOT_ORT_WASM_DIR'];
    else process.env['METACOT_ORT_WASM_DIR'] = saved;
  }
});

test('with the runtime folder missing, core imports and load() gives the clear error naming the path', () => {
  const empty = folder('empty', []);
  const r = runScript(
    `
    const { EmbeddedModel } = require('./src/core/embedded/model.ts');
    require('./src/core/search/engine.ts');
    require('./src/core/run/index.ts');
    EmbeddedModel.load().then(
      () => console.log('LOADED'),
      (e) => console.log('ERROR ' + e.name + ': ' + e.message),
    );
  `,
    { METACOT_ORT_WASM_DIR: empty },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`^ERROR EmbeddedModelError: the embedded model's WebAssembly runtime is missing: looked in ${empty.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} \\(missing ort-wasm-simd-threaded\\.wasm, ort-wasm-simd-threaded\\.mjs\\)`, 'm'),
  );
});

test('the model loads and decodes with onnxruntime-node unresolvable: src never needs the native runtime', () => {
  const r = runScript(`
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'onnxruntime-node') { const e = new Error("Cannot find module 'onnxruntime-node'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
      return resolve.call(this, request, ...rest);
    };
    const { EmbeddedModel } = require('./src/core/embedded/model.ts');
    (async () => {
      const m = await EmbeddedModel.load();
      const out = await m.decode({ prefix: [m.tokenizer.bos, ...m.tokenizer.encode('3, 5, 7, 2 > 24\\n')], n: 2, maxTokens: 8, temperature: 1, topP: 1, seed: 3 });
      console.log('RUNTIME ' + m.runtimeName + ' ' + out.map((s) => s.tokens.length).join(','));
      await m.release();
    })().catch((e) => console.log('ERROR ' + e.message));
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^RUNTIME wasm 8,8$/m);
});
