import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import { UriMatchIndex } from '../uri-index/uri-match-index.js';
import type { SubscriptionFacts } from '../subscription-catalog.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';

/** One subscription: a topic (or topic pattern) with a match policy, shared by every session subscribed to it. */
export interface BrokerSubscription {
  readonly id: number;
  readonly topic: string;
  readonly match: WampMatchPolicy;
  readonly subscribers: Set<WampPeer>;
  /** When it was created, as an ISO 8601 string (for the subscription meta API). */
  readonly created: string;
  /** Whether listeners were told it exists (its first subscriber was admitted, or it was pinned). */
  announced: boolean;
  /** Kept while nobody is subscribed (event history is recorded under it). */
  pinned: boolean;
}

/** A new subscription, not yet announced, with no subscribers. */
export function newSubscription(id: number, topic: string, match: WampMatchPolicy): BrokerSubscription {
  return {
    id,
    topic,
    match,
    subscribers: new Set(),
    created: new Date().toISOString(),
    announced: false,
    pinned: false,
  };
}

/** What the subscription meta API tells about a subscription. */
export function subscriptionFacts(subscription: BrokerSubscription): SubscriptionFacts {
  return {
    id: subscription.id,
    created: subscription.created,
    uri: subscription.topic,
    match: subscription.match,
  };
}

/**
 * The broker's subscriptions, by ID and by topic: finding those a publication's topic matches costs time in
 * proportion to the topic (plus, for wildcard patterns, the pattern prefixes that match it so far), never a
 * scan of every subscription. See {@link UriMatchIndex}.
 */
export class SubscriptionTable {
  private readonly index = new UriMatchIndex<BrokerSubscription>();
  private readonly byId = new Map<number, BrokerSubscription>();

  /** Number of subscriptions (not subscribers). */
  get size(): number {
    return this.byId.size;
  }

  /** Tree and trie nodes the pattern subscriptions hold (memory diagnostics; 0 when there are none). */
  get nodeCount(): number {
    return this.index.nodeCount;
  }

  /** Nodes the last {@link SubscriptionTable.match} visited beyond the exact lookup (cost diagnostics). */
  get lastMatchCost(): number {
    return this.index.lastMatchCost;
  }

  /** The subscription with this ID. */
  get(id: number): BrokerSubscription | undefined {
    return this.byId.get(id);
  }

  /** The subscription of exactly this topic and policy, if any. */
  find(topic: string, match: WampMatchPolicy): BrokerSubscription | undefined {
    return this.index.get(topic, match);
  }

  /** Adds a new (empty) subscription. */
  add(subscription: BrokerSubscription): void {
    this.byId.set(subscription.id, subscription);
    this.index.set(subscription.topic, subscription.match, subscription);
  }

  /** Removes a subscription (when its last subscriber left). */
  remove(subscription: BrokerSubscription): void {
    if (this.byId.get(subscription.id) !== subscription) return;
    this.byId.delete(subscription.id);
    this.index.delete(subscription.topic, subscription.match);
  }

  /** Every subscription `topic` matches (exact, then prefixes, then wildcards); one entry per subscription. */
  match(topic: string): BrokerSubscription[] {
    return this.index.match(topic);
  }

  /** Every subscription, e.g. to list them. */
  values(): IterableIterator<BrokerSubscription> {
    return this.byId.values();
  }
}
