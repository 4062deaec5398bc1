import type { WampArgs, WampKwargs } from './wamp-message.interface.js';

/** Whether a dict has no own keys (without allocating a key list on the hot path). */
function isEmptyDict(dict: WampKwargs): boolean {
  for (const key in dict) {
    if (Object.hasOwn(dict, key)) return false;
  }
  return true;
}

/**
 * Appends a message's trailing payload the way the spec asks: nothing when there is neither, `Args` alone,
 * or `Args` (`[]` if none) followed by `ArgumentsKw`, and never an empty trailing `[]` or `{}`. Every
 * message the router builds with a payload (RESULT, ERROR, EVENT, ...) goes through here.
 *
 * @example
 * appendPayload([WampMessageType.RESULT, 7, {}], undefined, { sum: 3 }); // [50, 7, {}, [], { sum: 3 }]
 */
export function appendPayload(message: unknown[], args?: WampArgs, kwargs?: WampKwargs): unknown[] {
  if (kwargs !== undefined && !isEmptyDict(kwargs)) message.push(args ?? [], kwargs);
  else if (args !== undefined && args.length > 0) message.push(args);
  return message;
}
