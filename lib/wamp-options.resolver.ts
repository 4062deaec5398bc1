import { DEFAULT_MAX_CONTRACT_VALUES } from './core/contracts/procedure-contract-checker.js';
import { combineRouterMetrics } from './core/router/metrics/combined-router-metrics.js';
import type { WampModuleOptions, WampRealmConfig } from './interfaces/wamp-module-options.interface.js';
import { isReservedUri, isValidUri, isValidUriForMatch } from './core/protocol/wamp-uri.js';
import type { WampLogger } from './core/router/wamp-logger.interface.js';
import type { WampRouterOptions } from './core/router/wamp-router-options.interface.js';
import type { OutboundFlowOptions } from './core/router/outbound/outbound-flow.options.js';
import type { TlsOptions } from 'node:tls';
import type { WampRawSocketEndpointOptions } from './rawsocket/wamp-rawsocket-endpoint.js';
import { RAWSOCKET_SERIALIZERS } from './rawsocket/rawsocket-protocol.js';

/** The serializers RawSocket can carry (it names JSON, MessagePack and CBOR; the batched variants are WebSocket's). */
const RAWSOCKET_PROTOCOLS: readonly string[] = Object.values(RAWSOCKET_SERIALIZERS);
import { SerializerRegistry, WAMP_SUBPROTOCOLS } from './core/serializers/serializer-registry.js';
import type { WampWebSocketEndpointOptions } from './websocket/wamp-websocket-endpoint.js';
import { DEFAULT_WAMP_AGENT } from './wamp.constants.js';
import { checkOptions, type OptionProblem } from './options/option-rules.js';
import { WAMP_OPTIONS_SCHEMA } from './options/wamp-options.schema.js';

/** {@link WampModuleOptions} with defaults filled in, split into what the router core and the endpoint need. */
export interface ResolvedWampOptions {
  readonly router: WampRouterOptions;
  /** Realm configs as given (their `auth` is turned into authenticators by the module, with DI). */
  readonly realms: readonly WampRealmConfig[];
  readonly endpoint: WampWebSocketEndpointOptions;
  /** The most values a contract's Standard Schema validator is handed (see `maxContractValues`). */
  readonly maxContractValues: number;
  /** Which handlers the WAMP transport serves. */
  readonly handlers: 'all' | 'wamp-only';
  /** RawSocket endpoint settings and where it listens, when the `rawSocket` option is set. */
  readonly rawSocket?: ResolvedRawSocketOptions;
  /** Standalone port, when the module listens on its own server. */
  readonly port?: number;
  readonly host?: string;
}

/** The RawSocket endpoint's settings and its listeners. */
export interface ResolvedRawSocketOptions {
  readonly endpoint: WampRawSocketEndpointOptions;
  readonly port?: number;
  readonly host?: string;
  readonly tls?: TlsOptions;
  readonly path?: string;
  readonly shareHttpPort: boolean;
}

/** Defaults of every option (documented in the README's option table). */
const WAMP_DEFAULTS = {
  realms: ['realm1'],
  path: '/ws',
  strictUris: true,
  maxPayload: 1024 * 1024,
  maxDepth: 32,
  maxUriLength: 1024,
  maxUriComponents: 64,
  maxBatchedMessages: 100,
  helloTimeout: 5000,
  pingInterval: 20000,
  pingTimeout: 10000,
  goodbyeTimeout: 2000,
  shutdownTimeout: 3000,
  headersTimeout: 10000,
  checkRequestIds: false,
  perMessageDeflate: false,
  maxCallsPerSession: 128,
  callTimeout: 0,
  outboundBufferLimit: 8 * 1024 * 1024,
  outboundHighWaterMark: 1024 * 1024,
  outboundLowWaterMark: 256 * 1024,
  outboundMemoryBudget: 256 * 1024 * 1024,
  slowConsumerTimeout: 5_000,
  maxSubscriptionsPerSession: 1024,
  maxRegistrationsPerSession: 1024,
  maxInvocationsPerCallee: 1024,
  interruptTimeout: 5000,
  maxRetainedTopics: 1000,
  maxRetainedBytes: 8 * 1024 * 1024,
  maxTestamentBytes: 64 * 1024,
  backplaneLease: 10_000,
  maxConnections: 10_000,
  slowConsumerPolicy: 'drop',
  subscriptions: 'open',
} as const;

