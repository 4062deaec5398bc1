import { isReservedUri } from '../../protocol/wamp-uri.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import type { WampCall } from '../dealer/wamp-call.interface.js';
import type {
  RegistrationCatalog,
  RegistrationFacts,
  RegistrationLifecycleListener,
} from '../registration-catalog.interface.js';
import type { WampBroker } from '../wamp-broker.interface.js';
import type { WampDealer } from '../wamp-dealer.interface.js';
import {
  dictArgument,
  idArgument,
  matchOption,
  registerMetaProcedures,
  uriArgument,
} from './meta-procedure.js';
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
  constructor(
    private readonly catalog: RegistrationCatalog,
    private readonly dealer: WampDealer,
    private readonly broker: WampBroker,
    private readonly options: MetaApiOptions,
  ) {}

  /** Registers the procedures and starts publishing the events; returns a function that stops both. */
  install(): () => void {
    const stopObserving = this.catalog.observe(this);
    const removeProcedures = registerMetaProcedures(
      this.dealer,
      {
        [RegistrationMetaUri.LIST]: (call) => call.result([this.catalog.list(isPublicUri)]),
        [RegistrationMetaUri.LOOKUP]: (call) => {
          const uri = uriArgument(call.args, 0, 'procedure');
          const match = matchOption(dictArgument(call.args, 1, 'options'));
          call.result([this.visible(this.catalog.lookup(uri, match))?.id ?? null]);
        },
        [RegistrationMetaUri.MATCH]: (call) => {
          const procedure = uriArgument(call.args, 0, 'procedure');
          call.result([this.visible(this.catalog.match(procedure))?.id ?? null]);
        },
        [RegistrationMetaUri.GET]: (call) => {
          const facts = this.found(call);
          if (facts) call.result([facts]);
        },
        [RegistrationMetaUri.LIST_CALLEES]: (call) => {
          const facts = this.found(call);
          if (facts) call.result([this.catalog.callees(facts.id) ?? []]);
        },
        [RegistrationMetaUri.COUNT_CALLEES]: (call) => {
          const facts = this.found(call);
          if (facts) call.result([this.catalog.calleeCount(facts.id) ?? 0]);
        },
      },
      (procedure, error) => this.options.logger.error(`${procedure} failed`, String(error)),
    );
    return () => {
      stopObserving();
      removeProcedures();
    };
  }

  created(session: number, registration: RegistrationFacts): void {
    if (!this.visible(registration)) return;
    this.broker.publishFromServer(RegistrationMetaUri.ON_CREATE, [session, registration]);
  }

  registered(session: number, registration: RegistrationFacts): void {
    this.announce(RegistrationMetaUri.ON_REGISTER, session, registration);
  }

  unregistered(session: number, registration: RegistrationFacts): void {
    this.announce(RegistrationMetaUri.ON_UNREGISTER, session, registration);
  }

  deleted(session: number, registration: RegistrationFacts): void {
    this.announce(RegistrationMetaUri.ON_DELETE, session, registration);
  }

  private announce(topic: string, session: number, registration: RegistrationFacts): void {
    if (this.visible(registration)) this.broker.publishFromServer(topic, [session, registration.id]);
  }

  /** The registration named by `args[0]`, or ERROR `no_such_registration` (and `undefined`). */
  private found(call: WampCall): RegistrationFacts | undefined {
    const id = idArgument(call.args, 0, 'registration');
    const facts = this.visible(this.catalog.get(id));
    if (!facts) call.error(WampErrorUri.NO_SUCH_REGISTRATION, [`No registration ${id} in this realm.`]);
    return facts;
  }

  /** The registration unless it is one of the router's own (`wamp.`). */
  private visible(facts: RegistrationFacts | undefined): RegistrationFacts | undefined {
    return facts && !isReservedUri(facts.uri) ? facts : undefined;
  }
}

/** Whether a URI is not one of the router's own (`wamp.`): what the meta API lists. */
function isPublicUri(uri: string): boolean {
  return !isReservedUri(uri);
}
