import { quoteUri } from '../../protocol/quote-uri.js';
import { WampMessageType } from '../../protocol/message-type.enum.js';
import { appendPayload } from '../../protocol/wamp-payload.js';
import type {
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
import type { WampBroker } from '../wamp-broker.interface.js';
import type { WampLogger } from '../wamp-logger.interface.js';
import { OutgoingEvent } from '../outgoing-event.js';
import type { WampPeer } from '../wamp-peer.interface.js';
import type {
  BrokerRefusal,
  PublicationHandler,
  SubscriptionHook,
  SubscriptionHookContext,
} from './broker-hooks.interface.js';
import { SubscriptionTable, type BrokerSubscription } from './subscription-table.js';
import { compileTopicPattern, topicMatches } from './topic-pattern.js';

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
}

/** An event to deliver, as the broker builds it once per publication. */
interface Publication {
  readonly topic: string;
  readonly id: number;
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
  readonly options: PublishOptions;
  readonly publisher?: WampPeer;
}

interface RetainedEvent {
  /** Approximate bytes held, counted against `maxRetainedBytes`. */
  readonly size: number;
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
  readonly id: number;
  readonly publisher?: Readonly<Record<string, unknown>>;
  /** Who may receive it, as when it was published (undefined: everyone). */
  readonly eligible?: (session: WampPeer) => boolean;
}

/** Restricted retained events kept per topic behind the newest unrestricted one. */
const MAX_RETAINED_PER_TOPIC = 16;

/** What one session holds on one subscription: the hook's teardown, run exactly once. */
interface Membership {
  /** Only for subscriptions admitted by a hook (its context's signal): a plain subscription needs none. */
  readonly controller?: AbortController;
  /** Set once the membership ended (unsubscribed, session gone, refused). */
  ended: boolean;
  teardown?: () => void;
}

interface HookEntry {
  readonly pattern: string;
  readonly match: WampMatchPolicy;
  readonly hook: SubscriptionHook;
}

