/**
 * Fault injection for the reference server: by rate (seeded draws per generation request) or by sequence
 * (the next requests, in arrival order). One zod schema, so the CLI's `--faults` and tests share a format.
 */
import * as z from 'zod';
import type { Rng } from './rng';

/** `proxy-502`: an nginx-style HTML 502 page; `validation-422`: FastAPI's `{"detail":[…]}` validation list. */
export const FaultKindSchema = z.enum(['429', '500', '503', 'reset', 'hang', 'malformed', 'bad-shape', 'stream-cut', 'proxy-502', 'validation-422']);
export type FaultKind = z.infer<typeof FaultKindSchema>;

export const FaultPlanSchema = z
  .object({
    /** Probability per generation request for each kind (drawn from the server's seeded RNG). */
    rates: z.partialRecord(FaultKindSchema, z.number().min(0).max(1)).optional(),
    /** Faults for the next generation requests in arrival order ('ok' = no fault); consumed before `rates`. */
    sequence: z.array(z.union([FaultKindSchema, z.literal('ok')])).optional(),
    /** Retry-After sent with injected 429 / 503 (default 50 ms). */
    retryAfterMs: z.number().nonnegative().optional(),
    /** A hung request answers normally after this long; default: it waits until the client gives up. */
    hangMs: z.number().nonnegative().optional(),
    /** Stream chunks sent before a 'stream-cut' (default 2). */
    cutAfterChunks: z.number().int().nonnegative().optional(),
  })
  .strict();
export type FaultPlan = z.infer<typeof FaultPlanSchema>;

export interface FaultDecider {
  next(): FaultKind | null;
}

export function createFaultDecider(plan: FaultPlan, rng: Rng): FaultDecider {
  const sequence = [...(plan.sequence ?? [])];
  const rates = Object.entries(plan.rates ?? {}) as [FaultKind, number][];
  const total = rates.reduce((s, [, p]) => s + p, 0);
  if (total > 1) throw new Error(`fault rates add up to ${total}; they must not exceed 1`);
  return {
    next() {
      if (sequence.length > 0) {
        const kind = sequence.shift();
        return kind === 'ok' || kind === undefined ? null : kind;
      }
      if (total === 0) return null;
      let u = rng.next();
      for (const [kind, p] of rates) {
        if (u < p) return kind;
        u -= p;
      }
      return null;
    },
  };
}

/**
 * CLI form: `429:0.1,500:0.05` (rates) or `seq:429,429,ok,reset` (sequence), combinable with `;`,
 * plus `retry-after-ms:100`, `hang-ms:5000`, `cut-after:2`.
 */
export function parseFaultSpec(spec: string): FaultPlan {
  const plan: FaultPlan = {};
  for (const part of spec.split(';').map((s) => s.trim()).filter(Boolean)) {
    if (part.startsWith('seq:')) {
      plan.sequence = part.slice(4).split(',').map((s) => s.trim()) as FaultPlan['sequence'];
      continue;
    }
    for (const item of part.split(',').map((s) => s.trim()).filter(Boolean)) {
      const idx = item.lastIndexOf(':');
      if (idx < 0) throw new Error(`fault "${item}": expected kind:rate, e.g. 429:0.1`);
      const key = item.slice(0, idx);
      const value = Number(item.slice(idx + 1));
      if (!Number.isFinite(value)) throw new Error(`fault "${item}": "${item.slice(idx + 1)}" is not a number`);
      if (key === 'retry-after-ms') plan.retryAfterMs = value;
      else if (key === 'hang-ms') plan.hangMs = value;
      else if (key === 'cut-after') plan.cutAfterChunks = value;
      else plan.rates = { ...plan.rates, [key]: value };
    }
  }
  const parsed = FaultPlanSchema.safeParse(plan);
  if (!parsed.success) {
    throw new Error(`--faults "${spec}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
