import { MessagePattern } from '@nestjs/microservices';
import type { WampMatchPolicy } from '../core/protocol/wamp-message.interface.js';
import {
  WAMP_EXTRAS_KEY,
  WAMP_TRANSPORT,
  type WampHandlerExtras,
} from '../transport/wamp-transport.constants.js';

/** Options of {@link WampSubscription}. */
export interface WampSubscriptionOptions {
  /** How the hook's topic matches subscribed topics. Default `'exact'`. */
  readonly match?: WampMatchPolicy;
  /** Realm(s) the hook applies in; all realms when omitted. */
  readonly realm?: string | readonly string[];
}

/**
 * Declares a controller method as the subscription hook of a topic or topic pattern (serverwamp's topic
 * routes). It runs through Nest's pipeline (guards included) when a session subscribes: throwing or a guard
 * refusing denies the subscription with ERROR (`wamp.error.not_authorized` for a guard); `ctx.sendEvent()`
 * sends initial state, delivered right after SUBSCRIBED; a returned function (or `ctx.signal`) is the
 * teardown, run exactly once on UNSUBSCRIBE or when the session ends. A session subscribing twice runs it
 * once. `@Payload()` is `{ topic, match, options }`.
 *
 * @example
 * @WampSubscription('docs.changes')
 * onSubscribe(@Ctx() ctx: WampSubscriptionContext) {
 *   ctx.sendEvent([{ snapshot: this.docs.all() }]);
 *   return () => this.metrics.watchers--;
 * }
 */
export function WampSubscription(topic: string, options: WampSubscriptionOptions = {}): MethodDecorator {
  const match = options.match ?? 'exact';
  const extras: WampHandlerExtras = { realm: options.realm, subscription: { topic, match } };
  // Keyed apart from procedures: a hook for "docs.changes" must not collide with a procedure of that name.
  return MessagePattern({ wamp_subscription: topic, match }, WAMP_TRANSPORT, { [WAMP_EXTRAS_KEY]: extras });
}
