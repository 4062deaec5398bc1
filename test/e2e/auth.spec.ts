/**
 * Realm authentication end to end, frame by frame with the raw client: `realms: [{ name, auth }]` with
 * application authenticators given as Nest provider classes (resolved from DI, with dependencies of their
 * own), on Express and on Fastify.
 *
 * - ticket: HELLO -> CHALLENGE [4, 'ticket', {}] -> AUTHENTICATE -> WELCOME with the identity the
 *   authenticator decided (never HELLO's authrole); wrong ticket and unknown authid get the very same ABORT;
 *   no authid -> ABORT no_such_principal without CHALLENGE; AUTHENTICATE without a pending CHALLENGE and a
 *   second AUTHENTICATE -> ABORT protocol_violation;
 * - anonymous is not implied once methods are configured (`anonymous: true` / `{ authrole }` allows it);
 * - methods are tried in the client's HELLO.authmethods order, the first one the realm has wins;
 * - no AUTHENTICATE within helloTimeout -> ABORT wamp.error.timeout;
 * - an authenticator that throws -> ABORT authentication_failed with a generic message, the error logged;
 * - transport authentication (Cookie header) admits without CHALLENGE, and falls through to HELLO's
 *   methods when it returns null;
 * - the identity reaches handlers (`ctx.session`) and guards (`@UseGuards` on authrole);
 * - an authenticator class that is no provider fails the app at startup with a readable message.
 */
import 'reflect-metadata';
import { jest } from '@jest/globals';
import {
  Controller,
  Injectable,
  Logger,
  Module,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import {
  WampContext,
  type WampAuthContext,
  type WampAuthResult,
  type WampCraAuthenticator,
  type WampCraSecret,
  type WampTicketAuthenticator,
  type WampTransportAuthenticator,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type Platform, type RunningApp } from '../support/test-app.js';

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// the application: a user store and authenticators that depend on it

interface User {
  ticket: string;
  authrole: string;
  authid?: string;
  authextra?: Record<string, unknown>;
}

/** A user store the authenticators get injected (proves they are real Nest providers with DI). */
@Injectable()
class UserStore {
  readonly users = new Map<string, User>([
    ['joe', { ticket: 'joe-secret', authrole: 'user' }],
    [
      'ada',
      {
        ticket: 'ada-secret',
        authrole: 'admin',
        authid: 'ada@example.com',
        authextra: { tenant: 'acme', level: 3 },
      },
    ],
  ]);
  /** Every context an authenticator was handed, in order. */
  readonly contexts: WampAuthContext[] = [];
  /** Every verifyTicket() call. */
  readonly verified: { authid: string; ticket: string }[] = [];
}

/** The error text a throwing authenticator carries: must be logged, never sent. */
const SECRET_FAILURE = 'connection to users-db failed: password=hunter2';

@Injectable()
class TicketAuthenticator implements WampTicketAuthenticator {
  constructor(private readonly store: UserStore) {}

  async verifyTicket(
    authid: string,
    ticket: string,
    context: WampAuthContext,
  ): Promise<WampAuthResult | null> {
    this.store.contexts.push(context);
    this.store.verified.push({ authid, ticket });
    if (ticket === 'explode') throw new Error(SECRET_FAILURE);
    if (ticket === 'slow') {
      await sleep(300);
      return null;
    }
    const user = this.store.users.get(authid);
    if (!user || user.ticket !== ticket) return null;
    return { authrole: user.authrole, authid: user.authid, authextra: user.authextra };
  }
}

@Injectable()
class CraAuthenticator implements WampCraAuthenticator {
  async getSecret(authid: string): Promise<WampCraSecret | null> {
    return authid === 'joe' ? { secret: 'cra-secret', authrole: 'user' } : null;
  }
}

/** Admits `Cookie: session=valid-token` (and `session=vip-token`) without CHALLENGE; anything else falls through. */
@Injectable()
class CookieAuthenticator implements WampTransportAuthenticator {
  readonly authmethod = 'cookie';
  readonly seen: (string | undefined)[] = [];

  async authenticateTransport(context: WampAuthContext): Promise<WampAuthResult | null> {
    // Cookies come with the WebSocket upgrade request (a RawSocket connection has none).
    const header = context.transport.type === 'websocket' ? context.transport.headers.cookie : undefined;
    const cookie = Array.isArray(header) ? header.join('; ') : header;
    this.seen.push(cookie);
    const session = /(?:^|;\s*)session=([^;]+)/.exec(cookie ?? '')?.[1];
    if (session === 'valid-token') return { authid: 'cookie-user', authrole: 'member' };
    if (session === 'vip-token') return { authid: 'vip', authrole: 'admin', authextra: { via: 'cookie' } };
    if (session === 'roleonly-token') return { authrole: 'member' };
    return null;
  }
}

/** A transport authenticator that takes its time and then refuses (falls through to ticket). */
@Injectable()
class SlowTransportAuthenticator implements WampTransportAuthenticator {
  readonly authmethod = 'cookie';
  async authenticateTransport(): Promise<WampAuthResult | null> {
    await sleep(250);
    return null;
  }
}

/** Never listed as a provider: the app must refuse to start. */
class UnregisteredTicketAuthenticator implements WampTicketAuthenticator {
  async verifyTicket(): Promise<WampAuthResult | null> {
    return null;
  }
}

@Injectable()
class AdminGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToRpc().getContext<WampContext>().session.authrole === 'admin';
  }
}

