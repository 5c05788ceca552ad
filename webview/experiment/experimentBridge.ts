/**
 * The Experiment page's side of the host connection: messages out are checked against the protocol before they
 * leave, messages in are parsed on arrival, and each request waits for its one typed reply.
 */
import { parseExperimentHostMessage, parseExperimentPageMessage, parseExperimentResult } from '../../src/protocol/experimentMessages';
import type {
  ExperimentHostMessage,
  ExperimentMethod,
  ExperimentNotification,
  ExperimentParams,
  ExperimentReply,
  ExperimentResult,
} from '../../src/protocol/experimentMessages';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

interface Pending {
  method: ExperimentMethod;
  resolve(result: unknown): void;
  reject(err: Error): void;
}

export class ExperimentBridge {
  private readonly api: VsCodeApi =
    typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: (m) => console.info('[metacot] no host:', m) };
  private readonly pending = new Map<string, Pending>();
  private next = 1;

  /** Calls `onMessage` with every valid host message except replies (those settle their request). */
  listen(onMessage: (m: Exclude<ExperimentHostMessage, ExperimentReply>) => void): void {
    window.addEventListener('message', (ev: MessageEvent) => {
      const parsed = parseExperimentHostMessage(ev.data);
      if (!parsed.ok) {
        this.notify({ type: 'log', level: 'warn', message: `experiment view dropped ${parsed.error}` });
        return;
      }
      const m = parsed.message;
      if (m.type === 'reply') this.settle(m);
      else onMessage(m);
    });
  }

  notify(message: ExperimentNotification): void {
    const r = parseExperimentPageMessage(message);
    if (!r.ok) {
      console.error(`[metacot] not sent: ${r.error}`);
      return;
    }
    this.api.postMessage(message);
  }

  request<M extends ExperimentMethod>(method: M, params: ExperimentParams<M>): Promise<ExperimentResult<M>> {
    const requestId = `x${this.next++}`;
    const message = { type: 'request', requestId, method, params };
    const r = parseExperimentPageMessage(message);
    if (!r.ok) return Promise.reject(new Error(r.error));
    return new Promise((resolve, reject) => {
      this.pending.set(requestId, { method, resolve: (v) => resolve(v as ExperimentResult<M>), reject });
      this.api.postMessage(message);
    });
  }

  private settle(reply: ExperimentReply): void {
    const p = this.pending.get(reply.requestId);
    if (!p) return;
    this.pending.delete(reply.requestId);
    if (!reply.ok) return p.reject(new Error(reply.error.message));
    const checked = parseExperimentResult(p.method, reply.result);
    if (checked.ok) p.resolve(checked.result);
    else p.reject(new Error(checked.error));
  }
}
