import { WampMessageType } from './message-type.enum.js';
import { WampErrorUri } from './wamp-uris.js';

/**
 * Raised when an incoming message breaks the WAMP protocol.
 *
 * `uri` tells the session how to answer: `wamp.error.protocol_violation` aborts the session,
 * `wamp.error.invalid_uri` is answered with an ERROR to the request (`requestType`, `request`),
 * as the spec asks, and the session carries on.
 */
export class WampProtocolError extends Error {
  constructor(
    message: string,
    /** The error URI to answer with. */
    readonly uri:
      | typeof WampErrorUri.PROTOCOL_VIOLATION
      | typeof WampErrorUri.INVALID_URI = WampErrorUri.PROTOCOL_VIOLATION,
    /** Type of the offending request, when it was recognisable. */
    readonly requestType?: WampMessageType,
    /** Request id of the offending request, when it was readable. */
    readonly request?: number,
  ) {
    super(message);
    this.name = 'WampProtocolError';
  }
}
