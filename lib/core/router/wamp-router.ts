import { sessionMetricLabels } from './metrics/wamp-router-metrics.interface.js';
import type { MessageDecoderOptions } from '../protocol/message-decoder.js';
import { RandomIdGenerator } from '../protocol/id-generator.js';
import { WampCloseUri, WampErrorUri } from '../protocol/wamp-uris.js';
import { isValidUri } from '../protocol/wamp-uri.js';
import { anonymousAuthenticator } from './anonymous.authenticator.js';
import { ClusterMembership } from '../backplane/cluster-membership.js';
import { installMetaApi } from './meta/meta-api.installer.js';
import type { SessionDirectory } from './meta/session-directory.js';
import type { SubscriptionCatalog } from './subscription-catalog.interface.js';
import { createBroker, createDealer } from './realm-parts.factory.js';
import type { RealmPartContext } from './realm-parts.interface.js';
import type { WampConnection } from './wamp-connection.interface.js';
import { OutboundFlowControl } from './outbound/outbound-flow-control.js';
import { DEFAULT_OUTBOUND_FLOW } from './outbound/outbound-flow.options.js';
import { WampRealm } from './wamp-realm.js';
import type { WampRouterContext } from './wamp-router-context.interface.js';
import type { WampRouterOptions } from './wamp-router-options.interface.js';
import type { WampPeer } from './wamp-peer.interface.js';
import { WampSession } from './wamp-session.js';

/** Default of `backplaneLease` (ms). */
const DEFAULT_BACKPLANE_LEASE = 10_000;

/** What sessions and refused connections of an instance cut off from its backplane are told. */
const DETACHED_MESSAGE = 'This instance lost its backplane: connect to another instance.';

/**
 * The Nest-free WAMP router: realms, their sessions, brokers and dealers. Transports (the WebSocket
 * gateway, test fakes) hand it connections; it hands back sessions to feed frames into.
 *
 * @example
 * const router = new WampRouter({ ...options, realms: [{ name: 'realm1' }] });
 * const session = router.openSession(connection);
 * socket.on('message', (frame) => session.handleFrame(frame));
 * socket.on('close', () => session.transportClosed());
 */
export class WampRouter implements WampRouterContext {
  /** Global ID source (sessions, publications, subscriptions, registrations). */
  readonly ids = new RandomIdGenerator();
  /** Realms by URI. */
  readonly realms: ReadonlyMap<string, WampRealm>;
  /**
   * What every transport of this router queues for its peers, bounded together: backpressure on publishers,
   * the slow-consumer rule, the memory budget (see `OutboundFlowOptions`).
   */
  readonly outboundFlow: OutboundFlowControl;
  /** How sessions decode messages (see {@link WampRouterContext.decoderOptions}). */
  readonly decoderOptions: MessageDecoderOptions;
  private readonly sessions = new Set<WampPeer>();
  private shuttingDown = false;
  private shutdownDone?: Promise<void>;
  private detached = false;
  private detachTimer?: NodeJS.Timeout;
  private stopWatchingBackplane?: () => void;
  /** What the realms' meta API parts run (heartbeats): stopped at shutdown. */
  private readonly stops: (() => void)[] = [];
  private readonly directories = new Map<string, SessionDirectory>();
  private readonly catalogs = new Map<string, SubscriptionCatalog>();
  /** Which other instances are alive, with a backplane. */
  private readonly membership?: ClusterMembership;

  constructor(readonly options: WampRouterOptions) {
    this.outboundFlow = new OutboundFlowControl(options.outbound ?? DEFAULT_OUTBOUND_FLOW);
    this.outboundFlow.metrics = options.metrics;
    this.decoderOptions = {
      strictUris: options.strictUris,
      maxDepth: options.maxDepth,
      maxUriLength: options.maxUriLength,
      maxUriComponents: options.maxUriComponents,
    };
    const lease = options.backplaneLease ?? DEFAULT_BACKPLANE_LEASE;
    if (options.backplane) this.membership = new ClusterMembership(options.backplane, lease, options.logger);
    const realms = new Map<string, WampRealm>();
    for (const realm of options.realms) {
      if (realms.has(realm.name)) throw new Error(`Realm "${realm.name}" is configured twice.`);
      const routerSession = this.ids.next();
      const context: RealmPartContext = {
        realm: realm.name,
        nextId: () => this.ids.next(),
        routerSession,
        options,
        backplane: options.backplane,
        membership: this.membership,
      };
      const created = new WampRealm(
        realm.name,
        realm.authenticator ?? anonymousAuthenticator,
        createBroker(options.parts, context),
        createDealer(options.parts, context),
        realm.authorizer,
        routerSession,
      );
      const meta = installMetaApi(created, {
        isValidUri: (uri) => isValidUri(uri, options.strictUris),
        logger: options.logger,
        maxTestamentBytes: options.maxTestamentBytes,
        eventHistory: realm.eventHistory ?? [],
        eventHistoryStore: options.parts?.eventHistoryStore?.(context),
        backplane: options.backplane,
        membership: this.membership,
      });
      this.stops.push(() => meta.stop());
      const metrics = options.metrics;
      if (metrics) {
        created.observe({
          joined: (session) => metrics.sessionJoined(sessionMetricLabels(session)),
          left: (session) => metrics.sessionLeft(sessionMetricLabels(session)),
        });
      }
      this.directories.set(realm.name, meta.sessions);
      if (meta.subscriptions) this.catalogs.set(realm.name, meta.subscriptions);
      realms.set(realm.name, created);
    }
    this.realms = realms;
    this.membership?.start();
    options.metrics?.bind?.(this);
    this.stopWatchingBackplane = options.backplane?.onConnectionChange?.((connected) =>
      this.backplaneChanged(connected),
    );
    // An engine still connecting gets the lease to connect, as one that lost its connection gets it to come back.
    if (options.backplane?.connected === false) this.backplaneChanged(false, 'not connected yet');
  }

