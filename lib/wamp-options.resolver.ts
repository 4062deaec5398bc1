import type {
  WampModuleOptions,
  WampRealmConfig,
  WampSubprotocolName,
} from './interfaces/wamp-module-options.interface.js';
import { isValidUri } from './protocol/wamp-uri.js';
import type { WampLogger } from './router/wamp-logger.interface.js';
import type { WampRouterOptions } from './router/wamp-router-options.interface.js';
import { createSerializer, WAMP_SUBPROTOCOLS } from './serializers/serializer-registry.js';
import type { WampWebSocketEndpointOptions } from './gateway/wamp-websocket-endpoint.js';
import { DEFAULT_WAMP_AGENT } from './wamp.constants.js';

/** {@link WampModuleOptions} with defaults filled in, split into what the router core and the endpoint need. */
export interface ResolvedWampOptions {
  readonly router: WampRouterOptions;
  /** Realm configs as given (their `auth` is turned into authenticators by the module, with DI). */
  readonly realms: readonly WampRealmConfig[];
  readonly endpoint: WampWebSocketEndpointOptions;
  /** Which handlers the WAMP transport serves. */
  readonly handlers: 'all' | 'wamp-only';
  /** Standalone port, when the module listens on its own server. */
  readonly port?: number;
  readonly host?: string;
}

/** Defaults of every option (documented in the README's option table). */
export const WAMP_DEFAULTS = {
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
  outboundBufferLimit: 1024 * 1024,
  maxSubscriptionsPerSession: 1024,
  maxRetainedTopics: 1000,
  maxRetainedBytes: 8 * 1024 * 1024,
  maxConnections: 10_000,
  slowConsumerPolicy: 'drop',
  subscriptions: 'open',
} as const;

/**
 * Validates module options and fills in the defaults. Throws an `Error` whose message names the bad
 * option, so a misconfigured app fails at startup with something readable rather than at the first
 * connection.
 */
