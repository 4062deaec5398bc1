import { LocalBroker } from './broker/local-broker.js';
import { LocalDealer } from './dealer/local-dealer.js';
import type { RealmPartContext, WampRealmParts } from './realm-parts.interface.js';
import type { WampBroker } from './wamp-broker.interface.js';
import type { WampDealer } from './wamp-dealer.interface.js';

/** The realm's broker: the configured factory's, or the in-memory default. */
export function createBroker(parts: WampRealmParts | undefined, context: RealmPartContext): WampBroker {
  if (parts?.broker) return parts.broker(context);
  const { options } = context;
  return new LocalBroker(context.nextId, {
    subscriptionPolicy: options.subscriptionPolicy,
    maxSubscriptionsPerSession: options.maxSubscriptionsPerSession,
    maxRetainedTopics: options.maxRetainedTopics,
    maxRetainedBytes: options.maxRetainedBytes,
    logger: options.logger,
    retention: parts?.retentionStore?.(context),
    bus: parts?.publicationBus?.(context),
  });
}

/** The realm's dealer: the configured factory's, or the in-memory default. */
export function createDealer(parts: WampRealmParts | undefined, context: RealmPartContext): WampDealer {
  if (parts?.dealer) return parts.dealer(context);
  const { options } = context;
  return new LocalDealer(context.nextId, {
    maxCallsPerSession: options.maxCallsPerSession,
    defaultCallTimeout: options.defaultCallTimeout,
    maxRegistrationsPerSession: options.maxRegistrationsPerSession,
    maxInvocationsPerCallee: options.maxInvocationsPerCallee,
    interruptTimeout: options.interruptTimeout,
    logger: options.logger,
    routerSession: context.routerSession,
  });
}
