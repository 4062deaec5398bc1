import type { WampArgs, WampKwargs } from '../protocol/wamp-message.interface.js';

/**
 * A call made from the server (`WampCaller`, or `callProcedure` in the core) ended with ERROR: `error` is the
 * URI, `args` and `kwargs` what the callee sent. Thrown again from a `@MessagePattern` handler, it is answered
 * to that handler's caller as the same ERROR, so a handler that forwards to a client callee forwards its
 * errors too.
 *
 * @example
 * try {
 *   await caller.call('com.example.render', [doc]);
 * } catch (error) {
 *   if (error instanceof WampCallError && error.error === 'wamp.error.no_such_procedure') return fallback(doc);
 *   throw error;
 * }
 */
export class WampCallError extends Error {
  constructor(
    /** The ERROR's URI, e.g. `wamp.error.canceled` or an application URI. */
    readonly error: string,
    /** ERROR.Arguments (empty when none were sent). */
    readonly args: WampArgs = [],
    /** ERROR.ArgumentsKw (empty when none were sent). */
    readonly kwargs: WampKwargs = {},
  ) {
    super(typeof args[0] === 'string' ? `${error}: ${args[0]}` : error);
    this.name = 'WampCallError';
  }
}
