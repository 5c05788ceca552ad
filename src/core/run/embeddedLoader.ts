/**
 * The embedded Countdown model, loaded once per process per model folder (loading reads and checks the ONNX file)
 * and run in process by every client. Imported on first use: clients that never pick it never load onnxruntime.
 */
import type { Generator } from '../llm/generator';
import type { EmbeddedCountdownPolicy } from '../embedded/policy';
import { POLICY_MODEL_ID } from '../embedded/embeddedNames';

const policies = new Map<string, Promise<EmbeddedCountdownPolicy>>();

/**
 * A fresh generator per run (its seed counter starts at 0, so runs replay) over the shared policy, or over the shared
 * reasoner a model id names (`embedded-countdown-sos`, `embedded-countdown-path`).
 */
export async function embeddedGenerator(model?: string): Promise<Generator> {
  if (model !== undefined && model !== POLICY_MODEL_ID) {
    const { reasonerGenerator } = await import('../embedded/reasonerLoader');
    return reasonerGenerator(model);
  }
  const { EmbeddedCountdownPolicy, EmbeddedGenerator, defaultModelDir } = await import('../embedded');
  const dir = defaultModelDir();
  let policy = policies.get(dir);
  if (!policy) {
    policy = EmbeddedCountdownPolicy.create({ dir });
    policies.set(dir, policy);
    // A failed load is not remembered: the next run tries again (e.g. after the files are restored).
    policy.catch(() => policies.delete(dir));
  }
  return new EmbeddedGenerator(await policy);
}
