/**
 * nestjs-wamp: a NestJS application as a WAMP v2 router.
 *
 * The public API: the module and its options, the Nest-free router core (protocol, serializers,
 * sessions, broker, dealer) for tests and other adapters, and the WebSocket gateway.
 */
export * from './core/index.js';
export * from './decorators/index.js';
export * from './gateway/index.js';
export * from './interfaces/wamp-module-options.interface.js';
export * from './transport/index.js';
export * from './wamp-options.resolver.js';
export * from './wamp.constants.js';
export * from './wamp.module.js';
