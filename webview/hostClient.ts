/**
 * The page's request path to the host: every panel action is a request with an id, answered by one reply. The reply
 * is matched by id, a successful result is checked against its method's schema, and the promise settles with it;
 * ok:false rejects with the host's message. Pure (no DOM): the unit tests drive it with a fake bridge.
 */
import type { PanelMethod, PanelParams, PanelRequestMessage, PanelResult, ReplyMessage } from '../src/protocol/panelRequests';
import { parseReplyResult } from '../src/protocol/panelRequests';
import type { WebviewMessage } from '../src/protocol/webviewMessages';

/** What the client needs from the connection: send a message, saying whether it left (see HostBridge.post). */
export interface RequestChannel {
  post(message: WebviewMessage): boolean;
}

/** A request that failed: the host said no (ok:false), the reply was malformed, or the request could not be sent. */
export class HostRequestError extends Error {
  constructor(
    message: string,
    readonly method: PanelMethod,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'HostRequestError';
  }
}

interface Pending {
  method: PanelMethod;
  resolve(result: unknown): void;
  reject(error: HostRequestError): void;
}

export class HostClient {
  private seq = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly channel: RequestChannel) {}

  request<M extends PanelMethod>(method: M, params: PanelParams<M>): Promise<PanelResult<M>> {
    const requestId = `r${++this.seq}`;
    return new Promise<PanelResult<M>>((resolve, reject) => {
      this.pending.set(requestId, { method, resolve: (r) => resolve(r as PanelResult<M>), reject });
      // The union is discriminated on `method`; a generic M cannot pick its member, so the pairing is asserted here
      // and checked at run time by the channel (HostBridge validates every outgoing message).
      const message = { type: 'request', requestId, method, params } as PanelRequestMessage;
      if (!this.channel.post(message)) {
        this.pending.delete(requestId);
        reject(new HostRequestError(`Could not send the '${method}' request (it does not match the protocol).`, method));
      }
    });
  }

  /** Settles the request a reply answers; false when no request of ours is waiting for it. */
  onReply(reply: ReplyMessage): boolean {
    const p = this.pending.get(reply.requestId);
    if (!p) return false;
    this.pending.delete(reply.requestId);
    if (reply.method !== p.method) {
      p.reject(new HostRequestError(`The host answered '${p.method}' as '${reply.method}'.`, p.method));
      return true;
    }
    if (!reply.ok) {
      p.reject(new HostRequestError(reply.error.message, p.method, reply.error.detail));
      return true;
    }
    const checked = parseReplyResult(p.method, reply.result);
    if (checked.ok) p.resolve(checked.result);
    else p.reject(new HostRequestError(`The host sent an ${checked.error}`, p.method));
    return true;
  }

  /** Requests still waiting for their reply. */
  get waiting(): number {
    return this.pending.size;
  }
}
