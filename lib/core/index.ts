/**
 * `nestjs-wamp/core`: the framework-free WAMP router core — protocol (typed messages, the decoder that parses
 * untrusted input once at the edge), serializers (JSON, MessagePack, CBOR and their batched forms), sessions,
 * realms, the broker and the dealer, authentication methods and authorization. It imports nothing from Nest,
 * rxjs or ws (a lint rule keeps it so), so a transport, a backplane or a test can use it alone:
 *
 * @example
 * import { WampRouter } from 'nestjs-wamp/core';
 * const router = new WampRouter(options);
 * const session = router.openSession(connection); // connection: your WampConnection
 * socket.on('message', (frame) => session.handleFrame(frame));
 */

// Router and sessions: what a transport needs to run a router
export { WampRouter } from './router/wamp-router.js';
export type { WampRouterOptions, WampRealmOptions } from './router/wamp-router-options.interface.js';
export { WampRealm, type WampRealmObserver } from './router/wamp-realm.js';
export { WampSession, type WampSessionState } from './router/wamp-session.js';
export type { WampPeer } from './router/wamp-peer.interface.js';
export type { WampConnection, ConnectionCloseReason } from './router/wamp-connection.interface.js';
export type {
  WampTransportInfo,
  WebSocketTransportInfo,
  RawSocketTransportInfo,
  InProcessTransportInfo,
} from './router/wamp-transport-info.interface.js';
export { callProcedure, type WampCallResult, type WampServerCallOptions } from './router/server-caller.js';
export { WampCallError } from './router/wamp-call.error.js';
export {
  ConnectionRegistry,
  type ConnectionRegistryOptions,
  type ConnectionAdmission,
  type RegisteredConnection,
} from './router/connection-registry.js';
export { OutgoingEvent } from './router/outgoing-event.js';
export type { WampLogger } from './router/wamp-logger.interface.js';
export { WampAbortError } from './router/wamp-abort.error.js';
export type { WampClientSession } from './router/wamp-client-session.js';
export type { WampIdentity } from './router/wamp-authenticator.interface.js';

// Realm parts: where a backplane, a shared store or another broker/dealer plugs in
export type { WampRealmParts, RealmPartContext, WampRealmSettings } from './router/realm-parts.interface.js';
export type { WampBroker } from './router/wamp-broker.interface.js';
export {
  LocalBroker,
  TOO_MANY_SUBSCRIPTIONS_URI,
  type LocalBrokerOptions,
} from './router/broker/local-broker.js';
export type { WampDealer } from './router/wamp-dealer.interface.js';
export { LocalDealer, TOO_MANY_CALLS_URI, type LocalDealerOptions } from './router/dealer/local-dealer.js';
export {
  RetentionStore,
  type WampRetentionStore,
  type RetentionLimits,
} from './router/broker/retention-store.js';
export { LocalPublicationBus, type WampPublicationBus } from './router/broker/publication-bus.js';
export { publisherOf, type Publication, type PublisherIdentity } from './router/broker/publication.js';
export type {
  SubscriptionHook,
  SubscriptionHookContext,
  SubscriptionHookResult,
  BrokerRefusal,
  ClientPublication,
  PublicationVerdict,
  PublicationHandler,
} from './router/broker/broker-hooks.interface.js';
export type { WampCall, WampCallerDisclosure, LocalProcedure } from './router/dealer/wamp-call.interface.js';

// Backplane: what the instances of a cluster share, and the in-memory engine (several routers in one process)
export type { WampBackplane } from './backplane/wamp-backplane.interface.js';
export { MemoryBackplane, MemoryBackplaneHub } from './backplane/memory-backplane.js';

// Meta API: what brokers and dealers tell about themselves, testaments, event history and its store
export type {
  RegistrationCatalog,
  RegistrationFacts,
  RegistrationLifecycleListener,
  MatchPolicyLists,
} from './router/registration-catalog.interface.js';
export type {
  SubscriptionCatalog,
  SubscriptionFacts,
  SubscriptionLifecycleListener,
} from './router/subscription-catalog.interface.js';
export { TOO_MANY_TESTAMENTS_URI } from './router/meta/testament-meta-api.js';
export type { EventHistoryRule, EventHistoryEntry } from './router/meta/event-history.js';
export {
  MemoryEventHistoryStore,
  type WampEventHistoryStore,
  type HistoryEvent,
  type EventHistoryBounds,
} from './router/meta/event-history-store.js';

// Contracts and reflection: schemas checked before a handler runs, and the API catalog clients can read
export type {
  WampProcedureContract,
  WampTopicContract,
  WampSchema,
  JsonSchema,
  WampContractIssue,
} from './contracts/wamp-contract.interface.js';
export type {
  WampApiSnapshot,
  WampProcedureDescription,
  WampTopicDescription,
  WampErrorDescription,
  WampErrorDocumentation,
} from './contracts/api-description.interface.js';
export { ApiCatalog } from './contracts/api-catalog.js';
export { ReflectionMetaUri, ReflectionErrorUri } from './router/meta/reflection-meta-api.js';

