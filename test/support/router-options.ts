import type { WampLogger, WampRouterOptions } from '../../lib/core/index.js';

/** A logger that keeps the error messages a test may assert on, and drops the rest. */
export function recordingLogger(): WampLogger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, log: () => undefined, warn: () => undefined, error: (message) => errors.push(message) };
}

/**
 * Router options for unit tests of the core: one realm `realm1`, strict URIs, no HELLO timeout, small
 * limits, a silent logger; `overrides` replace any of them.
 */
export function routerOptions(overrides: Partial<WampRouterOptions> = {}): WampRouterOptions {
  return {
    realms: [{ name: 'realm1' }],
    strictUris: true,
    maxPayload: 1024,
    maxDepth: 16,
    maxUriLength: 1024,
    maxUriComponents: 64,
    helloTimeout: 0,
    goodbyeTimeout: 100,
    checkRequestIds: false,
    maxCallsPerSession: 4,
    defaultCallTimeout: 0,
    subscriptionPolicy: 'open',
    maxSubscriptionsPerSession: 1024,
    maxRegistrationsPerSession: 1024,
    maxInvocationsPerCallee: 1024,
    interruptTimeout: 1000,
    maxRetainedTopics: 1000,
    maxRetainedBytes: 8 * 1024 * 1024,
    maxTestamentBytes: 64 * 1024,
    agent: 'test-agent',
    logger: recordingLogger(),
    ...overrides,
  };
}
