import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Type } from '@nestjs/common';
import type { TlsOptions } from 'node:tls';
import type { WampAuthorizationOptions } from '../core/auth/wamp-authorization.options.js';
import type { WampRealmAuthOptions } from '../core/auth/wamp-realm-auth.options.js';
import type { WampAuthenticator } from '../core/router/wamp-authenticator.interface.js';
import type { WampRealmParts } from '../core/router/realm-parts.interface.js';
import type { EventHistoryRule } from '../core/router/meta/event-history.js';
import type { WampBackplane } from '../core/backplane/wamp-backplane.interface.js';
import type { WampRouterMetrics } from '../core/router/metrics/wamp-router-metrics.interface.js';
import type { WampRouterTracing } from '../core/router/tracing/wamp-router-tracing.interface.js';

/** Subprotocols the module can speak (`wamp.2.<serializer>[.batched]`). */
export type WampSubprotocolName =
  | 'wamp.2.json'
  | 'wamp.2.msgpack'
  | 'wamp.2.cbor'
  | 'wamp.2.json.batched'
  | 'wamp.2.msgpack.batched'
  | 'wamp.2.cbor.batched';

/** A realm with its own settings. */
export interface WampRealmConfig {
  /** Realm URI clients name in HELLO. */
  name: string;
  /**
   * Authentication methods of the realm (ticket, WAMP-CRA, cryptosign, SCRAM, transport, anonymous), with
   * application authenticators given as Nest provider classes or instances. Without `auth` (and without
   * `authenticator`) every session is admitted anonymously.
   */
  auth?: WampRealmAuthOptions;
  /** Who may call, register, subscribe and publish what (role x URI pattern x action, plus a dynamic authorizer). */
  authorization?: WampAuthorizationOptions;
  /**
   * Low-level alternative to `auth`: a function deciding who a joining session is. Receives HELLO details
   * and transport info, may CHALLENGE, resolves with the identity or rejects with a `WampAbortError`.
   */
  authenticator?: WampAuthenticator;
  /**
   * Topics whose events the realm keeps, for `wamp.subscription.get_events` (event history): each a topic or
   * pattern with its match policy and bounds. Off when omitted.
   *
   * @example
   * eventHistory: [{ topic: 'com.example.chat.', match: 'prefix', limit: 200 }]
   */
  eventHistory?: EventHistoryRule[];
}

/**
 * Where and how the router serves RawSocket (option `rawSocket`).
 *
 * @example
 * WampModule.forRoot({ rawSocket: { port: 8081, shareHttpPort: true } })
 */
export interface WampRawSocketOptions {
  /** A TCP port of its own (0: any free port). */
  port?: number;
  /** The address that port binds to. Default: every interface. */
  host?: string;
  /** TLS for that port (Node's `tls.createServer` options: `key`, `cert`, `ca`, ...). */
  tls?: TlsOptions;
  /** A Unix domain socket path to listen on as well (or instead). */
  path?: string;
  /**
   * Serve RawSocket on the application's HTTP(S) port too, next to HTTP and WebSocket, by its first byte
   * (0x7F). Default `false`. Over TLS when that server is HTTPS.
   */
  shareHttpPort?: boolean;
  /** Milliseconds a connection may take to send its 4-octet handshake. Default 10000 (`headersTimeout`). */
  handshakeTimeout?: number;
}

/**
 * Options of `WampModule.forRoot()`. Every field is optional; the README lists the defaults and what each
 * limit protects against.
 *
 * @example
 * WampModule.forRoot({ realms: ['realm1'], path: '/ws' })
 */
