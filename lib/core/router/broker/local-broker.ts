import { traceCarrierOf, type RealmTracing } from '../tracing/wamp-router-tracing.interface.js';
import { quoteUri } from '../../protocol/quote-uri.js';
import { WampMessageType } from '../../protocol/message-type.enum.js';
import type {
  EventMessage,
  PublishMessage,
  PublishOptions,
  SubscribeMessage,
  UnsubscribeMessage,
  WampArgs,
  WampKwargs,
  WampMatchPolicy,
} from '../../protocol/wamp-message.interface.js';
import { isReservedUri } from '../../protocol/wamp-uri.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampSerializer } from '../../serializers/wamp-serializer.interface.js';
import { OutgoingEvent } from '../outgoing-event.js';
import type { WampBroker } from '../wamp-broker.interface.js';
import type { RealmMetrics } from '../metrics/wamp-router-metrics.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type {
  BrokerRefusal,
  PublicationHandler,
  SubscriptionHook,
  SubscriptionHookContext,
  SubscriptionHookResult,
} from './broker-hooks.interface.js';
import { endMembership, MembershipRegistry, type Membership } from './memberships.js';
import { publisherOf, type Publication } from './publication.js';
import { LocalPublicationBus, type WampPublicationBus } from './publication-bus.js';
import { CLUSTER_UNAVAILABLE_URI } from '../cluster-error-uri.js';
import { disclosureOf, eligibilityOf } from './publication-filter.js';
import { PublicationInterceptors } from './publication-interceptors.js';
import { RetentionStore, type WampRetentionStore } from './retention-store.js';
import { SubscriptionHookRegistry, type RegisteredHook } from './subscription-hooks.js';
import { BrokerSubscriptions } from './broker-subscriptions.js';
import { newSubscription, SubscriptionTable, type BrokerSubscription } from './subscription-table.js';

/** URI of the ERROR beyond the per-session subscription cap (the spec defines none). */
export const TOO_MANY_SUBSCRIPTIONS_URI = 'nestjs_wamp.error.too_many_subscriptions';

/** Settings of the in-process broker. */
export interface LocalBrokerOptions {
  /** `'open'`: topics without a hook may be subscribed; `'hooked'`: only topics a hook covers. */
  readonly subscriptionPolicy: 'open' | 'hooked';
  /** Subscriptions one session may hold (a subscription flood is refused beyond it). */
  readonly maxSubscriptionsPerSession: number;
  /** Topics with retained events the realm keeps; the least recently retained is forgotten beyond it. */
  readonly maxRetainedTopics: number;
  /** Approximate bytes of retained events the realm keeps; the least recently retained go beyond it. */
  readonly maxRetainedBytes: number;
  readonly logger: WampLogger;
  /** Where retained events are kept (default: an in-memory {@link RetentionStore} with the limits above). */
  readonly retention?: WampRetentionStore;
  /** Where accepted publications go to reach the realm's subscribers (default: a {@link LocalPublicationBus}). */
  readonly bus?: WampPublicationBus;
  /**
   * The ID of a new subscription of `topic` under `match` (default: the router's random IDs). Instances of a
   * cluster derive it from the topic, so that they agree without asking one another.
   */
  readonly subscriptionId?: (topic: string, match: WampMatchPolicy) => number;
  /** Where publications and deliveries are counted, and the realm they are counted under; none when off. */
  readonly realmMetrics?: RealmMetrics;
  /** Where publications open spans, and the realm they belong to; none when tracing is off. */
  readonly realmTracing?: RealmTracing;
}

/** Events a subscription hook sent before its session was admitted, delivered right after SUBSCRIBED. */
type InitialEvents = [WampArgs | undefined, WampKwargs | undefined][];

/**
 * The in-process broker (the embedded default behind {@link WampBroker}; a distributed backplane implements
 * the same interface). It coordinates components that each do one job and are tested on their own:
 * {@link SubscriptionTable} (which subscriptions a topic matches), {@link MembershipRegistry} (who holds
 * what, admissions in progress), {@link SubscriptionHookRegistry} (`@WampSubscription` hooks),
 * {@link PublicationInterceptors} (`@EventPattern` handlers and per-publisher order), a
 * {@link WampRetentionStore}, and {@link eligibilityOf} (black/white lists). Sessions are reached through
 * the {@link WampPeer} port, which encodes.
 *
 * - Subscriptions of one topic and match policy share one ID; subscribing twice returns it again, with no
 *   duplicate events and no second hook run.
 * - One EVENT per matching subscription, with `Details.topic` for pattern subscriptions, built once per
 *   subscription and encoded once per serializer in use (the {@link OutgoingEvent} cache).
 * - Publisher exclusion (`exclude_me`), identification (`disclose_me`), black/white listing by session ID,
 *   authid and authrole, retention (`retain`, `get_retained`).
 * - Ordering: SUBSCRIBED goes before any EVENT of the subscription; one publisher's events are delivered in
 *   publish order, also when some of them wait for a server-side publication handler.
 */
