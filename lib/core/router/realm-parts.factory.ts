import { BackplanePublicationBus } from '../backplane/backplane-publication-bus.js';
import { ClusterDealer } from '../backplane/cluster-dealer.js';
import { clusterRegistrationId, clusterSubscriptionId } from '../backplane/cluster-subscription-id.js';
import { LocalBroker } from './broker/local-broker.js';
import { LocalDealer } from './dealer/local-dealer.js';
import type { RealmPartContext, WampRealmParts } from './realm-parts.interface.js';
import type { WampBroker } from './wamp-broker.interface.js';
import type { WampDealer } from './wamp-dealer.interface.js';

/** The realm's broker: the configured factory's, or the in-memory default. */
export function createBroker(parts: WampRealmParts | undefined, context: RealmPartContext): WampBroker {
  if (parts?.broker) return parts.broker(context);
  const { options, backplane, realm } = context;
  return new LocalBroker(context.nextId, {
    subscriptionPolicy: options.subscriptionPolicy,
    maxSubscriptionsPerSession: options.maxSubscriptionsPerSession,
    maxRetainedTopics: options.maxRetainedTopics,
    maxRetainedBytes: options.maxRetainedBytes,
    logger: options.logger,
    // In a cluster, what the parts do not say comes from the backplane: every instance's retained events,
    // its publications, and subscription IDs every instance derives alike.
    retention: parts?.retentionStore?.(context) ?? backplane?.retentionStore(realm),
    bus:
      parts?.publicationBus?.(context) ??
      (backplane && new BackplanePublicationBus(backplane, realm, options.logger)),
    subscriptionId: backplane && ((topic, match) => clusterSubscriptionId(realm, topic, match)),
    realmMetrics: options.metrics && { recorder: options.metrics, realm },
    realmTracing: options.tracing && { tracer: options.tracing, realm },
  });
}

/** The realm's dealer: the configured factory's, or the in-memory default. */
export function createDealer(parts: WampRealmParts | undefined, context: RealmPartContext): WampDealer {
  if (parts?.dealer) return parts.dealer(context);
  const { options, backplane, membership, realm } = context;
  // In a cluster, registrations are claimed across instances and calls reach callees wherever they are.
  const cluster = backplane && membership && new ClusterDealer(realm, backplane, membership, options.logger);
  const dealer = new LocalDealer(context.nextId, {
    maxCallsPerSession: options.maxCallsPerSession,
    defaultCallTimeout: options.defaultCallTimeout,
    maxRegistrationsPerSession: options.maxRegistrationsPerSession,
    maxInvocationsPerCallee: options.maxInvocationsPerCallee,
    interruptTimeout: options.interruptTimeout,
    logger: options.logger,
    routerSession: context.routerSession,
    cluster,
    registrationId: cluster && ((procedure, match) => clusterRegistrationId(realm, procedure, match)),
    realmMetrics: options.metrics && { recorder: options.metrics, realm },
    realmTracing: options.tracing && { tracer: options.tracing, realm },
  });
  cluster?.attach(dealer);
  return dealer;
}
