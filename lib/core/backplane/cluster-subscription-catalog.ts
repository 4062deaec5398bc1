import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';
import type { Publication } from '../router/broker/publication.js';
import type { MatchPolicyLists } from '../router/registration-catalog.interface.js';
import type {
  SubscriptionCatalog,
  SubscriptionFacts,
  SubscriptionLifecycleListener,
} from '../router/subscription-catalog.interface.js';
import { UriMatchIndex } from '../router/uri-index/uri-match-index.js';
import type { WampLogger } from '../router/wamp-logger.interface.js';
import { BackplaneMessageError, decodeBackplaneMessage, encodeBackplaneMessage } from './backplane-codec.js';
import type { ClusterMembership } from './cluster-membership.js';
import type { WampBackplane } from './wamp-backplane.interface.js';

const SUBSCRIPTIONS = 'subscriptions';
const MATCH_POLICIES: ReadonlySet<string> = new Set(['exact', 'prefix', 'wildcard']);

/** A subscription as the other instances told of it: its facts, and its subscribers on each of them. */
interface RemoteSubscription {
  readonly facts: SubscriptionFacts;
  readonly subscribers: Map<string, Set<number>>;
}

/**
 * The subscriptions of a realm across every instance of a cluster, for the subscription meta API and
 * `WampMetaService`: this instance's own catalog, plus what the others announce over the backplane (each
 * session subscribing or unsubscribing, a snapshot when an instance starts or its connection comes back).
 * Subscription IDs are derived alike on every instance, so one subscription has one ID and its subscribers on
 * every instance. An instance the membership loses is forgotten with its subscribers.
 *
 * What changes (`observe`), pinning and publications stay this instance's: the meta *events* of the others
 * arrive as their publications.
 */
export class ClusterSubscriptionCatalog implements SubscriptionCatalog {
  private readonly remote = new UriMatchIndex<RemoteSubscription>();
  private readonly remoteById = new Map<number, RemoteSubscription>();
  private readonly byNode = new Map<string, Set<RemoteSubscription>>();
  private readonly channel: string;

  constructor(
    realm: string,
    private readonly local: SubscriptionCatalog,
    private readonly backplane: WampBackplane,
    private readonly membership: ClusterMembership,
    private readonly logger: WampLogger,
  ) {
    this.channel = `wamp/${realm}/subscriptions`;
  }

  /** Starts announcing this instance's subscribers and listening to the others'; returns a function that stops. */
  start(): () => void {
    const stops = [
      this.backplane.subscribe(this.channel, (payload, from) => this.receive(payload, from)),
      this.local.observe({
        created: () => undefined,
        subscribed: (session, facts) =>
          this.send(['subscribed', facts.uri, facts.match, facts.id, facts.created, session]),
        unsubscribed: (session, facts) => this.send(['unsubscribed', facts.uri, facts.match, session]),
        deleted: () => undefined,
      }),
      this.membership.onLost((node) => this.forget(node)),
      // Back after a loss of connection: what was announced meanwhile may be lost; everyone tells again.
      this.membership.onReconnected(() => this.send(['sync'])),
    ];
    this.send(['sync']);
    return () => stops.forEach((stop) => stop());
  }

  list(include?: (uri: string) => boolean): MatchPolicyLists {
    const lists = this.local.list(include);
    const known = new Set([...lists.exact, ...lists.prefix, ...lists.wildcard]);
    for (const { facts } of this.remoteById.values()) {
      if (known.has(facts.id) || (include && !include(facts.uri))) continue;
      lists[facts.match].push(facts.id);
    }
    return lists;
  }

  lookup(topic: string, match: WampMatchPolicy): SubscriptionFacts | undefined {
    return this.local.lookup(topic, match) ?? this.remote.get(topic, match)?.facts;
  }

  match(topic: string): SubscriptionFacts[] {
    const found = this.local.match(topic);
    const known = new Set(found.map((facts) => facts.id));
    for (const { facts } of this.remote.match(topic)) if (!known.has(facts.id)) found.push(facts);
    return found;
  }

  get(id: number): SubscriptionFacts | undefined {
    return this.local.get(id) ?? this.remoteById.get(id)?.facts;
  }

  subscribers(id: number): number[] | undefined {
    const here = this.local.subscribers(id);
    const there = this.remoteById.get(id);
    if (!there) return here;
    const sessions = [...(here ?? [])];
    for (const subscribers of there.subscribers.values()) sessions.push(...subscribers);
    return sessions;
  }

  subscriberCount(id: number): number | undefined {
    const here = this.local.subscriberCount(id);
    const there = this.remoteById.get(id);
    if (!there) return here;
    let count = here ?? 0;
    for (const subscribers of there.subscribers.values()) count += subscribers.size;
    return count;
  }

