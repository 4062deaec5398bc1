export * from './realm-authenticator.factory.js';
export * from './wamp-auth-method.interface.js';
export * from './wamp-auth-result.interface.js';
export * from './wamp-authenticators.interface.js';
export * from './wamp-realm-auth.options.js';
export * from './realm-authorizer.factory.js';
export * from './wamp-authorization.options.js';
export * from './methods/index.js';
