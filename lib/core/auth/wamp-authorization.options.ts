import type { WampMatchPolicy } from '../protocol/wamp-message.interface.js';
import type { WampAction } from '../router/wamp-authorizer.interface.js';
import type { WampClientSession } from '../router/wamp-client-session.js';
import type { WampAuthenticatorRef } from './wamp-realm-auth.options.js';

/**
 * Allows a role (or every role, `'*'`) some actions on the URIs a pattern matches.
 *
 * @example
 * { role: 'user', uri: 'docs.', match: 'prefix', allow: ['call', 'subscribe'] }
 */
export interface WampPermissionRule {
  readonly role: string;
  readonly uri: string;
  /** How `uri` matches: exact (default), prefix or wildcard (empty components match one component). */
  readonly match?: WampMatchPolicy;
  readonly allow: readonly WampAction[];
}

/** A request to authorize, as a dynamic authorizer sees it. */
export interface WampAuthorizationRequest {
  readonly session: WampClientSession;
  readonly action: WampAction;
  readonly uri: string;
}

/**
 * A dynamic authorizer (a Nest provider): decides per request, e.g. from a database. A Promise holds the
 * session's later messages until it settles, so keep it quick.
 */
export interface WampDynamicAuthorizer {
  authorize(request: WampAuthorizationRequest): boolean | Promise<boolean>;
}

/**
 * Who may call, register, subscribe and publish what in a realm. With `rules`, everything not allowed by a
 * rule is denied (ERROR `wamp.error.not_authorized`); with an `authorizer` too, a request must pass both.
 * Without `authorization`, everything is allowed (Nest guards can still refuse calls).
 */
export interface WampAuthorizationOptions {
  readonly rules?: readonly WampPermissionRule[];
  readonly authorizer?: WampAuthenticatorRef<WampDynamicAuthorizer>;
}
