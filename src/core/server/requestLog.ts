/**
 * What the reference server saw: one entry per HTTP request, with times, concurrency and the rendered prompt,
 * so tests and benchmarks can check concurrency caps, cancellations and prefix reuse from the server's side.
 */
import type { FaultKind } from './faults';

export interface RequestLogEntry {
  /** Arrival order, from 0. */
  index: number;
  method: string;
  path: string;
  model?: string;
  stream: boolean;
  n: number;
  /** The request body as parsed JSON (never headers: no key is ever logged). */
  body?: unknown;
  /** The prompt as the model would see it (chat template applied for chat requests). */
  promptText?: string;
  promptTokens?: number;
  /** Prompt tokens served by the simulated prefix cache (16-token blocks, like vLLM's); absent when the server's
   * profile does not report cached tokens. */
  cachedTokens?: number;
  completionTokens?: number;
  /** Choices in the answer (0 for an error answer; 1 when the server ignored `n`). */
  choices?: number;
  status?: number;
  fault?: FaultKind;
  /** ms since the server started (performance.now based). */
  tIn: number;
  tOut?: number;
  /** Generation requests open when this one arrived (itself included). */
  inFlightAtArrival: number;
  /** The client closed the connection before the response was complete. */
  clientClosed: boolean;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  /** Generation requests open right now. */
  inFlight = 0;
  /** Most generation requests ever open at once. */
  maxInFlight = 0;

  /** Only /v1/chat/completions and /v1/completions entries. */
  generations(): RequestLogEntry[] {
    return this.entries.filter((e) => e.path.endsWith('/completions'));
  }

  clear(): void {
    this.entries.length = 0;
    this.maxInFlight = this.inFlight;
  }

  /** Resolves once every logged request has finished (useful after an abort: the server notices a close later). */
  async settled(timeoutMs = 2000): Promise<void> {
    const start = Date.now();
    while (this.entries.some((e) => e.tOut === undefined)) {
      if (Date.now() - start > timeoutMs) throw new Error(`requests still open after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/**
 * For each generation prompt, the longest prefix (in characters) it shares with any earlier prompt.
 * `ratio` = reused / total: how much a prefix cache could have saved.
 */
export function prefixReuse(entries: readonly RequestLogEntry[]): { total: number; reused: number; ratio: number; perRequest: number[] } {
  const prompts: string[] = [];
  const perRequest: number[] = [];
  let total = 0;
  let reused = 0;
  for (const e of entries) {
    if (e.promptText === undefined) continue;
    const p = e.promptText;
    let best = 0;
    for (const q of prompts) {
      const limit = Math.min(p.length, q.length);
      let i = 0;
      while (i < limit && p.charCodeAt(i) === q.charCodeAt(i)) i++;
      if (i > best) best = i;
    }
    prompts.push(p);
    perRequest.push(best);
    total += p.length;
    reused += best;
  }
  return { total, reused, ratio: total === 0 ? 0 : reused / total, perRequest };
}
