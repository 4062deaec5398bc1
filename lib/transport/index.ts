export * from './wamp-client-session.interface.js';
export * from './wamp-error.mapper.js';
export * from './wamp-exception.filter.js';
export * from './wamp-result.js';
export * from './wamp-transport.constants.js';
export * from './wamp.context.js';
export * from './wamp.exception.js';
export * from './wamp.server.js';
