import type { WampAuthenticationRequest, WampIdentity } from '../router/wamp-authenticator.interface.js';

/**
 * One authentication method of a realm (ticket, WAMP-CRA, cryptosign, SCRAM, ...): runs the method's
 * exchange for one joining session through `request.challenge()` and resolves with the identity, or rejects
 * with a `WampAbortError` naming the ABORT reason (`wamp.error.authentication_failed`,
 * `wamp.error.no_such_principal`, ...). Messages must not help an attacker (no "wrong password" vs
 * "unknown user" distinction beyond the spec's URIs), and secrets are compared in constant time.
 */
export interface WampAuthMethod {
  /** Names the method answers to in HELLO.Details.authmethods, e.g. `['wamp-scram', 'scram']`. */
  readonly names: readonly string[];
  /** Authenticates one session; `authmethod` is the name the client used. */
  authenticate(request: WampAuthenticationRequest, authmethod: string): Promise<WampIdentity>;
}
