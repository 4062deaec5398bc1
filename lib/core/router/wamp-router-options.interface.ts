import type { WampAuthenticator } from './wamp-authenticator.interface.js';
import type { WampAuthorizer } from './wamp-authorizer.interface.js';
import type { WampBackplane } from '../backplane/wamp-backplane.interface.js';
import type { OutboundFlowOptions } from './outbound/outbound-flow.options.js';
import type { EventHistoryRule } from './meta/event-history.js';
import type { WampRealmParts, WampRealmSettings } from './realm-parts.interface.js';

/** One realm the router serves. */
export interface WampRealmOptions {
  /** Realm URI clients name in HELLO, e.g. `realm1`. */
  readonly name: string;
  /** Decides who a joining session is; defaults to anonymous for everyone. */
  readonly authenticator?: WampAuthenticator;
  /** Decides whether a session may call / register / subscribe / publish a URI; everything is allowed when omitted. */
  readonly authorizer?: WampAuthorizer;
  /** Topics whose events the realm keeps for `wamp.subscription.get_events`; none when omitted. */
  readonly eventHistory?: readonly EventHistoryRule[];
}

/**
 * Settings of the Nest-free router core. `WampModule` fills them from its options and their documented
 * defaults; every field is required here so the hot path never checks for `undefined`.
 */
export interface WampRouterOptions extends WampRealmSettings {
  readonly realms: readonly WampRealmOptions[];
  /** Strict URI rules (`[0-9a-z_]` components) when true, loose rules when false. */
  readonly strictUris: boolean;
  /** Largest WAMP message accepted, in bytes; larger requests get ERROR `wamp.error.payload_size_exceeded`. */
  readonly maxPayload: number;
  /** Deepest nesting of lists/dicts accepted in a message. */
  readonly maxDepth: number;
  /** Longest URI a client may send, in characters (see `UriLimits`). */
  readonly maxUriLength: number;
  /** Most components in a URI a client sends. */
  readonly maxUriComponents: number;
  /** Milliseconds a connection may take to complete HELLO (and authentication) before ABORT. */
  readonly helloTimeout: number;
  /** Milliseconds the router waits for the client's GOODBYE reply after sending GOODBYE. */
  readonly goodbyeTimeout: number;
  /** Enforce the spec's sequential request IDs (1, 2, 3, ... per session) as a protocol violation. */
  readonly checkRequestIds: boolean;
  /** `agent` announced in WELCOME. */
  readonly agent: string;
  /** How each realm's broker, dealer and retention store are made (default: in memory). */
  readonly parts?: WampRealmParts;
  /**
   * What the instances of a cluster share (Redis, NATS, or in memory for tests): with it, publications reach
   * subscribers on every instance, retained events are shared and subscription IDs agree. Closed by
   * {@link WampRouter.shutdown}. Default: none, the router runs alone.
   */
  readonly backplane?: WampBackplane;
  /**
   * Milliseconds an instance may stay cut off from its backplane before it closes its sessions (GOODBYE
   * `wamp.close.system_shutdown`) and refuses new ones until the backplane is back, so that clients move to
   * instances that still see the cluster. Default 10000.
   */
  readonly backplaneLease?: number;
  /**
   * How much the router queues for peers that read slower than it writes, and what happens then (backpressure,
   * slow consumers, the memory budget). Default: {@link DEFAULT_OUTBOUND_FLOW}.
   */
  readonly outbound?: OutboundFlowOptions;
}
