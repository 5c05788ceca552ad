/** What survives a panel reload (VS Code's getState / setState): viewport, selection, collapsed nodes, settings. */
import * as z from 'zod';
import { ColorBySchema } from '../src/protocol/hostMessages';

export const PanelStateSchema = z.object({
  version: z.literal(1),
  traceId: z.string(),
  camera: z.object({ tx: z.number(), ty: z.number(), k: z.number().positive() }).optional(),
  selectedId: z.string().nullable(),
  collapsed: z.array(z.string()),
  colorBy: ColorBySchema,
  /** Detail pane sizes a person dragged to: beside the tree (width) and stacked below it (height), px. */
  detailWidth: z.number().positive().optional(),
  detailHeight: z.number().positive().optional(),
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

/** Writes the panel state at most every `delayMs`, after the last change (a drag or a stream saves once). */
export class StateSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly snapshot: () => PanelState | null,
    private readonly write: (state: PanelState) => void,
    private readonly delayMs = 250,
  ) {}

  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const s = this.snapshot();
      if (s) this.write(s);
    }, this.delayMs);
  }
}
