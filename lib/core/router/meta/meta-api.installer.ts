import type { WampRealm } from '../wamp-realm.js';
import type { EventHistoryRule } from './event-history.js';
import { EventHistory } from './event-history.js';
import { MemoryEventHistoryStore, type WampEventHistoryStore } from './event-history-store.js';
import { ReflectionMetaApi } from './reflection-meta-api.js';
import { RegistrationMetaApi } from './registration-meta-api.js';
import { SessionMetaApi } from './session-meta-api.js';
import { LocalSessionDirectory, type SessionDirectory } from './session-directory.js';
import { ClusterSessionDirectory } from '../../backplane/cluster-session-directory.js';
import { ClusterSubscriptionCatalog } from '../../backplane/cluster-subscription-catalog.js';
import type { SubscriptionCatalog } from '../subscription-catalog.interface.js';
import type { ClusterMembership } from '../../backplane/cluster-membership.js';
import type { WampBackplane } from '../../backplane/wamp-backplane.interface.js';
import { SubscriptionMetaApi } from './subscription-meta-api.js';
import { TestamentMetaApi, type TestamentMetaOptions } from './testament-meta-api.js';

/** What the meta API of one realm is set up with. */
export interface MetaApiSettings extends TestamentMetaOptions {
  /** Topics whose events the realm keeps; no event history when empty. */
  readonly eventHistory: readonly EventHistoryRule[];
  /** Where event history is kept. Default: in memory. */
  readonly eventHistoryStore?: WampEventHistoryStore;
  /** With it, the session meta API answers for every instance of the cluster. */
  readonly backplane?: WampBackplane;
  /** Which other instances are alive: a lost one's sessions are no longer listed. */
  readonly membership?: ClusterMembership;
}

/** What {@link installMetaApi} leaves running: the sessions the meta API answers for, and how to stop it. */
export interface InstalledMetaApi {
  /** This instance's sessions, or every instance's with a backplane. */
  readonly sessions: SessionDirectory;
  /**
   * The subscriptions the subscription meta API answers for: the broker's, or with a backplane every
   * instance's; `undefined` when the broker keeps no catalog.
   */
  readonly subscriptions?: SubscriptionCatalog;
  /** Stops what runs in the background (the cluster directory's and catalog's listeners). */
  stop(): void;
}

/**
 * Sets up a realm's meta API as a peer of the router: the session meta API and testaments always; the
 * registration and subscription meta API when the dealer and broker tell about their registrations and
 * subscriptions (the built-in ones do; a custom part may not); event history when rules are configured. Each
 * part is announced in WELCOME only when it is installed, so a client never sees a feature that is not there.
 */
export function installMetaApi(realm: WampRealm, settings: MetaApiSettings): InstalledMetaApi {
  const stops: (() => void)[] = [];
  const { broker, dealer } = realm;
  // Testaments first: they are published before the session's wamp.session.on_leave.
  const testaments = new TestamentMetaApi(realm, settings);
  testaments.install();
  realm.observe(testaments);
  realm.announce('dealer', 'testament_meta_api');

  const sessions = new SessionMetaApi(realm, settings);
  sessions.install();
  realm.observe(sessions);
  let directory: SessionDirectory = new LocalSessionDirectory(realm, (session, how) =>
    sessions.end(session, how),
  );
  if (settings.backplane && settings.membership) {
    const cluster = new ClusterSessionDirectory(
      realm,
      directory,
      settings.backplane,
      settings.membership,
      settings.logger,
    );
    sessions.useDirectory(cluster);
    realm.observe(cluster);
    stops.push(cluster.start());
    directory = cluster;
  }
  // The session meta API needs both roles, so it is announced on both (as the spec asks).
  realm.announce('broker', 'session_meta_api');
  realm.announce('dealer', 'session_meta_api');

  if (settings.eventHistory.length > 0 && !broker.subscriptions) {
    throw new Error(
      `Realm "${realm.name}": eventHistory needs a broker that keeps a subscription catalog; ` +
        'the broker made by parts.broker has no "subscriptions".',
    );
  }
  if (dealer.registrations) {
    new RegistrationMetaApi(dealer.registrations, dealer, broker, settings).install();
    realm.announce('dealer', 'registration_meta_api');
  }
  // Reflection: both roles announce it, as the spec asks (a broker may offer procedures, a dealer topics).
  new ReflectionMetaApi(realm.catalog, dealer, settings).install();
  realm.announce('broker', 'reflection');
  realm.announce('dealer', 'reflection');
  let subscriptions = broker.subscriptions;
  if (subscriptions && settings.backplane && settings.membership) {
    const cluster = new ClusterSubscriptionCatalog(
      realm.name,
      subscriptions,
      settings.backplane,
      settings.membership,
      settings.logger,
    );
    stops.push(cluster.start());
    subscriptions = cluster;
  }
  if (broker.subscriptions && subscriptions) {
    new SubscriptionMetaApi(subscriptions, dealer, broker, settings).install();
    realm.announce('broker', 'subscription_meta_api');
    if (settings.eventHistory.length > 0) {
      const store = settings.eventHistoryStore ?? new MemoryEventHistoryStore();
      new EventHistory(
        realm,
        broker.subscriptions,
        store,
        settings.eventHistory,
        settings,
        settings.eventHistoryStore === undefined,
      ).install();
      realm.announce('broker', 'event_history');
    }
  }
  return { sessions: directory, subscriptions, stop: () => stops.forEach((stop) => stop()) };
}
