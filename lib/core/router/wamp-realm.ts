import { ApiCatalog } from '../contracts/api-catalog.js';
import type { WampAuthenticator } from './wamp-authenticator.interface.js';
import type { WampBroker } from './wamp-broker.interface.js';
import type { WampAuthorizer } from './wamp-authorizer.interface.js';
import type { WampDealer } from './wamp-dealer.interface.js';
import type { WampPeer } from './wamp-peer.interface.js';

/** What learns of sessions joining and leaving a realm (the session meta API publishes its events from it). */
export interface WampRealmObserver {
  /** A session joined: WELCOME was sent. */
  joined(session: WampPeer): void;
  /** A session left: its subscriptions, registrations and calls are released. */
  left(session: WampPeer): void;
}

/**
 * A routing namespace: its own sessions, broker, dealer and authenticator. Sessions of different realms
 * never see each other.
 */
export class WampRealm {
  /** Established sessions of this realm by session ID. */
  readonly sessions = new Map<number, WampPeer>();
  /**
   * The realm's API as reflection tells it: the application's procedures and topics with their contracts, and
   * the procedures clients registered.
   */
  readonly catalog: ApiCatalog = new ApiCatalog(() => this.dealer.registrations);
  private readonly observers: WampRealmObserver[] = [];
  private announced: Readonly<Record<string, { features: Readonly<Record<string, boolean>> }>>;

  constructor(
    /** Realm URI. */
    readonly name: string,
    /** Decides who joining sessions are. */
    readonly authenticator: WampAuthenticator,
    /** Pub/sub of this realm. */
    readonly broker: WampBroker,
    /** RPC of this realm. */
    readonly dealer: WampDealer,
    /** Permission check before dispatch; everything is allowed when undefined. */
    readonly authorizer?: WampAuthorizer,
    /**
     * The session ID the router's own peer has in this realm: what the meta API names as the callee of the
     * application's procedures. No client session ever has it (IDs come from one generator).
     */
    readonly routerSession = 0,
  ) {
    this.announced = {
      broker: { features: { ...broker.features } },
      dealer: { features: { ...dealer.features } },
    };
  }

  /** `roles` of WELCOME.Details: the router's broker and dealer with the features that work. */
  get roles(): Readonly<Record<string, { features: Readonly<Record<string, boolean>> }>> {
    return this.announced;
  }

  /**
   * Adds a feature to a role's WELCOME announcement, for parts installed beside the broker and dealer (the meta
   * API, event history). Called while the realm is set up, before any session joins.
   */
  announce(role: 'broker' | 'dealer', feature: string): void {
    const current = this.announced[role];
    this.announced = { ...this.announced, [role]: { features: { ...current.features, [feature]: true } } };
  }

  /** Adds an observer of sessions joining and leaving (e.g. the session meta API). */
  observe(observer: WampRealmObserver): void {
    this.observers.push(observer);
  }

  /** Tells the observers that `session` joined (called once WELCOME was sent). */
  welcomed(session: WampPeer): void {
    for (const observer of this.observers) observer.joined(session);
  }

  /** Adds an established session. */
  attach(session: WampPeer): void {
    this.sessions.set(session.id, session);
  }

  /** Removes a session and releases what it held in the broker and dealer. */
  detach(session: WampPeer): void {
    if (!this.sessions.delete(session.id)) return;
    this.broker.detach(session);
    this.dealer.detach(session);
    for (const observer of this.observers) observer.left(session);
  }
}
