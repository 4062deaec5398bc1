import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { ApiCatalog } from '../../contracts/api-catalog.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import { registerMetaProcedures, uriArgument } from './meta-procedure.js';
import type { MetaApiOptions } from './session-meta-api.js';

/** The reflection procedures (WAMP advanced profile, "Reflection"). */
export const ReflectionMetaUri = {
  PROCEDURE_LIST: 'wamp.reflection.procedure.list',
  PROCEDURE_DESCRIBE: 'wamp.reflection.procedure.describe',
  TOPIC_LIST: 'wamp.reflection.topic.list',
  TOPIC_DESCRIBE: 'wamp.reflection.topic.describe',
  ERROR_LIST: 'wamp.reflection.error.list',
  ERROR_DESCRIBE: 'wamp.reflection.error.describe',
} as const;

/** ERROR URIs of `describe` for a topic or an error URI the realm does not know (the spec names none). */
export const ReflectionErrorUri = {
  NO_SUCH_TOPIC: 'nestjs_wamp.error.no_such_topic',
  NO_SUCH_ERROR: 'nestjs_wamp.error.no_such_error',
} as const;

/**
 * The reflection API of one realm: a peer of the router answering from the realm's {@link ApiCatalog}. `list`
 * answers `[[uri, ...]]`, `describe(uri)` answers `[description]`, or ERROR `wamp.error.no_such_procedure` (and the
 * two `nestjs_wamp.error.no_such_*` URIs for topics and errors). Who may call it is the realm's authorizer's
 * business, as for any procedure: deny `wamp.reflection.` to hide the API.
 */
export class ReflectionMetaApi {
  constructor(
    private readonly catalog: ApiCatalog,
    private readonly dealer: WampDealer,
    private readonly options: MetaApiOptions,
  ) {}

  /** Registers the procedures; returns their removal. */
  install(): () => void {
    const { catalog } = this;
    return registerMetaProcedures(
      this.dealer,
      {
        [ReflectionMetaUri.PROCEDURE_LIST]: (call) => call.result([catalog.procedureUris()]),
        [ReflectionMetaUri.PROCEDURE_DESCRIBE]: (call) => {
          const uri = uriArgument(call.args, 0, 'procedure');
          const description = catalog.describeProcedure(uri);
          if (description) call.result([description]);
          else call.error(WampErrorUri.NO_SUCH_PROCEDURE, [`No procedure "${uri}" in this realm.`]);
        },
        [ReflectionMetaUri.TOPIC_LIST]: (call) => call.result([catalog.topicUris()]),
        [ReflectionMetaUri.TOPIC_DESCRIBE]: (call) => {
          const uri = uriArgument(call.args, 0, 'topic');
          const description = catalog.describeTopic(uri);
          if (description) call.result([description]);
          else
            call.error(ReflectionErrorUri.NO_SUCH_TOPIC, [`No topic "${uri}" is described in this realm.`]);
        },
        [ReflectionMetaUri.ERROR_LIST]: (call) => call.result([catalog.errorUris()]),
        [ReflectionMetaUri.ERROR_DESCRIBE]: (call) => {
          const uri = uriArgument(call.args, 0, 'error');
          const description = catalog.describeError(uri);
          if (description) call.result([description]);
          else
            call.error(ReflectionErrorUri.NO_SUCH_ERROR, [`No procedure of this realm documents "${uri}".`]);
        },
      },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
  }
}
