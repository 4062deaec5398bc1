import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { WampDict } from '../../protocol/wamp-message.interface.js';
import type { WampAuthenticationRequest, WampIdentity } from '../../router/wamp-authenticator.interface.js';
import type { WampAuthMethod } from '../wamp-auth-method.interface.js';
import type { WampScramAuthenticator, WampScramCredentials } from '../wamp-authenticators.interface.js';
import {
  DEFAULT_AUTH_PROVIDER,
  authContextOf,
  authenticationFailed,
  checkAuthResult,
  decodeBase64,
  helloAuthextra,
  helloAuthid,
  identityOf,
  isBase64,
  noSuchPrincipal,
  safeEqual,
  type WampAuthMethodOptions,
} from './auth-method.utils.js';

/** Key derivation functions of WAMP-SCRAM credentials (spec spelling). */
export type ScramKdf = WampScramCredentials['kdf'];

/**
 * The two SCRAM dialects in the wild, named after the authmethod the client announces:
 * - `wamp-scram`: the WAMP spec (RFC 5802's AuthMessage, `c=biws`, WELCOME `authextra.verifier`);
 * - `scram`: Autobahn|Python and Crossbar (`c=` empty, WELCOME `authextra.scram_server_signature`,
 *   kdf spelled `argon2id-13`).
 */
export type ScramDialect = 'wamp-scram' | 'scram';

/** What {@link deriveScramCredentials} computes: everything a principal's record needs but its role. */
export interface ScramDerivedCredentials {
  readonly kdf: 'pbkdf2';
  /** Base64 salt. */
  readonly salt: string;
  readonly iterations: number;
  /** Base64 StoredKey = SHA-256(ClientKey). */
  readonly storedKey: string;
  /** Base64 ServerKey = HMAC(SaltedPassword, "Server Key"). */
  readonly serverKey: string;
}

/** Options of {@link deriveScramCredentials}. */
export interface DeriveScramCredentialsOptions {
  /** Only `pbkdf2` (PBKDF2-HMAC-SHA256): node:crypto has no Argon2 before Node 24. */
  readonly kdf?: 'pbkdf2';
  /** PBKDF2 iterations; default 4096, the minimum RFC 7677 recommends. Clients pay this at every login. */
  readonly iterations?: number;
  /** Salt bytes, or a base64 string; default 16 random bytes. Use a different random salt per user. */
  readonly salt?: Buffer | string;
}

/** PBKDF2 iteration count of derived credentials and of mock challenges, unless set. */
const DEFAULT_ITERATIONS = 4096;
/** Bytes of the server's part of the nonce (the spec recommends 16). */
const SERVER_NONCE_BYTES = 16;
/** Longest client nonce accepted (base64 characters); the spec recommends 16 bytes (24 characters). */
const MAX_CLIENT_NONCE = 256;

/**
 * Derives WAMP-SCRAM credentials from a password, for the application to store instead of the password:
 * SaltedPassword = PBKDF2-HMAC-SHA256(SASLprep(password), salt, iterations, 32), ClientKey =
 * HMAC(SaltedPassword, "Client Key"), StoredKey = SHA-256(ClientKey), ServerKey = HMAC(SaltedPassword,
 * "Server Key"). Synchronous (it runs the KDF): call it when a password is set, not per login.
 *
 * Argon2id (`argon2id13`) credentials cannot be derived here (node:crypto has no Argon2 on Node 20/22), but
 * {@link ScramAuthMethod} accepts them: the router never runs the KDF, it only needs StoredKey/ServerKey.
 *
 * @example
 * const { kdf, salt, iterations, storedKey, serverKey } = deriveScramCredentials('s3cret', { iterations: 100_000 });
 */