/**
 * The in-process broker (the embedded default behind {@link WampBroker}; a distributed backplane implements
 * the same interface).
 *
 * - Subscriptions of one topic and match policy share one ID; subscribing twice returns it again, with no
 *   duplicate events and no second hook run.
 * - Matching uses {@link SubscriptionTable} (no scan of every subscription per publish); one EVENT per
 *   matching subscription, with `Details.topic` for pattern subscriptions.
 * - Publisher exclusion (`exclude_me`), identification (`disclose_me`), black/white listing by session ID,
 *   authid and authrole, retention (`retain`, `get_retained`).
 * - Fan-out encodes each EVENT once per serializer in use, not once per subscriber; events go through the
 *   connection's droppable path (slow-consumer policy), unlike RPC results.
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
  private readonly table = new SubscriptionTable();
  private readonly memberships = new Map<WampPeer, Map<BrokerSubscription, Membership>>();
  /** Subscriptions a session is still being admitted to (hook pending), with the requests waiting. */
  private readonly admitting = new Map<WampPeer, Map<BrokerSubscription, number[]>>();
  /** Per topic, retained events newest first: an unrestricted one replaces the list, restricted ones stack. */
  private readonly retained = new Map<string, RetainedEvent[]>();
  private retainedBytes = 0;
  private readonly hooks: HookEntry[] = [];
  private readonly publicationHandlers = new Map<string, PublicationHandler>();
  /** Per publisher, the tail of its queue of publications waiting for a handler (keeps publish order). */
  private readonly publishQueues = new Map<WampPeer, Promise<void>>();

  constructor(
    private readonly nextId: () => number,
    private readonly options: LocalBrokerOptions,
  ) {}

  /**
   * Registers a subscription hook for a topic or topic pattern. When a session subscribes, the hook whose
   * pattern matches the subscribed topic runs (exact before the longest prefix before wildcard).
   */
  registerSubscriptionHook(pattern: string, match: WampMatchPolicy, hook: SubscriptionHook): () => void {
    if (this.hooks.some((entry) => entry.pattern === pattern && entry.match === match)) {
      throw new Error(`A subscription hook for "${pattern}" (match ${match}) is already registered.`);
    }
    const entry: HookEntry = { pattern, match, hook };
    this.hooks.push(entry);
    return () => {
      const index = this.hooks.indexOf(entry);
      if (index !== -1) this.hooks.splice(index, 1);
    };
  }

  /** Registers the server-side handler of client publications to `topic` (exact). Several are chained. */
  registerPublicationHandler(topic: string, handler: PublicationHandler): () => void {
    const previous = this.publicationHandlers.get(topic);
    const chained: PublicationHandler = previous
      ? async (publication) => {
          const verdict = await previous(publication);
          return verdict.accept ? handler(publication) : verdict;
        }
      : handler;
    this.publicationHandlers.set(topic, chained);
    return () => {
      if (this.publicationHandlers.get(topic) === chained) {
        if (previous) this.publicationHandlers.set(topic, previous);
        else this.publicationHandlers.delete(topic);
      }
    };
  }

  /** Number of subscriptions (topics and patterns with at least one subscriber). */
  get subscriptionCount(): number {
    return this.table.size;
  }

  subscribe(session: WampPeer, message: SubscribeMessage): void {
    const match = message.options.match ?? 'exact';
    let subscription = this.table.find(message.topic, match);
    if (subscription && this.memberships.get(session)?.has(subscription)) {
      session.send([WampMessageType.SUBSCRIBED, message.request, subscription.id]);
      return;
    }
    const waiting = subscription && this.admitting.get(session)?.get(subscription);
    if (waiting) {
      waiting.push(message.request);
      return;
    }
    const held = (this.memberships.get(session)?.size ?? 0) + (this.admitting.get(session)?.size ?? 0);
    if (held >= this.options.maxSubscriptionsPerSession) {
      this.refuse(session, WampMessageType.SUBSCRIBE, message.request, {
        uri: TOO_MANY_SUBSCRIPTIONS_URI,
        args: [
          `Too many subscriptions: this session may hold at most ${this.options.maxSubscriptionsPerSession}.`,
        ],
        kwargs: { limit: this.options.maxSubscriptionsPerSession },
      });
      return;
    }
    const hook = this.findHook(message.topic, match);
    if (!hook && this.options.subscriptionPolicy === 'hooked') {
      this.refuse(session, WampMessageType.SUBSCRIBE, message.request, {
        uri: WampErrorUri.NOT_AUTHORIZED,
        args: [`Subscribing to ${quoteUri(message.topic)} is not allowed.`],
      });
      return;
    }
    if (!subscription) {
      subscription = { id: this.nextId(), topic: message.topic, match, subscribers: new Set() };
      this.table.add(subscription);
    }
    if (!hook) {
      this.admit(
        session,
        subscription,
        [message.request],
        { ended: false },
        [],
        message.options.get_retained === true,
      );
      return;
    }
    this.runHook(session, subscription, hook, message);
  }

  unsubscribe(session: WampPeer, message: UnsubscribeMessage): void {
    const subscription = this.table.get(message.subscription);
    const membership = subscription && this.memberships.get(session)?.get(subscription);
    if (!subscription || !membership) {
      this.refuse(session, WampMessageType.UNSUBSCRIBE, message.request, {
        uri: WampErrorUri.NO_SUCH_SUBSCRIPTION,
        args: [`Subscription ${message.subscription} does not exist for this session.`],
      });
      return;
    }
    this.leave(session, subscription, membership);
    session.send([WampMessageType.UNSUBSCRIBED, message.request]);
  }

  publish(session: WampPeer, message: PublishMessage): void {
    if (isReservedUri(message.topic)) {
      // The wamp.* namespace belongs to the router (meta events): a client must not be able to forge them.
      if (message.options.acknowledge === true) {
        this.refuse(session, WampMessageType.PUBLISH, message.request, {
          uri: WampErrorUri.INVALID_URI,
          args: [`Topic ${quoteUri(message.topic)} is reserved for the router (the "wamp." prefix).`],
        });
      }
      return;
    }
    const handler = this.publicationHandlers.get(message.topic);
    const queued = this.publishQueues.get(session);
    if (!handler && !queued) {
      this.accept(session, message, this.nextId());
      return;
    }
    const publicationId = this.nextId();
    const run = async (): Promise<void> => {
      if (!session.isOpen) return;
      if (handler) {
        let verdict;
        try {
          verdict = await handler({
            publisher: session,
            topic: message.topic,
            args: message.args ?? [],
            kwargs: message.kwargs ?? {},
            options: message.options,
            publicationId,
          });
        } catch (error) {
          this.options.logger.error(
            `Publication handler for "${message.topic}" failed`,
            error instanceof Error ? error.stack : String(error),
          );
          verdict = { accept: false as const, uri: WampErrorUri.RUNTIME_ERROR, args: ['Internal error.'] };
        }
        if (!verdict.accept) {
          if (message.options.acknowledge === true)
            this.refuse(session, WampMessageType.PUBLISH, message.request, verdict);
          return;
        }
      }
      if (session.isOpen) this.accept(session, message, publicationId);
    };
    const tail = (queued ?? Promise.resolve()).then(run).catch((error: unknown) => {
      // Nothing above this continuation can catch: a failure is logged, and the next publication still runs.
      this.options.logger.error(
        `Delivering a publication to "${message.topic}" failed`,
        error instanceof Error ? error.stack : String(error),
      );
    });
    this.publishQueues.set(session, tail);
    void tail.finally(() => {
      if (this.publishQueues.get(session) === tail) this.publishQueues.delete(session);
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
    this.deliver({ topic, id, args, kwargs, options });
    return id;
  }

  /**
   * Sends an EVENT on `topic` to one session only, on each of its subscriptions that match the topic
   * (serverwamp's `session.send_event`). Returns how many EVENTs were sent: 0 when the session is not
   * subscribed or has left.
   */
  sendToSession(session: WampPeer, topic: string, args?: WampArgs, kwargs?: WampKwargs): number {
    const held = this.memberships.get(session);
    if (!held || !session.isOpen) return 0;
    const id = this.nextId();
    let sent = 0;
    for (const subscription of this.table.match(topic)) {
      if (!held.has(subscription)) continue;
      if (
        session.deliverEvent(
          this.event(eventMessage(subscription, id, eventDetails(subscription, topic), args, kwargs)),
        )
      ) {
        sent++;
      }
    }
    return sent;
  }

  detach(session: WampPeer): void {
    this.publishQueues.delete(session);
    const admitting = this.admitting.get(session);
    if (admitting) {
      this.admitting.delete(session);
      for (const subscription of admitting.keys()) this.dropIfEmpty(subscription);
    }
    const held = this.memberships.get(session);
    if (!held) return;
    this.memberships.delete(session);
    for (const [subscription, membership] of held) {
      subscription.subscribers.delete(session);
      this.runTeardown(membership);
      this.dropIfEmpty(subscription);
    }
  }

  private runHook(
    session: WampPeer,
    subscription: BrokerSubscription,
    hook: HookEntry,
    message: SubscribeMessage,
  ): void {
    let admitting = this.admitting.get(session);
    if (!admitting) this.admitting.set(session, (admitting = new Map()));
    const requests = [message.request];
    admitting.set(subscription, requests);
    const controller = new AbortController();
    const membership: Membership = { controller, ended: false };
    const initialEvents: [WampArgs | undefined, WampKwargs | undefined][] = [];
    let admitted = false;
    const context: SubscriptionHookContext = {
      session,
      topic: message.topic,
      match: subscription.match,
      subscriptionId: subscription.id,
      signal: controller.signal,
      sendEvent: (args, kwargs) => {
        if (membership.ended) return;
        if (admitted) this.sendToMember(session, subscription, args, kwargs);
        else initialEvents.push([args, kwargs]);
      },
    };
    const settle = (result: Awaited<ReturnType<SubscriptionHook>>): void => {
      const stillWaiting = this.admitting.get(session)?.get(subscription) === requests;
      if (stillWaiting) {
        const admittingNow = this.admitting.get(session) as Map<BrokerSubscription, number[]>;
        admittingNow.delete(subscription);
        if (admittingNow.size === 0) this.admitting.delete(session);
      }
      if (!stillWaiting || !session.isOpen) {
        // The session left while the hook ran: tear down at once, exactly once.
        if (result.allow) {
          membership.teardown = result.teardown;
          this.runTeardown(membership);
        }
        this.dropIfEmpty(subscription);
        return;
      }
      if (!result.allow) {
        for (const request of requests) this.refuse(session, WampMessageType.SUBSCRIBE, request, result);
        this.dropIfEmpty(subscription);
        return;
      }
      membership.teardown = result.teardown;
      admitted = true;
      this.admit(
        session,
        subscription,
        requests,
        membership,
        initialEvents,
        message.options.get_retained === true,
      );
    };
    hook
      .hook(context)
      .then(settle, (error: unknown) => {
        this.options.logger.error(
          `Subscription hook for "${message.topic}" failed`,
          error instanceof Error ? error.stack : String(error),
        );
        settle({ allow: false, uri: WampErrorUri.RUNTIME_ERROR, args: ['Internal error.'] });
      })
      .catch((error: unknown) => {
        // Admission itself failed (a bug): logged, never an unhandled rejection that would end the process.
        this.options.logger.error(
          `Admitting a subscription to "${message.topic}" failed`,
          error instanceof Error ? error.stack : String(error),
        );
      });
  }

  /** Adds the session to the subscription, answers SUBSCRIBED, then initial state and retained events. */
  private admit(
    session: WampPeer,
    subscription: BrokerSubscription,
    requests: readonly number[],
    membership: Membership,
    initialEvents: readonly [WampArgs | undefined, WampKwargs | undefined][],
    getRetained: boolean,
  ): void {
    let held = this.memberships.get(session);
    if (!held) this.memberships.set(session, (held = new Map()));
    held.set(subscription, membership);
    subscription.subscribers.add(session);
    for (const request of requests) session.send([WampMessageType.SUBSCRIBED, request, subscription.id]);
    for (const [args, kwargs] of initialEvents) this.sendToMember(session, subscription, args, kwargs);
    if (getRetained) this.sendRetained(session, subscription);
  }

  private sendToMember(
    session: WampPeer,
    subscription: BrokerSubscription,
    args?: WampArgs,
    kwargs?: WampKwargs,
  ): void {
    if (!this.memberships.get(session)?.has(subscription)) return;
    const details = subscription.match === 'exact' ? {} : { topic: subscription.topic };
    session.deliverEvent(this.event(eventMessage(subscription, this.nextId(), details, args, kwargs)));
  }

  private sendRetained(session: WampPeer, subscription: BrokerSubscription): void {
    if (subscription.match === 'exact') {
      // One lookup: an exact subscription must not scan every retained topic (a get_retained flood would).
      const events = this.retained.get(subscription.topic);
      if (events) this.sendRetainedEvent(session, subscription, subscription.topic, events);
      return;
    }
    // Pattern subscriptions scan the retained topics, which maxRetainedTopics bounds; the pattern is
    // prepared once, and each topic costs at most the pattern's length in comparisons.
    const matches = compileTopicPattern(subscription.topic, subscription.match);
    for (const [topic, events] of this.retained) {
      if (matches(topic)) this.sendRetainedEvent(session, subscription, topic, events);
    }
  }

  /** Sends the most recent retained event of `topic` the session would have been eligible for when published. */
  private sendRetainedEvent(
    session: WampPeer,
    subscription: BrokerSubscription,
    topic: string,
    events: readonly RetainedEvent[],
  ): void {
    const event = events.find((candidate) => !candidate.eligible || candidate.eligible(session));
    if (!event) return;
    const details: Record<string, unknown> = { ...event.publisher, retained: true };
    if (subscription.match !== 'exact') details.topic = topic;
    // A retained event the subscriber's serializer cannot carry is skipped (and logged), not a reason to abort it.
    session.deliverEvent(this.event(eventMessage(subscription, event.id, details, event.args, event.kwargs)));
  }

  private accept(session: WampPeer, message: PublishMessage, id: number): void {
    this.deliver({
      topic: message.topic,
      id,
      args: message.args,
      kwargs: message.kwargs,
      options: message.options,
      publisher: session,
    });
    if (message.options.acknowledge === true) session.send([WampMessageType.PUBLISHED, message.request, id]);
  }

  private deliver(publication: Publication): void {
    const { options, publisher } = publication;
    const disclosed = publisher && options.disclose_me === true ? disclosure(publisher) : undefined;
    const eligible = eligibilityOf(options, publisher);
    if (options.retain === true) this.retain(publication, disclosed, eligible);
    const subscriptions = this.table.match(publication.topic);
    if (subscriptions.length === 0) return;
    for (const subscription of subscriptions) {
      // Built on the first eligible subscriber: a subscription nobody may receive this from costs no allocation.
      // Each peer encodes it; the event keeps one encoding per serializer, so fan-out encodes once per serializer.
      let event: OutgoingEvent | undefined;
      for (const subscriber of subscription.subscribers) {
        if (eligible && !eligible(subscriber)) continue;
        if (event === undefined) {
          const details: Record<string, unknown> = disclosed ? { ...disclosed } : {};
          if (subscription.match !== 'exact') details.topic = publication.topic;
          event = this.event(
            eventMessage(subscription, publication.id, details, publication.args, publication.kwargs),
          );
        }
        subscriber.deliverEvent(event);
      }
    }
  }

  private retain(
    publication: Publication,
    publisher: Readonly<Record<string, unknown>> | undefined,
    eligible: ((session: WampPeer) => boolean) | undefined,
  ): void {
    const event: RetainedEvent = {
      size:
        approximateSize(publication.args) + approximateSize(publication.kwargs) + publication.topic.length,
      args: publication.args,
      kwargs: publication.kwargs,
      id: publication.id,
      publisher,
      eligible,
    };
    const restricted = eligible !== undefined && !isOnlyPublisherExcluded(publication.options);
    const previous = this.retained.get(publication.topic) ?? [];
    const kept = restricted ? [event, ...previous].slice(0, MAX_RETAINED_PER_TOPIC) : [event];
    this.retainedBytes += sizeOf(kept) - sizeOf(previous);
    // Re-inserting moves the topic to the end: the map's order is least recently retained first.
    this.retained.delete(publication.topic);
    this.retained.set(publication.topic, kept);
    for (const [topic, events] of this.retained) {
      if (
        this.retained.size <= this.options.maxRetainedTopics &&
        this.retainedBytes <= this.options.maxRetainedBytes
      )
        break;
      this.retained.delete(topic);
      this.retainedBytes -= sizeOf(events);
    }
  }

  /** An EVENT for peers to encode; one that cannot be encoded for a serializer is logged and skipped for it. */
  private event(message: unknown[]): OutgoingEvent {
    return new OutgoingEvent(message, this.reportEncodeError);
  }

  private readonly reportEncodeError = (serializer: WampSerializer, error: unknown): void => {
    this.options.logger.error(
      `Cannot encode an EVENT for ${serializer.protocol}: ${error instanceof Error ? error.message : String(error)}`,
    );
  };

  private findHook(topic: string, match: WampMatchPolicy): HookEntry | undefined {
    let best: HookEntry | undefined;
    for (const entry of this.hooks) {
      if (!topicMatches(topic, entry.pattern, entry.match)) continue;
      if (entry.match === 'exact') return entry;
      if (!best || rank(entry) > rank(best)) best = entry;
    }
    // A pattern subscription is covered only by a hook whose pattern is no wider than it.
    if (best && match !== 'exact' && best.match === 'exact') return undefined;
    return best;
  }

  private leave(session: WampPeer, subscription: BrokerSubscription, membership: Membership): void {
    const held = this.memberships.get(session);
    held?.delete(subscription);
    if (held && held.size === 0) this.memberships.delete(session);
    subscription.subscribers.delete(session);
    this.runTeardown(membership);
    this.dropIfEmpty(subscription);
  }

  private runTeardown(membership: Membership): void {
    if (membership.ended) return;
    membership.ended = true;
    membership.controller?.abort();
    const teardown = membership.teardown;
    membership.teardown = undefined;
    if (!teardown) return;
    try {
      teardown();
    } catch (error) {
      this.options.logger.error(
        'Subscription teardown failed',
        error instanceof Error ? error.stack : String(error),
      );
    }
  }

  private dropIfEmpty(subscription: BrokerSubscription): void {
    if (subscription.subscribers.size > 0) return;
    for (const admitting of this.admitting.values()) if (admitting.has(subscription)) return;
    this.table.remove(subscription);
  }

  private refuse(
    session: WampPeer,
    requestType: WampMessageType,
    request: number,
    refusal: BrokerRefusal,
  ): void {
    const error: unknown[] = [WampMessageType.ERROR, requestType, request, {}, refusal.uri];
    session.send(appendPayload(error, refusal.args, refusal.kwargs));
  }
}

function sizeOf(events: readonly RetainedEvent[]): number {
  let total = 0;
  for (const event of events) total += event.size;
  return total;
}

/**
 * Roughly how many bytes a decoded value holds (strings as UTF-16, binary as is, 8 per number, 16 per
 * container entry). Only counts retained events against their budget, so exactness does not matter; the
 * decoder already bounded the depth.
 */
function approximateSize(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return 2 * value.length;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return 8;
  if (value instanceof Uint8Array) return value.byteLength;
  let total = 16;
  if (Array.isArray(value)) {
    for (const item of value) total += 8 + approximateSize(item);
  } else if (typeof value === 'object') {
    for (const key of Object.keys(value))
      total += 16 + 2 * key.length + approximateSize((value as Record<string, unknown>)[key]);
  }
  return total;
}

/** Hook precedence: exact, then the longest prefix, then wildcard. */
function rank(entry: HookEntry): number {
  if (entry.match === 'exact') return Number.MAX_SAFE_INTEGER;
  if (entry.match === 'prefix') return 1_000_000 + entry.pattern.length;
  return entry.pattern.length;
}

function eventDetails(subscription: BrokerSubscription, topic: string): Record<string, unknown> {
  return subscription.match === 'exact' ? {} : { topic };
}

function eventMessage(
  subscription: BrokerSubscription,
  publication: number,
  details: Record<string, unknown>,
  args?: WampArgs,
  kwargs?: WampKwargs,
): unknown[] {
  return appendPayload([WampMessageType.EVENT, subscription.id, publication, details], args, kwargs);
}

function disclosure(publisher: WampPeer): Record<string, unknown> {
  const identity = publisher.identity;
  return {
    publisher: publisher.id,
    publisher_authid: identity?.authid,
    publisher_authrole: identity?.authrole,
  };
}

/** Whether a publication's only restriction is the default exclusion of its publisher. */
function isOnlyPublisherExcluded(options: PublishOptions): boolean {
  return (
    options.exclude === undefined &&
    options.eligible === undefined &&
    options.exclude_authid === undefined &&
    options.eligible_authid === undefined &&
    options.exclude_authrole === undefined &&
    options.eligible_authrole === undefined
  );
}

/**
 * The subscriber filter of a publication (publisher exclusion and black/white lists), or undefined when
 * every subscriber is eligible. Exclusions win over eligibility.
 */
function eligibilityOf(
  options: PublishOptions,
  publisher?: WampPeer,
): ((session: WampPeer) => boolean) | undefined {
  const excludePublisher = publisher !== undefined && options.exclude_me !== false;
  const exclude = options.exclude && new Set(options.exclude);
  const eligible = options.eligible && new Set(options.eligible);
  const excludeAuthid = options.exclude_authid && new Set(options.exclude_authid);
  const eligibleAuthid = options.eligible_authid && new Set(options.eligible_authid);
  const excludeAuthrole = options.exclude_authrole && new Set(options.exclude_authrole);
  const eligibleAuthrole = options.eligible_authrole && new Set(options.eligible_authrole);
  if (
    !excludePublisher &&
    !exclude &&
    !eligible &&
    !excludeAuthid &&
    !eligibleAuthid &&
    !excludeAuthrole &&
    !eligibleAuthrole
  ) {
    return undefined;
  }
  return (session) => {
    if (excludePublisher && session === publisher) return false;
    if (exclude?.has(session.id) || (eligible && !eligible.has(session.id))) return false;
    const authid = session.identity?.authid ?? '';
    const authrole = session.identity?.authrole ?? '';
    if (excludeAuthid?.has(authid) || (eligibleAuthid && !eligibleAuthid.has(authid))) return false;
    if (excludeAuthrole?.has(authrole) || (eligibleAuthrole && !eligibleAuthrole.has(authrole))) return false;
    return true;
  };
}