export class LocalBroker implements WampBroker {
  readonly features: Readonly<Record<string, boolean>> = {
    publisher_exclusion: true,
    publisher_identification: true,
    subscriber_blackwhite_listing: true,
    pattern_based_subscription: true,
    event_retention: true,
  };
  /** What the subscription meta API and event history read and listen to. */
  readonly subscriptions: BrokerSubscriptions;
  private readonly table = new SubscriptionTable();
  private readonly members = new MembershipRegistry();
  private readonly hooks = new SubscriptionHookRegistry();
  private readonly interceptors: PublicationInterceptors;
  private readonly retention: WampRetentionStore;
  private readonly bus: WampPublicationBus;

  constructor(
    private readonly nextId: () => number,
    private readonly options: LocalBrokerOptions,
  ) {
    this.interceptors = new PublicationInterceptors(options.logger);
    this.retention = options.retention ?? new RetentionStore(options);
    this.bus = options.bus ?? new LocalPublicationBus();
    this.bus.connect(this.deliver);
    this.subscriptions = new BrokerSubscriptions(this.table, this.newSubscriptionId, options.logger);
  }

  /**
   * Registers a subscription hook for a topic or topic pattern. When a session subscribes, the hook whose
   * pattern matches the subscribed topic runs (exact before the longest prefix before wildcard).
   */
  registerSubscriptionHook(pattern: string, match: WampMatchPolicy, hook: SubscriptionHook): () => void {
    return this.hooks.register(pattern, match, hook);
  }

  /** Registers the server-side handler of client publications to `topic` (exact). Several are chained. */
  registerPublicationHandler(topic: string, handler: PublicationHandler): () => void {
    return this.interceptors.register(topic, handler);
  }

  /** Number of subscriptions (topics and patterns with at least one subscriber). */
  get subscriptionCount(): number {
    return this.table.size;
  }

  subscribe(session: WampPeer, message: SubscribeMessage): void {
    const match = message.options.match ?? 'exact';
    let subscription = this.table.find(message.topic, match);
    if (subscription && this.members.membership(session, subscription)) {
      session.send({
        type: WampMessageType.SUBSCRIBED,
        request: message.request,
        subscription: subscription.id,
      });
      return;
    }
    const waiting = subscription && this.members.waiting(session, subscription);
    if (waiting) {
      waiting.push(message.request);
      return;
    }
    const limit = this.options.maxSubscriptionsPerSession;
    if (this.members.count(session) >= limit) {
      this.refuse(session, WampMessageType.SUBSCRIBE, message.request, {
        uri: TOO_MANY_SUBSCRIPTIONS_URI,
        args: [`Too many subscriptions: this session may hold at most ${limit}.`],
        kwargs: { limit },
      });
      return;
    }
    const hook = this.hooks.find(message.topic);
    if (!hook && this.options.subscriptionPolicy === 'hooked') {
      this.refuse(session, WampMessageType.SUBSCRIBE, message.request, {
        uri: WampErrorUri.NOT_AUTHORIZED,
        args: [`Subscribing to ${quoteUri(message.topic)} is not allowed.`],
      });
      return;
    }
    if (!subscription) {
      subscription = newSubscription(this.newSubscriptionId(message.topic, match), message.topic, match);
      this.table.add(subscription);
    }
    const getRetained = message.options.get_retained === true;
    if (hook) this.runHook(session, subscription, hook, message.request, getRetained);
    else this.admit(session, subscription, [message.request], { ended: false }, [], getRetained);
  }

