import { BaseRpcContext } from '@nestjs/microservices';
import type { WampArgs, WampKwargs, WampMatchPolicy } from '../core/protocol/wamp-message.interface.js';
import type { SubscriptionHookContext } from '../core/router/broker/broker-hooks.interface.js';
import type { WampClientSession } from '../core/router/wamp-client-session.js';
import { WAMP_CONTEXT_MARK } from './wamp-transport.constants.js';
import { toClientSession } from '../core/router/wamp-client-session.js';

/**
 * What `@Ctx()` gives a `@WampSubscription` hook: the subscribing session, the topic and match policy as
 * subscribed, the subscription ID, `sendEvent()` for initial state (delivered right after SUBSCRIBED), and a
 * `signal` that fires at teardown (UNSUBSCRIBE or session end).
 */
export class WampSubscriptionContext extends BaseRpcContext<[SubscriptionHookContext]> {
  readonly [WAMP_CONTEXT_MARK] = true;
  private sessionView?: WampClientSession;

  constructor(private readonly hook: SubscriptionHookContext) {
    super([hook]);
  }

  /** The subscribing session. */
  get session(): WampClientSession {
    this.sessionView ??= toClientSession(this.hook.session);
    return this.sessionView;
  }

  /** Topic or pattern as subscribed. */
  get topic(): string {
    return this.hook.topic;
  }

  /** Match policy as subscribed. */
  get match(): WampMatchPolicy {
    return this.hook.match;
  }

  /** The subscription ID of SUBSCRIBED. */
  get subscriptionId(): number {
    return this.hook.subscriptionId;
  }

  /** Fires at teardown: UNSUBSCRIBE or the end of the session (exactly once). */
  get signal(): AbortSignal {
    return this.hook.signal;
  }

  /** Sends an EVENT to this subscriber only (initial state goes right after SUBSCRIBED). */
  sendEvent(args?: WampArgs, kwargs?: WampKwargs): void {
    this.hook.sendEvent(args, kwargs);
  }
}
