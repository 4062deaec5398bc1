import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { CryptosignAuthMethod } from '../../../lib/core/auth/methods/cryptosign.auth-method.js';
import { ScramAuthMethod } from '../../../lib/core/auth/methods/scram.auth-method.js';
import { WampCraAuthMethod } from '../../../lib/core/auth/methods/wampcra.auth-method.js';
import type { WampDict } from '../../../lib/core/protocol/wamp-message.interface.js';
import { abortOf, fakeAuthRequest } from './support/fake-auth-request.js';

/**
 * Live cross-check: the client side of each exchange is computed by Autobahn|Python's own authenticator
 * classes, on the CHALLENGE our methods actually sent. Skipped unless a Python with autobahn, PyNaCl,
 * passlib and txaio is found ($PYTHON, else /usr/bin/python3); the other specs pin reference values instead.
 */
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

const PYTHON_CLIENT = String.raw`
import sys, json, binascii, base64, asyncio
import txaio
txaio.use_asyncio()
from autobahn.wamp import auth
from autobahn.wamp.types import Challenge
from autobahn.wamp.cryptosign import CryptosignKey
from passlib.utils import saslprep

req = json.load(sys.stdin)
mode = req['mode']
if mode == 'wampcra':
    out = auth.AuthWampCra(authid=req['authid'], secret=req['secret']).on_challenge(None, Challenge('wampcra', req['extra']))
elif mode == 'cryptosign':
    async def sign():
        key = CryptosignKey.from_bytes(binascii.a2b_hex(req['seed']))
        return await key.sign_challenge(Challenge('cryptosign', req['extra']))
    out = asyncio.run(sign())
elif mode in ('scram', 'scram-welcome'):
    # argon2-cffi may be missing: stand in for the KDF with a fixed salted password, the rest is AuthScram's.
    auth.HAS_ARGON = True
    auth.saslprep = saslprep
    salted = base64.b64decode(req['salted'])
    auth._hash_argon2id13_secret = lambda password, salt, iterations, memory: salted
    a = auth.AuthScram(authid=req['authid'], password='unused')
    a._client_nonce = req['nonce']
    proof = a.on_challenge(None, Challenge('scram', req['extra'])).decode('ascii')
    if mode == 'scram':
        out = proof
    else:
        class Session:
            class log:
                error = staticmethod(lambda *args, **kw: None)
                info = staticmethod(lambda *args, **kw: None)
        out = a.on_welcome(Session, req['authextra'])
print(json.dumps(out))
`;

function pythonAvailable(): boolean {
  const probe = spawnSync(
    PYTHON,
    ['-c', 'import autobahn.wamp.auth, autobahn.wamp.cryptosign, nacl, passlib, txaio'],
    {
      stdio: 'ignore',
    },
  );
  return probe.status === 0;
}

function autobahnPython(request: Record<string, unknown>): unknown {
  const run = spawnSync(PYTHON, ['-c', PYTHON_CLIENT], { input: JSON.stringify(request), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`Autobahn|Python failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as unknown;
}

const describeWithPython = pythonAvailable() ? describe : describe.skip;

describeWithPython('auth methods against Autobahn|Python clients (live)', () => {
  it('WAMP-CRA: AuthWampCra signs our challenge, unsalted and salted', async () => {
    const users = {
      peter: { secret: 'secret123', authrole: 'user' },
      salty: { secret: 'pässwörd', salt: 'salt123', iterations: 100, keylen: 32, authrole: 'user' },
    } as const;
    for (const authid of ['peter', 'salty'] as const) {
      const request = fakeAuthRequest({ authmethods: ['wampcra'], authid }, (_method, extra) =>
        String(autobahnPython({ mode: 'wampcra', authid, secret: users[authid].secret, extra })),
      );
      const method = new WampCraAuthMethod({
        getSecret: (id) => Promise.resolve(users[id as keyof typeof users]),
      });
      await expect(method.authenticate(request, 'wampcra')).resolves.toMatchObject({
        authid,
        authrole: 'user',
      });
    }
  });

  it('WAMP-CRA: a wrong secret is refused', async () => {
    const request = fakeAuthRequest({ authid: 'peter' }, (_method, extra) =>
      String(autobahnPython({ mode: 'wampcra', authid: 'peter', secret: 'wrong', extra })),
    );
    const method = new WampCraAuthMethod({
      getSecret: () => Promise.resolve({ secret: 'secret123', authrole: 'user' }),
    });
    expect(await abortOf(method.authenticate(request, 'wampcra'))).toMatchObject({
      reason: 'wamp.error.authentication_failed',
    });
  });

  it('cryptosign: CryptosignKey.sign_challenge signs our challenge', async () => {
    const seed = '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510';
    const pubkey = '1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d';
    const request = fakeAuthRequest({ authextra: { pubkey } }, (_method, extra) =>
      String(autobahnPython({ mode: 'cryptosign', seed, extra })),
    );
    const method = new CryptosignAuthMethod({
      getPrincipal: (key) =>
        Promise.resolve(key === pubkey ? { authid: 'client01', authrole: 'user' } : null),
    });
    await expect(method.authenticate(request, 'cryptosign')).resolves.toMatchObject({ authid: 'client01' });

    const impostor = fakeAuthRequest({ authextra: { pubkey } }, (_method, extra) =>
      String(
        autobahnPython({
          mode: 'cryptosign',
          seed: 'd511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd',
          extra,
        }),
      ),
    );
    expect(await abortOf(method.authenticate(impostor, 'cryptosign'))).toMatchObject({
      reason: 'wamp.error.authentication_failed',
    });
  });

  it('scram: AuthScram answers our challenge and accepts our scram_server_signature in on_welcome', async () => {
    // Credentials as derive_scram_credential would compute them from the (stand-in) Argon2 output.
    const salted = createHash('sha256').update('crosscheck').digest();
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const credentials = {
      kdf: 'argon2id13' as const,
      salt: Buffer.from('0123456789abcdef').toString('base64'),
      iterations: 4096,
      memory: 512,
      storedKey: createHash('sha256').update(clientKey).digest('base64'),
      serverKey: createHmac('sha256', salted).update('Server Key').digest('base64'),
      authrole: 'user',
    };
    const nonce = Buffer.from('client-nonce-16B').toString('base64');
    let challengeExtra: WampDict = {};
    const request = fakeAuthRequest(
      { authmethods: ['scram'], authid: 'joe', authextra: { nonce } },
      (_method, extra) => {
        challengeExtra = extra;
        return String(
          autobahnPython({ mode: 'scram', authid: 'joe', salted: salted.toString('base64'), nonce, extra }),
        );
      },
    );
    const identity = await new ScramAuthMethod({
      getCredentials: () => Promise.resolve(credentials),
    }).authenticate(request, 'scram');
    expect(identity).toMatchObject({ authid: 'joe', authrole: 'user', authmethod: 'scram' });
    // on_welcome returns None (null) when the server signature checks out, an error text otherwise.
    const welcome = autobahnPython({
      mode: 'scram-welcome',
      authid: 'joe',
      salted: salted.toString('base64'),
      nonce,
      extra: challengeExtra,
      authextra: identity.authextra,
    });
    expect(welcome).toBeNull();
  });
});
