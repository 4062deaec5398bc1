import { WAMP_SUBPROTOCOLS } from '../core/serializers/serializer-registry.js';
import {
  arrayRule,
  booleanRule,
  customRule,
  either,
  enumRule,
  functionRule,
  integerRule,
  objectRule,
  providerRule,
  instanceRule,
  regExpRule,
  stringRule,
  type DescribedRule,
} from './option-rules.js';

const MATCH_POLICIES = ['exact', 'prefix', 'wildcard'] as const;
const ACTIONS = ['call', 'register', 'subscribe', 'publish'] as const;

/** What a metrics recorder has (checked on the `metrics` option, or on each of a list). */
const METRICS_MEMBERS = ['sessionJoined()', 'callStarted()', 'callFinished()', 'published()', 'aborted()'];
/** Milliseconds: a whole number, 0 allowed where 0 means "off". */
const milliseconds = (): DescribedRule => integerRule(0);
const positive = (): DescribedRule => integerRule(1);

const authMethodInstance = customRule(
  'an auth method (an object with names, a list of strings, and authenticate())',
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { names?: unknown }).names) &&
    typeof (value as { authenticate?: unknown }).authenticate === 'function',
);

const scramOptions = objectRule({
  unknownPrincipal: enumRule(['challenge', 'abort']),
  mockParameters: objectRule(
    { kdf: enumRule(['pbkdf2', 'argon2id13']), iterations: positive(), memory: positive() },
    { required: ['kdf', 'iterations'] },
  ),
  mockSecret: either(
    stringRule(),
    customRule('a Buffer', (value) => Buffer.isBuffer(value)),
  ),
});

const realmAuth = objectRule({
  anonymous: either(booleanRule(), objectRule({ authrole: stringRule() }, { required: ['authrole'] })),
  ticket: providerRule(['verifyTicket()']),
  wampcra: providerRule(['getSecret()']),
  cryptosign: providerRule(['getPrincipal()']),
  scram: providerRule(['getCredentials()']),
  transport: providerRule(['authenticateTransport()', 'authmethod']),
  methods: arrayRule(authMethodInstance),
  provider: stringRule(),
  scramOptions,
});

const authorization = objectRule({
  rules: arrayRule(
    objectRule(
      {
        role: stringRule(),
        uri: stringRule(),
        match: enumRule(MATCH_POLICIES),
        allow: arrayRule(enumRule(ACTIONS), 1),
      },
      { expected: 'a permission rule { role, uri, match?, allow }', required: ['role', 'uri', 'allow'] },
    ),
  ),
  authorizer: providerRule(['authorize()']),
});

const realmConfig = objectRule(
  {
    name: stringRule('a realm URI'),
    auth: realmAuth,
    authorization,
    authenticator: functionRule('an authenticator function'),
    eventHistory: arrayRule(
      objectRule(
        {
          topic: stringRule('a topic URI or pattern'),
          match: enumRule(MATCH_POLICIES),
          limit: positive(),
          maxBytes: positive(),
        },
        { expected: 'an event history rule { topic, match?, limit?, maxBytes? }', required: ['topic'] },
      ),
    ),
  },
  {
    expected: 'a realm config { name, auth?, authorization?, authenticator?, eventHistory? }',
    required: ['name'],
  },
);

/**
 * The shape of `WampModule.forRoot()` / `forRootAsync()` options, checked at startup: every key known, every
 * value of the right type and range. What depends on several options (realm URIs under `strictUris`, duplicate
 * realms) is checked by the resolver once these pass.
 */
export const WAMP_OPTIONS_SCHEMA: DescribedRule = objectRule(
  {
    realms: arrayRule(either(stringRule('a realm URI'), realmConfig), 1),
    path: stringRule('a URL path such as "/ws"', (value) =>
      value.startsWith('/') && !value.includes('?')
        ? undefined
        : `expected a URL path starting with "/" and without "?", got ${JSON.stringify(value)} (string)`,
    ),
    port: integerRule(0, 65535),
    host: stringRule(),
    serializers: arrayRule(enumRule(WAMP_SUBPROTOCOLS), 1),
    strictUris: booleanRule(),
    maxPayload: positive(),
    maxDepth: positive(),
    maxUriLength: positive(),
    maxUriComponents: positive(),
    maxBatchedMessages: positive(),
    helloTimeout: milliseconds(),
    pingInterval: milliseconds(),
    pingTimeout: positive(),
    goodbyeTimeout: positive(),
    shutdownTimeout: positive(),
    headersTimeout: positive(),
    checkRequestIds: booleanRule(),
    maxCallsPerSession: positive(),
    maxSubscriptionsPerSession: positive(),
    maxRegistrationsPerSession: positive(),
    maxInvocationsPerCallee: positive(),
    interruptTimeout: positive(),
    maxRetainedTopics: positive(),
    maxRetainedBytes: positive(),
    maxTestamentBytes: positive(),
    maxContractValues: positive(),
    backplaneLease: positive(),
    backplane: instanceRule(['nodeId', 'broadcast()', 'subscribe()', 'retentionStore()', 'close()']),
    // The list first: an array is an object too, and the first alternative that accepts a value checks it.
    metrics: either(
      arrayRule(instanceRule(METRICS_MEMBERS), 0, 'a list of metrics recorders'),
      instanceRule(METRICS_MEMBERS),
    ),
    tracing: instanceRule(['startCall()', 'startPublication()']),
    maxConnections: positive(),
    callTimeout: milliseconds(),
    handlers: enumRule(['all', 'wamp-only']),
    outboundBufferLimit: positive(),
    outboundHighWaterMark: positive(),
    outboundLowWaterMark: positive(),
    outboundMemoryBudget: positive(),
    slowConsumerTimeout: positive(),
    slowConsumerPolicy: enumRule(['drop', 'disconnect']),
    subscriptions: enumRule(['open', 'hooked']),
    allowedOrigins: arrayRule(either(stringRule('an origin string'), regExpRule())),
    perMessageDeflate: booleanRule(),
    rawSocket: objectRule(
      {
        port: integerRule(0, 65535),
        host: stringRule(),
        tls: customRule(
          'TLS options (an object with key and cert)',
          (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
        ),
        path: stringRule('a Unix socket path', (value) =>
          value.length > 0 && value.length <= 104
            ? undefined
            : `expected a Unix socket path of 1-104 characters, got ${value.length}`,
        ),
        shareHttpPort: booleanRule(),
        handshakeTimeout: positive(),
      },
      { expected: 'RawSocket options' },
    ),
    agent: stringRule(),
    parts: objectRule({
      broker: functionRule('a factory function'),
      dealer: functionRule('a factory function'),
      retentionStore: functionRule('a factory function'),
      publicationBus: functionRule('a factory function'),
      eventHistoryStore: functionRule('a factory function'),
    }),
  },
  { expected: 'an options object' },
);
