import { createHmac, pbkdf2Sync } from 'node:crypto';
import {
  WampCraAuthMethod,
  computeWampCraSignature,
  deriveWampCraKey,
} from '../../../lib/core/auth/methods/wampcra.auth-method.js';
import type { WampCraAuthenticator, WampCraSecret } from '../../../lib/core/auth/wamp-authenticators.interface.js';
import type { WampDict } from '../../../lib/core/protocol/wamp-message.interface.js';
import { WampAbortError } from '../../../lib/core/router/wamp-abort.error.js';
import { SESSION_ID, abortOf, fakeAuthRequest, type ChallengeAnswer } from './support/fake-auth-request.js';

/**
 * Reference values computed with Autobahn|Python 22.7 (`autobahn.wamp.auth`):
 *   compute_wcs(b'secret123', CHALLENGE), derive_key('secret123', 'salt123', 1000, 32),
 *   compute_wcs(derive_key(...), CHALLENGE) (also what AuthWampCra.on_challenge returns for that CHALLENGE),
 *   derive_key('pässwörd', 'sälz', 100, 20), compute_wcs('pässwörd'.encode(), CHALLENGE).
 * CHALLENGE is the spec's example challenge, serialized by json.dumps.
 */
const AUTOBAHN = {
  challenge:
    '{"authid": "peter", "authrole": "user", "authmethod": "wampcra", "authprovider": "application", ' +
    '"nonce": "LHRTC9zeOIrt_9U3", "timestamp": "2014-06-22T16:36:25.448Z", "session": 3251278072152162}',
  unsalted: 'SqG7f8zC5sYKBh+8gNGroY/rTq22WNrKB/yF8Z4EU3M=',
  derivedKey: 'Eu7CQLfR+/Ffb+275A4s9/6H/RGKYxM4s6IMrsNKzC8=',
  salted: 'P8u4JsKXtvafo/Y70QuzREwT/w2azRnPupJOXDVTTtc=',
  unicodeDerivedKey: 'k5bEH+zVwz9RcQAqcT8itjIJ06w=',
  unicodeUnsalted: 'kZ58ocgGDku0XPgNn8PIIFuDxOqMXz2mjSeBx1v0Q1I=',
};

/**
 * A client answering exactly as Autobahn|Python's AuthWampCra.on_challenge does, written with node:crypto
 * only (not with the helpers under test): HMAC key = the secret's UTF-8 bytes, or with a salt the *base64
 * text* of PBKDF2-HMAC-SHA256(secret, salt as UTF-8, iterations, keylen).
 */
function autobahnClient(secret: string): ChallengeAnswer {
  return (method, extra) => {
    expect(method).toBe('wampcra');
    let key = Buffer.from(secret, 'utf8');
    if ('salt' in extra) {
      const derived = pbkdf2Sync(
        key,
        Buffer.from(extra.salt as string, 'utf8'),
        extra.iterations as number,
        extra.keylen as number,
        'sha256',
      );
      key = Buffer.from(derived.toString('base64'), 'ascii');
    }
    return createHmac('sha256', key)
      .update(extra.challenge as string, 'utf8')
      .digest('base64');
  };
}

const USERS: Record<string, WampCraSecret> = {
  peter: { secret: 'secret123', authrole: 'user' },
  salty: { secret: 'secret123', salt: 'salt123', iterations: 1000, keylen: 32, authrole: 'user' },
  unicode: { secret: 'pässwörd', authrole: 'user' },
};

function authenticator(
  users: Record<string, WampCraSecret> = USERS,
): WampCraAuthenticator & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getSecret: (authid) => {
      asked.push(authid);
      return Promise.resolve(users[authid] ?? null);
    },
  };
}

function parsedChallenge(extra: WampDict): Record<string, unknown> {
  return JSON.parse(extra.challenge as string) as Record<string, unknown>;
}

