import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type {
  RegistrationCatalog,
  RegistrationFacts,
  RegistrationLifecycleListener,
} from '../registration-catalog.interface.js';
import type { WampBroker } from '../wamp-broker.interface.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import { CatalogMetaApi, isPublicUri } from './catalog-meta-api.js';
import { dictArgument, matchOption, registerMetaProcedures, uriArgument } from './meta-procedure.js';
import type { MetaApiOptions } from './session-meta-api.js';

/** The registration meta procedures and topics (WAMP advanced profile, "Registration Meta API"). */
export const RegistrationMetaUri = {
  ON_CREATE: 'wamp.registration.on_create',
  ON_REGISTER: 'wamp.registration.on_register',
  ON_UNREGISTER: 'wamp.registration.on_unregister',
  ON_DELETE: 'wamp.registration.on_delete',
  LIST: 'wamp.registration.list',
  LOOKUP: 'wamp.registration.lookup',
  MATCH: 'wamp.registration.match',
  GET: 'wamp.registration.get',
  LIST_CALLEES: 'wamp.registration.list_callees',
  COUNT_CALLEES: 'wamp.registration.count_callees',
} as const;

/**
 * The Registration Meta API of one realm: a peer of the router that reads the dealer's
 * {@link RegistrationCatalog}, registers the spec's procedures with the dealer and publishes its events through the
 * broker once each change completed. The application's procedures (Nest handlers) are listed like client
 * registrations, their callee being the realm's router session. The router's own `wamp.` procedures are not
 * shown, as on Crossbar: they are the meta API itself.
 */
export class RegistrationMetaApi implements RegistrationLifecycleListener {
  private readonly shared: CatalogMetaApi<RegistrationFacts>;

  constructor(
    private readonly catalog: RegistrationCatalog,
    private readonly dealer: WampDealer,
    broker: WampBroker,
    private readonly options: MetaApiOptions,
  ) {
    this.shared = new CatalogMetaApi(broker, {
      noun: 'registration',
      unknownUri: WampErrorUri.NO_SUCH_REGISTRATION,
      get: (id) => catalog.get(id),
      members: (id) => catalog.callees(id),
      memberCount: (id) => catalog.calleeCount(id),
    });
  }

  /** Registers the procedures and starts publishing the events; returns a function that stops both. */
  install(): () => void {
    const { catalog, shared } = this;
    const stopObserving = catalog.observe(this);
    const removeProcedures = registerMetaProcedures(
      this.dealer,
      {
        [RegistrationMetaUri.LIST]: (call) => call.result([catalog.list(isPublicUri)]),
        [RegistrationMetaUri.LOOKUP]: (call) => {
          const uri = uriArgument(call.args, 0, 'procedure');
          const match = matchOption(dictArgument(call.args, 1, 'options'));
          call.result([shared.visible(catalog.lookup(uri, match))?.id ?? null]);
        },
        [RegistrationMetaUri.MATCH]: (call) => {
          const procedure = uriArgument(call.args, 0, 'procedure');
          call.result([shared.visible(catalog.match(procedure))?.id ?? null]);
        },
        ...shared.byIdProcedures({
          get: RegistrationMetaUri.GET,
          list: RegistrationMetaUri.LIST_CALLEES,
          count: RegistrationMetaUri.COUNT_CALLEES,
        }),
      },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
    return () => {
      stopObserving();
      removeProcedures();
    };
  }

  created(session: number, registration: RegistrationFacts): void {
    this.shared.created(RegistrationMetaUri.ON_CREATE, session, registration);
  }

  registered(session: number, registration: RegistrationFacts): void {
    this.shared.changed(RegistrationMetaUri.ON_REGISTER, session, registration);
  }

  unregistered(session: number, registration: RegistrationFacts): void {
    this.shared.changed(RegistrationMetaUri.ON_UNREGISTER, session, registration);
  }

  deleted(session: number, registration: RegistrationFacts): void {
    this.shared.changed(RegistrationMetaUri.ON_DELETE, session, registration);
  }
}
