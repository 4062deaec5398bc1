import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { WampAuthenticationRequest, WampIdentity } from '../../router/wamp-authenticator.interface.js';
import type { WampAuthMethod } from '../wamp-auth-method.interface.js';
import type { WampCryptosignAuthenticator } from '../wamp-authenticators.interface.js';
import {
  DEFAULT_AUTH_PROVIDER,
  authContextOf,
  authenticationFailed,
  checkAuthResult,
  decodeHex,
  helloAuthextra,
  helloAuthid,
  identityOf,
  noSuchPrincipal,
  safeEqual,
  type WampAuthMethodOptions,
} from './auth-method.utils.js';

/** DER header of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * A node:crypto public key from a raw Ed25519 key (32 bytes, or 64 hex characters as cryptosign sends
 * it); `undefined` when it is not one.
 */
export function cryptosignPublicKey(pubkey: string | Buffer): KeyObject | undefined {
  const raw = typeof pubkey === 'string' ? decodeHex(pubkey, 32) : pubkey;
  if (raw === undefined || raw.length !== 32) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/**
 * Verifies a cryptosign AUTHENTICATE.Signature against the challenge sent: hex of the 64-byte Ed25519
 * signature followed by the 32 bytes signed, which must be the challenge itself (no channel binding). Any
 * malformed input is simply `false`.
 */
export function verifyCryptosignSignature(
  publicKey: KeyObject,
  challenge: Buffer,
  signature: unknown,
): boolean {
  const signed = decodeHex(signature, 96);
  if (signed === undefined) return false;
  // Check the echoed message first (cheap), but without short-circuiting on its content byte by byte.
  const messageMatches = safeEqual(signed.subarray(64), challenge);
  let signatureValid: boolean;
  try {
    signatureValid = verify(null, challenge, publicKey, signed.subarray(0, 64));
  } catch {
    signatureValid = false;
  }
  return messageMatches && signatureValid;
}

/**
 * WAMP-Cryptosign client authentication (`cryptosign`, Ed25519), interoperable with Autobahn (Python, JS),
 * wampy and Crossbar:
 *
 * ```
 * HELLO        [1, realm, {authmethods: ['cryptosign'], authid?: 'client01',
 *                          authextra: {pubkey: '<64 hex chars>', channel_binding?: null}}]
 * CHALLENGE    [4, 'cryptosign', {challenge: '<32 random bytes, 64 lower-case hex chars>', channel_binding: null}]
 * AUTHENTICATE [5, hex(Ed25519 signature (64 bytes) || challenge (32 bytes)), {}]   (192 hex chars)
 * WELCOME      authid/authrole from WampCryptosignAuthenticator.getPrincipal(), authmethod 'cryptosign'
 * ```
 *
 * The authenticator receives the public key in lower-case hex and the requested authid (if any); it must
 * check that the key belongs to that authid. Refusals: missing or malformed `authextra.pubkey` ->
 * `wamp.error.no_such_principal` (missing) / `wamp.error.authentication_failed` (malformed); unknown key ->
 * `wamp.error.no_such_principal` (public keys are not secrets); TLS channel binding requested ->
 * `wamp.error.authentication_failed` (not supported: the transport does not expose the TLS channel ID); bad
 * signature -> `wamp.error.authentication_failed`. Router authentication (a client `authextra.challenge`)
 * and certificates/trustroots are not supported: they are ignored, no router signature is sent.
 */
export class CryptosignAuthMethod implements WampAuthMethod {
  readonly names = ['cryptosign'] as const;
  private readonly provider: string;

  constructor(
    private readonly authenticator: WampCryptosignAuthenticator,
    options: WampAuthMethodOptions = {},
  ) {
    this.provider = options.provider ?? DEFAULT_AUTH_PROVIDER;
  }

  async authenticate(request: WampAuthenticationRequest, authmethod: string): Promise<WampIdentity> {
    const authextra = helloAuthextra(request);
    const channelBinding = authextra.channel_binding;
    if (channelBinding !== undefined && channelBinding !== null) {
      // The spec lets a router drop the binding and carry on, but Autobahn clients then still sign
      // `challenge XOR channel_id` and fail obscurely; a client that asked for binding wants to know.
      throw authenticationFailed(
        `Cryptosign channel binding "${String(channelBinding)}" is not supported by this router; connect without channel_binding.`,
      );
    }
    if (authextra.pubkey === undefined || authextra.pubkey === null) {
      throw noSuchPrincipal('Cryptosign authentication needs HELLO.Details.authextra.pubkey.');
    }
    const rawKey = decodeHex(authextra.pubkey, 32);
    const publicKey = rawKey && cryptosignPublicKey(rawKey);
    if (rawKey === undefined || publicKey === undefined) {
      throw authenticationFailed(
        'HELLO.Details.authextra.pubkey must be an Ed25519 public key in hex (64 characters).',
      );
    }
    const pubkey = rawKey.toString('hex');

    const principal = await this.authenticator.getPrincipal(
      pubkey,
      helloAuthid(request),
      authContextOf(request),
    );
    if (principal === null || principal === undefined) {
      throw noSuchPrincipal('No principal for this public key.');
    }
    checkAuthResult(principal, 'WampCryptosignAuthenticator.getPrincipal()');
    if (typeof principal.authid !== 'string' || principal.authid === '') {
      throw new TypeError(
        'WampCryptosignAuthenticator.getPrincipal() returned a principal without an authid.',
      );
    }

    // 32 fresh random bytes per attempt: the signature cannot be replayed on another session.
    const challenge = randomBytes(32);
    const { signature } = await request.challenge(authmethod, {
      challenge: challenge.toString('hex'),
      channel_binding: null,
    });
    if (!verifyCryptosignSignature(publicKey, challenge, signature)) {
      throw authenticationFailed('Invalid cryptosign signature.');
    }
    return identityOf(principal, principal.authid, authmethod, this.provider);
  }
}