describe('WAMP-CRA helpers (pinned to Autobahn|Python)', () => {
  it('the test client replica matches Autobahn|Python', async () => {
    expect(await autobahnClient('secret123')('wampcra', { challenge: AUTOBAHN.challenge })).toBe(
      AUTOBAHN.unsalted,
    );
    expect(
      await autobahnClient('secret123')('wampcra', {
        challenge: AUTOBAHN.challenge,
        salt: 'salt123',
        iterations: 1000,
        keylen: 32,
      }),
    ).toBe(AUTOBAHN.salted);
  });

  it('deriveWampCraKey() returns the base64 text derive_key() returns', async () => {
    expect(await deriveWampCraKey('secret123', 'salt123', 1000, 32)).toBe(AUTOBAHN.derivedKey);
    expect(await deriveWampCraKey('secret123', 'salt123')).toBe(AUTOBAHN.derivedKey);
    expect(await deriveWampCraKey('pässwörd', 'sälz', 100, 20)).toBe(AUTOBAHN.unicodeDerivedKey);
  });

  it('computeWampCraSignature() equals compute_wcs()', () => {
    expect(computeWampCraSignature('secret123', AUTOBAHN.challenge)).toBe(AUTOBAHN.unsalted);
    expect(computeWampCraSignature(AUTOBAHN.derivedKey, AUTOBAHN.challenge)).toBe(AUTOBAHN.salted);
    expect(computeWampCraSignature('pässwörd', AUTOBAHN.challenge)).toBe(AUTOBAHN.unicodeUnsalted);
  });

  it('deriveWampCraKey() refuses nonsensical PBKDF2 parameters', async () => {
    await expect(deriveWampCraKey('s', 'salt', 0, 32)).rejects.toThrow(TypeError);
    await expect(deriveWampCraKey('s', 'salt', 1000, 0)).rejects.toThrow(TypeError);
  });
});

