import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type {
  SubscriptionCatalog,
  SubscriptionFacts,
  SubscriptionLifecycleListener,
} from '../subscription-catalog.interface.js';
import type { WampBroker } from '../wamp-broker.interface.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import { CatalogMetaApi, isPublicUri } from './catalog-meta-api.js';
import { dictArgument, matchOption, registerMetaProcedures, uriArgument } from './meta-procedure.js';
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
  private readonly shared: CatalogMetaApi<SubscriptionFacts>;

  constructor(
    private readonly catalog: SubscriptionCatalog,
    private readonly dealer: WampDealer,
    broker: WampBroker,
    private readonly options: MetaApiOptions,
  ) {
    this.shared = new CatalogMetaApi(broker, {
      noun: 'subscription',
      unknownUri: WampErrorUri.NO_SUCH_SUBSCRIPTION,
      get: (id) => catalog.get(id),
      members: (id) => catalog.subscribers(id),
      memberCount: (id) => catalog.subscriberCount(id),
    });
  }

  /** Registers the procedures and starts publishing the events; returns a function that stops both. */
  install(): () => void {
    const { catalog, shared } = this;
    const stopObserving = catalog.observe(this);
    const removeProcedures = registerMetaProcedures(
      this.dealer,
      {
        [SubscriptionMetaUri.LIST]: (call) => call.result([catalog.list(isPublicUri)]),
        [SubscriptionMetaUri.LOOKUP]: (call) => {
          const topic = uriArgument(call.args, 0, 'topic');
          const match = matchOption(dictArgument(call.args, 1, 'options'));
          call.result([shared.visible(catalog.lookup(topic, match))?.id ?? null]);
        },
        [SubscriptionMetaUri.MATCH]: (call) => {
          const topic = uriArgument(call.args, 0, 'topic');
          const ids = catalog
            .match(topic)
            .filter((facts) => shared.visible(facts))
            .map((facts) => facts.id);
          call.result([ids.length > 0 ? ids : null]);
        },
        ...shared.byIdProcedures({
          get: SubscriptionMetaUri.GET,
          list: SubscriptionMetaUri.LIST_SUBSCRIBERS,
          count: SubscriptionMetaUri.COUNT_SUBSCRIBERS,
        }),
      },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
    return () => {
      stopObserving();
      removeProcedures();
    };
  }

  created(session: number, subscription: SubscriptionFacts): void {
    this.shared.created(SubscriptionMetaUri.ON_CREATE, session, subscription);
  }

  subscribed(session: number, subscription: SubscriptionFacts): void {
    this.shared.changed(SubscriptionMetaUri.ON_SUBSCRIBE, session, subscription);
  }

  unsubscribed(session: number, subscription: SubscriptionFacts): void {
    this.shared.changed(SubscriptionMetaUri.ON_UNSUBSCRIBE, session, subscription);
  }

  deleted(session: number, subscription: SubscriptionFacts): void {
    this.shared.changed(SubscriptionMetaUri.ON_DELETE, session, subscription);
  }
}
