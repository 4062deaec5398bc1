import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import {
  CryptosignAuthMethod,
  cryptosignPublicKey,
  verifyCryptosignSignature,
} from '../../../lib/core/auth/methods/cryptosign.auth-method.js';
import type {
  WampCryptosignAuthenticator,
  WampCryptosignPrincipal,
} from '../../../lib/core/auth/wamp-authenticators.interface.js';
import { WampAbortError } from '../../../lib/core/router/wamp-abort.error.js';
import { abortOf, fakeAuthRequest, type ChallengeAnswer } from './support/fake-auth-request.js';

/**
 * WAMP-Cryptosign signature test vectors, from the WAMP specification (wamp-proto/wamp-proto,
 * rfc/text/advanced/authentication_cryptosign.md, "Test Vectors"; also Autobahn|Python's
 * autobahn/wamp/test/test_wamp_cryptosign.py `test_vectors_1`). `signature` is what the client sends:
 * hex(Ed25519 signature || message signed). `publicKey` was computed with PyNaCl 1.5
 * (`CryptosignKey.from_bytes(seed).public_key()`).
 */
const SPEC_VECTORS = [
  {
    privateKey: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510',
    publicKey: '1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d',
    challenge: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature:
      'b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  },
  {
    privateKey: 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd',
    publicKey: '6ed32739ff04a6074044ff0b0e3bfc7c856bc9d5f1d25efc57363bda0af3a8b0',
    challenge: 'b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
    signature:
      'd4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d',
  },
  {
    privateKey: '6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b',
    publicKey: '28e11f427b82b9a625ee7ac89a7d29326b505f2dc11dd88c1245f83b6da79a85',
    challenge: 'b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
    signature:
      '7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2',
  },
] as const;

/** The spec's vector for the first key with tls-unique channel binding (signs challenge XOR channel ID). */
const SPEC_CHANNEL_BOUND_SIGNATURE =
  '9b6f41540c9b95b4b7b281c3042fa9c54cef43c842d62ea3fd6030fcb66e70b3e80d49d44c29d1635da9348d02ec93f3ed1ef227dfb59a07b580095c2b82f80f9d16ca518aa0c2b707f2b2a609edeca73bca8dd59817a633f35574ac6fd80d00';

/** DER header of an Ed25519 PKCS#8 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function privateKeyOf(seedHex: string): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** The raw public key of a seed, derived by node:crypto. */
function publicKeyHexOf(seedHex: string): string {
  return createPublicKey(privateKeyOf(seedHex))
    .export({ format: 'der', type: 'spki' })
    .subarray(-32)
    .toString('hex');
}

/**
 * A client answering as Autobahn|Python's CryptosignKey.sign_challenge does without channel binding (and
 * Autobahn|JS, wampy): Ed25519-sign the 32 challenge bytes, send hex(signature) + hex(challenge).
 */
function autobahnClient(seedHex: string): ChallengeAnswer {
  const privateKey = privateKeyOf(seedHex);
  return (method, extra) => {
    expect(method).toBe('cryptosign');
    const challenge = Buffer.from(extra.challenge as string, 'hex');
    return sign(null, challenge, privateKey).toString('hex') + challenge.toString('hex');
  };
}

const ALICE = SPEC_VECTORS[0];
const BOB = SPEC_VECTORS[1];

/** Knows Alice's key (authid client01@example.com, role user). */
function authenticator(
  principals: Record<string, WampCryptosignPrincipal> = {
    [ALICE.publicKey]: { authid: 'client01@example.com', authrole: 'user' },
  },
): WampCryptosignAuthenticator & { calls: [string, string | undefined][] } {
  const calls: [string, string | undefined][] = [];
  return {
    calls,
    getPrincipal: (pubkey, authid) => {
      calls.push([pubkey, authid]);
      return Promise.resolve(principals[pubkey] ?? null);
    },
  };
}

describe('cryptosign signatures (spec test vectors)', () => {
  it.each(SPEC_VECTORS.map((vector, index) => [index, vector] as const))(
    'vector %i: node:crypto derives the same public key and signature, and the signature verifies',
    (_index, vector) => {
      expect(publicKeyHexOf(vector.privateKey)).toBe(vector.publicKey);
      const challenge = Buffer.from(vector.challenge, 'hex');
      // Ed25519 is deterministic: the test client must reproduce the vector byte for byte.
      expect(autobahnClient(vector.privateKey)('cryptosign', { challenge: vector.challenge })).toBe(
        vector.signature,
      );
      expect(
        verifyCryptosignSignature(cryptosignPublicKey(vector.publicKey)!, challenge, vector.signature),
      ).toBe(true);
      expect(
        verifyCryptosignSignature(
          cryptosignPublicKey(vector.publicKey)!,
          challenge,
          vector.signature.toUpperCase(),
        ),
      ).toBe(true);
    },
  );

  it('rejects a signature made with another key, for another challenge or with channel binding', () => {
    const aliceKey = cryptosignPublicKey(ALICE.publicKey)!;
    expect(verifyCryptosignSignature(aliceKey, Buffer.from(BOB.challenge, 'hex'), BOB.signature)).toBe(false);
    expect(verifyCryptosignSignature(aliceKey, Buffer.from(BOB.challenge, 'hex'), ALICE.signature)).toBe(
      false,
    );
    expect(
      verifyCryptosignSignature(aliceKey, Buffer.from(ALICE.challenge, 'hex'), SPEC_CHANNEL_BOUND_SIGNATURE),
    ).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['signature only (64 bytes)', ALICE.signature.slice(0, 128)],
    ['odd length', ALICE.signature.slice(0, 191)],
    ['too long', ALICE.signature + '00'],
    ['not hex', 'z' + ALICE.signature.slice(1)],
    ['not a string', 42],
    ['challenge echo altered', ALICE.signature.slice(0, 190) + 'fe'],
    ['signature altered', '00' + ALICE.signature.slice(2)],
  ])('treats a malformed signature (%s) as invalid, without throwing', (_case, signature) => {
    const aliceKey = cryptosignPublicKey(ALICE.publicKey)!;
    expect(verifyCryptosignSignature(aliceKey, Buffer.from(ALICE.challenge, 'hex'), signature)).toBe(false);
  });

  it('cryptosignPublicKey() accepts 64 hex characters or 32 bytes, nothing else', () => {
    expect(cryptosignPublicKey(ALICE.publicKey)?.asymmetricKeyType).toBe('ed25519');
    expect(cryptosignPublicKey(Buffer.from(ALICE.publicKey, 'hex'))?.asymmetricKeyType).toBe('ed25519');
    expect(cryptosignPublicKey(ALICE.publicKey.slice(2))).toBeUndefined();
    expect(cryptosignPublicKey('g' + ALICE.publicKey.slice(1))).toBeUndefined();
    expect(cryptosignPublicKey(Buffer.alloc(31))).toBeUndefined();
  });
});

describe('CryptosignAuthMethod', () => {
  it('answers to "cryptosign"', () => {
    expect(new CryptosignAuthMethod(authenticator()).names).toEqual(['cryptosign']);
  });

  it("challenges with 32 random bytes in hex and admits the key holder as the application's principal", async () => {
    const app = authenticator();
    const request = fakeAuthRequest(
      { authmethods: ['cryptosign'], authid: 'client01@example.com', authextra: { pubkey: ALICE.publicKey } },
      autobahnClient(ALICE.privateKey),
    );
    const identity = await new CryptosignAuthMethod(app).authenticate(request, 'cryptosign');
    expect(identity).toEqual({
      authid: 'client01@example.com',
      authrole: 'user',
      authmethod: 'cryptosign',
      authprovider: 'application',
    });
    expect(request.challenges).toEqual([
      {
        method: 'cryptosign',
        extra: { challenge: expect.stringMatching(/^[0-9a-f]{64}$/), channel_binding: null },
      },
    ]);
    expect(app.calls).toEqual([[ALICE.publicKey, 'client01@example.com']]);
  });

  it('works without authid (the principal names it) and with an upper-case pubkey (passed on in lower case)', async () => {
    const app = authenticator();
    const request = fakeAuthRequest(
      { authextra: { pubkey: ALICE.publicKey.toUpperCase(), channel_binding: null } },
      autobahnClient(ALICE.privateKey),
    );
    const identity = await new CryptosignAuthMethod(app, { provider: 'static' }).authenticate(
      request,
      'cryptosign',
    );
    expect(identity).toMatchObject({ authid: 'client01@example.com', authprovider: 'static' });
    expect(app.calls).toEqual([[ALICE.publicKey, undefined]]);
  });

  it('uses a fresh challenge for every attempt', async () => {
    const method = new CryptosignAuthMethod(authenticator());
    const first = fakeAuthRequest(
      { authextra: { pubkey: ALICE.publicKey } },
      autobahnClient(ALICE.privateKey),
    );
    const second = fakeAuthRequest(
      { authextra: { pubkey: ALICE.publicKey } },
      autobahnClient(ALICE.privateKey),
    );
    await method.authenticate(first, 'cryptosign');
    await method.authenticate(second, 'cryptosign');
    expect(first.challenges[0]!.extra.challenge).not.toBe(second.challenges[0]!.extra.challenge);
  });

  it('never takes the role from HELLO', async () => {
    const request = fakeAuthRequest(
      { authid: 'client01@example.com', authrole: 'admin', authextra: { pubkey: ALICE.publicKey } },
      autobahnClient(ALICE.privateKey),
    );
    const identity = await new CryptosignAuthMethod(authenticator()).authenticate(request, 'cryptosign');
    expect(identity.authrole).toBe('user');
  });

  it('announces the authextra the application chose', async () => {
    const app = authenticator({
      [ALICE.publicKey]: { authid: 'a', authrole: 'device', authextra: { site: 7 } },
    });
    const request = fakeAuthRequest(
      { authextra: { pubkey: ALICE.publicKey } },
      autobahnClient(ALICE.privateKey),
    );
    const identity = await new CryptosignAuthMethod(app).authenticate(request, 'cryptosign');
    expect(identity).toEqual({
      authid: 'a',
      authrole: 'device',
      authmethod: 'cryptosign',
      authprovider: 'application',
      authextra: { site: 7 },
    });
  });

  it("refuses a signature made with another key than HELLO's pubkey", async () => {
    const request = fakeAuthRequest(
      { authextra: { pubkey: ALICE.publicKey } },
      autobahnClient(BOB.privateKey),
    );
    const error = await abortOf(
      new CryptosignAuthMethod(authenticator()).authenticate(request, 'cryptosign'),
    );
    expect(error).toBeInstanceOf(WampAbortError);
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
  });

  it('refuses a replayed signature (a valid signature of another challenge)', async () => {
    const request = fakeAuthRequest({ authextra: { pubkey: ALICE.publicKey } }, () => ALICE.signature);
    const error = await abortOf(
      new CryptosignAuthMethod(authenticator()).authenticate(request, 'cryptosign'),
    );
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
  });

  it.each([
    ['empty', () => ''],
    ['signature only', (extra: Record<string, unknown>) => answer(extra).slice(0, 128)],
    ['truncated', (extra: Record<string, unknown>) => answer(extra).slice(0, 190)],
    ['not hex', (extra: Record<string, unknown>) => 'x' + answer(extra).slice(1)],
    [
      'echo of another challenge',
      (extra: Record<string, unknown>) => answer(extra).slice(0, 128) + 'ff'.repeat(32),
    ],
  ])('refuses a malformed AUTHENTICATE (%s) with authentication_failed', async (_case, make) => {
    const request = fakeAuthRequest({ authextra: { pubkey: ALICE.publicKey } }, (_method, extra) =>
      make(extra),
    );
    const error = await abortOf(
      new CryptosignAuthMethod(authenticator()).authenticate(request, 'cryptosign'),
    );
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
  });

  it('refuses an unknown public key with no_such_principal before any CHALLENGE', async () => {
    const request = fakeAuthRequest({ authextra: { pubkey: BOB.publicKey } });
    const error = await abortOf(
      new CryptosignAuthMethod(authenticator()).authenticate(request, 'cryptosign'),
    );
    expect(error).toMatchObject({ reason: 'wamp.error.no_such_principal' });
    expect(request.challenges).toHaveLength(0);
  });

  it.each([
    [{}],
    [{ authextra: {} }],
    [{ authextra: { pubkey: null } }],
    [{ authid: 'client01@example.com' }],
  ])('refuses HELLO without pubkey (%j) with no_such_principal', async (details) => {
    const app = authenticator();
    const error = await abortOf(
      new CryptosignAuthMethod(app).authenticate(fakeAuthRequest(details), 'cryptosign'),
    );
    expect(error).toMatchObject({ reason: 'wamp.error.no_such_principal' });
    expect(app.calls).toEqual([]);
  });

  it.each([[ALICE.publicKey.slice(1)], ['zz' + ALICE.publicKey.slice(2)], [42], [ALICE.publicKey + '00']])(
    'refuses a malformed pubkey (%j) with authentication_failed',
    async (pubkey) => {
      const app = authenticator();
      const request = fakeAuthRequest({ authextra: { pubkey } });
      const error = await abortOf(new CryptosignAuthMethod(app).authenticate(request, 'cryptosign'));
      expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
      expect(app.calls).toEqual([]);
    },
  );

  it.each([['tls-unique'], ['tls-exporter']])(
    'refuses channel binding %s (not available) with authentication_failed before any CHALLENGE',
    async (binding) => {
      const app = authenticator();
      const request = fakeAuthRequest({ authextra: { pubkey: ALICE.publicKey, channel_binding: binding } });
      const error = await abortOf(new CryptosignAuthMethod(app).authenticate(request, 'cryptosign'));
      expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
      expect(error.message).toContain('channel binding');
      expect(app.calls).toEqual([]);
    },
  );

  it('ignores a router-authentication challenge from the client (not supported) and carries on', async () => {
    const request = fakeAuthRequest(
      { authextra: { pubkey: ALICE.publicKey, challenge: BOB.challenge } },
      autobahnClient(ALICE.privateKey),
    );
    await new CryptosignAuthMethod(authenticator()).authenticate(request, 'cryptosign');
    expect(Object.keys(request.challenges[0]!.extra)).toEqual(['challenge', 'channel_binding']);
  });

  it('passes application errors through unchanged', async () => {
    const failure = new Error('key store down');
    const method = new CryptosignAuthMethod({ getPrincipal: () => Promise.reject(failure) });
    const request = fakeAuthRequest({ authextra: { pubkey: ALICE.publicKey } });
    await expect(method.authenticate(request, 'cryptosign')).rejects.toBe(failure);
  });

  it('treats a principal without authid as an application bug (TypeError)', async () => {
    const method = new CryptosignAuthMethod({
      getPrincipal: () => Promise.resolve({ authrole: 'user' } as WampCryptosignPrincipal),
    });
    const request = fakeAuthRequest({ authextra: { pubkey: ALICE.publicKey } });
    await expect(method.authenticate(request, 'cryptosign')).rejects.toBeInstanceOf(TypeError);
  });
});

/** Alice's correct answer to a CHALLENGE. */
function answer(extra: Record<string, unknown>): string {
  return autobahnClient(ALICE.privateKey)('cryptosign', extra) as string;
}
