/**
 * Declared parameters with defaults and docs. Strategies and verifiers list theirs; the engine resolves the
 * caller's `params` against them (unknown names and bad types are errors, not silently ignored) and saves the
 * resolved set, defaults included, in the run config so a trace says exactly what ran.
 */
import * as z from 'zod';
import type { Params } from '../trace/schema';

/** A schema, not only a type: the catalog of strategies and their params travels to the panel and is checked there. */
export const ParamSpecSchema = z.object({
  name: z.string().min(1),
  /** Short human label (form fields, pickers); the strategy catalog requires it, verifier params go without. */
  label: z.string().min(1).optional(),
  type: z.enum(['number', 'integer', 'string', 'boolean']),
  default: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  doc: z.string(),
  choices: z.array(z.string()).readonly().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type ParamSpec = z.infer<typeof ParamSpecSchema>;

export class ParamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParamError';
  }
}

/** CLI values arrive as text: `k=8`, `aggregation=min`, `stopOnSolve=false`. */
export function coerceParam(spec: ParamSpec, raw: unknown): string | number | boolean | null {
  if (raw === null) return null;
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ParamError(`${spec.name}: expected a number, got ${JSON.stringify(raw)}`);
      if (spec.type === 'integer' && !Number.isInteger(v)) throw new ParamError(`${spec.name}: expected an integer, got ${v}`);
      if (spec.min !== undefined && v < spec.min) throw new ParamError(`${spec.name}: must be at least ${spec.min}, got ${v}`);
      if (spec.max !== undefined && v > spec.max) throw new ParamError(`${spec.name}: must be at most ${spec.max}, got ${v}`);
      return v;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new ParamError(`${spec.name}: expected true or false, got ${JSON.stringify(raw)}`);
    }
    case 'string': {
      const v = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw;
      if (typeof v !== 'string') throw new ParamError(`${spec.name}: expected text, got ${JSON.stringify(raw)}`);
      if (spec.choices && !spec.choices.includes(v)) throw new ParamError(`${spec.name}: expected one of ${spec.choices.join(', ')}, got "${v}"`);
      return v;
    }
  }
}

/** Defaults filled in, given values checked. Keys keep the spec order so saved configs diff cleanly. */
export function resolveParams(specs: readonly ParamSpec[], given: Params, what: string): Params {
  const known = new Map(specs.map((s) => [s.name, s]));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      throw new ParamError(`${what}: unknown parameter "${key}" (known: ${specs.map((s) => s.name).join(', ') || 'none'})`);
    }
  }
  const out: Params = {};
  for (const spec of specs) {
    const raw = given[spec.name];
    out[spec.name] = raw === undefined ? spec.default : coerceParam(spec, raw);
  }
  return out;
}

/** Typed readers over resolved params (the specs guarantee the types). */
export const num = (p: Params, k: string): number => p[k] as number;
export const str = (p: Params, k: string): string => p[k] as string;
export const bool = (p: Params, k: string): boolean => p[k] as boolean;
export const optStr = (p: Params, k: string): string | undefined => (p[k] === null || p[k] === undefined ? undefined : (p[k] as string));
export const optNum = (p: Params, k: string): number | undefined => (p[k] === null || p[k] === undefined ? undefined : (p[k] as number));

/** Markdown table of specs, for docs and `--help`. */
export function describeParams(specs: readonly ParamSpec[]): string {
  return specs
    .map((s) => `  ${s.name.padEnd(14)} ${String(s.default).padEnd(10)} ${s.doc}${s.choices ? ` (${s.choices.join(' | ')})` : ''}`)
    .join('\n');
}