export function deriveScramCredentials(
  password: string,
  options: DeriveScramCredentialsOptions = {},
): ScramDerivedCredentials {
  const kdf: string = options.kdf ?? 'pbkdf2';
  if (kdf !== 'pbkdf2') {
    throw new Error(
      `deriveScramCredentials() supports kdf "pbkdf2" only, not "${kdf}": node:crypto has no Argon2. ` +
        'Derive argon2id13 credentials elsewhere (e.g. Autobahn|Python derive_scram_credential) and store them base64-encoded.',
    );
  }
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new TypeError(`SCRAM iterations must be a positive integer (got ${String(iterations)}).`);
  }
  let salt: Buffer;
  if (options.salt === undefined) {
    salt = randomBytes(16);
  } else if (typeof options.salt === 'string') {
    const decoded = decodeBase64(options.salt);
    if (decoded === undefined || decoded.length === 0) {
      throw new TypeError('A string salt must be non-empty canonical base64; pass a Buffer for raw bytes.');
    }
    salt = decoded;
  } else {
    salt = options.salt;
  }
  // The spec normalizes passwords with SASLprep before the KDF (so "I\u00ADX" and "IX" are the same password).
  const saltedPassword = pbkdf2Sync(Buffer.from(saslprep(password), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = hmac(saltedPassword, 'Client Key');
  return {
    kdf: 'pbkdf2',
    salt: salt.toString('base64'),
    iterations,
    storedKey: createHash('sha256').update(clientKey).digest('base64'),
    serverKey: hmac(saltedPassword, 'Server Key').toString('base64'),
  };
}

/** Inputs of the SCRAM AuthMessage, as they travelled in HELLO and CHALLENGE. */
export interface ScramAuthMessageParameters {
  readonly dialect: ScramDialect;
  /** HELLO.Details.authid. */
  readonly authid: string;
  /** HELLO.Details.authextra.nonce. */
  readonly clientNonce: string;
  /** CHALLENGE.Extra.nonce (client nonce followed by the server's). */
  readonly nonce: string;
  /** CHALLENGE.Extra.salt (base64, as sent). */
  readonly salt: string;
  readonly iterations: number;
}

/**
 * The SCRAM AuthMessage = client-first-bare "," server-first "," client-final-without-proof, without
 * channel binding:
 * - `wamp-scram` (spec, RFC 5802 section 7): `n=<Escape(authid)>,r=<client nonce>,r=<nonce>,s=<salt>,i=<iterations>,c=biws,r=<nonce>`
 *   (`biws` = base64("n,,"): no channel binding), so RFC 7677's test vector applies unchanged;
 * - `scram` (Crossbar `router/auth/scram.py`, Autobahn `AuthScram`): `n=<SASLprep(authid)>,r=...,c=,r=<nonce>`.
 */
export function scramAuthMessage(parameters: ScramAuthMessageParameters): string {
  const { dialect, authid, clientNonce, nonce, salt, iterations } = parameters;
  const username = dialect === 'scram' ? saslprep(authid) : authid.replace(/=/g, '=3D').replace(/,/g, '=2C');
  const channelBinding = dialect === 'scram' ? '' : Buffer.from('n,,').toString('base64');
  return `n=${username},r=${clientNonce},r=${nonce},s=${salt},i=${iterations},c=${channelBinding},r=${nonce}`;
}

/**
 * Checks a SCRAM ClientProof the server way (it never sees the password): ClientSignature =
 * HMAC(StoredKey, AuthMessage), ClientKey = ClientProof XOR ClientSignature, then SHA-256(ClientKey) must
 * equal StoredKey (constant-time). Returns the ServerSignature = HMAC(ServerKey, AuthMessage) the client
 * checks in WELCOME, or `undefined` when the proof is wrong.
 */
export function verifyScramClientProof(
  keys: { readonly storedKey: Buffer; readonly serverKey: Buffer },
  authMessage: string,
  clientProof: Buffer,
): Buffer | undefined {
  const clientSignature = hmac(keys.storedKey, authMessage);
  if (clientProof.length !== clientSignature.length) return undefined;
  const clientKey = Buffer.alloc(clientSignature.length);
  for (let i = 0; i < clientKey.length; i++) clientKey[i] = clientProof[i] ^ clientSignature[i];
  const recoveredStoredKey = createHash('sha256').update(clientKey).digest();
  return safeEqual(recoveredStoredKey, keys.storedKey) ? hmac(keys.serverKey, authMessage) : undefined;
}

/**
 * SASLprep (RFC 4013) as far as it changes a string: non-ASCII spaces (RFC 3454 table C.1.2) become
 * U+0020, "commonly mapped to nothing" characters (table B.1) are removed, then NFKC. Prohibited and
 * bidirectional characters are not rejected: a name or password using them simply will not match.
 */
export function saslprep(value: string): string {
  let mapped = '';
  for (const character of value) {
    const code = character.codePointAt(0)!;
    // B.1 first: U+200B is in both tables, and passlib's saslprep (Autobahn, Crossbar) drops it.
    if (MAPPED_TO_NOTHING.has(code)) continue;
    mapped += NON_ASCII_SPACES.has(code) ? ' ' : character;
  }
  return mapped.normalize('NFKC');
}

/** RFC 3454 table C.1.2 (non-ASCII space characters). */
const NON_ASCII_SPACES = new Set([
  0x00a0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x200b, 0x202f, 0x205f, 0x3000,
]);

/** RFC 3454 table B.1 (commonly mapped to nothing). */
const MAPPED_TO_NOTHING = new Set([
  0x00ad, 0x034f, 0x1806, 0x180b, 0x180c, 0x180d, 0x200b, 0x200c, 0x200d, 0x2060, 0xfe00, 0xfe01, 0xfe02,
  0xfe03, 0xfe04, 0xfe05, 0xfe06, 0xfe07, 0xfe08, 0xfe09, 0xfe0a, 0xfe0b, 0xfe0c, 0xfe0d, 0xfe0e, 0xfe0f,
  0xfeff,
]);

/** Options of {@link ScramAuthMethod}. */
export interface ScramAuthMethodOptions extends WampAuthMethodOptions {
  /**
   * What an authid the application does not know gets:
   * - `challenge` (default, as the spec suggests): a mock CHALLENGE whose salt is always the same for that
   *   authid, then `wamp.error.authentication_failed` as for a wrong password, so the exchange does not tell
   *   whether the authid exists;
   * - `abort`: `wamp.error.no_such_principal` at once (what Crossbar does).
   */
  readonly unknownPrincipal?: 'challenge' | 'abort';
  /** KDF parameters mock challenges announce: make them match your real users' (default pbkdf2, 4096). */
  readonly mockParameters?: { readonly kdf: ScramKdf; readonly iterations: number; readonly memory?: number };
  /**
   * Key mock salts are derived from (HMAC of the authid). Default: random per process, so mock salts change
   * when the process restarts while real ones do not; set a stable secret to avoid that tell.
   */
  readonly mockSecret?: string | Buffer;
}

/** Credentials checked and decoded. */
interface ScramKeys {
  readonly kdf: ScramKdf;
  readonly salt: string;
  readonly iterations: number;
  readonly memory?: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/**
 * WAMP-SCRAM (SCRAM-SHA-256), under both names: `wamp-scram` (the WAMP spec) and `scram` (Autobahn|Python
 * and Crossbar). The name the client announced selects the dialect ({@link ScramDialect}).
 *
 * ```
 * HELLO        [1, realm, {authmethods: ['wamp-scram'], authid: 'user',
 *                          authextra: {nonce: '<base64 client nonce>', channel_binding: null}}]
 * CHALLENGE    wamp-scram: [4, 'wamp-scram', {nonce: clientNonce + base64(16 random bytes), salt: '<base64>',
 *                          kdf: 'pbkdf2' | 'argon2id13', iterations: 4096, memory: null | <KiB>}]
 *              scram:      [4, 'scram', {nonce, salt, kdf: 'pbkdf2' | 'argon2id-13', iterations, memory?}]
 *                          (memory only for Argon2: Autobahn|Python rejects null and unknown keys)
 * AUTHENTICATE [5, base64(ClientProof), {nonce?: <CHALLENGE nonce>, channel_binding?: null, cbind_data?: null}]
 * WELCOME      authextra: {...application authextra, verifier: base64(ServerSignature),
 *                          scram_server_signature: base64(ServerSignature)}
 * ```
 *
 * Both WELCOME keys carry the same value: `verifier` is the spec's, `scram_server_signature` is what
 * Autobahn|Python reads. The AuthMessage is built by {@link scramAuthMessage}.
 *
 * Refusals: no authid -> `wamp.error.no_such_principal`; missing/malformed client nonce, channel binding
 * requested (not supported: the transport does not expose TLS channel data), AUTHENTICATE nonce or channel
 * binding not matching, malformed or wrong proof -> `wamp.error.authentication_failed`; unknown authid -> see
 * {@link ScramAuthMethodOptions.unknownPrincipal}.
 */
export class ScramAuthMethod implements WampAuthMethod {
  readonly names = ['wamp-scram', 'scram'] as const;
  private readonly provider: string;
  private readonly unknownPrincipal: 'challenge' | 'abort';
  private readonly mockParameters: {
    readonly kdf: ScramKdf;
    readonly iterations: number;
    readonly memory?: number;
  };
  private readonly mockSecret: Buffer;

  constructor(
    private readonly authenticator: WampScramAuthenticator,
    options: ScramAuthMethodOptions = {},
  ) {
    this.provider = options.provider ?? DEFAULT_AUTH_PROVIDER;
    this.unknownPrincipal = options.unknownPrincipal ?? 'challenge';
    this.mockParameters = options.mockParameters ?? { kdf: 'pbkdf2', iterations: DEFAULT_ITERATIONS };
    if (this.mockParameters.kdf === 'argon2id13' && this.mockParameters.memory === undefined) {
      throw new TypeError('ScramAuthMethod mockParameters with kdf argon2id13 need memory (KiB).');
    }
    this.mockSecret =
      options.mockSecret === undefined
        ? randomBytes(32)
        : typeof options.mockSecret === 'string'
          ? Buffer.from(options.mockSecret, 'utf8')
          : options.mockSecret;
  }

  async authenticate(request: WampAuthenticationRequest, authmethod: string): Promise<WampIdentity> {
    const dialect: ScramDialect = authmethod === 'scram' ? 'scram' : 'wamp-scram';
    const authid = helloAuthid(request);
    if (authid === undefined) {
      throw noSuchPrincipal('SCRAM authentication needs HELLO.Details.authid.');
    }
    const authextra = helloAuthextra(request);
    if (authextra.channel_binding !== undefined && authextra.channel_binding !== null) {
      // The spec: the server MUST abort when it does not support the requested channel binding type.
      throw authenticationFailed(
        `SCRAM channel binding "${String(authextra.channel_binding)}" is not supported by this router; connect without channel_binding.`,
      );
    }
    const clientNonce = authextra.nonce;
    if (!isBase64(clientNonce) || clientNonce === '' || clientNonce.length > MAX_CLIENT_NONCE) {
      throw authenticationFailed('SCRAM needs HELLO.Details.authextra.nonce: random bytes in base64.');
    }

    const credentials = await this.authenticator.getCredentials(authid, authContextOf(request));
    if ((credentials === null || credentials === undefined) && this.unknownPrincipal === 'abort') {
      throw noSuchPrincipal('No such principal.');
    }
    const keys = credentials ? scramKeysOf(credentials) : this.mockKeys(authid);

    // The spec's nonce: the client's, then ours (as text, so the client can check the prefix).
    const nonce = clientNonce + randomBytes(SERVER_NONCE_BYTES).toString('base64');
    const response = await request.challenge(authmethod, challengeExtra(dialect, keys, nonce));

    const extra = response.extra ?? {};
    // The nonce is also bound through the AuthMessage; checking it here just gives a clearer refusal.
    if (extra.nonce !== undefined && extra.nonce !== nonce) {
      throw authenticationFailed('AUTHENTICATE.Extra.nonce does not match the CHALLENGE nonce.');
    }
    if (
      (extra.channel_binding !== undefined && extra.channel_binding !== null) ||
      (extra.cbind_data !== undefined && extra.cbind_data !== null)
    ) {
      throw authenticationFailed(
        'AUTHENTICATE.Extra announces a channel binding that HELLO did not request.',
      );
    }
    const clientProof = decodeBase64(response.signature, 32);
    if (clientProof === undefined) {
      throw authenticationFailed('Invalid SCRAM client proof.');
    }
    const authMessage = scramAuthMessage({
      dialect,
      authid,
      clientNonce,
      nonce,
      salt: keys.salt,
      iterations: keys.iterations,
    });
    // Mock keys are random: verification runs (same cost) and fails.
    const serverSignature = verifyScramClientProof(keys, authMessage, clientProof);
    if (!credentials || serverSignature === undefined) {
      throw authenticationFailed('Invalid SCRAM client proof.');
    }
    const verifier = serverSignature.toString('base64');
    const welcomeExtra: WampDict = { ...credentials.authextra, verifier, scram_server_signature: verifier };
    return identityOf(credentials, authid, authmethod, this.provider, welcomeExtra);
  }

  /** Stand-in credentials for an unknown authid: a salt stable per authid, keys nobody can match. */
  private mockKeys(authid: string): ScramKeys {
    const salt = createHmac('sha256', this.mockSecret)
      .update(`wamp-scram mock salt\u0000${authid}`, 'utf8')
      .digest()
      .subarray(0, 16)
      .toString('base64');
    return { ...this.mockParameters, salt, storedKey: randomBytes(32), serverKey: randomBytes(32) };
  }
}

/** CHALLENGE.Extra in the client's dialect (Autobahn|Python refuses keys it does not know and `memory: null`). */
function challengeExtra(dialect: ScramDialect, keys: ScramKeys, nonce: string): WampDict {
  if (dialect === 'scram') {
    return {
      nonce,
      salt: keys.salt,
      kdf: keys.kdf === 'argon2id13' ? 'argon2id-13' : keys.kdf,
      iterations: keys.iterations,
      ...(keys.memory !== undefined ? { memory: keys.memory } : {}),
    };
  }
  return { nonce, salt: keys.salt, kdf: keys.kdf, iterations: keys.iterations, memory: keys.memory ?? null };
}

/** Checks and decodes what the application stored; a malformed record is an application bug (TypeError). */
function scramKeysOf(credentials: WampScramCredentials): ScramKeys {
  const where = 'WampScramAuthenticator.getCredentials()';
  checkAuthResult(credentials, where);
  if (credentials.kdf !== 'pbkdf2' && credentials.kdf !== 'argon2id13') {
    throw new TypeError(
      `${where} returned kdf "${String(credentials.kdf)}"; expected "pbkdf2" or "argon2id13".`,
    );
  }
  if (!isBase64(credentials.salt) || credentials.salt === '') {
    throw new TypeError(`${where} returned a salt that is not base64.`);
  }
  if (!Number.isSafeInteger(credentials.iterations) || credentials.iterations < 1) {
    throw new TypeError(`${where} returned iterations that are not a positive integer.`);
  }
  if (
    credentials.kdf === 'argon2id13' &&
    (!Number.isSafeInteger(credentials.memory) || (credentials.memory as number) < 1)
  ) {
    throw new TypeError(`${where} returned argon2id13 credentials without a positive integer memory (KiB).`);
  }
  const storedKey = decodeBase64(credentials.storedKey, 32);
  const serverKey = decodeBase64(credentials.serverKey, 32);
  if (storedKey === undefined || serverKey === undefined) {
    throw new TypeError(`${where} returned storedKey/serverKey that are not base64 of 32 bytes.`);
  }
  return {
    kdf: credentials.kdf,
    salt: credentials.salt,
    iterations: credentials.iterations,
    ...(credentials.kdf === 'argon2id13' ? { memory: credentials.memory } : {}),
    storedKey,
    serverKey,
  };
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
