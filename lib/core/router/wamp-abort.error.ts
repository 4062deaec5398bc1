import type { WampDict } from '../protocol/wamp-message.interface.js';

/**
 * Thrown where a session must be refused or ended with ABORT (authentication failures, unknown realm).
 * The session sends `[ABORT, {message, ...details}, reason]` and closes the transport.
 *
 * @example
 * throw new WampAbortError('wamp.error.authentication_failed', 'Invalid ticket.');
 */
export class WampAbortError extends Error {
  constructor(
    /** ABORT reason URI. */
    readonly reason: string,
    message: string,
    /** Extra ABORT.Details beside `message`. */
    readonly details: WampDict = {},
  ) {
    super(message);
    this.name = 'WampAbortError';
  }
}
