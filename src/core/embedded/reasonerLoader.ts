/**
 * The embedded reasoners, loaded once per process per model folder and name (loading reads and checks the ONNX
 * file), and the in-process generator a run gets for a reasoner's model id. Imported on first use.
 */
import type { Generator } from '../llm/generator';
import { reasonerNameOf, type ReasonerName } from './embeddedNames';
import { defaultModelDir, EmbeddedModelError } from './modelFiles';
import { EmbeddedReasoner } from './reasoner';
import { EmbeddedReasonerGenerator, type ReasonerGeneratorOptions } from './reasonerGenerator';

const loaded = new Map<string, Promise<EmbeddedReasoner>>();

/** The shared reasoner of a folder (default: the model folder); a failed load is not remembered. */
export function sharedReasoner(name: ReasonerName, dir: string = defaultModelDir()): Promise<EmbeddedReasoner> {
  const key = `${dir}\0${name}`;
  let r = loaded.get(key);
  if (!r) {
    r = EmbeddedReasoner.load(name, { dir });
    loaded.set(key, r);
    r.catch(() => loaded.delete(key));
  }
  return r;
}

/** A fresh generator per run (its seed counter starts at 0, so runs replay) for a reasoner's model id. */
export async function reasonerGenerator(modelId: string, opts: ReasonerGeneratorOptions = {}): Promise<Generator> {
  const name = reasonerNameOf(modelId);
  if (!name) throw new EmbeddedModelError(`"${modelId}" is not an embedded reasoner`);
  return new EmbeddedReasonerGenerator(await sharedReasoner(name), opts);
}