/**
 * Validates module options and fills in the defaults. Every key must be known and every value of the right
 * type and range ({@link WAMP_OPTIONS_SCHEMA}); the error lists every problem with the option's path, the
 * value and its type, so a misconfigured app fails at startup with something readable rather than at the
 * first connection (or not at all, for a typo'd key).
 *
 * @example
 * resolveWampOptions({ port: '9000' } as never, logger);
 * // Error: WampModule: invalid option port: expected an integer in [0, 65535], got "9000" (string)
 */
export function resolveWampOptions(options: WampModuleOptions, logger: WampLogger): ResolvedWampOptions {
  const problems = checkOptions(options, WAMP_OPTIONS_SCHEMA);
  if (problems.length === 0) problems.push(...relatedProblems(options));
  if (problems.length > 0) throw optionsError(problems);
  const strictUris = options.strictUris ?? WAMP_DEFAULTS.strictUris;
  const realms: WampRealmConfig[] = (options.realms ?? [...WAMP_DEFAULTS.realms]).map((realm) =>
    typeof realm === 'string' ? { name: realm } : realm,
  );
  const path = options.path ?? WAMP_DEFAULTS.path;
  const protocols = options.serializers ?? [...WAMP_SUBPROTOCOLS];
  const maxPayload = options.maxPayload ?? WAMP_DEFAULTS.maxPayload;
  const maxBatchedMessages = options.maxBatchedMessages ?? WAMP_DEFAULTS.maxBatchedMessages;
  return {
    router: {
      realms,
      strictUris,
      maxPayload,
      maxDepth: options.maxDepth ?? WAMP_DEFAULTS.maxDepth,
      maxUriLength: options.maxUriLength ?? WAMP_DEFAULTS.maxUriLength,
      maxUriComponents: options.maxUriComponents ?? WAMP_DEFAULTS.maxUriComponents,
      helloTimeout: options.helloTimeout ?? WAMP_DEFAULTS.helloTimeout,
      goodbyeTimeout: options.goodbyeTimeout ?? WAMP_DEFAULTS.goodbyeTimeout,
      checkRequestIds: options.checkRequestIds ?? WAMP_DEFAULTS.checkRequestIds,
      maxCallsPerSession: options.maxCallsPerSession ?? WAMP_DEFAULTS.maxCallsPerSession,
      defaultCallTimeout: options.callTimeout ?? WAMP_DEFAULTS.callTimeout,
      maxSubscriptionsPerSession:
        options.maxSubscriptionsPerSession ?? WAMP_DEFAULTS.maxSubscriptionsPerSession,
      maxRegistrationsPerSession:
        options.maxRegistrationsPerSession ?? WAMP_DEFAULTS.maxRegistrationsPerSession,
      maxInvocationsPerCallee: options.maxInvocationsPerCallee ?? WAMP_DEFAULTS.maxInvocationsPerCallee,
      interruptTimeout: options.interruptTimeout ?? WAMP_DEFAULTS.interruptTimeout,
      maxRetainedTopics: options.maxRetainedTopics ?? WAMP_DEFAULTS.maxRetainedTopics,
      maxRetainedBytes: options.maxRetainedBytes ?? WAMP_DEFAULTS.maxRetainedBytes,
      maxTestamentBytes: options.maxTestamentBytes ?? WAMP_DEFAULTS.maxTestamentBytes,
      subscriptionPolicy: options.subscriptions ?? WAMP_DEFAULTS.subscriptions,
      agent: options.agent ?? DEFAULT_WAMP_AGENT,
      logger,
      parts: options.parts,
      backplane: options.backplane,
      backplaneLease: options.backplaneLease ?? WAMP_DEFAULTS.backplaneLease,
      metrics: combineRouterMetrics(
        options.metrics === undefined
          ? []
          : Array.isArray(options.metrics)
            ? options.metrics
            : [options.metrics],
      ),
      tracing: options.tracing,
      outbound: outboundFlow(options),
    },
    endpoint: {
      path,
      serializers: new SerializerRegistry(protocols, { maxBatchedMessages }),
      socketMaxPayload: maxPayload * 2,
      perMessageDeflate: options.perMessageDeflate ?? WAMP_DEFAULTS.perMessageDeflate,
      allowedOrigins: options.allowedOrigins,
      pingInterval: options.pingInterval ?? WAMP_DEFAULTS.pingInterval,
      pingTimeout: options.pingTimeout ?? WAMP_DEFAULTS.pingTimeout,
      headersTimeout: options.headersTimeout ?? WAMP_DEFAULTS.headersTimeout,
      shutdownTimeout: options.shutdownTimeout ?? WAMP_DEFAULTS.shutdownTimeout,
      maxConnections: options.maxConnections ?? WAMP_DEFAULTS.maxConnections,
    },
    rawSocket: options.rawSocket && {
      endpoint: {
        serializers: new SerializerRegistry(
          protocols.filter((protocol) => RAWSOCKET_PROTOCOLS.includes(protocol)),
          { maxBatchedMessages },
        ),
        maxPayload,
        handshakeTimeout:
          options.rawSocket.handshakeTimeout ?? options.headersTimeout ?? WAMP_DEFAULTS.headersTimeout,
        pingInterval: options.pingInterval ?? WAMP_DEFAULTS.pingInterval,
        pingTimeout: options.pingTimeout ?? WAMP_DEFAULTS.pingTimeout,
        shutdownTimeout: options.shutdownTimeout ?? WAMP_DEFAULTS.shutdownTimeout,
        maxConnections: options.maxConnections ?? WAMP_DEFAULTS.maxConnections,
      },
      port: options.rawSocket.port,
      host: options.rawSocket.host,
      tls: options.rawSocket.tls,
      path: options.rawSocket.path,
      shareHttpPort: options.rawSocket.shareHttpPort ?? false,
    },
    realms,
    handlers: options.handlers ?? 'all',
    maxContractValues: options.maxContractValues ?? DEFAULT_MAX_CONTRACT_VALUES,
    port: options.port,
    host: options.host,
  };
}

