import { createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { WampAuthenticationRequest, WampIdentity } from '../../router/wamp-authenticator.interface.js';
import type { WampAuthMethod } from '../wamp-auth-method.interface.js';
import type { WampCraAuthenticator, WampCraSecret } from '../wamp-authenticators.interface.js';
import {
  DEFAULT_AUTH_PROVIDER,
  authContextOf,
  authenticationFailed,
  checkAuthResult,
  helloAuthid,
  identityOf,
  noSuchPrincipal,
  safeEqual,
  type WampAuthMethodOptions,
} from './auth-method.utils.js';

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2 parameters Autobahn's `derive_key()` (Python and JS) uses when a salt comes without them. */
const DEFAULT_ITERATIONS = 1000;
const DEFAULT_KEYLEN = 32;

/**
 * The WAMP-CRA key of a salted secret, exactly as Autobahn's `auth.derive_key()` computes it:
 * base64(PBKDF2-HMAC-SHA256(secret, salt, iterations, keylen)), with `secret` and `salt` taken as UTF-8 text
 * (the salt is *not* base64-decoded). The HMAC key is then this base64 *text*, not the bytes it encodes.
 * Store it if you want to keep only derived keys; clients compute it from the password and CHALLENGE.Extra.
 *
 * @example
 * deriveWampCraKey('secret123', 'salt123', 1000, 32); // what a client holding 'secret123' signs with
 */
export async function deriveWampCraKey(
  secret: string,
  salt: string,
  iterations = DEFAULT_ITERATIONS,
  keylen = DEFAULT_KEYLEN,
): Promise<string> {
  checkPbkdf2Parameters(iterations, keylen);
  // Asynchronous PBKDF2: it runs on libuv's thread pool instead of blocking the event loop.
  const key = await pbkdf2Async(
    Buffer.from(secret, 'utf8'),
    Buffer.from(salt, 'utf8'),
    iterations,
    keylen,
    'sha256',
  );
  return key.toString('base64');
}

/**
 * A WAMP-CRA signature as Autobahn's `auth.compute_wcs()` computes it: base64(HMAC-SHA256(key, challenge)),
 * key and challenge as UTF-8 text. `key` is the shared secret, or {@link deriveWampCraKey}'s result.
 */
export function computeWampCraSignature(key: string, challenge: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(challenge, 'utf8').digest('base64');
}

/**
 * WAMP Challenge-Response Authentication (`wampcra`), interoperable with Autobahn (Python, JS), wampy and
 * Crossbar:
 *
 * ```
 * HELLO        [1, realm, {authmethods: ['wampcra'], authid: 'peter'}]
 * CHALLENGE    [4, 'wampcra', {challenge: '{"authid":"peter","authrole":"user","authmethod":"wampcra",
 *                 "authprovider":"application","nonce":"...","timestamp":"2014-06-22T16:36:25.448Z",
 *                 "session":3251278072152162}'}]
 *              salted secrets add: salt (string), iterations (int), keylen (int)
 * AUTHENTICATE [5, base64(HMAC-SHA256(key, challenge)), {}]
 *              key = secret, or for salted secrets deriveWampCraKey(secret, salt, iterations, keylen)
 * WELCOME      authid/authrole from the application, authmethod 'wampcra'
 * ```
 *
 * Refusals: no authid in HELLO, or `getSecret()` returning `null` -> `wamp.error.no_such_principal`, before
 * any CHALLENGE (as Crossbar does). Hiding unknown authids behind a mock challenge would not help here: the
 * spec makes the challenge carry the principal's authrole, which a mock could not fake convincingly. A
 * wrong or malformed signature -> `wamp.error.authentication_failed`.
 */
export class WampCraAuthMethod implements WampAuthMethod {
  readonly names = ['wampcra'] as const;
  private readonly provider: string;

  constructor(
    private readonly authenticator: WampCraAuthenticator,
    options: WampAuthMethodOptions = {},
  ) {
    this.provider = options.provider ?? DEFAULT_AUTH_PROVIDER;
  }

  async authenticate(request: WampAuthenticationRequest, authmethod: string): Promise<WampIdentity> {
    const clientAuthid = helloAuthid(request);
    if (clientAuthid === undefined) {
      throw noSuchPrincipal('WAMP-CRA authentication needs HELLO.Details.authid.');
    }
    const principal = await this.authenticator.getSecret(clientAuthid, authContextOf(request));
    if (principal === null || principal === undefined) {
      throw noSuchPrincipal('No such principal.');
    }
    checkAuthResult(principal, 'WampCraAuthenticator.getSecret()');
    if (typeof principal.secret !== 'string' || principal.secret === '') {
      throw new TypeError('WampCraAuthenticator.getSecret() returned a principal without a secret.');
    }

    // The challenge names the identity the client will get, so a third party asked to sign it (the spec's
    // three-legged case) knows what it vouches for; it also binds the signature to this session ID.
    const challenge = JSON.stringify({
      authid: principal.authid ?? clientAuthid,
      authrole: principal.authrole,
      authmethod,
      authprovider: this.provider,
      nonce: randomBytes(48).toString('base64url'),
      timestamp: new Date().toISOString(),
      session: request.sessionId,
    });
    const { extra, key } = await challengeParameters(principal);
    const expected = computeWampCraSignature(key, challenge);

    const { signature } = await request.challenge(authmethod, { challenge, ...extra });
    // Compare the base64 text as sent (as Crossbar does), in constant time.
    if (
      typeof signature !== 'string' ||
      !safeEqual(Buffer.from(signature, 'utf8'), Buffer.from(expected, 'utf8'))
    ) {
      throw authenticationFailed('Invalid WAMP-CRA signature.');
    }
    return identityOf(principal, clientAuthid, authmethod, this.provider);
  }
}

/** CHALLENGE.Extra beside `challenge`, and the HMAC key both sides use. */
async function challengeParameters(
  principal: WampCraSecret,
): Promise<{ extra: Record<string, string | number>; key: string }> {
  if (principal.salt === undefined || principal.salt === null) {
    return { extra: {}, key: principal.secret };
  }
  if (typeof principal.salt !== 'string') {
    throw new TypeError('WampCraAuthenticator.getSecret() returned a salt that is not a string.');
  }
  // Autobahn|Python indexes `iterations` and `keylen` whenever a salt is present, so always send all three.
  const iterations = principal.iterations ?? DEFAULT_ITERATIONS;
  const keylen = principal.keylen ?? DEFAULT_KEYLEN;
  const key = await deriveWampCraKey(principal.secret, principal.salt, iterations, keylen);
  return { extra: { salt: principal.salt, iterations, keylen }, key };
}

function checkPbkdf2Parameters(iterations: number, keylen: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new TypeError(`WAMP-CRA iterations must be a positive integer (got ${String(iterations)}).`);
  }
  // Note: Autobahn|JS derives keylen / 4 32-bit words, so its clients need keylen to be a multiple of 4.
  if (!Number.isSafeInteger(keylen) || keylen < 1 || keylen > 1024) {
    throw new TypeError(`WAMP-CRA keylen must be an integer in [1, 1024] (got ${String(keylen)}).`);
  }
}
