/**
 * WAMP over TLS (`wss://`): a Nest app served over HTTPS (Express: `NestFactory.create(Module, {
 * httpsOptions })`, Fastify: `new FastifyAdapter({ https })`) with a self-signed certificate made by
 * openssl for the test, on 127.0.0.1.
 *
 * - the raw client (ws, trusting the certificate through `ca`, or with `rejectUnauthorized: false`),
 *   Autobahn|JS 22.11.1 (through an `https.Agent` with `ca`: in Node Autobahn passes only `agent` and
 *   `headers` to ws, and only from a `transports: [{ type: 'websocket', url, agent }]` entry) and wampy 8
 *   (through a `ws` subclass with `ca`) get WELCOME;
 * - the session's transport says `secure: true`, to handlers (`ctx.session.transport`) and to
 *   authenticators (ticket over wss);
 * - without trusting the certificate the TLS handshake fails (it really is TLS);
 * - a browser origin outside `allowedOrigins` -> HTTP 403 over wss too.
 *
 * Skipped, with the reason in the test name, when openssl is not installed.
 */
import 'reflect-metadata';
import { Controller, Injectable } from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import { Agent } from 'node:https';
import WebSocket from 'ws';
import {
  WampContext,
  type WampAuthContext,
  type WampAuthResult,
  type WampTicketAuthenticator,
} from '../../lib/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { makeCertificate } from '../support/self-signed-certificate.js';
import { openAutobahnSession, openWampySession } from '../support/real-clients.js';
import { startApp, type Platform, type RunningApp } from '../support/test-app.js';

const ROLES = { caller: {}, callee: {}, publisher: {}, subscriber: {} };
const ALLOWED_ORIGIN = 'https://app.example.com';

@Controller()
class TransportController {
  @MessagePattern('transport.info')
  info(@Ctx() ctx: WampContext): Record<string, unknown> {
    const transport = ctx.session.transport;
    const url = transport.type === 'websocket' ? transport.url : undefined;
    return {
      secure: transport.secure,
      protocol: transport.protocol,
      url,
      type: transport.type,
      authmethod: ctx.session.authmethod,
    };
  }
}

@Injectable()
class TlsOnlyTickets implements WampTicketAuthenticator {
  readonly secure: boolean[] = [];
  async verifyTicket(
    authid: string,
    ticket: string,
    context: WampAuthContext,
  ): Promise<WampAuthResult | null> {
    this.secure.push(context.transport.secure);
    // tickets travel in clear text: accept them over TLS only
    return context.transport.secure && authid === 'joe' && ticket === 'joe-secret'
      ? { authrole: 'user' }
      : null;
  }
}

const certificate = makeCertificate();
const skip = 'skip' in certificate ? certificate.skip : null;
const describeTls =
  skip === null ? describe.each<Platform>(['express', 'fastify']) : describe.skip.each<Platform>(['express']);
// A file whose tests are all skipped shows no test names in Jest's report: say why on the console too.
if (skip !== null) console.warn(`test/e2e/wss.spec.ts ${skip}`);

