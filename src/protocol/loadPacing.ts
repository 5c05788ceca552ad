/**
 * Posting a trace's load messages (hostMessages.ts `loadMessagesFor`) at the pace the page takes them. One message
 * per turn of the host's event loop, each encoded when taken; after a chunked load's first part the host waits for
 * the page's `loadAck` before the chunks. At 100k nodes the twelve ~9 MB chunks posted at once reached the page's
 * thread ahead of the first part (each hop of VS Code's webview message path queues behind what already arrived):
 * the first part took ~1 s from post to page instead of ~0.3 s, and the first frame waited for it.
 */
import type { LoadChunkMessage, LoadCompactTraceMessage, LoadTraceMessage } from './hostMessages';

type LoadMessage = LoadTraceMessage | LoadCompactTraceMessage | LoadChunkMessage;

/** How long the host waits for the first part's ack before sending the chunks anyway (a page that never answers). */
export const LOAD_ACK_TIMEOUT_MS = 3000;

export interface LoadPacingHooks {
  post(m: LoadMessage): void;
  /** Resolves when the page acknowledged part 0 of `loadId`. */
  acked(loadId: string): Promise<void>;
  /** The panel went away (or began another load): stop posting. */
  stopped(): boolean;
  /** One turn of the event loop (injectable for tests). */
  turn?: () => Promise<void>;
  timeoutMs?: number;
}

const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Posts every message of `messages` in order; resolves when all are posted or the load was stopped. */
export async function postLoad(messages: Iterator<LoadMessage, void>, hooks: LoadPacingHooks): Promise<void> {
  const turn = hooks.turn ?? nextTurn;
  for (;;) {
    if (hooks.stopped()) return;
    const m = messages.next();
    if (m.done) return;
    hooks.post(m.value);
    if (m.value.type === 'loadCompactTrace' && m.value.chunked && m.value.chunked.chunks > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, hooks.timeoutMs ?? LOAD_ACK_TIMEOUT_MS)));
      await Promise.race([hooks.acked(m.value.chunked.loadId), timeout]);
      clearTimeout(timer);
    } else await turn();
  }
}

/** The host's side of the acks: `acked` promises, resolved by the page's `loadAck` messages (early ones are kept). */
export class LoadAcks {
  private readonly waiting = new Map<string, () => void>();
  private readonly early = new Set<string>();

  acked(loadId: string): Promise<void> {
    if (this.early.delete(loadId)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(loadId, resolve));
  }

  /** A `loadAck` from the page; one for a load nobody waits for yet is kept (at most a few). */
  receive(loadId: string, seq: number): void {
    if (seq !== 0) return;
    const resolve = this.waiting.get(loadId);
    if (resolve) {
      this.waiting.delete(loadId);
      resolve();
    } else {
      this.early.add(loadId);
      if (this.early.size > 8) this.early.delete(this.early.values().next().value!);
    }
  }
}