  pin(topic: string, match: WampMatchPolicy): SubscriptionFacts {
    return this.local.pin(topic, match);
  }

  observe(listener: SubscriptionLifecycleListener): () => void {
    return this.local.observe(listener);
  }

  observePublications(listener: (publication: Publication) => void, everywhere?: boolean): () => void {
    return this.local.observePublications(listener, everywhere);
  }

  private send(body: unknown[]): void {
    this.backplane
      .broadcast(this.channel, encodeBackplaneMessage(SUBSCRIPTIONS, body))
      .catch((error: unknown) =>
        this.logger.warn(`Backplane: a subscription announcement was not sent (${String(error)})`),
      );
  }

  private receive(payload: Uint8Array, from: string): void {
    if (from === this.backplane.nodeId) return;
    try {
      const message = decodeBackplaneMessage(payload);
      if (message.kind !== SUBSCRIPTIONS || !Array.isArray(message.body)) {
        throw new BackplaneMessageError(`Not a subscription message (${message.kind}).`);
      }
      this.membership.heard(from);
      this.handle(message.body, from);
    } catch (error) {
      this.logger.error(
        `Backplane: a subscription message from instance ${from} was dropped`,
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  private handle(body: unknown[], from: string): void {
    switch (body[0]) {
      case 'subscribed': {
        const [, uri, match, id, created, session] = body;
        this.add(from, uri, match, id, created, session);
        return;
      }
      case 'unsubscribed': {
        const [, uri, match, session] = body;
        if (typeof uri !== 'string' || !isMatch(match) || typeof session !== 'number') throw malformed();
        const entry = this.remote.get(uri, match);
        const sessions = entry?.subscribers.get(from);
        if (!entry || !sessions?.delete(session)) return;
        if (sessions.size === 0) {
          entry.subscribers.delete(from);
          this.byNode.get(from)?.delete(entry);
        }
        if (entry.subscribers.size === 0) this.drop(entry);
        return;
      }
      case 'sync': {
        const snapshot: unknown[] = [];
        const lists = this.local.list();
        for (const id of [...lists.exact, ...lists.prefix, ...lists.wildcard]) {
          const facts = this.local.get(id);
          const subscribers = this.local.subscribers(id);
          if (facts && subscribers && subscribers.length > 0) {
            snapshot.push([facts.uri, facts.match, facts.id, facts.created, subscribers]);
          }
        }
        this.send(['snapshot', snapshot]);
        return;
      }
      case 'snapshot': {
        if (!Array.isArray(body[1])) throw malformed();
        // All that instance's subscribers: what it no longer lists left while the news was lost.
        this.forget(from);
        for (const entry of body[1] as unknown[]) {
          if (!Array.isArray(entry) || !Array.isArray(entry[4])) throw malformed();
          const [uri, match, id, created, sessions] = entry as [
            unknown,
            unknown,
            unknown,
            unknown,
            unknown[],
          ];
          for (const session of sessions) this.add(from, uri, match, id, created, session);
        }
        return;
      }
      default:
      // A verb of a later version: ignored.
    }
  }

  private add(
    node: string,
    uri: unknown,
    match: unknown,
    id: unknown,
    created: unknown,
    session: unknown,
  ): void {
    if (
      typeof uri !== 'string' ||
      !isMatch(match) ||
      typeof id !== 'number' ||
      typeof created !== 'string' ||
      typeof session !== 'number'
    ) {
      throw malformed();
    }
    let entry = this.remote.get(uri, match);
    if (!entry) {
      entry = { facts: { id, created, uri, match }, subscribers: new Map() };
      this.remote.set(uri, match, entry);
      this.remoteById.set(id, entry);
    }
    let sessions = entry.subscribers.get(node);
    if (!sessions) entry.subscribers.set(node, (sessions = new Set()));
    sessions.add(session);
    let held = this.byNode.get(node);
    if (!held) this.byNode.set(node, (held = new Set()));
    held.add(entry);
  }

  /** Forgets every subscriber of instance `node` (it was lost, or it sent a snapshot that replaces them). */
  private forget(node: string): void {
    const held = this.byNode.get(node);
    if (!held) return;
    this.byNode.delete(node);
    for (const entry of held) {
      entry.subscribers.delete(node);
      if (entry.subscribers.size === 0) this.drop(entry);
    }
  }

  private drop(entry: RemoteSubscription): void {
    const { uri, match, id } = entry.facts;
    if (this.remote.get(uri, match) === entry) this.remote.delete(uri, match);
    if (this.remoteById.get(id) === entry) this.remoteById.delete(id);
  }
}

function isMatch(value: unknown): value is WampMatchPolicy {
  return typeof value === 'string' && MATCH_POLICIES.has(value);
}

function malformed(): BackplaneMessageError {
  return new BackplaneMessageError('Malformed subscription message.');
}
