import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

// The universal .vsix does not carry onnxruntime-node's native runtime. Without it, importing the engine and the
// embedded module must still work; only loading the embedded model fails, with a message that says what to do.
test('without onnxruntime-node the embedded module imports and load() explains the way out', () => {
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'onnxruntime-node') { const e = new Error("Cannot find module 'onnxruntime-node'"); e.code = 'MODULE_NOT_FOUND'; throw e; }
      return resolve.call(this, request, ...rest);
    };
    const { EmbeddedModel } = require('./src/core/embedded/model.ts');
    require('./src/core/search/engine.ts');
    EmbeddedModel.load().then(
      () => { console.log('LOADED'); },
      (e) => { console.log('ERROR ' + e.name + ': ' + e.message); },
    );
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ERROR EmbeddedModelError: the embedded model needs the onnxruntime-node package, which could not be loaded \(Cannot find module 'onnxruntime-node'\)\. Configure an OpenAI-compatible endpoint instead/m);
});
