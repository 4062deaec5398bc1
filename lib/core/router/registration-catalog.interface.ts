import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';

/** IDs by match policy, as `wamp.registration.list` and `wamp.subscription.list` return them. */
export interface MatchPolicyLists {
  readonly exact: number[];
  readonly prefix: number[];
  readonly wildcard: number[];
}

/** What the registration meta API tells about a registration (`RegistrationDetails` in the spec). */
export interface RegistrationFacts {
  /** Registration ID. */
  readonly id: number;
  /** When it was created, as an ISO 8601 string. */
  readonly created: string;
  /** The procedure URI or pattern. */
  readonly uri: string;
  readonly match: WampMatchPolicy;
  /** Invocation policy: `single`, `roundrobin`, `random`, `first` or `last`. */
  readonly invoke: string;
}

/**
 * Told of each change to a realm's registrations, after it completed (REGISTERED or UNREGISTERED sent, the
 * session's registrations released). `session` is the callee's session ID; the application's own procedures
 * are attributed to the realm's router session ID.
 */
export interface RegistrationLifecycleListener {
  /** A registration was created for a URI that had none (followed by {@link registered}). */
  created(session: number, registration: RegistrationFacts): void;
  /** A callee was added to a registration. */
  registered(session: number, registration: RegistrationFacts): void;
  /** A callee was removed from a registration. */
  unregistered(session: number, registration: RegistrationFacts): void;
  /** A registration was deleted after its last callee was removed (preceded by {@link unregistered}). */
  deleted(session: number, registration: RegistrationFacts): void;
}

/**
 * What a dealer tells about its registrations: the port the registration meta API and the Nest meta service
 * are built on. A dealer without it (a custom `parts.dealer`) simply has no registration meta API.
 *
 * @example
 * const id = realm.dealer.registrations?.match('com.app.add')?.id;
 */
export interface RegistrationCatalog {
  /** Every registration's ID, by match policy; only those whose URI `include` accepts, when given. */
  list(include?: (uri: string) => boolean): MatchPolicyLists;
  /** The registration of exactly this URI and match policy. */
  lookup(uri: string, match: WampMatchPolicy): RegistrationFacts | undefined;
  /** The registration a CALL of `procedure` would reach (exact, then longest prefix, then wildcard). */
  match(procedure: string): RegistrationFacts | undefined;
  /** The registration with this ID. */
  get(id: number): RegistrationFacts | undefined;
  /** Session IDs of the registration's callees, in registration order; `undefined` when there is no such registration. */
  callees(id: number): number[] | undefined;
  /** Number of callees of the registration; `undefined` when there is no such registration. */
  calleeCount(id: number): number | undefined;
  /** Adds a listener of registration changes; returns a function that removes it. */
  observe(listener: RegistrationLifecycleListener): () => void;
}