/**
 * The flow-control settings. The water marks follow a smaller `outboundBufferLimit` when they are not set
 * (high: half the cap, at most 1 MiB; low: a quarter of high, at most 256 KiB), so that lowering the cap alone
 * stays consistent.
 */
function outboundFlow(options: WampModuleOptions): OutboundFlowOptions {
  const bufferLimit = options.outboundBufferLimit ?? WAMP_DEFAULTS.outboundBufferLimit;
  const highWaterMark =
    options.outboundHighWaterMark ??
    Math.min(WAMP_DEFAULTS.outboundHighWaterMark, Math.max(1, Math.floor(bufferLimit / 2)));
  const lowWaterMark =
    options.outboundLowWaterMark ??
    Math.min(WAMP_DEFAULTS.outboundLowWaterMark, Math.floor(highWaterMark / 4));
  return {
    bufferLimit,
    highWaterMark,
    lowWaterMark,
    memoryBudget: options.outboundMemoryBudget ?? WAMP_DEFAULTS.outboundMemoryBudget,
    slowConsumerTimeout: options.slowConsumerTimeout ?? WAMP_DEFAULTS.slowConsumerTimeout,
    slowConsumerPolicy: options.slowConsumerPolicy ?? WAMP_DEFAULTS.slowConsumerPolicy,
  };
}

/** The flow-control options that only make sense together: low < high <= cap <= budget. */
function outboundProblems(options: WampModuleOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const flow = outboundFlow(options);
  const kib = (bytes: number): string => `${bytes} bytes`;
  if (flow.lowWaterMark >= flow.highWaterMark) {
    problems.push({
      path: options.outboundLowWaterMark !== undefined ? 'outboundLowWaterMark' : 'outboundHighWaterMark',
      message: `the low-water mark (${kib(flow.lowWaterMark)}) must be below the high-water mark (${kib(flow.highWaterMark)})`,
    });
  }
  if (flow.highWaterMark > flow.bufferLimit) {
    problems.push({
      path: 'outboundHighWaterMark',
      message: `the high-water mark (${kib(flow.highWaterMark)}) must not exceed outboundBufferLimit (${kib(flow.bufferLimit)}), the hard cap per connection`,
    });
  }
  if (flow.bufferLimit > flow.memoryBudget) {
    problems.push({
      path: 'outboundMemoryBudget',
      message: `the budget for all connections (${kib(flow.memoryBudget)}) must be at least outboundBufferLimit (${kib(flow.bufferLimit)}), the cap of one`,
    });
  }
  return problems;
}

