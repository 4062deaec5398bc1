import { BaseRpcContext } from '@nestjs/microservices';
import type { PublishOptions } from '../core/protocol/wamp-message.interface.js';
import type { ClientPublication } from '../core/router/broker/broker-hooks.interface.js';
import type { WampClientSession } from '../core/router/wamp-client-session.js';
import { WAMP_CONTEXT_MARK } from './wamp-transport.constants.js';
import { toClientSession } from '../core/router/wamp-client-session.js';

/**
 * What `@Ctx()` gives an `@EventPattern` / `@WampEventPattern` handler: the publishing session, the topic,
 * the publication ID and PUBLISH.Options. The publication reaches subscribers once the handler accepted it
 * (returned or resolved); throwing, or a guard refusing, rejects it (ERROR `not_authorized` when the
 * publisher asked for an acknowledgement).
 */
export class WampEventContext extends BaseRpcContext<[ClientPublication]> {
  readonly [WAMP_CONTEXT_MARK] = true;
  private sessionView?: WampClientSession;

  constructor(private readonly publication: ClientPublication) {
    super([publication]);
  }

  /** The publishing session. */
  get session(): WampClientSession {
    this.sessionView ??= toClientSession(this.publication.publisher);
    return this.sessionView;
  }

  /** Topic published to. */
  get topic(): string {
    return this.publication.topic;
  }

  /** Publication ID subscribers will see. */
  get publicationId(): number {
    return this.publication.publicationId;
  }

  /** PUBLISH.Options as sent. */
  get options(): PublishOptions {
    return this.publication.options;
  }
}
