import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import {
  ScramAuthMethod,
  deriveScramCredentials,
  saslprep,
  scramAuthMessage,
  verifyScramClientProof,
  type ScramAuthMethodOptions,
} from '../../../lib/core/auth/methods/scram.auth-method.js';
import type {
  WampScramAuthenticator,
  WampScramCredentials,
} from '../../../lib/core/auth/wamp-authenticators.interface.js';
import type { WampDict } from '../../../lib/core/protocol/wamp-message.interface.js';
import { WampAbortError } from '../../../lib/core/router/wamp-abort.error.js';
import type { WampChallengeResponse } from '../../../lib/core/router/wamp-authenticator.interface.js';
import { abortOf, fakeAuthRequest, type ChallengeAnswer } from './support/fake-auth-request.js';

/**
 * RFC 7677 section 3 (SCRAM-SHA-256) test vector. The WAMP-SCRAM spec keeps RFC 5802's AuthMessage so
 * that it applies unchanged (its examples use these very values).
 */
const RFC7677 = {
  authid: 'user',
  password: 'pencil',
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  nonce: 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: 'W22ZaJ0SNY7soEsUEjb6gQ==',
  iterations: 4096,
  proof: 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

/**
 * Computed with Autobahn|Python 22.7's own AuthScram (autobahn.wamp.auth) for authid 'joe', client nonce
 * 'Y2xpZW50LW5vbmNlLTE2Qg==' and CHALLENGE.Extra {nonce: client nonce + 'c2VydmVyLW5vbmNlLTE2Qg==', salt
 * 'c2FsdHNhbHRzYWx0c2FsdA==', kdf 'argon2id-13', iterations 4096, memory 512}. argon2-cffi is not
 * installed, so `_hash_argon2id13_secret` was stubbed to return `saltedPassword` (SHA-256 of a fixed text):
 * everything after the KDF (AuthMessage, ClientProof, on_welcome's check of scram_server_signature) is
 * Autobahn's code. storedKey/serverKey derive from that salted password as derive_scram_credential does.
 */
const AUTOBAHN = {
  authid: 'joe',
  saltedPassword: createHash('sha256').update('stand-in for argon2id output').digest(),
  clientNonce: 'Y2xpZW50LW5vbmNlLTE2Qg==',
  nonce: 'Y2xpZW50LW5vbmNlLTE2Qg==c2VydmVyLW5vbmNlLTE2Qg==',
  salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
  iterations: 4096,
  memory: 512,
  storedKey: 'ZdJCanGOXWgArxXVEW/yQIp/6r3QSQth0/gD58cEJwE=',
  serverKey: 'kWVLX3ctnH6DS7TP+HnWeOXlabWfcFQMsBYZej0uIgc=',
  authMessage:
    'n=joe,r=Y2xpZW50LW5vbmNlLTE2Qg==,r=Y2xpZW50LW5vbmNlLTE2Qg==c2VydmVyLW5vbmNlLTE2Qg==,' +
    's=c2FsdHNhbHRzYWx0c2FsdA==,i=4096,c=,r=Y2xpZW50LW5vbmNlLTE2Qg==c2VydmVyLW5vbmNlLTE2Qg==',
  proof: 'PDMT1rKkgRtoGIQZaN+z+ZCIRdUMcH94HllVCio87rs=',
  serverSignature: 'cEl/ma3MGyK3TzZSE5W9n3aXqDbJTpwlgt8Id7ea040=',
};

const AUTOBAHN_CREDENTIALS: WampScramCredentials = {
  kdf: 'argon2id13',
  salt: AUTOBAHN.salt,
  iterations: AUTOBAHN.iterations,
  memory: AUTOBAHN.memory,
  storedKey: AUTOBAHN.storedKey,
  serverKey: AUTOBAHN.serverKey,
  authrole: 'user',
};

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  return Buffer.from(a.map((byte, i) => byte ^ b[i]!));
}

/** What a client keeps to check WELCOME's server signature. */
interface ClientState {
  serverSignature?: string;
}

