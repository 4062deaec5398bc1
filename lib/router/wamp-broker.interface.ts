import type {
  PublishMessage,
  SubscribeMessage,
  UnsubscribeMessage,
} from '../protocol/wamp-message.interface.js';
import type { WampSession } from './wamp-session.js';

/**
 * The broker role of one realm: subscriptions and event delivery. Client PUBLISH and server-side
 * publishing share it; a distributed backplane implements the same interface.
 */
export interface WampBroker {
  /** Features announced in WELCOME `roles.broker.features`: only what works. */
  readonly features: Readonly<Record<string, boolean>>;
  publish(session: WampSession, message: PublishMessage): void;
  subscribe(session: WampSession, message: SubscribeMessage): void;
  unsubscribe(session: WampSession, message: UnsubscribeMessage): void;
  /** Releases the session's subscriptions. Called once when it ends. */
  detach(session: WampSession): void;
}