@Controller()
class WhoAmIController {
  @MessagePattern('auth.whoami')
  whoami(@Ctx() ctx: WampContext): Record<string, unknown> {
    const { id, realm, authid, authrole, authmethod, authprovider, authextra } = ctx.session;
    return { id, realm, authid, authrole, authmethod, authprovider, authextra: authextra ?? null };
  }

  @MessagePattern('auth.admin_only')
  @UseGuards(AdminGuard)
  adminOnly(@Ctx() ctx: WampContext): string {
    return `hello ${ctx.session.authid}`;
  }
}

const PROVIDERS = [
  UserStore,
  TicketAuthenticator,
  CraAuthenticator,
  CookieAuthenticator,
  SlowTransportAuthenticator,
  AdminGuard,
];

const REALMS = [
  { name: 'ticket.only', auth: { ticket: TicketAuthenticator } },
  { name: 'ticket.anon', auth: { anonymous: true, ticket: TicketAuthenticator } },
  {
    name: 'multi',
    auth: { anonymous: { authrole: 'guest' }, ticket: TicketAuthenticator, wampcra: CraAuthenticator },
  },
  { name: 'cookie', auth: { transport: CookieAuthenticator, ticket: TicketAuthenticator } },
  { name: 'slow.transport', auth: { transport: SlowTransportAuthenticator, ticket: TicketAuthenticator } },
];

// ---------------------------------------------------------------------------------------------
// frames

function hello(client: RawWampClient, realm: string, details: Record<string, unknown> = {}): void {
  client.send([1, realm, { roles: ROLES, ...details }]);
}

type Welcome = [2, number, Record<string, unknown>];

function expectWelcome(message: unknown, identity: Record<string, unknown>): Welcome {
  expect(Array.isArray(message) && message[0]).toBe(2);
  const welcome = message as Welcome;
  expect(welcome[2]).toMatchObject(identity);
  return welcome;
}

/** HELLO with ticket, answers the CHALLENGE; resolves with the client and what came after AUTHENTICATE. */
async function ticketLogin(
  url: string,
  realm: string,
  authid: string | undefined,
  ticket: string,
  details: Record<string, unknown> = {},
): Promise<{ client: RawWampClient; answer: unknown }> {
  const client = await RawWampClient.connect(url);
  hello(client, realm, { authmethods: ['ticket'], ...(authid !== undefined ? { authid } : {}), ...details });
  expect(await client.next()).toEqual([4, 'ticket', {}]);
  client.send([5, ticket, {}]);
  return { client, answer: await client.next() };
}

/** Sends CALL and returns the answer (RESULT or ERROR). */
async function call(client: RawWampClient, procedure: string, request = 1): Promise<unknown> {
  client.send([48, request, {}, procedure]);
  return client.next();
}

