export * from '../websocket/upgrade-router.js';
export * from '../websocket/wamp-websocket-endpoint.js';
export * from './wamp.gateway.js';
export * from '../websocket/websocket-connection.js';
