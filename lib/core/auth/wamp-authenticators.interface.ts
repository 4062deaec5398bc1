import type { WampTransportInfo } from '../router/wamp-transport-info.interface.js';
import type { HelloDetails } from '../protocol/wamp-message.interface.js';
import type { WampAuthResult } from './wamp-auth-result.interface.js';

/** What application authenticators are told about the joining session. */
export interface WampAuthContext {
  readonly realm: string;
  readonly sessionId: number;
  /** HELLO.Details as sent (untrusted). */
  readonly details: HelloDetails;
  /** Upgrade request headers, cookies, remote address, TLS. */
  readonly transport: WampTransportInfo;
}

/**
 * Ticket authentication: the client sends a secret ticket (a password or token) in AUTHENTICATE.
 * Implement it as a Nest provider (e.g. looking the user up in a database). Return `null` to refuse.
 */
export interface WampTicketAuthenticator {
  verifyTicket(authid: string, ticket: string, context: WampAuthContext): Promise<WampAuthResult | null>;
}

/** The secret of a WAMP-CRA principal: the shared secret, or for salted WAMP-CRA the password with PBKDF2 parameters. */
export interface WampCraSecret extends WampAuthResult {
  /** The shared secret (unsalted) or the password (salted). */
  readonly secret: string;
  readonly salt?: string;
  readonly iterations?: number;
  readonly keylen?: number;
}

/** WAMP-CRA: challenge-response with an HMAC-SHA256 over a router challenge. Return `null` for an unknown authid. */
export interface WampCraAuthenticator {
  getSecret(authid: string, context: WampAuthContext): Promise<WampCraSecret | null>;
}

/** The principal a cryptosign public key belongs to. */
export interface WampCryptosignPrincipal extends WampAuthResult {
  readonly authid: string;
}

/**
 * Cryptosign (Ed25519): the client proves it holds the private key of `pubkey` (hex) by signing a random
 * challenge. Return the principal the key belongs to, or `null` for an unknown key.
 */
export interface WampCryptosignAuthenticator {
  getPrincipal(
    pubkey: string,
    authid: string | undefined,
    context: WampAuthContext,
  ): Promise<WampCryptosignPrincipal | null>;
}

/** Stored SCRAM credentials of a principal (never the password): see `deriveScramCredentials()`. */
export interface WampScramCredentials extends WampAuthResult {
  readonly kdf: 'pbkdf2' | 'argon2id13';
  /** Base64 salt. */
  readonly salt: string;
  readonly iterations: number;
  /** argon2id memory cost in KiB. */
  readonly memory?: number;
  /** Base64 StoredKey = H(ClientKey). */
  readonly storedKey: string;
  /** Base64 ServerKey. */
  readonly serverKey: string;
}

/** SCRAM (`wamp-scram` / `scram`): return the stored credentials of `authid`, or `null` when unknown. */
export interface WampScramAuthenticator {
  getCredentials(authid: string, context: WampAuthContext): Promise<WampScramCredentials | null>;
}

/**
 * Transport authentication: decides from the upgrade request alone (a session cookie, a bearer token, a
 * client certificate) without any CHALLENGE. Return `null` to fall through to the HELLO's auth methods.
 */
export interface WampTransportAuthenticator {
  /** `authmethod` announced in WELCOME for sessions it admits, e.g. `cookie` or `tls`. */
  readonly authmethod: string;
  authenticateTransport(context: WampAuthContext): Promise<WampAuthResult | null>;
}