describe.each<Platform>(['express', 'fastify'])('realm authentication on %s', (platform) => {
  let running: RunningApp;
  const store = () => running.app.get(UserStore);

  beforeAll(async () => {
    running = await startApp({
      platform,
      wamp: { realms: REALMS },
      providers: PROVIDERS,
      controllers: [WhoAmIController],
    });
  });
  afterAll(async () => {
    await running.app.close();
  });

  describe('ticket', () => {
    it('HELLO -> CHALLENGE ticket -> AUTHENTICATE -> WELCOME with the identity the authenticator decided', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.only', 'joe', 'joe-secret');
      const welcome = expectWelcome(answer, {
        realm: 'ticket.only',
        authid: 'joe',
        authrole: 'user',
        authmethod: 'ticket',
        authprovider: 'application',
      });
      expect(welcome[2]).not.toHaveProperty('authextra');
      expect(Number.isSafeInteger(welcome[1])).toBe(true);
      client.send([6, {}, 'wamp.close.close_realm']);
      expect(await client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
      await client.waitClosed();
    });

    it('the authenticator may rename the principal and add authextra; WELCOME announces both', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.only', 'ada', 'ada-secret');
      expectWelcome(answer, {
        authid: 'ada@example.com',
        authrole: 'admin',
        authmethod: 'ticket',
        authextra: { tenant: 'acme', level: 3 },
      });
      client.terminate();
    });

    it('HELLO asking for authrole "admin" gets the role the authenticator decided', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.only', 'joe', 'joe-secret', {
        authrole: 'admin',
      });
      expectWelcome(answer, { authid: 'joe', authrole: 'user' });
      expect(await call(client, 'auth.whoami')).toEqual([
        50,
        1,
        {},
        [expect.objectContaining({ authid: 'joe', authrole: 'user', authmethod: 'ticket' })],
      ]);
      client.terminate();
    });

    it('wrong ticket and unknown authid get the very same ABORT authentication_failed (no hint), then close', async () => {
      const wrong = await ticketLogin(running.url, 'ticket.only', 'joe', 'not-joe-secret');
      const unknown = await ticketLogin(running.url, 'ticket.only', 'mallory', 'whatever');
      expect(wrong.answer).toEqual([3, { message: expect.any(String) }, 'wamp.error.authentication_failed']);
      expect(unknown.answer).toEqual(wrong.answer);
      const message = ((wrong.answer as unknown[])[1] as { message: string }).message;
      expect(message).not.toMatch(/not-joe-secret|joe|unknown|exist/i);
      expect((await wrong.client.waitClosed()).code).toBe(1000);
      expect((await unknown.client.waitClosed()).code).toBe(1000);
    });

    it('an empty ticket is refused the same way', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.only', 'joe', '');
      expect(answer).toEqual([3, { message: expect.any(String) }, 'wamp.error.authentication_failed']);
      await client.waitClosed();
    });

    it('no authid -> ABORT no_such_principal, without CHALLENGE and without asking the authenticator', async () => {
      const before = store().verified.length;
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.only', { authmethods: ['ticket'] });
      expect(await client.next()).toEqual([
        3,
        { message: expect.stringContaining('authid') },
        'wamp.error.no_such_principal',
      ]);
      expect((await client.waitClosed()).code).toBe(1000);
      expect(store().verified.length).toBe(before);
    });

    it('AUTHENTICATE while no CHALLENGE is pending (transport authenticator still deciding) -> ABORT protocol_violation', async () => {
      const before = store().verified.length;
      const client = await RawWampClient.connect(running.url);
      hello(client, 'slow.transport', { authmethods: ['ticket'], authid: 'joe' });
      client.send([5, 'joe-secret', {}]);
      expect(await client.next()).toEqual([
        3,
        { message: 'AUTHENTICATE received, but no CHALLENGE is pending.' },
        'wamp.error.protocol_violation',
      ]);
      expect((await client.waitClosed()).code).toBe(1002);
      // the transport authenticator finishes later: no CHALLENGE goes out on the dead session
      await sleep(350);
      expect(client.pending).toHaveLength(0);
      expect(store().verified.length).toBe(before);
    });

    it('the slow transport authenticator falls through to ticket once it returns null', async () => {
      const { client, answer } = await ticketLogin(running.url, 'slow.transport', 'joe', 'joe-secret');
      expectWelcome(answer, { authid: 'joe', authmethod: 'ticket' });
      client.terminate();
    });

    it('a second AUTHENTICATE while the first is being verified -> ABORT protocol_violation; no WELCOME follows', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.only', { authmethods: ['ticket'], authid: 'joe' });
      expect(await client.next()).toEqual([4, 'ticket', {}]);
      client.send([5, 'slow', {}]);
      client.send([5, 'joe-secret', {}]);
      expect(await client.next()).toEqual([
        3,
        { message: 'AUTHENTICATE received, but no CHALLENGE is pending.' },
        'wamp.error.protocol_violation',
      ]);
      expect((await client.waitClosed()).code).toBe(1002);
      await sleep(400);
      expect(client.pending).toHaveLength(0);
    });

    it('CALL during authentication -> ABORT protocol_violation', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.only', { authmethods: ['ticket'], authid: 'joe' });
      expect(await client.next()).toEqual([4, 'ticket', {}]);
      client.send([48, 1, {}, 'auth.whoami']);
      expect(await client.next()).toEqual([
        3,
        { message: 'CALL (48) received while the session is being authenticated.' },
        'wamp.error.protocol_violation',
      ]);
      await client.waitClosed();
    });

    it('the client may ABORT instead of answering the CHALLENGE; the router just closes', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.only', { authmethods: ['ticket'], authid: 'joe' });
      expect(await client.next()).toEqual([4, 'ticket', {}]);
      client.send([3, { message: 'user cancelled' }, 'wamp.error.cannot_authenticate']);
      await client.waitClosed();
      expect(client.pending).toHaveLength(0);
    });

    it('the authenticator sees realm, session ID, HELLO details and the upgrade request', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.only', 'joe', 'joe-secret', {
        authextra: { device: 'kiosk-7' },
      });
      const welcome = expectWelcome(answer, { authid: 'joe' });
      const context = store().contexts.at(-1)!;
      expect(context.realm).toBe('ticket.only');
      expect(context.sessionId).toBe(welcome[1]);
      expect(context.details).toMatchObject({
        authid: 'joe',
        authmethods: ['ticket'],
        authextra: { device: 'kiosk-7' },
      });
      expect(context.transport).toMatchObject({
        type: 'websocket',
        protocol: 'wamp.2.json',
        secure: false,
        url: '/ws',
      });
      expect(context.transport.remoteAddress).toMatch(/127\.0\.0\.1/);
      if (context.transport.type !== 'websocket') throw new Error('expected a WebSocket transport');
      expect(context.transport.headers['sec-websocket-protocol']).toBe('wamp.2.json');
      expect(context.transport.headers.host).toBe(`127.0.0.1:${running.port}`);
      // Fields that only served the handshake are not kept for the session's lifetime.
      for (const field of ['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version']) {
        expect(context.transport.headers[field]).toBeUndefined();
      }
      client.terminate();
    });

    it('works on binary serializers too (msgpack, cbor)', async () => {
      for (const protocol of ['wamp.2.msgpack', 'wamp.2.cbor']) {
        const client = await RawWampClient.connect(running.url, protocol);
        hello(client, 'ticket.only', { authmethods: ['ticket'], authid: 'joe' });
        expect(await client.next()).toEqual([4, 'ticket', {}]);
        client.send([5, 'joe-secret', {}]);
        expectWelcome(await client.next(), { authid: 'joe', authmethod: 'ticket' });
        client.terminate();
      }
    });
  });

  describe('anonymous and method choice', () => {
    it('anonymous is not implied once methods are configured: HELLO without authmethods -> ABORT no_matching_auth_method', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.only');
      expect(await client.next()).toEqual([
        3,
        { message: expect.stringContaining('ticket') },
        'wamp.error.no_matching_auth_method',
      ]);
      expect((await client.waitClosed()).code).toBe(1000);
    });

    it('nor when asked for explicitly', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.only', { authmethods: ['anonymous'] });
      expect(await client.next()).toEqual([
        3,
        { message: expect.stringContaining('anonymous') },
        'wamp.error.no_matching_auth_method',
      ]);
      await client.waitClosed();
    });

    it('anonymous: true admits HELLO without authmethods, as role "anonymous"', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.anon', { authid: 'root', authrole: 'admin' });
      const welcome = expectWelcome(await client.next(), {
        realm: 'ticket.anon',
        authrole: 'anonymous',
        authmethod: 'anonymous',
        authprovider: 'static',
      });
      expect(welcome[2].authid).toBe(`anonymous-${welcome[1]}`);
      client.terminate();
    });

    it('anonymous: { authrole } gives that role', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'multi', { authmethods: ['anonymous'] });
      expectWelcome(await client.next(), { authrole: 'guest', authmethod: 'anonymous' });
      client.terminate();
    });

    it.each<[string[], string]>([
      [['wampcra', 'ticket'], 'wampcra'],
      [['ticket', 'wampcra'], 'ticket'],
      [['ticket', 'anonymous'], 'ticket'],
      [['cryptosign', 'scram', 'ticket'], 'ticket'],
    ])(
      'HELLO authmethods %j -> CHALLENGE %s (the client order, first method the realm has)',
      async (methods, expected) => {
        const client = await RawWampClient.connect(running.url);
        hello(client, 'multi', { authmethods: methods, authid: 'joe' });
        const challenge = (await client.next()) as unknown[];
        expect(challenge.slice(0, 2)).toEqual([4, expected]);
        if (expected === 'wampcra') {
          const extra = challenge[2] as { challenge: string };
          expect(JSON.parse(extra.challenge)).toMatchObject({
            authid: 'joe',
            authrole: 'user',
            authmethod: 'wampcra',
          });
        }
        client.terminate();
      },
    );

    it('["anonymous", "ticket"] on a realm allowing anonymous -> WELCOME anonymous, no CHALLENGE', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'multi', { authmethods: ['anonymous', 'ticket'], authid: 'joe' });
      expectWelcome(await client.next(), { authrole: 'guest', authmethod: 'anonymous' });
      client.terminate();
    });

    it('the first method the realm has is the only one tried: a wrong ticket does not fall back to anonymous', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'multi', { authmethods: ['ticket', 'anonymous'], authid: 'joe' });
      expect(await client.next()).toEqual([4, 'ticket', {}]);
      client.send([5, 'wrong', {}]);
      expect(await client.next()).toEqual([
        3,
        { message: expect.any(String) },
        'wamp.error.authentication_failed',
      ]);
      await client.waitClosed();
    });

    it('only methods the realm does not have -> ABORT no_matching_auth_method naming what it accepts', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'multi', { authmethods: ['cryptosign', 'scram'], authid: 'joe' });
      const abort = (await client.next()) as [number, { message: string }, string];
      expect(abort[0]).toBe(3);
      expect(abort[2]).toBe('wamp.error.no_matching_auth_method');
      expect(abort[1].message).toEqual(expect.stringContaining('cryptosign'));
      for (const accepted of ['anonymous', 'ticket', 'wampcra']) expect(abort[1].message).toContain(accepted);
      await client.waitClosed();
    });
  });

  describe('transport authentication', () => {
    it('a valid session cookie admits at once: WELCOME authmethod "cookie", no CHALLENGE', async () => {
      const client = await RawWampClient.connect(running.url, 'wamp.2.json', {
        headers: { Cookie: 'theme=dark; session=valid-token' },
      });
      hello(client, 'cookie');
      expectWelcome(await client.next(), {
        realm: 'cookie',
        authid: 'cookie-user',
        authrole: 'member',
        authmethod: 'cookie',
        authprovider: 'transport',
      });
      expect(running.app.get(CookieAuthenticator).seen.at(-1)).toBe('theme=dark; session=valid-token');
      client.terminate();
    });

    it('a transport identity without authid never takes the unverified HELLO authid', async () => {
      const client = await RawWampClient.connect(running.url, 'wamp.2.json', {
        headers: { Cookie: 'session=roleonly-token' },
      });
      hello(client, 'cookie', { authid: 'ceo' });
      const welcome = (await client.next()) as [number, number, Record<string, unknown>];
      expect(welcome[0]).toBe(2);
      expect(welcome[2]).toMatchObject({
        authid: `transport-${welcome[1]}`,
        authrole: 'member',
        authmethod: 'cookie',
      });
      client.terminate();
    });

    it('the cookie wins over HELLO methods, and the identity and authextra reach the handlers', async () => {
      const client = await RawWampClient.connect(running.url, 'wamp.2.json', {
        headers: { Cookie: 'session=vip-token' },
      });
      hello(client, 'cookie', { authmethods: ['ticket'], authid: 'joe' });
      expectWelcome(await client.next(), { authid: 'vip', authrole: 'admin', authextra: { via: 'cookie' } });
      expect(await call(client, 'auth.whoami')).toEqual([
        50,
        1,
        {},
        [
          expect.objectContaining({
            authid: 'vip',
            authrole: 'admin',
            authmethod: 'cookie',
            authprovider: 'transport',
            authextra: { via: 'cookie' },
          }),
        ],
      ]);
      client.terminate();
    });

    it('no or an unknown cookie: falls through to the HELLO methods (ticket)', async () => {
      for (const headers of [{}, { Cookie: 'session=expired' }] as Record<string, string>[]) {
        const client = await RawWampClient.connect(running.url, 'wamp.2.json', { headers });
        hello(client, 'cookie', { authmethods: ['ticket'], authid: 'joe' });
        expect(await client.next()).toEqual([4, 'ticket', {}]);
        client.send([5, 'joe-secret', {}]);
        expectWelcome(await client.next(), { authid: 'joe', authmethod: 'ticket' });
        client.terminate();
      }
    });

    it('no cookie and no HELLO methods -> ABORT no_matching_auth_method', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'cookie');
      expect(await client.next()).toEqual([
        3,
        { message: expect.any(String) },
        'wamp.error.no_matching_auth_method',
      ]);
      await client.waitClosed();
    });
  });

  describe('the identity in handlers and guards', () => {
    it('a guard on authrole lets a ticket "admin" call the procedure', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.anon', 'ada', 'ada-secret');
      expectWelcome(answer, { authrole: 'admin' });
      expect(await call(client, 'auth.admin_only')).toEqual([50, 1, {}, ['hello ada@example.com']]);
      client.terminate();
    });

    it('and refuses an anonymous session (claiming authrole "admin" in HELLO) with not_authorized', async () => {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.anon', { authrole: 'admin' });
      expectWelcome(await client.next(), { authrole: 'anonymous' });
      expect(await call(client, 'auth.admin_only')).toEqual([
        8,
        48,
        1,
        {},
        'wamp.error.not_authorized',
        ['Forbidden resource'],
      ]);
      client.terminate();
    });

    it('and refuses a ticket "user"', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.anon', 'joe', 'joe-secret');
      expectWelcome(answer, { authrole: 'user' });
      expect(await call(client, 'auth.admin_only')).toEqual([
        8,
        48,
        1,
        {},
        'wamp.error.not_authorized',
        ['Forbidden resource'],
      ]);
      client.terminate();
    });

    it('the context sees authid, authrole, authmethod, authprovider and authextra', async () => {
      const { client, answer } = await ticketLogin(running.url, 'ticket.anon', 'ada', 'ada-secret');
      const welcome = expectWelcome(answer, {});
      expect(await call(client, 'auth.whoami')).toEqual([
        50,
        1,
        {},
        [
          {
            id: welcome[1],
            realm: 'ticket.anon',
            authid: 'ada@example.com',
            authrole: 'admin',
            authmethod: 'ticket',
            authprovider: 'application',
            authextra: { tenant: 'acme', level: 3 },
          },
        ],
      ]);
      client.terminate();
    });
  });

  it('an authenticator that throws -> ABORT authentication_failed with a generic message; the error is logged', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'ticket.only', { authmethods: ['ticket'], authid: 'joe' });
      expect(await client.next()).toEqual([4, 'ticket', {}]);
      client.send([5, 'explode', {}]);
      const frame = await client.nextFrame();
      expect(frame.message).toEqual([
        3,
        { message: 'Authentication failed.' },
        'wamp.error.authentication_failed',
      ]);
      expect(frame.raw.toString()).not.toContain('hunter2');
      expect((await client.waitClosed()).code).toBe(1000);
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('authenticator failed'),
        expect.stringContaining(SECRET_FAILURE),
      );
    } finally {
      logged.mockRestore();
    }
  });
});