  unsubscribe(session: WampPeer, message: UnsubscribeMessage): void {
    const subscription = this.table.get(message.subscription);
    const membership = subscription && this.members.release(session, subscription);
    if (!subscription || !membership) {
      this.refuse(session, WampMessageType.UNSUBSCRIBE, message.request, {
        uri: WampErrorUri.NO_SUCH_SUBSCRIPTION,
        args: [`Subscription ${message.subscription} does not exist for this session.`],
      });
      return;
    }
    endMembership(membership, this.options.logger);
    const dropped = this.dropIfEmpty(subscription);
    session.send({ type: WampMessageType.UNSUBSCRIBED, request: message.request });
    this.reportLeft(subscription, session.id, dropped);
  }

  publish(session: WampPeer, message: PublishMessage): void {
    const acknowledge = message.options.acknowledge === true;
    if (isReservedUri(message.topic)) {
      // The wamp.* namespace belongs to the router (meta events): a client must not be able to forge them.
      if (acknowledge) {
        this.refuse(session, WampMessageType.PUBLISH, message.request, {
          uri: WampErrorUri.INVALID_URI,
          args: [`Topic ${quoteUri(message.topic)} is reserved for the router (the "wamp." prefix).`],
        });
      }
      return;
    }
    const publicationId = this.nextId();
    const clientPublication = {
      publisher: session,
      topic: message.topic,
      args: message.args ?? [],
      kwargs: message.kwargs ?? {},
      options: message.options,
      publicationId,
    };
    this.interceptors.intercept(clientPublication, (verdict) => {
      if (!verdict.accept) {
        // A broker answers a PUBLISH only when the publisher asked for an acknowledgement.
        if (acknowledge) this.refuse(session, WampMessageType.PUBLISH, message.request, verdict);
        return;
      }
      if (!session.isOpen) return;
      const handedOver = this.dispatch({
        topic: message.topic,
        id: publicationId,
        args: message.args,
        kwargs: message.kwargs,
        options: message.options,
        publisher: publisherOf(session),
      });
      if (!acknowledge) return;
      if (!handedOver) {
        this.acknowledge(session, message.request, publicationId, true);
        return;
      }
      // A backplane: PUBLISHED once every instance will read the publication (what the publisher does next
      // comes after the event everywhere), ERROR when the backplane did not take it.
      void handedOver.then((sent) => this.acknowledge(session, message.request, publicationId, sent));
    });
  }

  private acknowledge(session: WampPeer, request: number, publicationId: number, sent: boolean): void {
    if (!session.isOpen) return;
    if (sent) {
      session.send({ type: WampMessageType.PUBLISHED, request, publication: publicationId });
      return;
    }
    this.refuse(session, WampMessageType.PUBLISH, request, {
      uri: CLUSTER_UNAVAILABLE_URI,
      args: [
        'The backplane did not take the publication: the other instances may not have received it; try again.',
      ],
    });
  }

  /**
   * Publishes from the server (the injectable publisher, `ClientProxy.emit`): delivered to every eligible
   * subscriber with the same options as a client PUBLISH (black/white lists, retain). Returns the
   * publication ID.
   */
  publishFromServer(
    topic: string,
    args?: WampArgs,
    kwargs?: WampKwargs,
    options: PublishOptions = {},
  ): number {
    const id = this.nextId();
    this.dispatch({ topic, id, args, kwargs, options });
    return id;
  }

  /**
   * Sends an EVENT on `topic` to one session only, on each of its subscriptions that match the topic
   * (serverwamp's `session.send_event`). Returns how many EVENTs were sent: 0 when the session is not
   * subscribed, has left, or cannot be sent these values.
   */
  sendToSession(session: WampPeer, topic: string, args?: WampArgs, kwargs?: WampKwargs): number {
    if (!this.members.holdsAny(session) || !session.isOpen) return 0;
    const id = this.nextId();
    let sent = 0;
    for (const subscription of this.table.match(topic)) {
      if (!this.members.membership(session, subscription)) continue;
      const details = subscription.match === 'exact' ? {} : { topic };
      if (session.deliverEvent(this.event(eventMessage(subscription, id, details, args, kwargs)))) sent++;
    }
    return sent;
  }

  detach(session: WampPeer): void {
    this.interceptors.detach(session);
    const { admitting, held } = this.members.detach(session);
    for (const subscription of admitting) this.dropIfEmpty(subscription);
    const dropped = held.map(([subscription, membership]) => {
      endMembership(membership, this.options.logger);
      return this.dropIfEmpty(subscription);
    });
    held.forEach(([subscription], index) => this.reportLeft(subscription, session.id, dropped[index]));
  }

