/**
 * A linearized trace is a list of segments whose texts concatenate to the training text. Each segment knows
 * whether it belongs to the Meta-CoT Z or the solution S, what it is, and the node it came from, so a loss mask
 * for any of the paper's objectives (Eq. 22–24) is a pure function of the segments.
 */
import * as z from 'zod';

export const SegmentRoleSchema = z.enum(['step', 'value', 'marker', 'separator', 'header']);

/** Record layout of one segment (also the `segments` items of the `linear` export). */
export const SegmentSchema = z.object({
  text: z.string(),
  /** Whether the training loss covers this text. */
  loss: z.boolean(),
  part: z.enum(['Z', 'S']),
  role: SegmentRoleSchema,
  /** Node the text belongs to (for markers and separators: the step they lead into). */
  node: z.string().optional(),
});

export type Segment = z.infer<typeof SegmentSchema>;
export type SegmentRole = z.infer<typeof SegmentRoleSchema>;

export const OBJECTIVES = ['z-and-s', 'z-only', 'correct-path'] as const;
/**
 * `z-and-s`: learn the search and the solution (paper Eq. 22); `z-only`: learn the search Z, the solution S is
 * context only (Eq. 23); `correct-path`: loss only on steps of the winning path, in Z and S (Eq. 24).
 */
export type Objective = (typeof OBJECTIVES)[number];

export function isObjective(x: unknown): x is Objective {
  return typeof x === 'string' && (OBJECTIVES as readonly string[]).includes(x);
}

export function seg(text: string, part: Segment['part'], role: SegmentRole, node?: string): Segment {
  const s: Segment = { text, loss: true, part, role };
  if (node !== undefined) s.node = node;
  return s;
}

/** Same segments with the loss flag each objective asks for. `onPath`: node ids of the winning path. */
export function applyObjective(segments: readonly Segment[], objective: Objective, onPath: ReadonlySet<string>): Segment[] {
  return segments.map((s) => {
    let loss: boolean;
    switch (objective) {
      case 'z-and-s':
        loss = true;
        break;
      case 'z-only':
        loss = s.part === 'Z';
        break;
      case 'correct-path':
        // S is the winning path itself; in Z only that path's steps (and their values) are learned, never the
        // detours or the branch-switch markers that lead into them.
        loss = s.part === 'S' || (s.role !== 'marker' && s.node !== undefined && onPath.has(s.node));
        break;
    }
    return { ...s, loss };
  });
}

export function joinSegments(segments: readonly Segment[], part?: Segment['part']): string {
  let out = '';
  for (const s of segments) if (part === undefined || s.part === part) out += s.text;
  return out;
}

/** Adjacent segments with the same loss flag merged: the compact form trainers want (text, loss) pairs in. */
export function lossSpans(segments: readonly Segment[]): { text: string; loss: boolean }[] {
  const out: { text: string; loss: boolean }[] = [];
  for (const s of segments) {
    if (s.text === '') continue;
    const last = out[out.length - 1];
    if (last && last.loss === s.loss) last.text += s.text;
    else out.push({ text: s.text, loss: s.loss });
  }
  return out;
}
