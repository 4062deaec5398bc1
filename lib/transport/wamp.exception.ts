import { RpcException } from '@nestjs/microservices';
import type { WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';

/** What a {@link WampException} carries to the caller. */
export interface WampErrorPayload {
  readonly uri: string;
  readonly args?: WampArgs;
  readonly kwargs?: WampKwargs;
}

/**
 * Throw it from a handler (or a pipe, guard or filter) to answer the call with ERROR `uri` and exactly
 * the given args and kwargs (serverwamp's `RPCError`).
 *
 * @example
 * throw new WampException('wamp.error.delete_failed', [], { status: 'FAILURE' });
 */
export class WampException extends RpcException {
  constructor(
    readonly uri: string,
    readonly args?: WampArgs,
    readonly kwargs?: WampKwargs,
  ) {
    super({ uri, args, kwargs } satisfies WampErrorPayload);
    this.name = 'WampException';
  }
}
