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
  /** `roles` of WELCOME.Details, built once: the router's broker and dealer with their working features. */
  readonly roles: Readonly<Record<string, { features: Readonly<Record<string, boolean>> }>>;
  private readonly observers: WampRealmObserver[] = [];

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
  ) {
    // The session meta API needs both roles, so it is announced on both (as the spec asks).
    const meta = { session_meta_api: true };
    this.roles = {
      broker: { features: { ...broker.features, ...meta } },
      dealer: { features: { ...dealer.features, ...meta } },
    };
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