  /** Reports a subscriber removed, and the subscription's end when it was the last. */
  private reportLeft(subscription: BrokerSubscription, session: number, dropped: boolean): void {
    if (!subscription.announced) return;
    this.subscriptions.report('unsubscribed', subscription, session);
    if (dropped) this.subscriptions.report('deleted', subscription, session);
  }

  /** Admission through a hook: the session joins only if the hook allows, and only if it is still there. */
  private runHook(
    session: WampPeer,
    subscription: BrokerSubscription,
    hook: RegisteredHook,
    request: number,
    getRetained: boolean,
  ): void {
    const requests = this.members.startAdmission(session, subscription, request);
    const membership: Membership = { controller: new AbortController(), ended: false };
    const initialEvents: InitialEvents = [];
    let admitted = false;
    const context: SubscriptionHookContext = {
      session,
      topic: subscription.topic,
      match: subscription.match,
      subscriptionId: subscription.id,
      signal: (membership.controller as AbortController).signal,
      sendEvent: (args, kwargs) => {
        if (membership.ended) return;
        if (admitted) this.sendToMember(session, subscription, args, kwargs);
        else initialEvents.push([args, kwargs]);
      },
    };
    const settle = (result: SubscriptionHookResult): void => {
      const stillWaiting = this.members.finishAdmission(session, subscription, requests);
      if (!stillWaiting || !session.isOpen) {
        // The session left while the hook ran: tear down at once, exactly once.
        if (result.allow) {
          membership.teardown = result.teardown;
          endMembership(membership, this.options.logger);
        }
        this.dropIfEmpty(subscription);
        return;
      }
      if (!result.allow) {
        for (const waiting of requests) this.refuse(session, WampMessageType.SUBSCRIBE, waiting, result);
        this.dropIfEmpty(subscription);
        return;
      }
      membership.teardown = result.teardown;
      admitted = true;
      this.admit(session, subscription, requests, membership, initialEvents, getRetained);
    };
    hook
      .hook(context)
      .then(settle, (error: unknown) => {
        this.options.logger.error(
          `Subscription hook for "${subscription.topic}" failed`,
          error instanceof Error ? error.stack : String(error),
        );
        settle({ allow: false, uri: WampErrorUri.RUNTIME_ERROR, args: ['Internal error.'] });
      })
      .catch((error: unknown) => {
        // Admission itself failed (a bug): logged, never an unhandled rejection that would end the process.
        this.options.logger.error(
          `Admitting a subscription to "${subscription.topic}" failed`,
          error instanceof Error ? error.stack : String(error),
        );
      });
  }

  /** The ID of a new subscription: derived when the options say how, random otherwise or if it is taken. */
  private readonly newSubscriptionId = (topic: string, match: WampMatchPolicy): number => {
    const derive = this.options.subscriptionId;
    if (!derive) return this.nextId();
    const id = derive(topic, match);
    if (!this.table.get(id)) return id;
    this.options.logger.warn(
      `Subscription ID ${id} of "${topic}" (${match}) is taken: a random one is used.`,
    );
    return this.nextId();
  };

  /** Adds the session to the subscription, answers SUBSCRIBED, then initial state and retained events. */
  private admit(
    session: WampPeer,
    subscription: BrokerSubscription,
    requests: readonly number[],
    membership: Membership,
    initialEvents: InitialEvents,
    getRetained: boolean,
  ): void {
    this.members.hold(session, subscription, membership);
    for (const request of requests) {
      session.send({ type: WampMessageType.SUBSCRIBED, request, subscription: subscription.id });
    }
    for (const [args, kwargs] of initialEvents) this.sendToMember(session, subscription, args, kwargs);
    if (getRetained) this.sendRetained(session, subscription);
    if (!subscription.announced) {
      subscription.announced = true;
      this.subscriptions.report('created', subscription, session.id);
    }
    this.subscriptions.report('subscribed', subscription, session.id);
  }

  /** The retained events a new subscriber asked for (`get_retained`). */
  private sendRetained(session: WampPeer, subscription: BrokerSubscription): void {
    for (const publication of this.retention.eventsFor(subscription.topic, subscription.match, session)) {
      const details: Record<string, unknown> = { ...disclosureOf(publication), retained: true };
      if (subscription.match !== 'exact') details.topic = publication.topic;
      // A retained event the subscriber's serializer cannot carry is skipped (and logged), not a reason to abort it.
      session.deliverEvent(
        this.event(eventMessage(subscription, publication.id, details, publication.args, publication.kwargs)),
      );
    }
  }

