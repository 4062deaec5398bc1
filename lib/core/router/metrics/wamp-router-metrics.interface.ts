import type { WampPeer } from '../wamp-peer.interface.js';
import type { WampBackplane } from '../../backplane/wamp-backplane.interface.js';
import type { WampRealm } from '../wamp-realm.js';

/**
 * What a metrics implementation may read of the router when scraped (the router itself fits): its realms, the
 * bytes queued for peers, its backplane.
 */
export interface MetricsSource {
  readonly realms: ReadonlyMap<string, WampRealm>;
  readonly outboundFlow: { readonly totalQueued: number };
  readonly options: { readonly backplane?: WampBackplane };
}

/** What a session is counted by: its realm, how it arrived, how it authenticated. */
export interface SessionMetricLabels {
  readonly realm: string;
  /** `websocket`, `rawsocket`, `in-process`, `cluster`. */
  readonly transport: string;
  readonly authmethod: string;
}

/** Who published: a client session, the application (server side), or the router itself (`wamp.` topics). */
export type PublicationOrigin = 'client' | 'application' | 'router';

/** How a call ended, as metrics count it: `result`, or the ERROR URI it got (`wamp.error.canceled`, ...). */
export type CallOutcome = string;

/**
 * Where the router reports what it does, for metrics. Every method is called on the hot path, so an
 * implementation does the least it can (increment a counter); the router calls none of them when no recorder is
 * configured (option `metrics`), so metrics off cost nothing. URIs given here are bounded by the router's state
 * (a registration's URI, never a URI a client merely named); an implementation still bounds its label values.
 *
 * @example
 * new WampRouter({ ...options, metrics: new PrometheusWampMetrics({ registry }) });
 */
export interface WampRouterMetrics {
  /** A session joined a realm (WELCOME sent). */
  sessionJoined(labels: SessionMetricLabels): void;
  /** A session that had joined left (for whatever reason). */
  sessionLeft(labels: SessionMetricLabels): void;
  /**
   * A call was routed to a registration: `procedure` is the registration's URI (its pattern for a pattern
   * registration), not the URI the caller named.
   */
  callStarted(realm: string, procedure: string): void;
  /** A routed call ended, after `seconds`, with `outcome`. */
  callFinished(realm: string, procedure: string, outcome: CallOutcome, seconds: number): void;
  /** A call was refused before routing (no such procedure, too many calls, ...): `outcome` is the ERROR URI. */
  callRefused(realm: string, outcome: CallOutcome): void;
  /**
   * A publication was accepted on this instance: from a `client`, from the `application` (server-side
   * publishing), or from the `router` itself (meta events, testaments: topics under `wamp.`).
   */
  published(realm: string, origin: PublicationOrigin): void;
  /** `count` EVENTs of one publication were handed to subscribers' connections on this instance. */
  delivered(realm: string, count: number): void;
  /** An EVENT was dropped for a connection (a slow consumer, or the outbound memory budget). */
  eventDropped(reason: 'slow_consumer' | 'memory_budget'): void;
  /** The router sent ABORT: protocol violations (`wamp.error.protocol_violation`), timeouts, refusals, ... */
  aborted(reason: string): void;
  /** Authentication failed: the authenticator refused the session or failed (`reason` is the ABORT URI). */
  authenticationFailed(realm: string, reason: string): void;
  /** Called once by the router it reports for, so gauges can read its state when scraped. */
  bind?(router: MetricsSource): void;
}

/** A realm's broker or dealer's view of the metrics: where to report, and the realm to report under. */
export interface RealmMetrics {
  readonly recorder: WampRouterMetrics;
  readonly realm: string;
}

/** The labels of a joined session, as {@link WampRouterMetrics} counts it. */
export function sessionMetricLabels(session: WampPeer): SessionMetricLabels {
  return {
    realm: session.realm ?? '',
    transport: session.transport.type,
    authmethod: session.identity?.authmethod ?? 'anonymous',
  };
}
