import { WampMessageType } from '../protocol/message-type.enum.js';
import type { WampArgs, WampDict, WampKwargs, WampMessage } from '../protocol/wamp-message.interface.js';
import type { WampIdentity } from '../router/wamp-authenticator.interface.js';
import type { WampPeer } from '../router/wamp-peer.interface.js';
import type { ClusterTransportInfo } from '../router/wamp-transport-info.interface.js';

/** How a forwarded call's answer travels back: progress, the final result, or an error. */
export type ForwardedAnswer =
  | { readonly kind: 'progress' | 'result'; readonly args?: WampArgs; readonly kwargs?: WampKwargs }
  | {
      readonly kind: 'error';
      readonly error: string;
      readonly details: WampDict;
      readonly args?: WampArgs;
      readonly kwargs?: WampKwargs;
    };

const NO_FEATURES: ReadonlySet<string> = new Set();

/**
 * A caller on another instance, as this instance's dealer sees it when that instance forwarded its calls here:
 * a peer with the caller's session ID and identity (so caller disclosure tells the callee who really called),
 * whose RESULT and ERROR go back over the backplane. One per caller and instance, kept while it has calls here.
 */
export class ForwardedCaller implements WampPeer {
  readonly features = NO_FEATURES;
  readonly transport: ClusterTransportInfo;
  /** Calls of this caller in flight here, by the forwarding instance's call ID. */
  readonly calls = new Set<number>();
  private readonly lifetime = new AbortController();

  constructor(
    readonly id: number,
    readonly realm: string,
    readonly identity: WampIdentity | undefined,
    /** The instance the caller is connected to. */
    readonly node: string,
    private readonly answer: (call: number, answer: ForwardedAnswer) => void,
    /** Called as each call ends (after it left {@link ForwardedCaller.calls}). */
    private readonly onEnded: (caller: ForwardedCaller, call: number) => void,
  ) {
    this.transport = { type: 'cluster', protocol: 'cluster', node, secure: true };
  }

  get isOpen(): boolean {
    return !this.lifetime.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.lifetime.signal;
  }

  send(message: WampMessage): boolean {
    if (!this.isOpen) return true;
    if (message.type === WampMessageType.RESULT) {
      const progress = message.details.progress === true;
      this.answer(message.request, {
        kind: progress ? 'progress' : 'result',
        args: message.args,
        kwargs: message.kwargs,
      });
      if (!progress) this.ended(message.request);
    } else if (message.type === WampMessageType.ERROR) {
      const { error, details, args, kwargs } = message;
      this.answer(message.request, { kind: 'error', error, details, args, kwargs });
      this.ended(message.request);
    }
    return true;
  }

  deliverEvent(): boolean {
    return false;
  }

  sendEvent(): number {
    return 0;
  }

  /** The forwarding instance checked the caller's messages; what is left is a mismatch between instances. */
  protocolViolation(): void {}

  /** The caller left, or its instance did: nothing more goes back. */
  close(): Promise<void> {
    this.lifetime.abort();
    return Promise.resolve();
  }

  abort(): void {
    this.lifetime.abort();
  }

  private ended(call: number): void {
    this.calls.delete(call);
    this.onEnded(this, call);
  }
}
