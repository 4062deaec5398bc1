import type { WampRouterTracing } from './tracing/wamp-router-tracing.interface.js';
import type { WampRouterMetrics } from './metrics/wamp-router-metrics.interface.js';
import type { WampPublicationBus } from './broker/publication-bus.js';
import type { WampRetentionStore } from './broker/retention-store.js';
import type { WampEventHistoryStore } from './meta/event-history-store.js';
import type { ClusterMembership } from '../backplane/cluster-membership.js';
import type { WampBackplane } from '../backplane/wamp-backplane.interface.js';
import type { WampBroker } from './wamp-broker.interface.js';
import type { WampDealer } from './wamp-dealer.interface.js';
import type { WampLogger } from './wamp-logger.interface.js';

/** The settings a realm's broker and dealer follow (part of the router's options). */
export interface WampRealmSettings {
  /** Whether topics without a subscription hook may be subscribed (`'open'`) or not (`'hooked'`). */
  readonly subscriptionPolicy: 'open' | 'hooked';
  /** Subscriptions one session may hold. */
  readonly maxSubscriptionsPerSession: number;
  /** Topics with retained events a realm keeps. */
  readonly maxRetainedTopics: number;
  /** Approximate bytes of retained events a realm keeps. */
  readonly maxRetainedBytes: number;
  /** Calls one session may have in flight before CALL is refused. */
  readonly maxCallsPerSession: number;
  /** Dealer-side call timeout (ms) when the caller sets none; 0 = none. */
  readonly defaultCallTimeout: number;
  /** Registrations one client session may hold. */
  readonly maxRegistrationsPerSession: number;
  /** Invocations a client callee may have unanswered before calls routed to it are refused. */
  readonly maxInvocationsPerCallee: number;
  /** How long (ms) a CANCEL in mode `kill` waits for a client callee's answer to INTERRUPT. */
  readonly interruptTimeout: number;
  /** Approximate bytes of testaments (`wamp.session.add_testament`) one session may leave. */
  readonly maxTestamentBytes: number;
  /** Where the core reports what it does not send to clients (internal errors). */
  readonly logger: WampLogger;
  /** Where the router reports what it does, for metrics; none when omitted (metrics off cost nothing). */
  readonly metrics?: WampRouterMetrics;
  /** Where the router opens spans for calls and publications; none when omitted (tracing off costs nothing). */
  readonly tracing?: WampRouterTracing;
}

/** What a factory gets to build one realm's broker or dealer. */
export interface RealmPartContext {
  /** The realm's name. */
  readonly realm: string;
  /** The router's ID source (publication, subscription and registration IDs). */
  readonly nextId: () => number;
  /** The session ID the router's own peer has in this realm (the callee of the application's procedures). */
  readonly routerSession: number;
  /** The router's settings for realms (limits, policies, logger). */
  readonly options: WampRealmSettings;
  /** What the instances of a cluster share, when the router is one of several. */
  readonly backplane?: WampBackplane;
  /** Which other instances of the cluster are alive (with a backplane). */
  readonly membership?: ClusterMembership;
}

/**
 * How a realm's parts are made. Each is optional: the in-memory defaults (`LocalBroker`, `LocalDealer`, the
 * `LocalBroker`'s own in-memory retention store and local publication bus) serve one process; a distributed backplane or a shared
 * retention store plugs in here, as router options or, in Nest, as providers (see `WampModule`).
 *
 * @example
 * new WampRouter({ ...options, parts: { retentionStore: ({ realm }) => new MyRedisRetention(realm) } });
 */
export interface WampRealmParts {
  /** Builds a realm's broker. Default: a `LocalBroker` (with `retentionStore` when that is given). */
  readonly broker?: (context: RealmPartContext) => WampBroker;
  /** Builds a realm's dealer. Default: a `LocalDealer`. */
  readonly dealer?: (context: RealmPartContext) => WampDealer;
  /** Builds a realm's retention store, for the default broker. Default: in memory, bounded by the options. */
  readonly retentionStore?: (context: RealmPartContext) => WampRetentionStore;
  /**
   * Builds a realm's publication bus, for the default broker: where accepted publications go to reach the
   * realm's subscribers on every instance. Default: a `LocalPublicationBus` (this process only).
   */
  readonly publicationBus?: (context: RealmPartContext) => WampPublicationBus;
  /** Builds a realm's event history store. Default: in memory, bounded by each rule's `limit` and `maxBytes`. */
  readonly eventHistoryStore?: (context: RealmPartContext) => WampEventHistoryStore;
}