describe('realm authentication: timeouts and startup', () => {
  it('no AUTHENTICATE within helloTimeout -> ABORT wamp.error.timeout, then close', async () => {
    const running = await startApp({
      wamp: { realms: [{ name: 'realm1', auth: { ticket: TicketAuthenticator } }], helloTimeout: 300 },
      providers: [UserStore, TicketAuthenticator],
    });
    try {
      const client = await RawWampClient.connect(running.url);
      const started = Date.now();
      hello(client, 'realm1', { authmethods: ['ticket'], authid: 'joe' });
      expect(await client.next()).toEqual([4, 'ticket', {}]);
      expect(await client.next(2000)).toEqual([
        3,
        { message: 'Authentication did not complete within 300 ms.' },
        'wamp.error.timeout',
      ]);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(1500);
      expect((await client.waitClosed()).code).toBe(1000);
      // an AUTHENTICATE arriving late changes nothing (the socket is closed)
      expect(running.app.get(UserStore).verified).toHaveLength(0);
    } finally {
      await running.app.close();
    }
  });

  it('an authenticator still verifying when helloTimeout expires: ABORT timeout, its late answer is dropped', async () => {
    const running = await startApp({
      wamp: { realms: [{ name: 'realm1', auth: { ticket: TicketAuthenticator } }], helloTimeout: 150 },
      providers: [UserStore, TicketAuthenticator],
    });
    try {
      const client = await RawWampClient.connect(running.url);
      hello(client, 'realm1', { authmethods: ['ticket'], authid: 'joe' });
      expect(await client.next()).toEqual([4, 'ticket', {}]);
      client.send([5, 'slow', {}]); // verifyTicket takes 300 ms
      expect(await client.next()).toEqual([3, { message: expect.any(String) }, 'wamp.error.timeout']);
      await client.waitClosed();
      await sleep(300);
      expect(client.pending).toHaveLength(0);
    } finally {
      await running.app.close();
    }
  });

  it('an authenticator class that is no provider fails the app at startup with a readable message', async () => {
    await expect(
      startApp({ wamp: { realms: [{ name: 'realm1', auth: { ticket: UnregisteredTicketAuthenticator } }] } }),
    ).rejects.toThrow(/realm "realm1".*UnregisteredTicketAuthenticator.*not a provider/s);
  });

  it('an authenticator instance (not a class) needs no provider', async () => {
    const ticket: WampTicketAuthenticator = {
      verifyTicket: async (_authid, secret) => (secret === 'open-sesame' ? { authrole: 'robot' } : null),
    };
    const running = await startApp({ wamp: { realms: [{ name: 'realm1', auth: { ticket } }] } });
    try {
      const { client, answer } = await ticketLogin(running.url, 'realm1', 'r2d2', 'open-sesame');
      expectWelcome(answer, { authid: 'r2d2', authrole: 'robot', authmethod: 'ticket' });
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('an authenticator provided by an imported module is found (strict: false)', async () => {
    @Module({ providers: [UserStore, TicketAuthenticator], exports: [] })
    class UsersModule {}
    const running = await startApp({
      wamp: { realms: [{ name: 'realm1', auth: { ticket: TicketAuthenticator } }] },
      imports: [UsersModule],
    });
    try {
      const { client, answer } = await ticketLogin(running.url, 'realm1', 'joe', 'joe-secret');
      expectWelcome(answer, { authid: 'joe', authrole: 'user' });
      client.terminate();
    } finally {
      await running.app.close();
    }
  });
});
