/**
 * Transport ID of the WAMP microservice strategy. Scope a handler to WAMP with
 * `@MessagePattern('uri', WAMP_TRANSPORT)` (or use `@WampProcedure('uri')`): handlers scoped to other
 * transports are never served over WAMP.
 */
export const WAMP_TRANSPORT: unique symbol = Symbol.for('nestjs-wamp:transport') as never;

/** Key in `@MessagePattern` extras holding WAMP-specific handler settings ({@link WampHandlerExtras}). */
export const WAMP_EXTRAS_KEY = 'wamp';

/** WAMP-specific settings of a handler, carried in its pattern extras under {@link WAMP_EXTRAS_KEY}. */
export interface WampHandlerExtras {
  /** Realm(s) the procedure is served in; all realms when omitted (serverwamp had per-realm routes). */
  readonly realm?: string | readonly string[];
}
