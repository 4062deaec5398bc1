import type {
  PublishMessage,
  PublishOptions,
  SubscribeMessage,
  UnsubscribeMessage,
  WampArgs,
  WampKwargs,
  WampMatchPolicy,
} from '../protocol/wamp-message.interface.js';
import type { PublicationHandler, SubscriptionHook } from './broker/broker-hooks.interface.js';
import type { SubscriptionCatalog } from './subscription-catalog.interface.js';
import type { WampPeer } from './wamp-peer.interface.js';

/**
 * The broker role of one realm: subscriptions and event delivery. Client PUBLISH and server-side
 * publishing share it; a distributed backplane implements the same interface.
 */
export interface WampBroker {
  /** Features announced in WELCOME `roles.broker.features`: only what works. */
  readonly features: Readonly<Record<string, boolean>>;
  /**
   * What the broker tells about its subscriptions and publications (the subscription meta API and event history
   * are built on it). Optional: a broker without it has neither, and WELCOME announces neither.
   */
  readonly subscriptions?: SubscriptionCatalog;
  publish(session: WampPeer, message: PublishMessage): void;
  subscribe(session: WampPeer, message: SubscribeMessage): void;
  unsubscribe(session: WampPeer, message: UnsubscribeMessage): void;
  /** Releases the session's subscriptions (running hook teardowns). Called once when it ends. */
  detach(session: WampPeer): void;
  /** Publishes from the server to every eligible subscriber; returns the publication ID. */
  publishFromServer(topic: string, args?: WampArgs, kwargs?: WampKwargs, options?: PublishOptions): number;
  /** Sends an EVENT on `topic` to one session's matching subscriptions only; returns how many were sent. */
  sendToSession(session: WampPeer, topic: string, args?: WampArgs, kwargs?: WampKwargs): number;
  /** Registers a subscription hook for a topic or pattern; returns a function that removes it. */
  registerSubscriptionHook(pattern: string, match: WampMatchPolicy, hook: SubscriptionHook): () => void;
  /** Registers the server-side handler of client publications to a topic; returns a function that removes it. */
  registerPublicationHandler(topic: string, handler: PublicationHandler): () => void;
}
