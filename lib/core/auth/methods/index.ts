export * from './cryptosign.auth-method.js';
export * from './scram.auth-method.js';
export * from './ticket.auth-method.js';
export * from './wampcra.auth-method.js';
export { DEFAULT_AUTH_PROVIDER, type WampAuthMethodOptions } from './auth-method.utils.js';
