import { isReservedUri } from '../../protocol/wamp-uri.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampCall } from '../dealer/wamp-call.interface.js';
import type {
  SubscriptionCatalog,
  SubscriptionFacts,
  SubscriptionLifecycleListener,
} from '../subscription-catalog.interface.js';
import type { WampBroker } from '../wamp-broker.interface.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import {
  dictArgument,
  idArgument,
  matchOption,
  registerMetaProcedures,
  uriArgument,
} from './meta-procedure.js';
import type { MetaApiOptions } from './session-meta-api.js';

/** The subscription meta procedures and topics (WAMP advanced profile, "Subscription Meta API"). */
export const SubscriptionMetaUri = {
  ON_CREATE: 'wamp.subscription.on_create',
  ON_SUBSCRIBE: 'wamp.subscription.on_subscribe',
  ON_UNSUBSCRIBE: 'wamp.subscription.on_unsubscribe',
  ON_DELETE: 'wamp.subscription.on_delete',
  LIST: 'wamp.subscription.list',
  LOOKUP: 'wamp.subscription.lookup',
  MATCH: 'wamp.subscription.match',
  GET: 'wamp.subscription.get',
  LIST_SUBSCRIBERS: 'wamp.subscription.list_subscribers',
  COUNT_SUBSCRIBERS: 'wamp.subscription.count_subscribers',
} as const;

/**
 * The Subscription Meta API of one realm: a peer of the router that reads the broker's
 * {@link SubscriptionCatalog}, registers the spec's procedures with the dealer and publishes its events through the
 * broker once each change completed. Subscriptions to the router's own `wamp.` topics (meta events) are neither
 * listed nor announced, as on Crossbar: watching the meta API must not feed it.
 */
export class SubscriptionMetaApi implements SubscriptionLifecycleListener {
  constructor(
    private readonly catalog: SubscriptionCatalog,
    private readonly dealer: WampDealer,
    private readonly broker: WampBroker,
    private readonly options: MetaApiOptions,
  ) {}

  /** Registers the procedures and starts publishing the events; returns a function that stops both. */
  install(): () => void {
    const stopObserving = this.catalog.observe(this);
    const removeProcedures = registerMetaProcedures(
      this.dealer,
      {
        [SubscriptionMetaUri.LIST]: (call) => call.result([this.catalog.list(isPublicUri)]),
        [SubscriptionMetaUri.LOOKUP]: (call) => {
          const topic = uriArgument(call.args, 0, 'topic');
          const match = matchOption(dictArgument(call.args, 1, 'options'));
          call.result([this.visible(this.catalog.lookup(topic, match))?.id ?? null]);
        },
        [SubscriptionMetaUri.MATCH]: (call) => {
          const topic = uriArgument(call.args, 0, 'topic');
          const ids = this.catalog
            .match(topic)
            .filter((facts) => this.visible(facts))
            .map((facts) => facts.id);
          call.result([ids.length > 0 ? ids : null]);
        },
        [SubscriptionMetaUri.GET]: (call) => {
          const facts = this.found(call);
          if (facts) call.result([facts]);
        },
        [SubscriptionMetaUri.LIST_SUBSCRIBERS]: (call) => {
          const facts = this.found(call);
          if (facts) call.result([this.catalog.subscribers(facts.id) ?? []]);
        },
        [SubscriptionMetaUri.COUNT_SUBSCRIBERS]: (call) => {
          const facts = this.found(call);
          if (facts) call.result([this.catalog.subscriberCount(facts.id) ?? 0]);
        },
      },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
    return () => {
      stopObserving();
      removeProcedures();
    };
  }

  created(session: number, subscription: SubscriptionFacts): void {
    if (!this.visible(subscription)) return;
    this.broker.publishFromServer(SubscriptionMetaUri.ON_CREATE, [session, subscription]);
  }

  subscribed(session: number, subscription: SubscriptionFacts): void {
    this.announce(SubscriptionMetaUri.ON_SUBSCRIBE, session, subscription);
  }

  unsubscribed(session: number, subscription: SubscriptionFacts): void {
    this.announce(SubscriptionMetaUri.ON_UNSUBSCRIBE, session, subscription);
  }

  deleted(session: number, subscription: SubscriptionFacts): void {
    this.announce(SubscriptionMetaUri.ON_DELETE, session, subscription);
  }

  private announce(topic: string, session: number, subscription: SubscriptionFacts): void {
    if (this.visible(subscription)) this.broker.publishFromServer(topic, [session, subscription.id]);
  }

  /** The subscription named by `args[0]`, or ERROR `no_such_subscription` (and `undefined`). */
  private found(call: WampCall): SubscriptionFacts | undefined {
    const id = idArgument(call.args, 0, 'subscription');
    const facts = this.visible(this.catalog.get(id));
    if (!facts) call.error(WampErrorUri.NO_SUCH_SUBSCRIPTION, [`No subscription ${id} in this realm.`]);
    return facts;
  }

  /** The subscription unless it is to one of the router's own topics (`wamp.`). */
  private visible(facts: SubscriptionFacts | undefined): SubscriptionFacts | undefined {
    return facts && !isReservedUri(facts.uri) ? facts : undefined;
  }
}

/** Whether a URI is not one of the router's own (`wamp.`): what the meta API lists. */
function isPublicUri(uri: string): boolean {
  return !isReservedUri(uri);
}