describe('WampCraAuthMethod', () => {
  it('answers to "wampcra"', () => {
    expect(new WampCraAuthMethod(authenticator()).names).toEqual(['wampcra']);
  });

  it('challenges with the spec JSON challenge and admits the right signature', async () => {
    const before = Date.now();
    const request = fakeAuthRequest(
      { authmethods: ['wampcra'], authid: 'peter' },
      autobahnClient('secret123'),
    );
    const identity = await new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra');
    expect(identity).toEqual({
      authid: 'peter',
      authrole: 'user',
      authmethod: 'wampcra',
      authprovider: 'application',
    });

    expect(request.challenges).toHaveLength(1);
    const { method, extra } = request.challenges[0]!;
    expect(method).toBe('wampcra');
    expect(Object.keys(extra)).toEqual(['challenge']);
    const challenge = parsedChallenge(extra);
    expect(challenge).toEqual({
      authid: 'peter',
      authrole: 'user',
      authmethod: 'wampcra',
      authprovider: 'application',
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      session: SESSION_ID,
    });
    const timestamp = Date.parse(challenge.timestamp as string);
    expect(timestamp).toBeGreaterThanOrEqual(before - 1);
    expect(timestamp).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('sends salt, iterations and keylen for salted secrets and checks the derived-key signature', async () => {
    const request = fakeAuthRequest({ authid: 'salty' }, autobahnClient('secret123'));
    const identity = await new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra');
    expect(identity.authid).toBe('salty');
    const { extra } = request.challenges[0]!;
    expect(extra).toEqual({ challenge: expect.any(String), salt: 'salt123', iterations: 1000, keylen: 32 });
  });

  it('fills in Autobahn derive_key() defaults (1000 iterations, 32 bytes) when only a salt is stored', async () => {
    const users = { bare: { secret: 'pw', salt: 'NaCl', authrole: 'user' } };
    const request = fakeAuthRequest({ authid: 'bare' }, autobahnClient('pw'));
    await new WampCraAuthMethod(authenticator(users)).authenticate(request, 'wampcra');
    expect(request.challenges[0]!.extra).toMatchObject({ salt: 'NaCl', iterations: 1000, keylen: 32 });
  });

  it('signs UTF-8 secrets as Autobahn does', async () => {
    const request = fakeAuthRequest({ authid: 'unicode' }, autobahnClient('pässwörd'));
    await expect(
      new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra'),
    ).resolves.toMatchObject({
      authid: 'unicode',
    });
  });

  it('uses a fresh nonce for every attempt', async () => {
    const method = new WampCraAuthMethod(authenticator());
    const first = fakeAuthRequest({ authid: 'peter' }, autobahnClient('secret123'));
    const second = fakeAuthRequest({ authid: 'peter' }, autobahnClient('secret123'));
    await method.authenticate(first, 'wampcra');
    await method.authenticate(second, 'wampcra');
    expect(parsedChallenge(first.challenges[0]!.extra).nonce).not.toBe(
      parsedChallenge(second.challenges[0]!.extra).nonce,
    );
  });

  it('never takes the role from HELLO, neither in the challenge nor in WELCOME', async () => {
    const request = fakeAuthRequest({ authid: 'peter', authrole: 'admin' }, autobahnClient('secret123'));
    const identity = await new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra');
    expect(identity.authrole).toBe('user');
    expect(parsedChallenge(request.challenges[0]!.extra).authrole).toBe('user');
  });

  it('signs and announces the authid, authextra and provider the application chose', async () => {
    const users = {
      peter: { secret: 's', authrole: 'user', authid: 'peter@example.com', authextra: { n: 1 } },
    };
    const request = fakeAuthRequest({ authid: 'peter' }, autobahnClient('s'));
    const identity = await new WampCraAuthMethod(authenticator(users), { provider: 'userdb' }).authenticate(
      request,
      'wampcra',
    );
    expect(identity).toEqual({
      authid: 'peter@example.com',
      authrole: 'user',
      authmethod: 'wampcra',
      authprovider: 'userdb',
      authextra: { n: 1 },
    });
    expect(parsedChallenge(request.challenges[0]!.extra)).toMatchObject({
      authid: 'peter@example.com',
      authprovider: 'userdb',
    });
  });

  it('refuses a signature made with the wrong secret', async () => {
    const request = fakeAuthRequest({ authid: 'peter' }, autobahnClient('wrong'));
    const error = await abortOf(new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra'));
    expect(error).toBeInstanceOf(WampAbortError);
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
  });

  it('refuses an unsalted signature when the secret is salted', async () => {
    const request = fakeAuthRequest({ authid: 'salty' }, (_method, extra) =>
      computeWampCraSignature('secret123', extra.challenge as string),
    );
    const error = await abortOf(new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra'));
    expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
  });

  it.each([[''], ['not base64 at all'], ['x'.repeat(100_000)], [AUTOBAHN.unsalted]])(
    'refuses a malformed or stale signature (%#) with authentication_failed',
    async (signature) => {
      const request = fakeAuthRequest({ authid: 'peter' }, () => signature);
      const error = await abortOf(new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra'));
      expect(error).toMatchObject({ reason: 'wamp.error.authentication_failed' });
    },
  );

  it('refuses an unknown authid with no_such_principal before any CHALLENGE', async () => {
    const request = fakeAuthRequest({ authid: 'nobody' });
    const error = await abortOf(new WampCraAuthMethod(authenticator()).authenticate(request, 'wampcra'));
    expect(error).toMatchObject({ reason: 'wamp.error.no_such_principal' });
    expect(request.challenges).toHaveLength(0);
  });

  it('refuses HELLO without authid with no_such_principal without asking the application', async () => {
    const app = authenticator();
    const error = await abortOf(new WampCraAuthMethod(app).authenticate(fakeAuthRequest({}), 'wampcra'));
    expect(error).toMatchObject({ reason: 'wamp.error.no_such_principal' });
    expect(app.asked).toEqual([]);
  });

  it('passes application errors through unchanged', async () => {
    const failure = new Error('database down');
    const method = new WampCraAuthMethod({ getSecret: () => Promise.reject(failure) });
    await expect(method.authenticate(fakeAuthRequest({ authid: 'peter' }), 'wampcra')).rejects.toBe(failure);
  });

  it.each([
    [{ secret: '', authrole: 'user' }],
    [{ secret: 's', authrole: '' }],
    [{ secret: 's', authrole: 'user', salt: 'x', iterations: -1 }],
  ])('treats a malformed principal (%j) as an application bug (TypeError)', async (principal) => {
    const method = new WampCraAuthMethod({ getSecret: () => Promise.resolve(principal as WampCraSecret) });
    await expect(method.authenticate(fakeAuthRequest({ authid: 'peter' }), 'wampcra')).rejects.toBeInstanceOf(
      TypeError,
    );
  });
});
