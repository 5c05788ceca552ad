/**
 * The one ONNX runtime loader: onnxruntime-web's WebAssembly backend, run in the host's Node (the CLI, the tests,
 * the benchmarks and the installed extension all come here). It is platform-independent, so the universal .vsix
 * carries it as two files (shipped.json `ortFiles`) instead of a native binary per platform.
 * Loaded on first use, never at import: a missing runtime disables only the embedded model.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Ort from 'onnxruntime-web';

import { EmbeddedModelError } from './modelFiles';
import shipped from './shipped.json';

/** The part of the onnxruntime API the model uses; onnxruntime-node has the same shape (the benchmark compares them). */
export type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

export interface OrtRuntime {
  /** 'wasm' for this loader; the benchmark's native comparison says 'native' */
  name: string;
  ort: OrtModule;
  /** options every session is created with */
  sessionOptions: Ort.InferenceSession.SessionOptions;
  /** where the runtime files were found */
  location: string;
}

/** The files the runtime reads from its folder at load time (the packager copies exactly these). */
export const ORT_RUNTIME_FILES: readonly string[] = shipped.ortFiles;
const [WASM_FILE, MJS_FILE] = shipped.ortFiles as [string, string];

/**
 * Where to look for the runtime files, in order: `$METACOT_ORT_WASM_DIR` alone when set; else `ort/` beside this
 * module (the packaged extension's bundles live in `dist/`, the files in `dist/ort/`), then onnxruntime-web's own
 * `dist/` folder in node_modules (the repository, run from source).
 */
export function wasmDirCandidates(): string[] {
  const env = process.env['METACOT_ORT_WASM_DIR'];
  if (env) return [resolve(env)];
  const found: string[] = [];
  if (typeof __dirname !== 'undefined') found.push(join(__dirname, 'ort'));
  try {
    found.push(dirname(require.resolve('onnxruntime-web')));
  } catch {
    // no node_modules (the installed extension): the bundle's own dist/ort/ is the only place
  }
  return found;
}

/** The first candidate folder holding every runtime file; otherwise an error naming each folder and what it lacks. */
export function findWasmDir(candidates: readonly string[] = wasmDirCandidates()): string {
  const lacking: string[] = [];
  for (const dir of candidates) {
    const missing = ORT_RUNTIME_FILES.filter((f) => !existsSync(join(dir, f)));
    if (missing.length === 0) return dir;
    lacking.push(`${dir} (missing ${missing.join(', ')})`);
  }
  throw new EmbeddedModelError(
    `the embedded model's WebAssembly runtime is missing: looked in ${lacking.join('; ') || 'no folder'}. ` +
      `Reinstall the extension (its ${shipped.ortFolder}/ folder holds ${ORT_RUNTIME_FILES.join(' and ')}), ` +
      'set METACOT_ORT_WASM_DIR to a folder holding them, or configure an OpenAI-compatible endpoint instead ' +
      '(Meta-CoT: Configure Endpoint, or --endpoint on the command line).',
  );
}

let cached: Promise<OrtRuntime> | undefined;

/** An inference session over checked model bytes; a runtime that cannot open them is an EmbeddedModelError. */
export async function openSession(runtime: OrtRuntime, onnx: Uint8Array, what: string, dir: string): Promise<Ort.InferenceSession> {
  try {
    return await runtime.ort.InferenceSession.create(onnx, runtime.sessionOptions);
  } catch (e) {
    throw new EmbeddedModelError(`onnxruntime (${runtime.name}, ${runtime.location}) could not open the ${what} in ${dir}: ${(e as Error).message}`);
  }
}

let turns: Promise<unknown> = Promise.resolve();

/**
 * Runs a session, one call at a time per process. onnxruntime-web's wasm backend is not re-entrant: two overlapping
 * run() calls (MCTS's parallel simulations, concurrent requests, the policy and the value model of one search)
 * corrupt each other's outputs ("Reading data from non-tensor typed value"). The runtime is single-threaded anyway,
 * so queueing the calls costs nothing.
 */
export function runExclusive(session: Ort.InferenceSession, feeds: Ort.InferenceSession.FeedsType): Promise<Ort.InferenceSession.ReturnType> {
  const turn = turns.then(() => session.run(feeds));
  turns = turn.catch(() => undefined);
  return turn;
}

/** The wasm runtime, initialised once per process; a failed load is not remembered (restored files work next time). */
export function loadRuntime(): Promise<OrtRuntime> {
  if (!cached) {
    cached = initRuntime();
    cached.catch(() => (cached = undefined));
  }
  return cached;
}

async function initRuntime(): Promise<OrtRuntime> {
  const dir = findWasmDir();
  let ort: typeof Ort;
  try {
    // bundled into dist/*.js by esbuild; from source it resolves to node_modules (package exports `node` → CommonJS)
    ort = require('onnxruntime-web') as typeof Ort;
  } catch (e) {
    throw new EmbeddedModelError(`onnxruntime-web could not be loaded (${(e as Error).message.split('\n')[0]})`);
  }
  // One thread: no worker or SharedArrayBuffer is needed, and the small model gains little from more.
  ort.env.wasm.numThreads = 1;
  // The .wasm bytes are handed over directly; the Emscripten glue is imported by file URL (a bare Windows path is no URL).
  ort.env.wasm.wasmBinary = new Uint8Array(readFileSync(join(dir, WASM_FILE)));
  ort.env.wasm.wasmPaths = { mjs: pathToFileURL(join(dir, MJS_FILE)) };
  return {
    name: 'wasm',
    ort,
    sessionOptions: { executionProviders: ['wasm'], executionMode: 'sequential', graphOptimizationLevel: 'all' },
    location: dir,
  };
}