/** What depends on several options: realm URIs under the chosen URI rules, duplicates, conflicting auth. */
function relatedProblems(options: WampModuleOptions): OptionProblem[] {
  const problems: OptionProblem[] = outboundProblems(options);
  const rawSocket = options.rawSocket;
  if (rawSocket && rawSocket.port === undefined && rawSocket.path === undefined && !rawSocket.shareHttpPort) {
    problems.push({
      path: 'rawSocket',
      message: 'says nowhere to listen: set port, path or shareHttpPort: true',
    });
  }
  if (
    rawSocket &&
    options.serializers &&
    !options.serializers.some((name) => RAWSOCKET_PROTOCOLS.includes(name))
  ) {
    problems.push({
      path: 'rawSocket',
      message: `RawSocket carries wamp.2.json, wamp.2.msgpack or wamp.2.cbor, and "serializers" enables none of them`,
    });
  }
  if (rawSocket?.tls && rawSocket.port === undefined) {
    problems.push({ path: 'rawSocket.tls', message: 'applies to rawSocket.port, which is not set' });
  }
  const strictUris = options.strictUris ?? WAMP_DEFAULTS.strictUris;
  const seen = new Set<string>();
  (options.realms ?? []).forEach((realm, index) => {
    const name = typeof realm === 'string' ? realm : realm.name;
    const path = typeof realm === 'string' ? `realms[${index}]` : `realms[${index}].name`;
    if (!isValidUri(name, strictUris)) {
      problems.push({
        path,
        message:
          `${JSON.stringify(name)} is not a valid ${strictUris ? 'strict' : 'loose'} WAMP URI` +
          (strictUris ? ' (components of [0-9a-z_] separated by dots; or set strictUris: false)' : ''),
      });
    }
    if (seen.has(name)) problems.push({ path, message: `realm ${JSON.stringify(name)} is listed twice` });
    seen.add(name);
    if (typeof realm !== 'string') problems.push(...historyProblems(realm, index, strictUris));
    if (typeof realm !== 'string' && realm.auth && realm.authenticator) {
      problems.push({
        path: `realms[${index}]`,
        message: 'sets both "auth" and "authenticator": use one (auth builds an authenticator)',
      });
    }
  });
  return problems;
}

/** Event history rules whose topic is not a valid URI or pattern, or that name the same topic twice. */
function historyProblems(realm: WampRealmConfig, index: number, strictUris: boolean): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const seen = new Set<string>();
  (realm.eventHistory ?? []).forEach((rule, ruleIndex) => {
    const path = `realms[${index}].eventHistory[${ruleIndex}].topic`;
    const match = rule.match ?? 'exact';
    if (!isValidUriForMatch(rule.topic, strictUris, match)) {
      problems.push({
        path,
        message: `${JSON.stringify(rule.topic)} is not a valid ${strictUris ? 'strict' : 'loose'} URI for match "${match}"`,
      });
    }
    if (isReservedUri(rule.topic)) {
      problems.push({
        path,
        message: `${JSON.stringify(rule.topic)} is one of the router's own topics (wamp.): the meta API does not show them, so its history could not be found`,
      });
    }
    const key = `${match} ${rule.topic}`;
    if (seen.has(key))
      problems.push({ path, message: `${JSON.stringify(rule.topic)} (${match}) is listed twice` });
    seen.add(key);
  });
  return problems;
}

function optionsError(problems: readonly OptionProblem[]): Error {
  if (problems.length === 1 && problems[0].path === '') {
    return new Error(`WampModule: invalid options: ${problems[0].message}`);
  }
  const lines = problems.map((entry) => `${entry.path}: ${entry.message}`);
  return new Error(
    lines.length === 1
      ? `WampModule: invalid option ${lines[0]}`
      : `WampModule: invalid options:\n${lines.map((line) => `  - ${line}`).join('\n')}`,
  );
}