describeTls(skip ?? 'WAMP over wss:// on %s', (platform) => {
  const { key, cert } = certificate as { key: string; cert: string };
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({
      platform,
      https: { key, cert },
      wamp: {
        realms: ['realm1', { name: 'tickets', auth: { ticket: TlsOnlyTickets } }],
        allowedOrigins: [ALLOWED_ORIGIN],
      },
      controllers: [TransportController],
      providers: [TlsOnlyTickets],
    });
  });
  afterAll(async () => {
    await running?.app.close();
  });

  it('serves wss:// (the URL the helper built)', () => {
    expect(running.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
  });

  it('raw client trusting the certificate (ca): WELCOME, and the session transport says secure', async () => {
    const { client, welcome } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.json', { ca: cert });
    expect(welcome[2]).toMatchObject({ realm: 'realm1', authmethod: 'anonymous' });
    client.send([48, 1, {}, 'transport.info']);
    expect(await client.next()).toEqual([
      50,
      1,
      {},
      [{ secure: true, protocol: 'wamp.2.json', url: '/ws', type: 'websocket', authmethod: 'anonymous' }],
    ]);
    client.send([6, {}, 'wamp.close.close_realm']);
    expect(await client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
    expect((await client.waitClosed()).code).toBe(1000);
  });

  it('raw client with rejectUnauthorized: false, on cbor', async () => {
    const { client } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.cbor', {
      rejectUnauthorized: false,
    });
    client.send([48, 1, {}, 'transport.info']);
    expect(await client.next()).toEqual([
      50,
      1,
      {},
      [expect.objectContaining({ secure: true, protocol: 'wamp.2.cbor' })],
    ]);
    client.terminate();
  });

  it('without trusting the self-signed certificate the TLS handshake fails', async () => {
    await expect(RawWampClient.connect(running.url)).rejects.toThrow(/self[- ]signed/i);
  });

  it('ticket over wss: the authenticator sees transport.secure', async () => {
    const client = await RawWampClient.connect(running.url, 'wamp.2.json', { ca: cert });
    client.send([1, 'tickets', { roles: ROLES, authmethods: ['ticket'], authid: 'joe' }]);
    expect(await client.next()).toEqual([4, 'ticket', {}]);
    client.send([5, 'joe-secret', {}]);
    expect(await client.next()).toEqual([
      2,
      expect.any(Number),
      expect.objectContaining({ authid: 'joe', authmethod: 'ticket' }),
    ]);
    expect(running.app.get(TlsOnlyTickets).secure.at(-1)).toBe(true);
    client.terminate();
  });

  it('Autobahn|JS over wss (https.Agent with ca): WELCOME, and transport.info says secure', async () => {
    const agent = new Agent({ ca: cert });
    // Autobahn|JS hands `agent` (and `headers`) to ws only from a transport entry, not from the Connection
    // options themselves.
    const session = await openAutobahnSession(running.url, 'realm1', 'json', {
      connectionOptions: { transports: [{ type: 'websocket', url: running.url, agent }] },
    });
    try {
      expect(session.details).toMatchObject({ realm: 'realm1', authmethod: 'anonymous' });
      const info = await session.client.call('transport.info');
      // one RESULT arg and no kwargs: Autobahn|JS resolves with the value itself
      expect(info).toMatchObject({ secure: true, protocol: 'wamp.2.json' });
      expect(await session.close()).toBe('wamp.close.goodbye_and_out');
    } finally {
      agent.destroy();
    }
  });

  it('wampy over wss (a ws class with ca): WELCOME, and transport.info says secure', async () => {
    class TrustingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { ca: cert });
      }
    }
    const session = await openWampySession(running.url, 'realm1', 'msgpack', {
      wampyOptions: { ws: TrustingWebSocket as never },
    });
    expect(session.details).toMatchObject({ realm: 'realm1', authmethod: 'anonymous' });
    const result = await session.client.call('transport.info');
    expect(result.argsList).toEqual([expect.objectContaining({ secure: true, protocol: 'wamp.2.msgpack' })]);
    expect(await session.close()).toBe('wamp.close.goodbye_and_out');
  });

  it('a browser origin outside allowedOrigins -> HTTP 403 over wss; a listed one connects', async () => {
    const refused = await RawWampClient.connect(running.url, 'wamp.2.json', {
      ca: cert,
      origin: 'https://evil.example.com',
    }).then(
      () => 'opened',
      (error: { statusCode?: number }) => error.statusCode,
    );
    expect(refused).toBe(403);
    const { client } = await RawWampClient.join(running.url, 'realm1', 'wamp.2.json', {
      ca: cert,
      origin: ALLOWED_ORIGIN,
    });
    client.terminate();
  });
});