  private sendToMember(
    session: WampPeer,
    subscription: BrokerSubscription,
    args?: WampArgs,
    kwargs?: WampKwargs,
  ): void {
    if (!this.members.membership(session, subscription)) return;
    const details = subscription.match === 'exact' ? {} : { topic: subscription.topic };
    session.deliverEvent(this.event(eventMessage(subscription, this.nextId(), details, args, kwargs)));
  }

  /** An accepted publication: retained if asked (once, here, by the publishing instance), then on the bus. */
  private dispatch(published: Publication): void | Promise<boolean> {
    let publication = published;
    const tracing = this.options.realmTracing;
    const span = tracing?.tracer.startPublication(
      { realm: tracing.realm, topic: publication.topic, publicationId: publication.id },
      traceCarrierOf(publication.options),
    );
    // The span's context travels with the publication (to other instances too) and into every EVENT.
    if (span) publication = { ...publication, options: { ...publication.options, ...span.carrier } };
    const metrics = this.options.realmMetrics;
    if (metrics) {
      const origin = publication.publisher
        ? 'client'
        : publication.topic.startsWith('wamp.')
          ? 'router'
          : 'application';
      metrics.recorder.published(metrics.realm, origin);
    }
    if (publication.options.retain === true) this.retention.retain(publication);
    const handedOver = this.bus.publish(publication);
    this.subscriptions.published(publication);
    span?.end('delivered');
    return handedOver;
  }

  /** What comes off the bus: one EVENT per matching subscription, to the eligible subscribers on this instance. */
  private readonly deliver = (publication: Publication): void => {
    this.subscriptions.delivered(publication);
    const subscriptions = this.table.match(publication.topic);
    if (subscriptions.length === 0) return;
    const eligible = eligibilityOf(publication);
    const disclosed = disclosureOf(publication);
    let delivered = 0;
    for (const subscription of subscriptions) {
      // Built on the first eligible subscriber: a subscription nobody may receive this from costs no allocation.
      // Each peer encodes it; the event keeps one encoding per serializer, so fan-out encodes once per serializer.
      let event: OutgoingEvent | undefined;
      for (const subscriber of subscription.subscribers) {
        if (eligible && !eligible(subscriber)) continue;
        if (event === undefined) {
          const details: Record<string, unknown> = disclosed ? { ...disclosed } : {};
          if (subscription.match !== 'exact') details.topic = publication.topic;
          if (this.options.realmTracing) Object.assign(details, traceCarrierOf(publication.options));
          event = this.event(
            eventMessage(subscription, publication.id, details, publication.args, publication.kwargs),
          );
        }
        if (subscriber.deliverEvent(event)) delivered++;
      }
    }
    if (delivered > 0)
      this.options.realmMetrics?.recorder.delivered(this.options.realmMetrics.realm, delivered);
  };

  /** An EVENT for peers to encode; one that cannot be encoded for a serializer is logged and skipped for it. */
  private event(message: EventMessage): OutgoingEvent {
    return new OutgoingEvent(message, this.reportEncodeError);
  }

  private readonly reportEncodeError = (serializer: WampSerializer, error: unknown): void => {
    this.options.logger.error(
      `Cannot encode an EVENT for ${serializer.protocol}: ${error instanceof Error ? error.message : String(error)}`,
    );
  };

  /** Removes a subscription nobody holds or is being admitted to, unless pinned; returns whether it went. */
  private dropIfEmpty(subscription: BrokerSubscription): boolean {
    if (subscription.pinned || subscription.subscribers.size > 0 || this.members.isAdmitting(subscription))
      return false;
    this.table.remove(subscription);
    return true;
  }

  private refuse(
    session: WampPeer,
    requestType: WampMessageType,
    request: number,
    refusal: BrokerRefusal,
  ): void {
    session.send({
      type: WampMessageType.ERROR,
      requestType,
      request,
      details: {},
      error: refusal.uri,
      args: refusal.args,
      kwargs: refusal.kwargs,
    });
  }
}

function eventMessage(
  subscription: BrokerSubscription,
  publication: number,
  details: Record<string, unknown>,
  args?: WampArgs,
  kwargs?: WampKwargs,
): EventMessage {
  return { type: WampMessageType.EVENT, subscription: subscription.id, publication, details, args, kwargs };
}
