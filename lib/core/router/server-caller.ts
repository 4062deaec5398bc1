import { WampMessageType } from '../protocol/message-type.enum.js';
import type { WampArgs, WampKwargs, WampMessage } from '../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../protocol/wamp-uris.js';
import type { WampIdentity } from './wamp-authenticator.interface.js';
import { WampCallError } from './wamp-call.error.js';
import type { WampPeer } from './wamp-peer.interface.js';
import type { WampRealm } from './wamp-realm.js';
import type { InProcessTransportInfo } from './wamp-transport-info.interface.js';

/** A RESULT as the server-side caller gets it: positional and keyword results, empty when none were sent. */
export interface WampCallResult {
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
}

/** How a call from the server is made. */
export interface WampServerCallOptions {
  /** CALL.Options.timeout (ms): the dealer ends the call with `wamp.error.timeout` (and interrupts the callee). */
  readonly timeout?: number;
  /**
   * Cancels the call when aborted: CANCEL in `cancelMode`; the promise rejects with `wamp.error.canceled` (for
   * `kill`, with the callee's own answer).
   */
  readonly signal?: AbortSignal;
  /** CANCEL.Options.mode used when `signal` aborts. Default `killnowait`. */
  readonly cancelMode?: 'skip' | 'kill' | 'killnowait';
  /** Receives each progressive result; asks for them (`receive_progress: true`). */
  readonly onProgress?: (result: WampCallResult) => void;
  /** Discloses the server's identity (authid `nestjs-wamp`, authrole `server`) to the callee. */
  readonly discloseMe?: boolean;
}

const EMPTY_ARGS: WampArgs = Object.freeze([]) as WampArgs;
const EMPTY_KWARGS: WampKwargs = Object.freeze({});
const CALL_REQUEST = 1;

/** Who a call from the server is, to callees and handlers. */
const SERVER_IDENTITY: WampIdentity = Object.freeze({
  authid: 'nestjs-wamp',
  authrole: 'server',
  authmethod: 'internal',
  authprovider: 'nestjs-wamp',
});

const IN_PROCESS: InProcessTransportInfo = Object.freeze({
  type: 'in-process',
  protocol: 'in-process',
  secure: true,
});

const NO_FEATURES: ReadonlySet<string> = new Set();

/**
 * The caller end of one call from the server: a peer of the realm with no socket, which turns the dealer's
 * RESULT and ERROR into the promise's outcome. One per call, so the dealer's per-session limits and request IDs
 * apply to each call on its own (the application is trusted; its calls are not capped together).
 */
class ServerCallPeer implements WampPeer {
  readonly identity = SERVER_IDENTITY;
  readonly transport = IN_PROCESS;
  readonly features = NO_FEATURES;
  private readonly lifetime = new AbortController();

  constructor(
    readonly id: number,
    readonly realm: string,
    private readonly onProgress: ((result: WampCallResult) => void) | undefined,
    private readonly settle: (outcome: WampCallResult | WampCallError) => void,
  ) {}

  get isOpen(): boolean {
    return !this.lifetime.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.lifetime.signal;
  }

  send(message: WampMessage): boolean {
    if (!this.isOpen) return true;
    if (message.type === WampMessageType.RESULT) {
      const result = { args: message.args ?? EMPTY_ARGS, kwargs: message.kwargs ?? EMPTY_KWARGS };
      if (message.details.progress === true) this.onProgress?.(result);
      else this.end(result);
    } else if (message.type === WampMessageType.ERROR) {
      this.end(new WampCallError(message.error, message.args, message.kwargs));
    }
    return true;
  }

  deliverEvent(): boolean {
    return false;
  }

  sendEvent(): number {
    return 0;
  }

  protocolViolation(message: string): void {
    this.end(new WampCallError(WampErrorUri.PROTOCOL_VIOLATION, [message]));
  }

  close(): Promise<void> {
    this.end(new WampCallError(WampErrorUri.CANCELED, ['The call was closed.']));
    return Promise.resolve();
  }

  abort(reason: string, message: string): void {
    this.end(new WampCallError(reason, [message]));
  }

  private end(outcome: WampCallResult | WampCallError): void {
    if (!this.isOpen) return;
    this.lifetime.abort();
    this.settle(outcome);
  }
}

/**
 * Calls `procedure` in `realm` from the server: a handler of this process or a client callee alike, through
 * the realm's dealer with its routing, timeouts and cancel. The realm's authorizer is not asked (the caller is
 * the application itself). Resolves with the RESULT; rejects with a {@link WampCallError} on ERROR.
 *
 * @example
 * const { args } = await callProcedure(router.realms.get('realm1')!, router.ids.next(), 'com.example.add', [2, 3]);
 */
export function callProcedure(
  realm: WampRealm,
  id: number,
  procedure: string,
  args?: WampArgs,
  kwargs?: WampKwargs,
  options: WampServerCallOptions = {},
): Promise<WampCallResult> {
  const { signal } = options;
  if (signal?.aborted) {
    return Promise.reject(
      new WampCallError(WampErrorUri.CANCELED, ['The call was canceled before it started.']),
    );
  }
  return new Promise<WampCallResult>((resolve, reject) => {
    const onAbort = (): void =>
      realm.dealer.cancel(peer, {
        type: WampMessageType.CANCEL,
        request: CALL_REQUEST,
        options: { mode: options.cancelMode ?? 'killnowait' },
      });
    const peer = new ServerCallPeer(id, realm.name, options.onProgress, (outcome) => {
      signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof WampCallError) reject(outcome);
      else resolve(outcome);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    const callOptions: Record<string, unknown> = {};
    if (options.timeout !== undefined && options.timeout > 0) callOptions.timeout = options.timeout;
    if (options.onProgress) callOptions.receive_progress = true;
    if (options.discloseMe) callOptions.disclose_me = true;
    realm.dealer.call(peer, {
      type: WampMessageType.CALL,
      request: CALL_REQUEST,
      options: callOptions,
      procedure,
      args,
      kwargs,
    });
  });
}
