import type { WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';

/**
 * What `@Payload()` gives a WAMP handler: the call's positional and keyword arguments, always present
 * (empty when the caller sent none).
 *
 * @example
 * @MessagePattern('math.add')
 * add(@Payload() { args }: WampCallPayload) { return (args[0] as number) + (args[1] as number); }
 */
export interface WampCallPayload {
  readonly args: WampArgs;
  readonly kwargs: WampKwargs;
}
