import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';
import type { Publication } from './broker/publication.js';
import type { MatchPolicyLists } from './registration-catalog.interface.js';

/** What the subscription meta API tells about a subscription (`SubscriptionDetails` in the spec). */
export interface SubscriptionFacts {
  /** Subscription ID. */
  readonly id: number;
  /** When it was created, as an ISO 8601 string. */
  readonly created: string;
  /** The topic or topic pattern. */
  readonly uri: string;
  readonly match: WampMatchPolicy;
}

/**
 * Told of each change to a realm's subscriptions, after it completed (SUBSCRIBED or UNSUBSCRIBED sent, the
 * session's subscriptions released). A subscription is created when its first subscriber is admitted, so a
 * SUBSCRIBE a hook refuses announces nothing.
 */
export interface SubscriptionLifecycleListener {
  /** A subscription was created for a topic that had none (followed by {@link subscribed}). */
  created(session: number, subscription: SubscriptionFacts): void;
  /** A session was added to a subscription. */
  subscribed(session: number, subscription: SubscriptionFacts): void;
  /** A session was removed from a subscription. */
  unsubscribed(session: number, subscription: SubscriptionFacts): void;
  /** A subscription was deleted after its last subscriber was removed (preceded by {@link unsubscribed}). */
  deleted(session: number, subscription: SubscriptionFacts): void;
}

/**
 * What a broker tells about its subscriptions and publications: the port the subscription meta API, event
 * history and the Nest meta service are built on. A broker without it (a custom `parts.broker`) has neither.
 *
 * @example
 * const ids = realm.broker.subscriptions?.match('com.app.chat').map((facts) => facts.id);
 */
export interface SubscriptionCatalog {
  /** Every subscription's ID, by match policy; only those whose topic `include` accepts, when given. */
  list(include?: (uri: string) => boolean): MatchPolicyLists;
  /** The subscription of exactly this topic and match policy. */
  lookup(topic: string, match: WampMatchPolicy): SubscriptionFacts | undefined;
  /** Every subscription a publication to `topic` reaches, whatever its match policy. */
  match(topic: string): SubscriptionFacts[];
  /** The subscription with this ID. */
  get(id: number): SubscriptionFacts | undefined;
  /** Session IDs of the subscription's subscribers; `undefined` when there is no such subscription. */
  subscribers(id: number): number[] | undefined;
  /** Number of subscribers; `undefined` when there is no such subscription. */
  subscriberCount(id: number): number | undefined;
  /**
   * Keeps a subscription to `topic` under `match` even while nobody is subscribed (creating it if needed), so
   * it has an ID before its first subscriber and keeps it after the last one left: what event history is
   * recorded under.
   */
  pin(topic: string, match: WampMatchPolicy): SubscriptionFacts;
  /** Adds a listener of subscription changes; returns a function that removes it. */
  observe(listener: SubscriptionLifecycleListener): () => void;
  /**
   * Adds a listener of every publication the broker accepted in this realm (client and server publications,
   * once, where they were published); returns a function that removes it. With `everywhere`, of every
   * publication of the realm as it reaches this instance, wherever it was published (in a cluster, each
   * instance hears of every publication; alone, the same as without).
   */
  observePublications(listener: (publication: Publication) => void, everywhere?: boolean): () => void;
}
