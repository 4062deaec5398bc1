import type { WampArgs, WampKwargs, WampMessage } from '../protocol/wamp-message.interface.js';
import type { WampIdentity } from './wamp-authenticator.interface.js';
import type { OutgoingEvent } from './outgoing-event.js';
import type { WampTransportInfo } from './wamp-transport-info.interface.js';

/**
 * A session as the broker, the dealer, the authorizer and the hooks see it: who it is, where it joined, how it
 * is connected, and how to reach it — never its socket or its serializer. The in-process `WampSession`
 * implements it; so can a session on another instance of the router, or an in-process peer such as the meta
 * API, which is why nothing behind this port may assume bytes or a WebSocket.
 *
 * Messages go out typed (`send`, `deliverEvent`); the peer encodes them and applies its own error and
 * slow-consumer policies, in one place.
 */
export interface WampPeer {
  /** WAMP session ID (global across realms). */
  readonly id: number;
  /** The realm joined, once WELCOME was sent. */
  readonly realm: string | undefined;
  /** Who the authenticator said this session is, once WELCOME was sent. */
  readonly identity: WampIdentity | undefined;
  /** How the session is connected (transport kind, subprotocol, address, upgrade headers). */
  readonly transport: WampTransportInfo;
  /**
   * The role features the client announced in HELLO that the router acts on, as `role.feature` (e.g.
   * `callee.call_canceling`, `caller.progressive_call_invocations`); empty when it announced none of them.
   */
  readonly features: ReadonlySet<string>;
  /** Whether the session is established (WELCOME sent, not yet closing or closed). */
  readonly isOpen: boolean;
  /** Fires when the session ends, however it ends. */
  readonly signal: AbortSignal;
  /**
   * Sends one message that must not be lost (RESULT, ERROR, SUBSCRIBED, ...). Returns `false` when it cannot be
   * encoded for this peer (logged by the peer); nothing is sent once the session is closed. Never throws.
   */
  send(message: WampMessage): boolean;
  /**
   * Delivers an EVENT, subject to the peer's slow-consumer policy. Returns `false` when it was not handed on: the
   * session is gone, or the event cannot be encoded for it (the event reports why, once per serializer).
   */
  deliverEvent(event: OutgoingEvent): boolean;
  /**
   * Sends an EVENT on `topic` to this session on each of its subscriptions matching it (serverwamp's
   * `session.send_event`); returns how many were sent (0 when not subscribed or gone).
   */
  sendEvent(topic: string, args?: WampArgs, kwargs?: WampKwargs): number;
  /** Ends the session with ABORT `wamp.error.protocol_violation`. */
  protocolViolation(message: string): void;
  /** Ends the session politely (GOODBYE); resolves once it is closed. */
  close(reason?: string, message?: string): Promise<void>;
  /** Ends the session at once with ABORT `reason`. */
  abort(reason: string, message: string): void;
}