// Metrics: where the router reports what it does (nestjs-wamp/prometheus implements it)
export type {
  WampRouterMetrics,
  SessionMetricLabels,
  CallOutcome,
  PublicationOrigin,
  MetricsSource,
} from './router/metrics/wamp-router-metrics.interface.js';

// Tracing: where the router opens spans (nestjs-wamp/opentelemetry implements it)
export type {
  WampRouterTracing,
  WampTraceSpan,
  TraceCarrier,
  CallSpanFacts,
  PublicationSpanFacts,
} from './router/tracing/wamp-router-tracing.interface.js';

// Authentication and authorization
export type {
  WampAuthenticator,
  WampAuthenticationRequest,
  WampChallengeResponse,
} from './router/wamp-authenticator.interface.js';
export type { WampAuthorizer, WampAction } from './router/wamp-authorizer.interface.js';
export { createRealmAuthenticator, type AuthenticatorResolver } from './auth/realm-authenticator.factory.js';
export { createRealmAuthorizer } from './auth/realm-authorizer.factory.js';
export { anonymousAuthenticator } from './router/anonymous.authenticator.js';
export type {
  WampRealmAuthOptions,
  WampAuthenticatorRef,
  WampProviderClass,
} from './auth/wamp-realm-auth.options.js';
export type {
  WampAuthorizationOptions,
  WampPermissionRule,
  WampAuthorizationRequest,
  WampDynamicAuthorizer,
} from './auth/wamp-authorization.options.js';
export type { WampAuthMethod } from './auth/wamp-auth-method.interface.js';
export type {
  WampAuthContext,
  WampTicketAuthenticator,
  WampCraAuthenticator,
  WampCraSecret,
  WampCryptosignAuthenticator,
  WampCryptosignPrincipal,
  WampScramAuthenticator,
  WampScramCredentials,
  WampTransportAuthenticator,
} from './auth/wamp-authenticators.interface.js';
export type { WampAuthResult } from './auth/wamp-auth-result.interface.js';
export {
  deriveScramCredentials,
  type ScramAuthMethodOptions,
  type DeriveScramCredentialsOptions,
  type ScramDerivedCredentials,
  type ScramKdf,
} from './auth/methods/scram.auth-method.js';
export { deriveWampCraKey } from './auth/methods/wampcra.auth-method.js';

// Protocol: typed messages, the decoder and the encoder, URIs
export type {
  WampMessage,
  HelloMessage,
  WelcomeMessage,
  AbortMessage,
  ChallengeMessage,
  AuthenticateMessage,
  GoodbyeMessage,
  ErrorMessage,
  PublishMessage,
  PublishedMessage,
  SubscribeMessage,
  SubscribedMessage,
  UnsubscribeMessage,
  UnsubscribedMessage,
  EventMessage,
  CallMessage,
  CancelMessage,
  ResultMessage,
  RegisterMessage,
  RegisteredMessage,
  UnregisterMessage,
  UnregisteredMessage,
  InvocationMessage,
  InterruptMessage,
  YieldMessage,
  WampArgs,
  WampKwargs,
  WampDict,
  WampId,
  WampUri,
  WampRoleDetails,
  HelloDetails,
  CallOptions,
  CancelOptions,
  PublishOptions,
  SubscribeOptions,
  RegisterOptions,
  YieldOptions,
  WampMatchPolicy,
} from './protocol/wamp-message.interface.js';
export { WampMessageType } from './protocol/message-type.enum.js';
export { decodeMessage, type MessageDecoderOptions } from './protocol/message-decoder.js';
export { encodeMessage } from './protocol/message-encoder.js';
export { WampProtocolError } from './protocol/wamp-protocol.error.js';
export { WampErrorUri, WampCloseUri } from './protocol/wamp-uris.js';
export { isValidUri, isValidUriForMatch, isReservedUri, type UriLimits } from './protocol/wamp-uri.js';
export { MAX_ID } from './protocol/wamp-id.js';

// Serializers
export type { WampSerializer } from './serializers/wamp-serializer.interface.js';
export { SerializationError } from './serializers/serialization.error.js';
export {
  SerializerRegistry,
  createSerializer,
  WAMP_SUBPROTOCOLS,
  isWampSubprotocol,
  type WampSubprotocol,
} from './serializers/serializer-registry.js';
export { JsonSerializer } from './serializers/json.serializer.js';
export { JsonBatchedSerializer } from './serializers/json-batched.serializer.js';
export { MsgpackSerializer } from './serializers/msgpack.serializer.js';
export { CborSerializer } from './serializers/cbor.serializer.js';
export { LengthPrefixedBatchedSerializer } from './serializers/length-prefixed-batched.serializer.js';
export { MAX_NESTING_DEPTH } from './serializers/serialization-limits.js';
