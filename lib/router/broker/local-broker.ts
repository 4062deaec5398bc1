import type { RandomIdGenerator } from '../../protocol/id-generator.js';
import { WampMessageType } from '../../protocol/message-type.enum.js';
import type {
  PublishMessage,
  SubscribeMessage,
  UnsubscribeMessage,
} from '../../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampBroker } from '../wamp-broker.interface.js';
import type { WampSession } from '../wamp-session.js';

interface Subscription {
  readonly id: number;
  readonly topic: string;
  readonly subscribers: Set<WampSession>;
}

/**
 * The in-process broker (the embedded default): exact-match subscriptions of the basic profile.
 * Subscriptions of one topic share one ID; a session subscribing twice gets the same ID back and still
 * receives each event once. The publisher is excluded unless it sets `exclude_me: false`.
 */
export class LocalBroker implements WampBroker {
  readonly features: Readonly<Record<string, boolean>> = { publisher_exclusion: true };
  private readonly byTopic = new Map<string, Subscription>();
  private readonly byId = new Map<number, Subscription>();
  private readonly bySession = new Map<WampSession, Set<Subscription>>();

  constructor(private readonly ids: RandomIdGenerator) {}

  subscribe(session: WampSession, message: SubscribeMessage): void {
    if (message.options.match !== undefined && message.options.match !== 'exact') {
      session.send([
        WampMessageType.ERROR,
        WampMessageType.SUBSCRIBE,
        message.request,
        { message: `Match policy "${message.options.match}" is not supported.` },
        WampErrorUri.FEATURE_NOT_SUPPORTED,
      ]);
      return;
    }
    let subscription = this.byTopic.get(message.topic);
    if (!subscription) {
      subscription = { id: this.ids.next(), topic: message.topic, subscribers: new Set() };
      this.byTopic.set(message.topic, subscription);
      this.byId.set(subscription.id, subscription);
    }
    subscription.subscribers.add(session);
    let held = this.bySession.get(session);
    if (!held) this.bySession.set(session, (held = new Set()));
    held.add(subscription);
    session.send([WampMessageType.SUBSCRIBED, message.request, subscription.id]);
  }

  unsubscribe(session: WampSession, message: UnsubscribeMessage): void {
    const subscription = this.byId.get(message.subscription);
    if (!subscription || !subscription.subscribers.has(session)) {
      session.send([
        WampMessageType.ERROR,
        WampMessageType.UNSUBSCRIBE,
        message.request,
        { message: `Subscription ${message.subscription} does not exist for this session.` },
        WampErrorUri.NO_SUCH_SUBSCRIPTION,
      ]);
      return;
    }
    this.release(session, subscription);
    this.bySession.get(session)?.delete(subscription);
    session.send([WampMessageType.UNSUBSCRIBED, message.request]);
  }

  publish(session: WampSession, message: PublishMessage): void {
    const publication = this.ids.next();
    const subscription = this.byTopic.get(message.topic);
    if (subscription) {
      const event: unknown[] = [WampMessageType.EVENT, subscription.id, publication, {}];
      if (message.kwargs !== undefined) event.push(message.args ?? [], message.kwargs);
      else if (message.args !== undefined) event.push(message.args);
      const excludeMe = message.options.exclude_me !== false;
      for (const subscriber of subscription.subscribers) {
        if (excludeMe && subscriber === session) continue;
        subscriber.send(event);
      }
    }
    if (message.options.acknowledge === true) {
      session.send([WampMessageType.PUBLISHED, message.request, publication]);
    }
  }

  detach(session: WampSession): void {
    const held = this.bySession.get(session);
    if (!held) return;
    this.bySession.delete(session);
    for (const subscription of held) this.release(session, subscription);
  }

  private release(session: WampSession, subscription: Subscription): void {
    subscription.subscribers.delete(session);
    if (subscription.subscribers.size === 0) {
      this.byTopic.delete(subscription.topic);
      this.byId.delete(subscription.id);
    }
  }
}