export interface WampModuleOptions {
  /** Realms served: URIs or realm configs. Default `['realm1']`. A HELLO for any other realm gets ABORT `wamp.error.no_such_realm`. */
  realms?: (string | WampRealmConfig)[];
  /** URL path of the WebSocket endpoint on the app's HTTP server. Default `/ws`. */
  path?: string;
  /**
   * Standalone mode: listen on this port with a server of the module's own (for apps without an HTTP
   * server, e.g. `NestFactory.createMicroservice`). Default: share the Nest app's HTTP server.
   */
  port?: number;
  /** Host to bind in standalone mode. Default: all interfaces (as Node's `listen`). */
  host?: string;
  /** Subprotocols offered. Default: all six (json, msgpack, cbor and their batched variants). */
  serializers?: WampSubprotocolName[];
  /** Strict URI rules (`^([0-9a-z_]+\.)*([0-9a-z_]+)$`) when true, loose when false. Default `true`. */
  strictUris?: boolean;
  /**
   * Largest WAMP message in bytes. Default 1 MiB. A larger request is answered with ERROR
   * `wamp.error.payload_size_exceeded`; a WebSocket message over twice this is cut at the socket (close 1009).
   */
  maxPayload?: number;
  /** Deepest list/dict nesting accepted in a message. Default 32. */
  maxDepth?: number;
  /**
   * Longest URI a client may send (realm, topic, procedure, pattern, error or close reason), in characters.
   * Default 1024. A longer topic or procedure gets ERROR `wamp.error.invalid_uri`; a longer realm, error or
   * reason URI ends the session with ABORT `wamp.error.protocol_violation`.
   */
  maxUriLength?: number;
  /**
   * Most components (dot-separated parts, empty ones included) in a URI a client sends. Default 64; answered
   * as `maxUriLength` is. Bounds what one pattern subscription costs the broker's tables.
   */
  maxUriComponents?: number;
  /**
   * Most messages one frame of a batched subprotocol (`wamp.2.*.batched`) may carry. Default 100. A frame with
   * more is a protocol violation (ABORT `wamp.error.protocol_violation`): it would hold the event loop for
   * every other session while its messages run.
   */
  maxBatchedMessages?: number;
  /** Milliseconds a connection has to send HELLO and finish authentication. Default 5000. */
  helloTimeout?: number;
  /** Milliseconds of silence before a keepalive ping. Default 20000; 0 turns keepalive off. */
  pingInterval?: number;
  /** Milliseconds to wait for the pong before dropping the connection. Default 10000. */
  pingTimeout?: number;
  /** Milliseconds to wait for the client's GOODBYE reply when the router closes a session. Default 2000. */
  goodbyeTimeout?: number;
  /** Milliseconds `app.close()` waits for sessions to answer GOODBYE before cutting them. Default 3000. */
  shutdownTimeout?: number;
  /** Milliseconds to receive HTTP request headers in standalone mode (slowloris guard). Default 10000. */
  headersTimeout?: number;
  /**
   * Enforce the spec's sequential request IDs (a gap is a protocol violation). Default `false`, because
   * clients in use today do not all comply (see the README's conformance notes).
   */
  checkRequestIds?: boolean;
  /**
   * Calls one session may have in flight. Default 128. Beyond it, CALL gets ERROR
   * `nestjs_wamp.error.too_many_calls` (the spec defines no URI for this) with kwargs `{ limit }`.
   */
  maxCallsPerSession?: number;
  /**
   * Subscriptions one session may hold. Default 1024. Beyond it, SUBSCRIBE gets ERROR
   * `nestjs_wamp.error.too_many_subscriptions` with kwargs `{ limit }` (subscription flood).
   */
  maxSubscriptionsPerSession?: number;
  /**
   * Registrations one client session may hold. Default 1024. Beyond it, REGISTER gets ERROR
   * `nestjs_wamp.error.too_many_registrations` with kwargs `{ limit }` (registration flood).
   */
  maxRegistrationsPerSession?: number;
  /**
   * Invocations a client callee may have unanswered at once. Default 1024. Beyond it, a CALL routed to it gets
   * ERROR `nestjs_wamp.error.too_many_invocations` with kwargs `{ limit }`, so a callee that stops answering
   * holds at most this many calls.
   */
  maxInvocationsPerCallee?: number;
  /**
   * Milliseconds a CANCEL in mode `kill` waits for the client callee's answer to INTERRUPT before the caller
   * gets ERROR `wamp.error.canceled` anyway. Default 5000.
   */
  interruptTimeout?: number;
  /**
   * Topics with retained events (`retain: true`) a realm keeps. Default 1000; beyond it the least recently
   * retained topic is forgotten. Bounds memory and the scan a pattern subscription with `get_retained` makes.
   */
  maxRetainedTopics?: number;
  /** Approximate bytes of retained events a realm keeps. Default 8 MiB; the least recently retained go first. */
  maxRetainedBytes?: number;
  /**
   * Makes this app one instance of a cluster that behaves as one router: publications reach subscribers on every
   * instance, retained events are shared, subscription IDs agree. An engine instance (`MemoryBackplane` for
   * several apps in one process; see the README's "Scaling out"). Default: none, the app runs alone.
   */
  backplane?: WampBackplane;
  /**
   * Milliseconds this instance may stay cut off from its backplane before it closes its sessions (GOODBYE
   * `wamp.close.system_shutdown`) and answers new connections with HTTP 503 until the backplane is back, so
   * that clients move to instances that still see the cluster. Default 10000.
   */
  backplaneLease?: number;
  /**
   * Where the router reports what it does (sessions, calls and their latency, publications, deliveries, drops,
   * aborts, authentication failures): a {@link WampRouterMetrics}, e.g. `new PrometheusWampMetrics({ registry })`
   * from `nestjs-wamp/prometheus`, or a list of them (each hears everything, e.g. Prometheus and the inspector's
   * error log). Default: none, and metrics off cost nothing.
   */
  metrics?: WampRouterMetrics | readonly WampRouterMetrics[];
  /**
   * Where the router opens spans: one per routed call (parent of the handler or of the INVOCATION) and one per
   * publication, continuing the W3C trace context a client sends as `_traceparent` / `_tracestate` in
   * CALL.Options and PUBLISH.Options, and passing it on in INVOCATION.Details, EVENT.Details and across the
   * backplane. E.g. `new OpenTelemetryWampTracing()` from `nestjs-wamp/opentelemetry`. Default: none (no cost).
   */
  tracing?: WampRouterTracing;
  /**
   * Approximate bytes of testaments (`wamp.session.add_testament`) one session may leave. Default 64 KiB. Beyond
   * it, the call gets ERROR `nestjs_wamp.error.too_many_testaments` with kwargs `{ limit }`.
   */
  maxTestamentBytes?: number;
  /**
   * The most values (scalars, lists and dicts, through the nesting) a call or publication may hand a contract's
   * Standard Schema validator (zod, valibot, ...). Such validators may report a problem per value, so a bound
   * keeps a hostile input from costing the router memory out of proportion; beyond it the call gets
   * `wamp.error.invalid_argument` before the validator runs. JSON Schema contracts are not bounded (ajv stops at
   * the first problem). Default 4096.
   */
  maxContractValues?: number;
  /** WebSocket connections the endpoint accepts at once; more get HTTP 503. Default 10000 (connection flood). */
  maxConnections?: number;
  /** Dealer-side timeout (ms) for calls whose caller sets no `timeout` option. Default 0 (none). */
  callTimeout?: number;
  /**
   * Which `@MessagePattern` handlers the WAMP transport serves: `'all'` (default) serves handlers scoped to
   * WAMP and unscoped ones (plain `@MessagePattern('uri')`); `'wamp-only'` serves only handlers scoped to
   * WAMP (`@WampProcedure()` or `@MessagePattern(uri, WAMP_TRANSPORT)`).
   */
  handlers?: 'all' | 'wamp-only';
  /**
   * Hard cap (bytes) of what is queued for one connection, whatever the time. Default 8 MiB. An EVENT that would
   * pass it is handled by `slowConsumerPolicy` at once; RPC results, invocations and errors are never dropped,
   * and a connection whose queue passes four times the cap is closed (1008).
   */
  outboundBufferLimit?: number;
  /**
   * Bytes queued for one connection above which it is behind: the router stops reading connections that
   * publish until it is back under `outboundLowWaterMark` (TCP backpressure instead of loss). Default 1 MiB
   * (half of `outboundBufferLimit` when that is smaller).
   */
  outboundHighWaterMark?: number;
  /**
   * Bytes queued under which a connection has caught up: publishers it held back are read again, its
   * slow-consumer clock stops, and dropped EVENTs resume. Default 256 KiB (a quarter of the high-water mark
   * when that is smaller).
   */
  outboundLowWaterMark?: number;
  /**
   * Milliseconds a connection may stay above `outboundLowWaterMark` before it is a slow consumer and
   * `slowConsumerPolicy` applies (NATS's `write_deadline`). Default 5000. A connection found slow never holds
   * publishers back again.
   */
  slowConsumerTimeout?: number;
  /**
   * What happens to a slow consumer: `'drop'` (default) drops and counts its EVENTs until it catches up;
   * `'disconnect'` closes it (1008). One with RPC messages waiting that long is closed under either policy.
   */
  slowConsumerPolicy?: 'drop' | 'disconnect';
  /**
   * Bytes queued for all connections together. Default 256 MiB. Past it, publishers are held back, EVENTs are
   * not queued for connections above their low-water mark, and slow consumers still holding more than that
   * are cut (1006, largest queue first) until the total is back under it.
   */
  outboundMemoryBudget?: number;
  /**
   * `'open'` (default): any topic may be subscribed unless a subscription hook refuses; `'hooked'`: only topics
   * covered by a `@WampSubscription` hook may be subscribed (others get `wamp.error.not_authorized`).
   */
  subscriptions?: 'open' | 'hooked';
  /** Browser origins allowed to connect (exact strings or regexps). Default: any origin. */
  allowedOrigins?: (string | RegExp)[];
  /** Enable permessage-deflate. Default `false` (compression bombs, CPU). */
  perMessageDeflate?: boolean;
  /**
   * Serve WAMP over RawSocket as well (backend services, devices, Autobahn|Python or |C++ over TCP): on a port
   * or Unix socket of its own, and/or on the application's HTTP port, told apart by the first byte. Default:
   * none. See the README's RawSocket section.
   */
  rawSocket?: WampRawSocketOptions;
  /** `agent` announced in WELCOME. Default `nestjs-wamp/<version>`. */
  agent?: string;
  /**
   * How each realm's broker, dealer and retention store are made; each defaults to the in-memory one. This is
   * where a distributed backplane or a shared retention store plugs in; build them with DI through
   * `forRootAsync({ inject, useFactory })`.
   */
  parts?: WampRealmParts;
}

/** A class that builds {@link WampModuleOptions} (for `forRootAsync({ useClass })`). */
export interface WampOptionsFactory {
  createWampOptions(): WampModuleOptions | Promise<WampModuleOptions>;
}

/**
 * Options of `WampModule.forRootAsync()`: build the options from DI (e.g. `ConfigService`).
 *
 * @example
 * WampModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ path: config.get('WAMP_PATH') }),
 * })
 */
export interface WampModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: never[]) => WampModuleOptions | Promise<WampModuleOptions>;
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useClass?: Type<WampOptionsFactory>;
  useExisting?: Type<WampOptionsFactory>;
}
