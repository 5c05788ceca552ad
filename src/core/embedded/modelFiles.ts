/**
 * Finding the embedded model's files and loading them safely: the ONNX bytes are hashed and compared with the
 * shipped SHA-256 before onnxruntime sees them, so a corrupted or replaced file is refused with a clear message.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import shipped from './shipped.json';
import type { VocabFile } from './tokenizer';

// Named once in shipped.json, which the packager (scripts/packageFiles.mjs) also reads.
export const MODEL_FILE = shipped.modelFiles.onnx;
export const CHECKSUM_FILE = shipped.modelFiles.checksum;
export const VOCAB_FILE = shipped.modelFiles.vocab;
const MODEL_FOLDER = shipped.modelFolder;

export class EmbeddedModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedModelError';
  }
}

/**
 * The folder holding the model: `$METACOT_EMBEDDED_MODEL_DIR`, else the first `model/` found walking up from this
 * module (the installed extension's bundle is `<extension>/dist/*.js`, so that is `<extension>/model/`; from source,
 * the repository's `model/`), then from the working directory.
 */
export function defaultModelDir(): string {
  const env = process.env['METACOT_EMBEDDED_MODEL_DIR'];
  if (env) return resolve(env);
  const starts = [typeof __dirname !== 'undefined' ? __dirname : undefined, process.cwd()].filter(
    (s): s is string => typeof s === 'string',
  );
  for (const start of starts) {
    let dir = resolve(start);
    for (;;) {
      const cand = join(dir, MODEL_FOLDER);
      if (existsSync(join(cand, MODEL_FILE)) && existsSync(join(cand, VOCAB_FILE))) return cand;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  throw new EmbeddedModelError(
    `embedded model not found: no ${MODEL_FOLDER}/${MODEL_FILE} above ${starts.join(' or ')}; ` +
      `set METACOT_EMBEDDED_MODEL_DIR to the folder holding ${MODEL_FILE}, ${CHECKSUM_FILE} and ${VOCAB_FILE}`,
  );
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ModelFiles {
  dir: string;
  onnx: Uint8Array;
  sha256: string;
  vocab: VocabFile;
}

/**
 * An ONNX file's bytes, hashed and compared with the SHA-256 in its checksum file before onnxruntime sees them.
 * `what` names the model in messages; `script` is the training script that rewrites the file and its checksum.
 */
export function readVerifiedOnnx(dir: string, onnxFile: string, checksumFile: string, what: string, script: string): { onnx: Uint8Array; sha256: string } {
  const onnxPath = join(dir, onnxFile);
  const sumPath = join(dir, checksumFile);
  for (const p of [onnxPath, sumPath]) {
    if (!existsSync(p)) throw new EmbeddedModelError(`${what} file missing: ${p}`);
  }
  const expected = readFileSync(sumPath, 'utf8').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(expected)) {
    throw new EmbeddedModelError(`${sumPath} does not hold a SHA-256 hex digest`);
  }
  const onnx = new Uint8Array(readFileSync(onnxPath));
  const actual = sha256Hex(onnx);
  if (actual !== expected) {
    throw new EmbeddedModelError(
      `${what} checksum mismatch: ${onnxPath} has SHA-256 ${actual} but ${checksumFile} expects ${expected}. ` +
        `The file is corrupted or was replaced; refusing to load it. Restore it (git checkout -- ${MODEL_FOLDER}/${onnxFile}) ` +
        `or retrain and re-export with ${MODEL_FOLDER}/${script}, which rewrites the checksum.`,
    );
  }
  return { onnx, sha256: actual };
}

/** Reads a JSON file of the model folder whose `format` must be `format`. */
export function readModelJson<T extends { format?: unknown }>(path: string, format: string): T {
  if (!existsSync(path)) throw new EmbeddedModelError(`embedded model file missing: ${path}`);
  let meta: T;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new EmbeddedModelError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (meta.format !== format) throw new EmbeddedModelError(`${path}: unknown format ${JSON.stringify(meta.format)}`);
  return meta;
}

/** Reads the model folder and verifies the checksum. Throws EmbeddedModelError with what to do. */
export function readModelFiles(dir: string): ModelFiles {
  const vocabPath = join(dir, VOCAB_FILE);
  if (!existsSync(vocabPath)) throw new EmbeddedModelError(`embedded model file missing: ${vocabPath}`);
  const { onnx, sha256 } = readVerifiedOnnx(dir, MODEL_FILE, CHECKSUM_FILE, 'embedded model', 'train_countdown.py');
  const vocab = readModelJson<VocabFile>(vocabPath, 'metacot-countdown-policy/1');
  if (!Array.isArray(vocab.tokens)) throw new EmbeddedModelError(`${vocabPath}: no token list`);
  return { dir, onnx, sha256, vocab };
}
