import { Injectable } from '@nestjs/common';
import type { WampArgs, WampKwargs } from '../core/protocol/wamp-message.interface.js';
import { WampErrorUri } from '../core/protocol/wamp-uris.js';
import { callProcedure, type WampCallResult, type WampServerCallOptions } from '../core/router/server-caller.js';
import { WampCallError } from '../core/router/wamp-call.error.js';
import { WampRouter } from '../core/router/wamp-router.js';

/** Options of a call from the server: how it is made, and in which realm. */
export interface WampCallOptions extends WampServerCallOptions {
  /** Realm to call in. Default: the first configured realm. */
  readonly realm?: string;
}

/**
 * Calls procedures of the realm from Nest code: the app's own `@MessagePattern` handlers and procedures that
 * clients registered (a Python or C++ backend) alike, through the dealer, with progressive results, timeout and
 * cancel through an `AbortSignal`. Resolves with `{ args, kwargs }`; rejects with `WampCallError` (`error`,
 * `args`, `kwargs`) on ERROR. The realm's authorization is not asked: the caller is the application.
 *
 * @example
 * constructor(private readonly caller: WampCaller) {}
 * const { args } = await this.caller.call('com.example.render', [document], {}, { timeout: 5000 });
 * await this.caller.call('com.example.report', [], {}, {
 *   signal: AbortSignal.timeout(10_000),
 *   onProgress: ({ args }) => this.logger.log(`progress ${args[0]}`),
 * });
 */
@Injectable()
export class WampCaller {
  constructor(private readonly router: WampRouter) {}

  /** Calls `procedure` with `args` and `kwargs`; see the class documentation. */
  call(
    procedure: string,
    args?: WampArgs,
    kwargs?: WampKwargs,
    options: WampCallOptions = {},
  ): Promise<WampCallResult> {
    const { realm: realmName, ...callOptions } = options;
    const realm =
      realmName === undefined ? this.router.realms.values().next().value : this.router.realms.get(realmName);
    if (!realm) {
      return Promise.reject(
        new WampCallError(WampErrorUri.NO_SUCH_REALM, [`Realm "${realmName}" is not served by this router.`]),
      );
    }
    return callProcedure(realm, this.router.ids.next(), procedure, args, kwargs, callOptions);
  }
}
