/**
 * nestjs-wamp: a NestJS application as a WAMP v2 router (broker and dealer).
 *
 * The public API for Nest applications: the module and its options, the decorators, the transport with the
 * context, exception and publisher handlers use, the gateway, and the core types those are typed with. The
 * framework-free router core (protocol, serializers, sessions, broker, dealer, ports) is `nestjs-wamp/core`.
 *
 * @example
 * import { WampModule } from 'nestjs-wamp';
 * // in the app module's imports: WampModule.forRoot({ realms: ['realm1'] })
 * // in main.ts: app.connectMicroservice({ strategy: app.get(WampTransport) }, { inheritAppConfig: true })
 */

// The module and its options
export { WampModule } from './wamp.module.js';
export type {
  WampModuleOptions,
  WampModuleAsyncOptions,
  WampOptionsFactory,
  WampRealmConfig,
  WampRawSocketOptions,
  WampSubprotocolName,
} from './interfaces/wamp-module-options.interface.js';

// Decorators
export { WampProcedure } from './decorators/wamp-procedure.decorator.js';
export { WampEventPattern } from './decorators/wamp-event-pattern.decorator.js';
export { WampSubscription, type WampSubscriptionOptions } from './decorators/wamp-subscription.decorator.js';
export { WampParam } from './decorators/wamp-param.decorator.js';
export { WampArg } from './decorators/wamp-arg.decorator.js';
export { WampKwarg } from './decorators/wamp-kwarg.decorator.js';
export type { WampArgumentOptions } from './decorators/wamp-argument.options.js';
export type { WampCallPayload } from './decorators/wamp-call-payload.interface.js';
export type { ArgumentPipe } from './decorators/wamp-argument.binding.js';
export { WampContract, WampTopic, type WampContractPayload } from './decorators/wamp-contract.decorator.js';

// The transport and what handlers use
export { WampTransport } from './transport/wamp.server.js';
export { WAMP_TRANSPORT } from './transport/wamp-transport.constants.js';
export { WampContext } from './transport/wamp.context.js';
export { WampEventContext } from './transport/wamp-event.context.js';
export { WampSubscriptionContext } from './transport/wamp-subscription.context.js';
export { WampException, type WampErrorPayload } from './transport/wamp.exception.js';
export { WampResult } from './transport/wamp-result.js';
export { WampPublisher, type WampPublishOptions } from './transport/wamp.publisher.js';
export { WampCaller, type WampCallOptions } from './transport/wamp.caller.js';
export {
  WampMetaService,
  type WampSessionInfo,
  type WampRegistrationInfo,
  type WampSubscriptionInfo,
  type WampKillOptions,
} from './transport/wamp-meta.service.js';
export { WampCatalog } from './transport/wamp-catalog.service.js';
export { WampClientProxy } from './transport/wamp.client-proxy.js';
export { WampExceptionFilter } from './transport/wamp-exception.filter.js';

// The gateway (the endpoint's address, its open connections)
export { WampGateway } from './gateway/wamp.gateway.js';
export { WampHealth, type WampHealthReport } from './gateway/wamp-health.service.js';

// The inspector page (opt-in)
export { WampInspectorModule } from './inspector/wamp-inspector.module.js';
export { WampInspectorErrorLog, type InspectorErrorEntry } from './inspector/inspector-error-log.js';
export type { WampInspectorOptions } from './inspector/wamp-inspector.options.js';
export { WebSocketConnection } from './websocket/websocket-connection.js';

// From the core: the router (injectable, e.g. for `sessionCount`), and what sessions, handlers,
// authenticators and the `parts` option are typed with (the whole core is `nestjs-wamp/core`)
export {
  WampRouter,
  WampErrorUri,
  WampCloseUri,
  WampAbortError,
  deriveScramCredentials,
  deriveWampCraKey,
  type WampClientSession,
  type WampTransportInfo,
  type WebSocketTransportInfo,
  type RawSocketTransportInfo,
  type InProcessTransportInfo,
  WampCallError,
  type WampCallResult,
  type WampServerCallOptions,
  type WampIdentity,
  type WampArgs,
  type WampKwargs,
  type WampDict,
  type CallOptions,
  type PublishOptions,
  type SubscribeOptions,
  type RegisterOptions,
  type WampMatchPolicy,
  type SubscriptionHookContext,
  type SubscriptionHookResult,
  type Publication,
  type PublisherIdentity,
  type WampRealmAuthOptions,
  type WampAuthorizationOptions,
  type WampPermissionRule,
  type WampAuthorizationRequest,
  type WampDynamicAuthorizer,
  type WampAuthorizer,
  type WampAction,
  type WampAuthMethod,
  type WampAuthenticationRequest,
  type WampChallengeResponse,
  type WampAuthContext,
  type WampAuthResult,
  type WampTicketAuthenticator,
  type WampCraAuthenticator,
  type WampCraSecret,
  type WampCryptosignAuthenticator,
  type WampCryptosignPrincipal,
  type WampScramAuthenticator,
  type WampScramCredentials,
  type WampTransportAuthenticator,
  type ScramAuthMethodOptions,
  type DeriveScramCredentialsOptions,
  type ScramDerivedCredentials,
  type ScramKdf,
  type WampRealmParts,
  type RealmPartContext,
  type WampRealmSettings,
  type WampBroker,
  type WampDealer,
  type WampRetentionStore,
  type WampPublicationBus,
  type WampProcedureContract,
  type WampTopicContract,
  type WampProcedureDescription,
  type WampApiSnapshot,
  type WampRouterMetrics,
  type WampRouterTracing,
} from './core/index.js';
