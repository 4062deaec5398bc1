import type { WampPeer } from './wamp-peer.interface.js';
import type { WampArgs, WampDict, WampKwargs } from '../protocol/wamp-message.interface.js';
import type { WampTransportInfo } from './wamp-transport-info.interface.js';

/**
 * A client session as application code sees it (serverwamp's `session` object): who it is and what it
 * may be told. Handed out by `WampContext.session`; safe to keep after the call ended (e.g. in a
 * background job), since every method does nothing once the session is gone.
 */
export interface WampClientSession {
  /** WAMP session ID. */
  readonly id: number;
  /** Realm joined. */
  readonly realm: string;
  /** Authenticated identity (decided by the router, never the client's claim). */
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod: string;
  readonly authprovider: string;
  readonly authextra?: WampDict;
  /** The transport the session arrived on (subprotocol, remote address, upgrade headers). */
  readonly transport: WampTransportInfo;
  /** Fires when the session ends. */
  readonly signal: AbortSignal;
  /** Whether the session is still open. */
  readonly isOpen: boolean;
  /**
   * Sends an EVENT on `topic` to this session only, on each of its subscriptions matching the topic
   * (serverwamp's `session.send_event`, e.g. from a background job). Returns false when the session is not
   * subscribed to the topic or has left.
   */
  sendEvent(topic: string, args?: WampArgs, kwargs?: WampKwargs): boolean;
  /** Ends the session politely (GOODBYE `reason`, default `wamp.close.close_realm`). */
  close(reason?: string, message?: string): Promise<void>;
  /** Ends the session at once with ABORT `reason`. */
  abort(reason: string, message: string): void;
}

/** One view per established session, not one per call: guards read `session` on every call. */
const clientSessions = new WeakMap<WampPeer, WampClientSession>();

/** The application-facing view of a router session (the same object for every call of an established session). */
export function toClientSession(session: WampPeer): WampClientSession {
  let view = clientSessions.get(session);
  if (view) return view;
  view = createClientSession(session);
  // Only once the identity is settled (after WELCOME): before that, authid and authrole are still unknown.
  if (session.identity !== undefined) clientSessions.set(session, view);
  return view;
}

function createClientSession(session: WampPeer): WampClientSession {
  const identity = session.identity;
  return {
    id: session.id,
    realm: session.realm ?? '',
    authid: identity?.authid ?? '',
    authrole: identity?.authrole ?? '',
    authmethod: identity?.authmethod ?? '',
    authprovider: identity?.authprovider ?? '',
    authextra: identity?.authextra,
    transport: session.transport,
    get signal() {
      return session.signal;
    },
    get isOpen() {
      return session.isOpen;
    },
    sendEvent: (topic, args, kwargs) => session.sendEvent(topic, args, kwargs) > 0,
    close: (reason, message) => session.close(reason, message),
    abort: (reason, message) => session.abort(reason, message),
  };
}
