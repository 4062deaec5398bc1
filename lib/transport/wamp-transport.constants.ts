import type { WampMatchPolicy } from '../core/protocol/wamp-message.interface.js';

/**
 * Transport ID of the WAMP microservice strategy. Scope a handler to WAMP with
 * `@MessagePattern('uri', WAMP_TRANSPORT)` (or use `@WampProcedure('uri')`): handlers scoped to other
 * transports are never served over WAMP.
 */
export const WAMP_TRANSPORT: unique symbol = Symbol.for('nestjs-wamp:transport') as never;

/** Key in `@MessagePattern` extras holding WAMP-specific handler settings ({@link WampHandlerExtras}). */
export const WAMP_EXTRAS_KEY = 'wamp';

/** Property present on every WAMP handler context (`WampContext`, `WampEventContext`, `WampSubscriptionContext`). */
export const WAMP_CONTEXT_MARK = Symbol.for('nestjs-wamp:context');

/** Whether a Nest RPC context belongs to this transport. */
export function isWampContext(context: unknown): boolean {
  return (
    typeof context === 'object' &&
    context !== null &&
    (context as Record<symbol, unknown>)[WAMP_CONTEXT_MARK] === true
  );
}

/** WAMP-specific settings of a handler, carried in its pattern extras under {@link WAMP_EXTRAS_KEY}. */
export interface WampHandlerExtras {
  /** Realm(s) the handler is served in; all realms when omitted (serverwamp had per-realm routes). */
  readonly realm?: string | readonly string[];
  /** Set by `@WampSubscription`: the handler is a subscription hook for this topic or pattern. */
  readonly subscription?: { readonly topic: string; readonly match: WampMatchPolicy };
}
