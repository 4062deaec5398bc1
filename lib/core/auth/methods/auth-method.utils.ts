import { timingSafeEqual } from 'node:crypto';
import type { WampDict } from '../../protocol/wamp-message.interface.js';
import { WampErrorUri } from '../../protocol/wamp-uris.js';
import { WampAbortError } from '../../router/wamp-abort.error.js';
import type { WampAuthenticationRequest, WampIdentity } from '../../router/wamp-authenticator.interface.js';
import type { WampAuthResult } from '../wamp-auth-result.interface.js';
import type { WampAuthContext } from '../wamp-authenticators.interface.js';

/** Options every built-in authentication method accepts. */
export interface WampAuthMethodOptions {
  /**
   * `authprovider` announced in WELCOME (and, for WAMP-CRA, signed inside the challenge).
   * Default `application`: the identity comes from the application's authenticator.
   */
  readonly provider?: string;
}

/** The `authprovider` used when {@link WampAuthMethodOptions.provider} is not set. */
export const DEFAULT_AUTH_PROVIDER = 'application';

/**
 * Shared plumbing of the built-in methods. Internal: not part of the package's public API.
 * @internal
 */
export function authContextOf(request: WampAuthenticationRequest): WampAuthContext {
  return {
    realm: request.realm,
    sessionId: request.sessionId,
    details: request.details,
    transport: request.transport,
  };
}

/** ABORT `wamp.error.authentication_failed`: wrong credentials, malformed answers, unsupported options. */
export function authenticationFailed(message: string): WampAbortError {
  return new WampAbortError(WampErrorUri.AUTHENTICATION_FAILED, message);
}

/** ABORT `wamp.error.no_such_principal`: the client did not say who it is, or the application does not know it. */
export function noSuchPrincipal(message: string): WampAbortError {
  return new WampAbortError(WampErrorUri.NO_SUCH_PRINCIPAL, message);
}

/** HELLO.Details.authid when it is a non-empty string (the decoder does not type-check HELLO.Details). */
export function helloAuthid(request: WampAuthenticationRequest): string | undefined {
  const authid: unknown = request.details.authid;
  return typeof authid === 'string' && authid !== '' ? authid : undefined;
}

/** HELLO.Details.authextra as a plain dictionary (empty when absent or not a dictionary). */
export function helloAuthextra(request: WampAuthenticationRequest): WampDict {
  const authextra: unknown = request.details.authextra;
  return typeof authextra === 'object' && authextra !== null && !Array.isArray(authextra)
    ? (authextra as WampDict)
    : {};
}

/**
 * Checks what an application authenticator returned. A malformed result is a bug in the application, not
 * the client's fault: it throws a plain `TypeError`, which the session logs before sending a generic
 * `wamp.error.authentication_failed`.
 */
export function checkAuthResult(result: WampAuthResult, authenticator: string): void {
  if (typeof result !== 'object' || result === null) {
    throw new TypeError(`${authenticator} returned ${String(result)} instead of a result or null.`);
  }
  if (typeof result.authrole !== 'string' || result.authrole === '') {
    throw new TypeError(`${authenticator} returned a result without an authrole.`);
  }
  if (result.authid !== undefined && (typeof result.authid !== 'string' || result.authid === '')) {
    throw new TypeError(`${authenticator} returned an authid that is not a non-empty string.`);
  }
  if (
    result.authextra !== undefined &&
    (typeof result.authextra !== 'object' || result.authextra === null || Array.isArray(result.authextra))
  ) {
    throw new TypeError(`${authenticator} returned an authextra that is not a dictionary.`);
  }
}

/**
 * The identity WELCOME announces. The role always comes from the application's result: HELLO.Details.authrole
 * is the client's wish and is never read here.
 */
export function identityOf(
  result: WampAuthResult,
  fallbackAuthid: string,
  authmethod: string,
  authprovider: string,
  authextra: WampDict | undefined = result.authextra,
): WampIdentity {
  return {
    authid: result.authid ?? fallbackAuthid,
    authrole: result.authrole,
    authmethod,
    authprovider,
    ...(authextra !== undefined ? { authextra } : {}),
  };
}

/**
 * Constant-time comparison of two byte strings. `crypto.timingSafeEqual` throws on different lengths, and
 * returning early would tell an attacker the expected length; compare `a` with itself instead so both
 * paths cost the same, then report the mismatch.
 */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
// Canonical base64 (RFC 4648 section 4, padded, no whitespace). Node's decoder silently skips characters
// outside the alphabet, so strings are checked before they are decoded.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes hex of exactly `bytes` bytes (either case); `undefined` for anything else. */
export function decodeHex(value: unknown, bytes: number): Buffer | undefined {
  if (typeof value !== 'string' || value.length !== bytes * 2 || !HEX.test(value)) return undefined;
  return Buffer.from(value, 'hex');
}

/** Whether `value` is canonical, padded base64 (possibly empty). */
export function isBase64(value: unknown): value is string {
  return typeof value === 'string' && value.length % 4 === 0 && BASE64.test(value);
}

/** Decodes canonical base64, optionally of exactly `bytes` bytes; `undefined` for anything else. */
export function decodeBase64(value: unknown, bytes?: number): Buffer | undefined {
  if (!isBase64(value)) return undefined;
  const decoded = Buffer.from(value, 'base64');
  return bytes === undefined || decoded.length === bytes ? decoded : undefined;
}
