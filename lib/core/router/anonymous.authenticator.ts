import type { WampAuthenticator } from './wamp-authenticator.interface.js';

/**
 * Accepts every session as `anonymous`. The client's own `authid` / `authrole` in HELLO are never
 * trusted: the authid is derived from the session ID, the role is always `anonymous`.
 */
export const anonymousAuthenticator: WampAuthenticator = (request) =>
  Promise.resolve({
    authid: `anonymous-${request.sessionId}`,
    authrole: 'anonymous',
    authmethod: 'anonymous',
    authprovider: 'static',
  });
