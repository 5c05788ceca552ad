/**
 * The page's side of the host connection: `acquireVsCodeApi` (callable once per page), outgoing messages checked
 * against the protocol before they leave, incoming ones parsed with `parseHostMessage`.
 */
import { parseHostMessage, parseWebviewMessage } from '../src/protocol/parseMessage';
import type { HostMessage } from '../src/protocol/hostMessages';
import type { WebviewMessage } from '../src/protocol/webviewMessages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export class HostBridge {
  private readonly api: VsCodeApi;

  constructor() {
    this.api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : { postMessage: (m) => console.info('[metacot] no host:', m), getState: () => undefined, setState: () => undefined };
  }

  /** Sends a message when it matches the protocol; false (and a console error) when it does not. */
  post(message: WebviewMessage): boolean {
    const r = parseWebviewMessage(message);
    if (!r.ok) {
      // A bug on our side; say so instead of sending something the host will reject.
      console.error(`[metacot] refusing to send ${r.error}`);
      return false;
    }
    this.api.postMessage(r.message);
    return true;
  }

  /** Subscribes to host messages; invalid ones are reported to the host log and to `onInvalid`. */
  listen(onMessage: (m: HostMessage) => void, onInvalid: (error: string) => void): void {
    window.addEventListener('message', (ev: MessageEvent) => {
      const r = parseHostMessage(ev.data);
      if (r.ok) onMessage(r.message);
      else {
        onInvalid(r.error);
        this.post({ type: 'log', level: 'error', message: 'webview received an invalid message', detail: r.error });
      }
    });
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }
}
