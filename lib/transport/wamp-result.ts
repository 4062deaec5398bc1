import type { WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';

/**
 * Return it from a handler to set RESULT's args and kwargs explicitly. Any other returned value goes as
 * the single positional argument (the Autobahn convention clients unwrap), and `undefined` gives an empty
 * RESULT.
 *
 * @example
 * return new WampResult([total], { currency: 'EUR' });
 */
export class WampResult {
  constructor(
    readonly args?: WampArgs,
    readonly kwargs?: WampKwargs,
  ) {}
}
