/** What survives a panel reload (VS Code's getState / setState): viewport, selection, collapsed nodes, settings. */
import { z } from 'zod';
import { ColorBySchema } from '../src/protocol/hostMessages';

export const PanelStateSchema = z.object({
  version: z.literal(1),
  traceId: z.string(),
  camera: z.object({ tx: z.number(), ty: z.number(), k: z.number().positive() }).optional(),
  selectedId: z.string().nullable(),
  collapsed: z.array(z.string()),
  colorBy: ColorBySchema,
  detailWidth: z.number().positive().optional(),
  /** Scrubber position; null = latest. */
  iteration: z.number().nullable(),
  live: z.boolean(),
  find: z.string().optional(),
});

export type PanelState = z.infer<typeof PanelStateSchema>;

export function readPanelState(raw: unknown): PanelState | undefined {
  const r = PanelStateSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}
