import type { WampMatchPolicy } from '../../protocol/wamp-message.interface.js';
import type { MatchPolicyLists } from '../registration-catalog.interface.js';
import type {
  SubscriptionCatalog,
  SubscriptionFacts,
  SubscriptionLifecycleListener,
} from '../subscription-catalog.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { Publication } from './publication.js';
import {
  newSubscription,
  subscriptionFacts,
  type BrokerSubscription,
  type SubscriptionTable,
} from './subscription-table.js';

/** A change the broker reports, named as the listener's method. */
export type SubscriptionChange = keyof SubscriptionLifecycleListener;

/**
 * The {@link SubscriptionCatalog} of a {@link LocalBroker}: answers from its {@link SubscriptionTable}, tells
 * listeners of each change the broker reports once it completed, and of each publication it accepted.
 */
export class BrokerSubscriptions implements SubscriptionCatalog {
  private readonly listeners = new Set<SubscriptionLifecycleListener>();
  private readonly publicationListeners = new Set<(publication: Publication) => void>();
  /** Listeners of every publication of the realm, as it reaches this instance (`everywhere`). */
  private readonly deliveryListeners = new Set<(publication: Publication) => void>();

  constructor(
    private readonly table: SubscriptionTable,
    private readonly newId: (topic: string, match: WampMatchPolicy) => number,
    private readonly logger: WampLogger,
  ) {}

  list(include?: (uri: string) => boolean): MatchPolicyLists {
    const lists: MatchPolicyLists = { exact: [], prefix: [], wildcard: [] };
    for (const subscription of this.table.values()) {
      if (!include || include(subscription.topic)) lists[subscription.match].push(subscription.id);
    }
    return lists;
  }

  lookup(topic: string, match: WampMatchPolicy): SubscriptionFacts | undefined {
    const subscription = this.table.find(topic, match);
    return subscription && subscriptionFacts(subscription);
  }

  match(topic: string): SubscriptionFacts[] {
    return this.table.match(topic).map(subscriptionFacts);
  }

  get(id: number): SubscriptionFacts | undefined {
    const subscription = this.table.get(id);
    return subscription && subscriptionFacts(subscription);
  }

  subscribers(id: number): number[] | undefined {
    const subscription = this.table.get(id);
    return subscription && [...subscription.subscribers].map((subscriber) => subscriber.id);
  }

  subscriberCount(id: number): number | undefined {
    return this.table.get(id)?.subscribers.size;
  }

  pin(topic: string, match: WampMatchPolicy): SubscriptionFacts {
    let subscription = this.table.find(topic, match);
    if (!subscription) {
      subscription = newSubscription(this.newId(topic, match), topic, match);
      this.table.add(subscription);
    }
    subscription.pinned = true;
    subscription.announced = true;
    return subscriptionFacts(subscription);
  }

  observe(listener: SubscriptionLifecycleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  observePublications(listener: (publication: Publication) => void, everywhere = false): () => void {
    const listeners = everywhere ? this.deliveryListeners : this.publicationListeners;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Tells the listeners of a change made by session `session`. */
  report(change: SubscriptionChange, subscription: BrokerSubscription, session: number): void {
    if (this.listeners.size === 0) return;
    const facts = subscriptionFacts(subscription);
    for (const listener of this.listeners) {
      try {
        listener[change](session, facts);
      } catch (error) {
        // A listener's failure must not undo or interrupt the change it was told about.
        this.logger.error(
          `Subscription listener failed on ${change}`,
          error instanceof Error ? error.stack : String(error),
        );
      }
    }
  }

  /** Tells the publication listeners of an accepted publication. */
  published(publication: Publication): void {
    this.tell(this.publicationListeners, publication);
  }

  /** Tells the `everywhere` listeners of a publication of the realm that reached this instance. */
  delivered(publication: Publication): void {
    this.tell(this.deliveryListeners, publication);
  }

  private tell(listeners: Set<(publication: Publication) => void>, publication: Publication): void {
    if (listeners.size === 0) return;
    for (const listener of listeners) {
      try {
        listener(publication);
      } catch (error) {
        this.logger.error(
          'Publication listener failed',
          error instanceof Error ? error.stack : String(error),
        );
      }
    }
  }
}
