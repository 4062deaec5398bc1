import { WampMessageType } from './message-type.enum.js';
import type { WampMessage } from './wamp-message.interface.js';

import { appendPayload } from './wamp-payload.js';

/**
 * Turns a typed message into the wire array a serializer encodes.
 *
 * The message is trusted (the router built it, or it came out of `decodeMessage`): nothing is
 * validated or copied, dicts and payload are placed in the array as they are. Empty trailing payload
 * is never emitted (`[]` args without kwargs, `{}` kwargs), as the spec asks; UNSUBSCRIBED and
 * UNREGISTERED carry Details only when present.
 *
 * @example
 * encodeMessage({ type: WampMessageType.RESULT, request: 7, details: {}, kwargs: { sum: 3 } });
 * // [50, 7, {}, [], { sum: 3 }]
 */
export function encodeMessage(message: WampMessage): unknown[] {
  switch (message.type) {
    case WampMessageType.HELLO:
      return [WampMessageType.HELLO, message.realm, message.details];
    case WampMessageType.WELCOME:
      return [WampMessageType.WELCOME, message.session, message.details];
    case WampMessageType.ABORT:
      return appendPayload(
        [WampMessageType.ABORT, message.details, message.reason],
        message.args,
        message.kwargs,
      );
    case WampMessageType.CHALLENGE:
      return [WampMessageType.CHALLENGE, message.authMethod, message.extra];
    case WampMessageType.AUTHENTICATE:
      return [WampMessageType.AUTHENTICATE, message.signature, message.extra];
    case WampMessageType.GOODBYE:
      return [WampMessageType.GOODBYE, message.details, message.reason];
    case WampMessageType.ERROR:
      return appendPayload(
        [WampMessageType.ERROR, message.requestType, message.request, message.details, message.error],
        message.args,
        message.kwargs,
      );
    case WampMessageType.PUBLISH:
      return appendPayload(
        [WampMessageType.PUBLISH, message.request, message.options, message.topic],
        message.args,
        message.kwargs,
      );
    case WampMessageType.PUBLISHED:
      return [WampMessageType.PUBLISHED, message.request, message.publication];
    case WampMessageType.SUBSCRIBE:
      return [WampMessageType.SUBSCRIBE, message.request, message.options, message.topic];
    case WampMessageType.SUBSCRIBED:
      return [WampMessageType.SUBSCRIBED, message.request, message.subscription];
    case WampMessageType.UNSUBSCRIBE:
      return [WampMessageType.UNSUBSCRIBE, message.request, message.subscription];
    case WampMessageType.UNSUBSCRIBED:
      return message.details === undefined
        ? [WampMessageType.UNSUBSCRIBED, message.request]
        : [WampMessageType.UNSUBSCRIBED, message.request, message.details];
    case WampMessageType.EVENT:
      return appendPayload(
        [WampMessageType.EVENT, message.subscription, message.publication, message.details],
        message.args,
        message.kwargs,
      );
    case WampMessageType.CALL:
      return appendPayload(
        [WampMessageType.CALL, message.request, message.options, message.procedure],
        message.args,
        message.kwargs,
      );
    case WampMessageType.CANCEL:
      return [WampMessageType.CANCEL, message.request, message.options];
    case WampMessageType.RESULT:
      return appendPayload(
        [WampMessageType.RESULT, message.request, message.details],
        message.args,
        message.kwargs,
      );
    case WampMessageType.REGISTER:
      return [WampMessageType.REGISTER, message.request, message.options, message.procedure];
    case WampMessageType.REGISTERED:
      return [WampMessageType.REGISTERED, message.request, message.registration];
    case WampMessageType.UNREGISTER:
      return [WampMessageType.UNREGISTER, message.request, message.registration];
    case WampMessageType.UNREGISTERED:
      return message.details === undefined
        ? [WampMessageType.UNREGISTERED, message.request]
        : [WampMessageType.UNREGISTERED, message.request, message.details];
    case WampMessageType.INVOCATION:
      return appendPayload(
        [WampMessageType.INVOCATION, message.request, message.registration, message.details],
        message.args,
        message.kwargs,
      );
    case WampMessageType.INTERRUPT:
      return [WampMessageType.INTERRUPT, message.request, message.options];
    case WampMessageType.YIELD:
      return appendPayload(
        [WampMessageType.YIELD, message.request, message.options],
        message.args,
        message.kwargs,
      );
  }
}
