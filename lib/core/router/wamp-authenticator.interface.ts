import type { HelloDetails, WampDict } from '../protocol/wamp-message.interface.js';
import type { WampTransportInfo } from './wamp-transport-info.interface.js';

/** The identity an authenticator grants a session; WELCOME.Details announces it. */
export interface WampIdentity {
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod: string;
  readonly authprovider: string;
  readonly authextra?: WampDict;
}

/** What the client answered to a CHALLENGE. */
export interface WampChallengeResponse {
  readonly signature: string;
  readonly extra: WampDict;
}

/** Everything an authenticator may look at, and the one thing it may do: challenge the client. */
export interface WampAuthenticationRequest {
  /** Realm the client asked to join (already known to exist). */
  readonly realm: string;
  /** Session ID the router will announce in WELCOME (WAMP-CRA signs it). */
  readonly sessionId: number;
  /** HELLO.Details as sent by the client: untrusted, in particular `authrole`. */
  readonly details: HelloDetails;
  /** The upgrade request and socket details. */
  readonly transport: WampTransportInfo;
  /** Sends CHALLENGE and resolves with the client's AUTHENTICATE; rejects when the session goes away. */
  challenge(authMethod: string, extra: WampDict): Promise<WampChallengeResponse>;
}

/**
 * Decides who a joining session is. Resolves with an identity, or rejects with a `WampAbortError`
 * naming the ABORT reason (`wamp.error.authentication_failed`, `wamp.error.no_matching_auth_method`, ...).
 *
 * The default accepts every session anonymously; issue-tracked authentication methods (ticket,
 * WAMP-CRA, cryptosign, SCRAM) plug in here.
 */
export type WampAuthenticator = (request: WampAuthenticationRequest) => Promise<WampIdentity>;
