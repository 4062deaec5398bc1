/**
 * The WAMP protocol layer, free of NestJS: message types, the typed message structures, decoding of
 * untrusted wire arrays into them and encoding back, URI and ID rules, IDs the router generates.
 */
export * from './id-generator.js';
export * from './message-decoder.js';
export * from './message-encoder.js';
export * from './message-type.enum.js';
export * from './quote-uri.js';
export * from './wamp-id.js';
export * from './wamp-message.interface.js';
export * from './wamp-payload.js';
export * from './wamp-protocol.error.js';
export * from './wamp-uri.js';
export * from './wamp-uris.js';
