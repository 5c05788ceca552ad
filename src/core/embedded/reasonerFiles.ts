/**
 * The embedded reasoning models' files (model/countdown-{sos,path,sos-star}.*, written by model/train_reasoner.py):
 * the ONNX graph (the step policy's shape and KV-cache convention, other sizes and vocabulary), its SHA-256, and the
 * meta file below. Loaded like the policy: the bytes are checked against the checksum before onnxruntime sees them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

import { EmbeddedModelError, readVerifiedOnnx, type ModelFiles } from './modelFiles';
import type { ReasonerName } from './embeddedNames';
import shipped from './shipped.json';

export const REASONER_FORMAT = 'metacot-countdown-reasoner/1';

/** The reasoner's meta file (`countdown-sos.json`): one schema for the format, the TypeScript type read from it. */
export const ReasonerMetaSchema = z.object({
  format: z.literal(REASONER_FORMAT),
  name: z.enum(['countdown-sos', 'countdown-path', 'countdown-sos-star']),
  /** what the model was trained on: the search as visited ('sos') or the solution path only ('path') */
  layout: z.enum(['sos', 'path']),
  tokens: z.array(z.string()).min(4),
  pad: z.number().int().nonnegative(),
  bos: z.number().int().nonnegative(),
  eos: z.number().int().nonnegative(),
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  ctx: z.number().int().positive(),
  inputs: z.record(z.string(), z.string()).optional(),
  outputs: z.record(z.string(), z.string()).optional(),
  /** free-form training summary (data, tokens seen, seed, seconds, loss) */
  training: z.record(z.string(), z.unknown()).optional(),
}).refine((m) => [m.pad, m.bos, m.eos].every((i) => i < m.tokens.length), { message: 'pad, bos and eos must index tokens' });
export type ReasonerMeta = z.infer<typeof ReasonerMetaSchema>;

type FileNames = { onnx: string; checksum: string; meta: string };
const FILES: Record<ReasonerName, FileNames> = { ...shipped.reasonerFiles, ...shipped.optionalReasonerFiles };

/** The three files of a reasoner, by name. */
export function reasonerFileNames(name: ReasonerName): FileNames {
  return FILES[name];
}

/** True when the folder holds the reasoner's ONNX and meta files (the optional STaR model may be absent). */
export function hasReasoner(dir: string, name: ReasonerName): boolean {
  const f = FILES[name];
  return existsSync(join(dir, f.onnx)) && existsSync(join(dir, f.meta));
}

/** Reads and checks a reasoner's meta file. */
export function readReasonerMeta(dir: string, name: ReasonerName): ReasonerMeta {
  const path = join(dir, FILES[name].meta);
  if (!existsSync(path)) throw new EmbeddedModelError(`embedded reasoner file missing: ${path}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new EmbeddedModelError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = ReasonerMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new EmbeddedModelError(`${path} is not a ${REASONER_FORMAT} file: ${first ? `${first.path.join('.') || '(top)'}: ${first.message}` : 'invalid'}`);
  }
  if (parsed.data.name !== name) throw new EmbeddedModelError(`${path} describes "${parsed.data.name}", not "${name}"`);
  return parsed.data;
}

/** The reasoner's verified files, in the shape EmbeddedModel.open takes. Throws EmbeddedModelError with what to do. */
export function readReasonerFiles(dir: string, name: ReasonerName): ModelFiles & { meta: ReasonerMeta } {
  const f = FILES[name];
  const meta = readReasonerMeta(dir, name);
  const { onnx, sha256 } = readVerifiedOnnx(dir, f.onnx, f.checksum, `embedded reasoner ${name}`, 'train_reasoner.py');
  return { dir, onnx, sha256, vocab: meta, meta };
}
