import { WampMessageType } from './message-type.enum.js';
import type { WampArgs, WampKwargs, WampMessage } from './wamp-message.interface.js';

/** True when a dict has no own key; `for...in` avoids the array `Object.keys` would allocate. */
function isEmptyDict(dict: WampKwargs): boolean {
  for (const key in dict) {
    if (Object.hasOwn(dict, key)) return false;
  }
  return true;
}

const NO_PAYLOAD = 0;
const ARGS_ONLY = 1;
const ARGS_AND_KWARGS = 2;

/**
 * Which trailing payload elements go on the wire, the spec's way: none when both parts are empty or
 * absent, `Arguments` alone when there are no keyword arguments, and both (with `[]` for missing
 * `Arguments`, as they are positional) when there are keyword arguments.
 */
function payloadLayout(
  args: WampArgs | undefined,
  kwargs: WampKwargs | undefined,
): typeof NO_PAYLOAD | typeof ARGS_ONLY | typeof ARGS_AND_KWARGS {
  if (kwargs !== undefined && !isEmptyDict(kwargs)) return ARGS_AND_KWARGS;
  return args !== undefined && args.length > 0 ? ARGS_ONLY : NO_PAYLOAD;
}

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
    case WampMessageType.ABORT: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.ABORT, message.details, message.reason];
      }
      if (layout === ARGS_ONLY) {
        return [WampMessageType.ABORT, message.details, message.reason, message.args];
      }
      return [WampMessageType.ABORT, message.details, message.reason, message.args ?? [], message.kwargs];
    }
    case WampMessageType.CHALLENGE:
      return [WampMessageType.CHALLENGE, message.authMethod, message.extra];
    case WampMessageType.AUTHENTICATE:
      return [WampMessageType.AUTHENTICATE, message.signature, message.extra];
    case WampMessageType.GOODBYE:
      return [WampMessageType.GOODBYE, message.details, message.reason];
    case WampMessageType.ERROR: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.ERROR, message.requestType, message.request, message.details, message.error];
      }
      if (layout === ARGS_ONLY) {
        return [
          WampMessageType.ERROR,
          message.requestType,
          message.request,
          message.details,
          message.error,
          message.args,
        ];
      }
      return [
        WampMessageType.ERROR,
        message.requestType,
        message.request,
        message.details,
        message.error,
        message.args ?? [],
        message.kwargs,
      ];
    }
    case WampMessageType.PUBLISH: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.PUBLISH, message.request, message.options, message.topic];
      }
      if (layout === ARGS_ONLY) {
        return [WampMessageType.PUBLISH, message.request, message.options, message.topic, message.args];
      }
      return [
        WampMessageType.PUBLISH,
        message.request,
        message.options,
        message.topic,
        message.args ?? [],
        message.kwargs,
      ];
    }
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
    case WampMessageType.EVENT: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.EVENT, message.subscription, message.publication, message.details];
      }
      if (layout === ARGS_ONLY) {
        return [
          WampMessageType.EVENT,
          message.subscription,
          message.publication,
          message.details,
          message.args,
        ];
      }
      return [
        WampMessageType.EVENT,
        message.subscription,
        message.publication,
        message.details,
        message.args ?? [],
        message.kwargs,
      ];
    }
    case WampMessageType.CALL: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.CALL, message.request, message.options, message.procedure];
      }
      if (layout === ARGS_ONLY) {
        return [WampMessageType.CALL, message.request, message.options, message.procedure, message.args];
      }
      return [
        WampMessageType.CALL,
        message.request,
        message.options,
        message.procedure,
        message.args ?? [],
        message.kwargs,
      ];
    }
    case WampMessageType.CANCEL:
      return [WampMessageType.CANCEL, message.request, message.options];
    case WampMessageType.RESULT: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.RESULT, message.request, message.details];
      }
      if (layout === ARGS_ONLY) {
        return [WampMessageType.RESULT, message.request, message.details, message.args];
      }
      return [WampMessageType.RESULT, message.request, message.details, message.args ?? [], message.kwargs];
    }
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
    case WampMessageType.INVOCATION: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.INVOCATION, message.request, message.registration, message.details];
      }
      if (layout === ARGS_ONLY) {
        return [
          WampMessageType.INVOCATION,
          message.request,
          message.registration,
          message.details,
          message.args,
        ];
      }
      return [
        WampMessageType.INVOCATION,
        message.request,
        message.registration,
        message.details,
        message.args ?? [],
        message.kwargs,
      ];
    }
    case WampMessageType.INTERRUPT:
      return [WampMessageType.INTERRUPT, message.request, message.options];
    case WampMessageType.YIELD: {
      const layout = payloadLayout(message.args, message.kwargs);
      if (layout === NO_PAYLOAD) {
        return [WampMessageType.YIELD, message.request, message.options];
      }
      if (layout === ARGS_ONLY) {
        return [WampMessageType.YIELD, message.request, message.options, message.args];
      }
      return [WampMessageType.YIELD, message.request, message.options, message.args ?? [], message.kwargs];
    }
  }
}
