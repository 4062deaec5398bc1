export * from './upgrade-router.js';
export * from './wamp-websocket-endpoint.js';
export * from './wamp.gateway.js';
export * from './websocket-connection.js';
