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
export * from './auth/index.js';
export * from './protocol/index.js';
export * from './router/index.js';
export * from './serializers/index.js';