/**
 * A WAMP-SCRAM client following the spec's pseudo-code literally (node:crypto only, not the code under
 * test): PBKDF2 over the base64-decoded salt, AuthMessage with `c=biws`, AUTHENTICATE.Extra with the nonce.
 */
function specClient(
  authid: string,
  password: string,
  clientNonce: string,
  state: ClientState = {},
): ChallengeAnswer {
  return (method, extra): WampChallengeResponse => {
    expect(method).toBe('wamp-scram');
    const nonce = extra.nonce as string;
    // A spec client MUST abort when the nonce does not start with its own.
    expect(nonce.startsWith(clientNonce)).toBe(true);
    const saltedPassword = pbkdf2Sync(
      password,
      Buffer.from(extra.salt as string, 'base64'),
      extra.iterations as number,
      32,
      'sha256',
    );
    const clientFirstBare = `n=${authid.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${clientNonce}`;
    const serverFirst = `r=${nonce},s=${extra.salt as string},i=${extra.iterations as number}`;
    const clientFinalNoProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${clientFirstBare},${serverFirst},${clientFinalNoProof}`;
    const clientKey = hmac(saltedPassword, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    state.serverSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage).toString('base64');
    return {
      signature: xor(clientKey, hmac(storedKey, authMessage)).toString('base64'),
      extra: { nonce, channel_binding: null, cbind_data: null },
    };
  };
}

/**
 * A client answering as Autobahn|Python's AuthScram.on_challenge (authmethod `scram`), given the KDF output
 * (`saltedPassword`): `c=` + CHALLENGE.Extra.channel_binding (empty when absent), AUTHENTICATE.Extra {}.
 * It also refuses CHALLENGE keys it does not know, as AuthScram does.
 */
function autobahnClient(
  authid: string,
  saltedPassword: Buffer,
  clientNonce: string,
  state: ClientState = {},
): ChallengeAnswer {
  return (method, extra) => {
    expect(method).toBe('scram');
    for (const key of Object.keys(extra)) {
      expect(['nonce', 'kdf', 'salt', 'iterations', 'memory', 'channel_binding']).toContain(key);
    }
    const nonce = extra.nonce as string;
    const channelBinding = (extra.channel_binding as string | undefined) ?? '';
    const authMessage =
      `n=${authid},r=${clientNonce},` +
      `r=${nonce},s=${extra.salt as string},i=${extra.iterations as number},` +
      `c=${channelBinding},r=${nonce}`;
    const clientKey = hmac(saltedPassword, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    state.serverSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage).toString('base64');
    return xor(clientKey, hmac(storedKey, authMessage)).toString('base64');
  };
}

// Few iterations keep the suite fast; the iteration count is a parameter like any other.
const ALICE_PASSWORD = 'correct horse battery staple';
const ALICE = deriveScramCredentials(ALICE_PASSWORD, { iterations: 1000 });

function authenticator(
  principals: Record<string, WampScramCredentials> = {
    alice: { ...ALICE, authrole: 'user' },
    joe: AUTOBAHN_CREDENTIALS,
  },
): WampScramAuthenticator & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getCredentials: (authid) => {
      asked.push(authid);
      return Promise.resolve(principals[authid] ?? null);
    },
  };
}

function method(
  options?: ScramAuthMethodOptions,
  app: WampScramAuthenticator = authenticator(),
): ScramAuthMethod {
  return new ScramAuthMethod(app, options);
}

const CLIENT_NONCE = 'egVDf3DMJh0=';

describe('SCRAM helpers', () => {
  it('reproduce the RFC 7677 test vector (wamp-scram dialect)', () => {
    const credentials = deriveScramCredentials(RFC7677.password, {
      salt: RFC7677.salt,
      iterations: RFC7677.iterations,
    });
    const authMessage = scramAuthMessage({ dialect: 'wamp-scram', ...RFC7677 });
    expect(authMessage).toBe(
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,' +
        'i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    );
    const keys = {
      storedKey: Buffer.from(credentials.storedKey, 'base64'),
      serverKey: Buffer.from(credentials.serverKey, 'base64'),
    };
    expect(
      verifyScramClientProof(keys, authMessage, Buffer.from(RFC7677.proof, 'base64'))?.toString('base64'),
    ).toBe(RFC7677.serverSignature);
    // The test client computes the same proof.
    const response = specClient(
      RFC7677.authid,
      RFC7677.password,
      RFC7677.clientNonce,
    )('wamp-scram', {
      nonce: RFC7677.nonce,
      salt: RFC7677.salt,
      iterations: RFC7677.iterations,
    }) as WampChallengeResponse;
    expect(response.signature).toBe(RFC7677.proof);
  });

  it('reproduce Autobahn|Python AuthScram (scram dialect)', () => {
    const authMessage = scramAuthMessage({ dialect: 'scram', ...AUTOBAHN });
    expect(authMessage).toBe(AUTOBAHN.authMessage);
    const keys = {
      storedKey: Buffer.from(AUTOBAHN.storedKey, 'base64'),
      serverKey: Buffer.from(AUTOBAHN.serverKey, 'base64'),
    };
    expect(
      verifyScramClientProof(keys, authMessage, Buffer.from(AUTOBAHN.proof, 'base64'))?.toString('base64'),
    ).toBe(AUTOBAHN.serverSignature);
    expect(
      autobahnClient(
        AUTOBAHN.authid,
        AUTOBAHN.saltedPassword,
        AUTOBAHN.clientNonce,
      )('scram', {
        nonce: AUTOBAHN.nonce,
        salt: AUTOBAHN.salt,
        kdf: 'argon2id-13',
        iterations: AUTOBAHN.iterations,
        memory: AUTOBAHN.memory,
      }),
    ).toBe(AUTOBAHN.proof);
  });

  it('verifyScramClientProof() refuses a wrong or short proof', () => {
    const keys = {
      storedKey: Buffer.from(AUTOBAHN.storedKey, 'base64'),
      serverKey: Buffer.from(AUTOBAHN.serverKey, 'base64'),
    };
    const proof = Buffer.from(AUTOBAHN.proof, 'base64');
    proof[0] ^= 1;
    expect(verifyScramClientProof(keys, AUTOBAHN.authMessage, proof)).toBeUndefined();
    expect(verifyScramClientProof(keys, AUTOBAHN.authMessage, proof.subarray(1))).toBeUndefined();
    expect(
      verifyScramClientProof(keys, AUTOBAHN.authMessage + 'x', Buffer.from(AUTOBAHN.proof, 'base64')),
    ).toBeUndefined();
  });

  it('scramAuthMessage() escapes "," and "=" in the spec dialect, applies SASLprep in the Autobahn dialect', () => {
    const common = { clientNonce: 'cn', nonce: 'cnsn', salt: 'c2FsdA==', iterations: 1 };
    expect(scramAuthMessage({ dialect: 'wamp-scram', authid: 'a,b=c', ...common })).toMatch(
      /^n=a=2Cb=3Dc,r=cn,/,
    );
    expect(scramAuthMessage({ dialect: 'scram', authid: 'I\u00ADX\u00A0y', ...common })).toMatch(
      /^n=IX y,r=cn,/,
    );
  });

  it('saslprep() maps what RFC 4013 maps (its examples) as passlib does', () => {
    expect(saslprep('I\u00ADX')).toBe('IX');
    expect(saslprep('user')).toBe('user');
    expect(saslprep('USER')).toBe('USER');
    expect(saslprep('\u00AA')).toBe('a');
    expect(saslprep('\u2168')).toBe('IX');
    expect(saslprep('a\u2003b')).toBe('a b');
    // Same results as passlib.utils.saslprep (used by Autobahn|Python and Crossbar), U+200B included.
    expect(saslprep('a\u200Bb')).toBe('ab');
    expect(saslprep('x\uFE0Fy')).toBe('xy');
  });

  describe('deriveScramCredentials()', () => {
    it('returns pbkdf2 credentials with a random 16-byte salt and 4096 iterations by default', () => {
      const first = deriveScramCredentials('pw');
      const second = deriveScramCredentials('pw');
      expect(first).toEqual({
        kdf: 'pbkdf2',
        salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
        iterations: 4096,
        storedKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
        serverKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      });
      expect(second.salt).not.toBe(first.salt);
      expect(second.storedKey).not.toBe(first.storedKey);
    });

    it('is deterministic for a given salt (Buffer or base64 string) and normalizes the password', () => {
      const salt = Buffer.from('0123456789abcdef');
      const fromBuffer = deriveScramCredentials('IX', { salt, iterations: 10 });
      expect(deriveScramCredentials('IX', { salt: salt.toString('base64'), iterations: 10 })).toEqual(
        fromBuffer,
      );
      expect(deriveScramCredentials('I\u00ADX', { salt, iterations: 10 })).toEqual(fromBuffer);
      expect(deriveScramCredentials('\u2168', { salt, iterations: 10 })).toEqual(fromBuffer);
    });

    it('refuses argon2id13 (no Argon2 in node:crypto) and nonsensical parameters', () => {
      expect(() => deriveScramCredentials('pw', { kdf: 'argon2id13' as 'pbkdf2' })).toThrow(/argon2id13/);
      expect(() => deriveScramCredentials('pw', { iterations: 0 })).toThrow(TypeError);
      expect(() => deriveScramCredentials('pw', { iterations: 1.5 })).toThrow(TypeError);
      expect(() => deriveScramCredentials('pw', { salt: 'not base64!' })).toThrow(TypeError);
      expect(() => deriveScramCredentials('pw', { salt: '' })).toThrow(TypeError);
    });
  });
});

describe('ScramAuthMethod', () => {
  it('answers to "wamp-scram" (spec) and "scram" (Autobahn|Python, Crossbar)', () => {
    expect(method().names).toEqual(['wamp-scram', 'scram']);
  });

  describe('wamp-scram (spec dialect)', () => {
    it('runs the exchange and returns the server signature as authextra.verifier', async () => {
      const client: ClientState = {};
      const request = fakeAuthRequest(
        {
          authmethods: ['wamp-scram'],
          authid: 'alice',
          authextra: { nonce: CLIENT_NONCE, channel_binding: null },
        },
        specClient('alice', ALICE_PASSWORD, CLIENT_NONCE, client),
      );
      const identity = await method().authenticate(request, 'wamp-scram');

      expect(request.challenges).toEqual([
        {
          method: 'wamp-scram',
          extra: {
            nonce: expect.stringMatching(/^egVDf3DMJh0=[A-Za-z0-9+/]{22}==$/),
            salt: ALICE.salt,
            kdf: 'pbkdf2',
            iterations: 1000,
            memory: null,
          },
        },
      ]);
      expect(client.serverSignature).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(identity).toEqual({
        authid: 'alice',
        authrole: 'user',
        authmethod: 'wamp-scram',
        authprovider: 'application',
        authextra: { verifier: client.serverSignature, scram_server_signature: client.serverSignature },
      });
    });

    it('announces argon2id13 credentials with their memory cost', async () => {
      const request = fakeAuthRequest({ authid: 'joe', authextra: { nonce: CLIENT_NONCE } }, () => 'AAAA');
      await abortOf(method().authenticate(request, 'wamp-scram'));
      expect(request.challenges[0]!.extra).toEqual({
        nonce: expect.any(String),
        salt: AUTOBAHN.salt,
        kdf: 'argon2id13',
        iterations: 4096,
        memory: 512,
      });
    });

    it('uses a fresh server nonce for every attempt', async () => {
      const scram = method();
      const first = fakeAuthRequest(
        { authid: 'alice', authextra: { nonce: CLIENT_NONCE } },
        specClient('alice', ALICE_PASSWORD, CLIENT_NONCE),
      );
      const second = fakeAuthRequest(
        { authid: 'alice', authextra: { nonce: CLIENT_NONCE } },
        specClient('alice', ALICE_PASSWORD, CLIENT_NONCE),
      );
      const [a, b] = await Promise.all([
        scram.authenticate(first, 'wamp-scram'),
        scram.authenticate(second, 'wamp-scram'),
      ]);
      expect(first.challenges[0]!.extra.nonce).not.toBe(second.challenges[0]!.extra.nonce);
      expect(a.authextra!.verifier).not.toBe(b.authextra!.verifier);
    });

    it('refuses a wrong password with authentication_failed', async () => {
      const request = fakeAuthRequest(
        { authid: 'alice', authextra: { nonce: CLIENT_NONCE } },
        specClient('alice', 'wrong', CLIENT_NONCE),
      );
      const error = await abortOf(method().authenticate(request, 'wamp-scram'));
      expect(error).toBeInstanceOf(WampAbortError);
      expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    });

    it('refuses a proof computed in the other dialect', async () => {
      const salted = pbkdf2Sync(ALICE_PASSWORD, Buffer.from(ALICE.salt, 'base64'), 1000, 32, 'sha256');
      const request = fakeAuthRequest({ authid: 'alice', authextra: { nonce: CLIENT_NONCE } }, (_m, extra) =>
        autobahnClient('alice', salted, CLIENT_NONCE)('scram', extra),
      );
      const error = await abortOf(method().authenticate(request, 'wamp-scram'));
      expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    });

    it.each<[string, (extra: WampDict, good: WampChallengeResponse) => WampChallengeResponse]>([
      ['nonce not ours', (_e, good) => ({ ...good, extra: { ...good.extra, nonce: CLIENT_NONCE + 'AAAA' } })],
      [
        'channel binding',
        (_e, good) => ({ ...good, extra: { ...good.extra, channel_binding: 'tls-unique' } }),
      ],
      ['cbind_data', (_e, good) => ({ ...good, extra: { ...good.extra, cbind_data: 'AAAA' } })],
      ['proof not base64', (_e, good) => ({ ...good, signature: good.signature.replace(/.$/, '!') })],
      ['proof too short', (_e, good) => ({ ...good, signature: Buffer.alloc(31).toString('base64') })],
      ['proof empty', (_e, good) => ({ ...good, signature: '' })],
    ])('refuses a malformed AUTHENTICATE (%s) with authentication_failed', async (_case, tamper) => {
      const honest = specClient('alice', ALICE_PASSWORD, CLIENT_NONCE);
      const request = fakeAuthRequest(
        { authid: 'alice', authextra: { nonce: CLIENT_NONCE } },
        async (m, extra) => tamper(extra, (await honest(m, extra)) as WampChallengeResponse),
      );
      const error = await abortOf(method().authenticate(request, 'wamp-scram'));
      expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    });

    it('accepts AUTHENTICATE without Extra.nonce (the nonce is bound through the AuthMessage anyway)', async () => {
      const honest = specClient('alice', ALICE_PASSWORD, CLIENT_NONCE);
      const request = fakeAuthRequest(
        { authid: 'alice', authextra: { nonce: CLIENT_NONCE } },
        async (m, extra) => ({
          signature: ((await honest(m, extra)) as WampChallengeResponse).signature,
          extra: {},
        }),
      );
      await expect(method().authenticate(request, 'wamp-scram')).resolves.toMatchObject({ authid: 'alice' });
    });
  });

  describe('scram (Autobahn|Python / Crossbar dialect)', () => {
    it('runs the exchange as Autobahn|Python expects it and returns scram_server_signature', async () => {
      const client: ClientState = {};
      const request = fakeAuthRequest(
        { authmethods: ['scram'], authid: 'joe', authextra: { nonce: AUTOBAHN.clientNonce } },
        autobahnClient('joe', AUTOBAHN.saltedPassword, AUTOBAHN.clientNonce, client),
      );
      const identity = await method().authenticate(request, 'scram');
      expect(request.challenges).toEqual([
        {
          method: 'scram',
          extra: {
            nonce: expect.stringMatching(/^Y2xpZW50LW5vbmNlLTE2Qg==[A-Za-z0-9+/]{22}==$/),
            salt: AUTOBAHN.salt,
            kdf: 'argon2id-13',
            iterations: 4096,
            memory: 512,
          },
        },
      ]);
      expect(identity).toEqual({
        authid: 'joe',
        authrole: 'user',
        authmethod: 'scram',
        authprovider: 'application',
        authextra: { verifier: client.serverSignature, scram_server_signature: client.serverSignature },
      });
    });

    it('leaves memory out for pbkdf2 credentials (Autobahn|Python cannot parse memory: null)', async () => {
      const salted = pbkdf2Sync(ALICE_PASSWORD, Buffer.from(ALICE.salt, 'base64'), 1000, 32, 'sha256');
      const request = fakeAuthRequest(
        { authid: 'alice', authextra: { nonce: CLIENT_NONCE } },
        autobahnClient('alice', salted, CLIENT_NONCE),
      );
      await method().authenticate(request, 'scram');
      expect(request.challenges[0]!.extra).toEqual({
        nonce: expect.any(String),
        salt: ALICE.salt,
        kdf: 'pbkdf2',
        iterations: 1000,
      });
    });

    it('refuses a wrong password with authentication_failed', async () => {
      const request = fakeAuthRequest(
        { authid: 'joe', authextra: { nonce: AUTOBAHN.clientNonce } },
        autobahnClient('joe', Buffer.alloc(32), AUTOBAHN.clientNonce),
      );
      const error = await abortOf(method().authenticate(request, 'scram'));
      expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    });
  });

  it('never takes the role from HELLO, and merges the application authextra with the verifier', async () => {
    const app = authenticator({
      alice: { ...ALICE, authrole: 'user', authid: 'alice@example.com', authextra: { plan: 'pro' } },
    });
    const request = fakeAuthRequest(
      { authid: 'alice', authrole: 'admin', authextra: { nonce: CLIENT_NONCE } },
      specClient('alice', ALICE_PASSWORD, CLIENT_NONCE),
    );
    const identity = await method({ provider: 'userdb' }, app).authenticate(request, 'wamp-scram');
    expect(identity).toEqual({
      authid: 'alice@example.com',
      authrole: 'user',
      authmethod: 'wamp-scram',
      authprovider: 'userdb',
      authextra: { plan: 'pro', verifier: expect.any(String), scram_server_signature: expect.any(String) },
    });
  });

  describe('unknown authid', () => {
    it('gets a mock CHALLENGE (stable salt per authid) and then authentication_failed, by default', async () => {
      const scram = method();
      const attempt = async (authid: string): Promise<WampDict> => {
        const request = fakeAuthRequest(
          { authid, authextra: { nonce: CLIENT_NONCE } },
          specClient(authid, 'guess', CLIENT_NONCE),
        );
        const error = await abortOf(scram.authenticate(request, 'wamp-scram'));
        expect(error).toMatchObject({
          reason: 'wamp.error.authentication_failed',
          message: 'Invalid SCRAM client proof.',
        });
        return request.challenges[0]!.extra;
      };
      const first = await attempt('mallory');
      expect(first).toEqual({
        nonce: expect.stringMatching(/^egVDf3DMJh0=/),
        salt: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/),
        kdf: 'pbkdf2',
        iterations: 4096,
        memory: null,
      });
      expect((await attempt('mallory')).salt).toBe(first.salt);
      expect((await attempt('trudy')).salt).not.toBe(first.salt);
    });

    it('mock salts stay the same across instances sharing mockSecret, and use mockParameters', async () => {
      const options: ScramAuthMethodOptions = {
        mockSecret: 'stable',
        mockParameters: { kdf: 'argon2id13', iterations: 3, memory: 65536 },
      };
      const salts: unknown[] = [];
      for (const scram of [method(options), method(options)]) {
        const request = fakeAuthRequest(
          { authid: 'mallory', authextra: { nonce: CLIENT_NONCE } },
          () => 'AAAA',
        );
        await abortOf(scram.authenticate(request, 'wamp-scram'));
        expect(request.challenges[0]!.extra).toMatchObject({
          kdf: 'argon2id13',
          iterations: 3,
          memory: 65536,
        });
        salts.push(request.challenges[0]!.extra.salt);
      }
      expect(salts[0]).toBe(salts[1]);
    });

    it('refuses argon2id13 mockParameters without memory at construction', () => {
      expect(() => method({ mockParameters: { kdf: 'argon2id13', iterations: 3 } })).toThrow(TypeError);
    });

    it("gets no_such_principal at once with unknownPrincipal: 'abort' (Crossbar's behaviour)", async () => {
      const request = fakeAuthRequest({ authid: 'mallory', authextra: { nonce: CLIENT_NONCE } });
      const error = await abortOf(method({ unknownPrincipal: 'abort' }).authenticate(request, 'wamp-scram'));
      expect(error).toMatchObject({ reason: 'wamp.error.no_such_principal' });
      expect(request.challenges).toHaveLength(0);
    });
  });

  it('refuses HELLO without authid with no_such_principal without asking the application', async () => {
    const app = authenticator();
    const error = await abortOf(
      method({}, app).authenticate(fakeAuthRequest({ authextra: { nonce: CLIENT_NONCE } }), 'wamp-scram'),
    );
    expect(error).toMatchObject({ reason: 'wamp.error.no_such_principal' });
    expect(app.asked).toEqual([]);
  });

  it.each<[string, WampDict]>([
    ['missing', {}],
    ['empty', { nonce: '' }],
    ['not base64', { nonce: 'not base64!' }],
    ['not a string', { nonce: 42 }],
    ['too long', { nonce: 'A'.repeat(1024) }],
  ])('refuses a %s client nonce with authentication_failed', async (_case, authextra) => {
    const app = authenticator();
    const request = fakeAuthRequest({ authid: 'alice', authextra });
    const error = await abortOf(method({}, app).authenticate(request, 'wamp-scram'));
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    expect(app.asked).toEqual([]);
  });

  it('refuses a channel binding request (not available) with authentication_failed before any CHALLENGE', async () => {
    const request = fakeAuthRequest({
      authid: 'alice',
      authextra: { nonce: CLIENT_NONCE, channel_binding: 'tls-unique' },
    });
    const error = await abortOf(method().authenticate(request, 'wamp-scram'));
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    expect(error.message).toContain('channel binding');
    expect(request.challenges).toHaveLength(0);
  });

  it('passes application errors through unchanged', async () => {
    const failure = new Error('database down');
    const scram = new ScramAuthMethod({ getCredentials: () => Promise.reject(failure) });
    await expect(
      scram.authenticate(
        fakeAuthRequest({ authid: 'alice', authextra: { nonce: CLIENT_NONCE } }),
        'wamp-scram',
      ),
    ).rejects.toBe(failure);
  });

  it.each<[string, Partial<WampScramCredentials>]>([
    ['unknown kdf', { kdf: 'scrypt' as 'pbkdf2' }],
    ['salt not base64', { salt: 'salt!' }],
    ['zero iterations', { iterations: 0 }],
    ['storedKey of 16 bytes', { storedKey: Buffer.alloc(16).toString('base64') }],
    ['serverKey missing', { serverKey: undefined as unknown as string }],
    ['argon2id13 without memory', { kdf: 'argon2id13' }],
    ['no authrole', { authrole: '' }],
  ])('treats malformed credentials (%s) as an application bug (TypeError)', async (_case, change) => {
    const scram = new ScramAuthMethod({
      getCredentials: () => Promise.resolve({ ...ALICE, authrole: 'user', ...change }),
    });
    await expect(
      scram.authenticate(
        fakeAuthRequest({ authid: 'alice', authextra: { nonce: CLIENT_NONCE } }),
        'wamp-scram',
      ),
    ).rejects.toBeInstanceOf(TypeError);
  });
});