  /**
   * Whether this instance has been cut off from its backplane for longer than `backplaneLease`: its sessions
   * were closed and new connections are refused until the backplane is back.
   */
  get isDetached(): boolean {
    return this.detached;
  }

  /**
   * The sessions of a realm as the session meta API sees them: this instance's, or with a backplane every
   * instance's (kill reaches them wherever they are). `undefined` for a realm the router does not serve.
   */
  sessionDirectory(realm: string): SessionDirectory | undefined {
    return this.directories.get(realm);
  }

  /**
   * The subscriptions of a realm as the subscription meta API sees them: its broker's, or with a backplane every
   * instance's. `undefined` for a realm the router does not serve, or whose broker keeps no catalog.
   */
  subscriptionCatalog(realm: string): SubscriptionCatalog | undefined {
    return this.catalogs.get(realm);
  }

  /** Why new connections are refused right now (HTTP 503), or `undefined` when they are welcome. */
  get refusal(): string | undefined {
    if (this.shuttingDown) return 'The WAMP router is shutting down.';
    if (this.detached) return DETACHED_MESSAGE;
    return undefined;
  }

  private backplaneChanged(connected: boolean, state: 'lost' | 'not connected yet' = 'lost'): void {
    const logger = this.options.logger;
    if (connected) {
      clearTimeout(this.detachTimer);
      this.detachTimer = undefined;
      if (this.detached) logger.log('Backplane connected again: this instance accepts sessions again.');
      this.detached = false;
      return;
    }
    if (this.detachTimer || this.detached || this.shuttingDown) return;
    const lease = this.options.backplaneLease ?? DEFAULT_BACKPLANE_LEASE;
    // Connecting at startup is the normal course of things: only a loss is worth a warning before the lease ends.
    if (state === 'lost')
      logger.warn(`Backplane lost: this instance closes its sessions if it is not back within ${lease} ms.`);
    this.detachTimer = setTimeout(() => {
      this.detachTimer = undefined;
      this.detached = true;
      logger.error(`Backplane ${state} after ${lease} ms: closing every session of this instance.`);
      for (const session of [...this.sessions])
        void session.close(WampCloseUri.SYSTEM_SHUTDOWN, DETACHED_MESSAGE);
    }, lease);
    this.detachTimer.unref();
  }

  /** Number of open sessions (joined or still joining). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Whether {@link WampRouter.shutdown} has started: new connections should be refused. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Starts a session on a new connection; the HELLO timeout starts now. */
  openSession(connection: WampConnection): WampSession {
    const session = new WampSession(connection, this);
    this.sessions.add(session);
    return session;
  }

  /** @internal Called by sessions when they are disposed. */
  sessionClosed(session: WampPeer): void {
    this.sessions.delete(session);
  }

  /**
   * Closes every session gracefully within `grace` ms: new connections are refused at once; calls in flight
   * get the first half of the grace period to finish, then the rest are ended with ERROR
   * `wamp.error.canceled` (their handlers aborted); then established sessions get GOODBYE
   * `wamp.close.system_shutdown` (each waits at most `goodbyeTimeout` for the reply) and joining ones ABORT.
   * Resolves when all sessions are closed.
   */
  shutdown(message = 'The router is shutting down.', grace = 2 * this.options.goodbyeTimeout): Promise<void> {
    // Every transport's endpoint asks when it closes: the first call does the work, the others wait for it.
    this.shutdownDone ??= this.closeSessions(message, grace);
    return this.shutdownDone;
  }

  private async closeSessions(message: string, grace: number): Promise<void> {
    this.shuttingDown = true;
    this.outboundFlow.stop();
    clearTimeout(this.detachTimer);
    this.stopWatchingBackplane?.();
    for (const stop of this.stops.splice(0)) stop();
    const drainUntil = Date.now() + grace / 2;
    while (this.callsInFlight() > 0 && Date.now() < drainUntil) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const realm of this.realms.values()) realm.dealer.abortAll(WampErrorUri.CANCELED, message);
    const closing: Promise<void>[] = [];
    for (const session of [...this.sessions])
      closing.push(session.close(WampCloseUri.SYSTEM_SHUTDOWN, message));
    await Promise.all(closing);
    // The other instances go on: this one tells them it leaves, and lets go of its connections to them.
    this.membership?.stop();
    await this.options.backplane?.close();
  }

  private callsInFlight(): number {
    let count = 0;
    for (const realm of this.realms.values()) count += realm.dealer.callsInFlight;
    return count;
  }
}