export function resolveWampOptions(options: WampModuleOptions, logger: WampLogger): ResolvedWampOptions {
  const strictUris = options.strictUris ?? WAMP_DEFAULTS.strictUris;
  const realms: WampRealmConfig[] = (options.realms ?? [...WAMP_DEFAULTS.realms]).map((realm) =>
    typeof realm === 'string' ? { name: realm } : realm,
  );
  if (realms.length === 0) fail('realms', 'must name at least one realm');
  const seen = new Set<string>();
  for (const realm of realms) {
    if (typeof realm.name !== 'string' || !isValidUri(realm.name, strictUris)) {
      fail('realms', `"${String(realm.name)}" is not a valid ${strictUris ? 'strict' : 'loose'} WAMP URI`);
    }
    if (seen.has(realm.name)) fail('realms', `realm "${realm.name}" is listed twice`);
    if (realm.auth && realm.authenticator)
      fail('realms', `realm "${realm.name}" sets both "auth" and "authenticator"`);
    seen.add(realm.name);
  }
  const path = options.path ?? WAMP_DEFAULTS.path;
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?')) {
    fail('path', `must be a URL path starting with "/", got "${String(path)}"`);
  }
  const protocols = options.serializers ?? [...WAMP_SUBPROTOCOLS];
  if (protocols.length === 0) fail('serializers', 'must name at least one subprotocol');
  for (const protocol of protocols) {
    if (!(WAMP_SUBPROTOCOLS as readonly string[]).includes(protocol)) {
      fail('serializers', `"${protocol}" is not supported; use one of ${WAMP_SUBPROTOCOLS.join(', ')}`);
    }
  }
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    fail('port', `must be an integer in [0, 65535], got ${options.port}`);
  }
  const maxPayload = positive('maxPayload', options.maxPayload, WAMP_DEFAULTS.maxPayload);
  const maxBatchedMessages = positiveInteger(
    'maxBatchedMessages',
    options.maxBatchedMessages,
    WAMP_DEFAULTS.maxBatchedMessages,
  );
  const pingInterval = nonNegative('pingInterval', options.pingInterval, WAMP_DEFAULTS.pingInterval);
  return {
    router: {
      realms,
      strictUris,
      maxPayload,
      maxDepth: positive('maxDepth', options.maxDepth, WAMP_DEFAULTS.maxDepth),
      maxUriLength: positiveInteger('maxUriLength', options.maxUriLength, WAMP_DEFAULTS.maxUriLength),
      maxUriComponents: positiveInteger(
        'maxUriComponents',
        options.maxUriComponents,
        WAMP_DEFAULTS.maxUriComponents,
      ),
      helloTimeout: nonNegative('helloTimeout', options.helloTimeout, WAMP_DEFAULTS.helloTimeout),
      goodbyeTimeout: positive('goodbyeTimeout', options.goodbyeTimeout, WAMP_DEFAULTS.goodbyeTimeout),
      checkRequestIds: options.checkRequestIds ?? WAMP_DEFAULTS.checkRequestIds,
      maxCallsPerSession: positive(
        'maxCallsPerSession',
        options.maxCallsPerSession,
        WAMP_DEFAULTS.maxCallsPerSession,
      ),
      defaultCallTimeout: nonNegative('callTimeout', options.callTimeout, WAMP_DEFAULTS.callTimeout),
      maxSubscriptionsPerSession: positive(
        'maxSubscriptionsPerSession',
        options.maxSubscriptionsPerSession,
        WAMP_DEFAULTS.maxSubscriptionsPerSession,
      ),
      maxRetainedTopics: positive(
        'maxRetainedTopics',
        options.maxRetainedTopics,
        WAMP_DEFAULTS.maxRetainedTopics,
      ),
      maxRetainedBytes: positive(
        'maxRetainedBytes',
        options.maxRetainedBytes,
        WAMP_DEFAULTS.maxRetainedBytes,
      ),
      subscriptionPolicy: oneOf(
        'subscriptions',
        options.subscriptions,
        ['open', 'hooked'],
        WAMP_DEFAULTS.subscriptions,
      ),
      agent: options.agent ?? DEFAULT_WAMP_AGENT,
      logger,
    },
    endpoint: {
      path,
      serializers: protocols.map((protocol: WampSubprotocolName) =>
        createSerializer(protocol, { maxBatchedMessages }),
      ),
      socketMaxPayload: maxPayload * 2,
      perMessageDeflate: options.perMessageDeflate ?? WAMP_DEFAULTS.perMessageDeflate,
      allowedOrigins: options.allowedOrigins,
      pingInterval,
      pingTimeout: positive('pingTimeout', options.pingTimeout, WAMP_DEFAULTS.pingTimeout),
      headersTimeout: positive('headersTimeout', options.headersTimeout, WAMP_DEFAULTS.headersTimeout),
      shutdownTimeout: positive('shutdownTimeout', options.shutdownTimeout, WAMP_DEFAULTS.shutdownTimeout),
      maxConnections: positive('maxConnections', options.maxConnections, WAMP_DEFAULTS.maxConnections),
      outbound: {
        bufferLimit: positive(
          'outboundBufferLimit',
          options.outboundBufferLimit,
          WAMP_DEFAULTS.outboundBufferLimit,
        ),
        slowConsumerPolicy: oneOf(
          'slowConsumerPolicy',
          options.slowConsumerPolicy,
          ['drop', 'disconnect'],
          WAMP_DEFAULTS.slowConsumerPolicy,
        ),
      },
    },
    realms,
    handlers: oneOf('handlers', options.handlers, ['all', 'wamp-only'], 'all'),
    port: options.port,
    host: options.host,
  };
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    fail(name, `must be one of ${allowed.map((entry) => `"${entry}"`).join(', ')}, got "${String(value)}"`);
  }
  return value;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    fail(name, `must be a positive number, got ${String(value)}`);
  return value;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0)
    fail(name, `must be a positive integer, got ${String(value)}`);
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    fail(name, `must be a number >= 0, got ${String(value)}`);
  return value;
}

function fail(option: string, problem: string): never {
  throw new Error(`WampModule: option "${option}" ${problem}.`);
}
