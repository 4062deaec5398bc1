import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import WebSocket from 'ws';
import { WampGateway, WampModule, type WampModuleOptions, type WampOptionsFactory } from '../../lib/index.js';
import { WampRouter } from '../../lib/core/index.js';
import { RawWampClient } from '../support/raw-wamp-client.js';
import { startApp, type Platform } from '../support/test-app.js';

@WebSocketGateway({ path: '/other' })
class EchoGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() data: string): { event: string; data: string } {
    return { event: 'echo', data };
  }
}

@Controller()
class HealthController {
  @Get('health')
  health(): string {
    return 'ok';
  }
}

function openPlainSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe.each<Platform>(['express', 'fastify'])('WAMP beside other routes on %s', (platform) => {
  it('shares the port with HTTP routes and a stock WsAdapter gateway on another path', async () => {
    const running = await startApp({
      platform,
      controllers: [HealthController],
      providers: [EchoGateway],
      configure: (app) => app.useWebSocketAdapter(new WsAdapter(app)),
    });
    try {
      const response = await fetch(`http://127.0.0.1:${running.port}/health`);
      expect(await response.text()).toBe('ok');

      const other = await openPlainSocket(`${running.baseUrl}/other`);
      const echoed = new Promise<string>((resolve) =>
        other.once('message', (data: Buffer) => resolve(data.toString())),
      );
      other.send(JSON.stringify({ event: 'echo', data: 'hi' }));
      expect(JSON.parse(await echoed)).toEqual({ event: 'echo', data: 'hi' });

      const { client } = await RawWampClient.join(running.url);
      // The stock WsAdapter destroys sockets of paths it does not know right after the handshake:
      // the WAMP session must still be alive a moment later.
      await new Promise((resolve) => setTimeout(resolve, 200));
      client.send([6, {}, 'wamp.close.close_realm']);
      expect(await client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
      await client.waitClosed();
      other.close();
    } finally {
      await running.app.close();
    }
  });

  it('app.close() sends GOODBYE wamp.close.system_shutdown to every session and returns promptly', async () => {
    const running = await startApp({ platform, wamp: { shutdownTimeout: 1500 } });
    const polite = await RawWampClient.join(running.url);
    const silent = await RawWampClient.join(running.url);
    const joining = await RawWampClient.connect(running.url);
    const started = Date.now();
    const closing = running.app.close();
    const goodbye = await polite.client.next();
    expect(goodbye).toEqual([6, { message: 'The router is shutting down.' }, 'wamp.close.system_shutdown']);
    polite.client.send([6, {}, 'wamp.close.goodbye_and_out']);
    expect(await silent.client.next()).toEqual(goodbye);
    expect(await joining.next()).toEqual([
      3,
      { message: 'The router is shutting down.' },
      'wamp.close.system_shutdown',
    ]);
    await closing;
    // The silent session never answers: close() waits for it at most shutdownTimeout.
    expect(Date.now() - started).toBeLessThan(2500);
    expect((await polite.client.waitClosed()).code).toBe(1000);
    await silent.client.waitClosed();
    await joining.waitClosed();
  });
});

describe('gateway options', () => {
  it('refuses browser origins outside the allowlist with HTTP 403, accepts listed ones', async () => {
    const running = await startApp({
      wamp: { allowedOrigins: ['https://app.example.com', /^http:\/\/localhost:\d+$/] },
    });
    try {
      const refused = new Promise<number>((resolve) => {
        const socket = new WebSocket(running.url, 'wamp.2.json', { origin: 'https://evil.example.com' });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.on('error', () => undefined);
      });
      expect(await refused).toBe(403);
      for (const origin of ['https://app.example.com', 'http://localhost:3000']) {
        const socket = new WebSocket(running.url, 'wamp.2.json', { origin });
        await new Promise((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
        socket.close();
      }
    } finally {
      await running.app.close();
    }
  });

  it('an origin check or transport authenticator that throws is answered, and the process and other sessions live on', async () => {
    /** An allowlist entry whose check throws, as a buggy custom RegExp might. */
    class ExplodingOrigin extends RegExp {
      override test(): boolean {
        throw new Error('origin check exploded');
      }
    }
    const exploding = {
      authmethod: 'cookie',
      authenticateTransport: async (): Promise<null> => {
        throw new Error('transport authenticator exploded');
      },
    };
    const running = await startApp({
      wamp: {
        allowedOrigins: [new ExplodingOrigin('x')],
        realms: ['realm1', { name: 'guarded', auth: { transport: exploding, anonymous: true } }],
      },
    });
    try {
      const { client: bystander } = await RawWampClient.join(running.url);
      for (let attempt = 0; attempt < 3; attempt++) {
        const status = await new Promise<number>((resolve) => {
          const socket = new WebSocket(running.url, 'wamp.2.json', { origin: 'https://app.example.com' });
          socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
          socket.on('error', () => undefined);
        });
        expect(status).toBe(500);
      }
      const guarded = await RawWampClient.connect(running.url);
      guarded.send([1, 'guarded', { roles: { caller: {} } }]);
      expect(await guarded.next()).toEqual([
        3,
        { message: 'Authentication failed.' },
        'wamp.error.authentication_failed',
      ]);
      // The bystander session was never touched.
      bystander.send([48, 1, {}, 'no.such.procedure']);
      expect(((await bystander.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
      bystander.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('pings silent connections and drops those that never answer', async () => {
    const running = await startApp({ wamp: { pingInterval: 200, pingTimeout: 300 } });
    try {
      const answering = await RawWampClient.join(running.url);
      const deaf = new WebSocket(running.url, 'wamp.2.json', { autoPong: false });
      let pings = 0;
      deaf.on('ping', () => pings++);
      await new Promise((resolve) => deaf.once('open', resolve));
      deaf.send(JSON.stringify([1, 'realm1', { roles: { caller: {} } }]));
      const closed = await new Promise<number>((resolve) =>
        deaf.once('close', (code: number) => resolve(code)),
      );
      expect(pings).toBe(1);
      expect(closed).toBe(1006);
      // The client that answers pings is still served.
      answering.client.send([48, 1, {}, 'com.example.nothing']);
      expect(((await answering.client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
      answering.client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('checkRequestIds: a gap in request IDs is a protocol violation', async () => {
    const running = await startApp({ wamp: { checkRequestIds: true } });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([48, 1, {}, 'com.example.nothing']);
      expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
      client.send([32, 2, {}, 'com.example.topic']);
      expect(((await client.next()) as unknown[])[0]).toBe(33);
      client.send([48, 4, {}, 'com.example.nothing']);
      expect(await client.next()).toEqual([
        3,
        {
          message:
            'Request ID 4 is out of sequence: expected 3 (request IDs must count up from 1 within a session).',
        },
        'wamp.error.protocol_violation',
      ]);
      await client.waitClosed();
    } finally {
      await running.app.close();
    }
  });

  it('by default, request IDs are not checked for sequence (real clients send random ones)', async () => {
    const running = await startApp();
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([48, 912345, {}, 'com.example.nothing']);
      expect(((await client.next()) as unknown[]).slice(0, 3)).toEqual([8, 48, 912345]);
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('loose URIs are accepted when strictUris is false', async () => {
    const running = await startApp({ wamp: { strictUris: false } });
    try {
      const { client } = await RawWampClient.join(running.url);
      client.send([48, 1, {}, 'com.Example.getThing']);
      expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.no_such_procedure');
      client.send([48, 2, {}, 'com.example.with space']);
      expect(((await client.next()) as unknown[])[4]).toBe('wamp.error.invalid_uri');
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('serves only the serializers configured', async () => {
    const running = await startApp({ wamp: { serializers: ['wamp.2.msgpack'] } });
    try {
      await expect(RawWampClient.connect(running.url, 'wamp.2.json')).rejects.toMatchObject({
        statusCode: 400,
      });
      const client = await RawWampClient.connect(running.url, ['wamp.2.json', 'wamp.2.msgpack']);
      expect(client.protocol).toBe('wamp.2.msgpack');
      client.terminate();
    } finally {
      await running.app.close();
    }
  });

  it('custom path', async () => {
    const running = await startApp({ wamp: { path: '/wamp' } });
    try {
      expect(running.url.endsWith('/wamp')).toBe(true);
      const { client } = await RawWampClient.join(running.url);
      client.terminate();
      await expect(RawWampClient.connect(`${running.baseUrl}/ws`)).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await running.app.close();
    }
  });
});

describe('standalone mode and startup errors', () => {
  it('listens on its own port in an application context without an HTTP server', async () => {
    @Module({ imports: [WampModule.forRoot({ port: 0, host: '127.0.0.1' })] })
    class StandaloneModule {}
    const app = await NestFactory.createApplicationContext(StandaloneModule, {
      logger: false,
      abortOnError: false,
    });
    try {
      const address = app.get(WampGateway).address as string;
      expect(address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
      const { client } = await RawWampClient.join(address);
      client.send([6, {}, 'wamp.close.close_realm']);
      expect(await client.next()).toEqual([6, {}, 'wamp.close.goodbye_and_out']);
      const response = await fetch(address.replace('ws://', 'http://'));
      expect(response.status).toBe(426);
    } finally {
      await app.close();
    }
  });

  it('standalone server drops a client that never finishes its HTTP headers (slowloris)', async () => {
    @Module({ imports: [WampModule.forRoot({ port: 0, host: '127.0.0.1', headersTimeout: 500 })] })
    class SlowlorisModule {}
    const app = await NestFactory.createApplicationContext(SlowlorisModule, {
      logger: false,
      abortOnError: false,
    });
    try {
      const port = Number(new URL(app.get(WampGateway).address as string).port);
      const { connect } = await import('node:net');
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const started = Date.now();
      await new Promise((resolve) => socket.once('close', resolve));
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await app.close();
    }
  });

  it('fails at startup with a readable message when there is no HTTP server and no port', async () => {
    @Module({ imports: [WampModule.forRoot()] })
    class NoServerModule {}
    await expect(
      NestFactory.createApplicationContext(NoServerModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/has no HTTP server to share .* Set the "port" option/);
  });

  it.each<[WampModuleOptions, RegExp]>([
    [
      { realms: ['Realm With Spaces'] },
      /invalid option realms\[0\]: "Realm With Spaces" is not a valid strict WAMP URI/,
    ],
    [{ realms: [] }, /invalid option realms: expected an array of at least 1/],
    [{ realms: ['a', 'a'] }, /realm "a" is listed twice/],
    [{ path: 'ws' }, /invalid option path: expected a URL path starting with "\/"/],
    [
      { serializers: ['wamp.2.xml' as 'wamp.2.json'] },
      /serializers\[0\]: expected one of .*got "wamp.2.xml"/,
    ],
    [{ maxPayload: -1 }, /invalid option maxPayload: expected a positive integer, got -1 \(number\)/],
    [{ port: 70000 }, /invalid option port: expected an integer in \[0, 65535\]/],
    [{ maxUriLength: 0 }, /invalid option maxUriLength: expected a positive integer, got 0/],
    [{ maxUriComponents: 2.5 }, /invalid option maxUriComponents: expected a positive integer, got 2.5/],
    [{ maxBatchedMessages: -3 }, /invalid option maxBatchedMessages: expected a positive integer, got -3/],
    [
      { strictUri: false } as WampModuleOptions,
      /invalid option strictUri: unknown option \(did you mean "strictUris"\?\)/,
    ],
  ])('rejects bad options at startup: %j', async (options, pattern) => {
    @Module({ imports: [WampModule.forRoot(options)] })
    class BadOptionsModule {}
    await expect(
      NestFactory.create(BadOptionsModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(pattern);
  });

  it('forRootAsync builds options from DI (useFactory and useClass)', async () => {
    @Injectable()
    class ConfigService {
      readonly path = '/from-config';
    }
    @Module({ providers: [ConfigService], exports: [ConfigService] })
    class ConfigModule {}
    @Module({
      imports: [
        WampModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ path: config.path, realms: ['from.factory'] }),
        }),
      ],
    })
    class FactoryModule {}
    const app = await NestFactory.create(FactoryModule, { logger: false, abortOnError: false });
    await app.listen(0, '127.0.0.1');
    try {
      const port = (app.getHttpServer().address() as { port: number }).port;
      const { client, welcome } = await RawWampClient.join(
        `ws://127.0.0.1:${port}/from-config`,
        'from.factory',
      );
      expect((welcome[2] as { realm: string }).realm).toBe('from.factory');
      client.terminate();
      expect(app.get(WampRouter).realms.has('from.factory')).toBe(true);
    } finally {
      await app.close();
    }

    @Injectable()
    class WampConfig implements WampOptionsFactory {
      createWampOptions(): WampModuleOptions {
        return { realms: ['from.class'] };
      }
    }
    @Module({ imports: [WampModule.forRootAsync({ useClass: WampConfig })] })
    class ClassModule {}
    const second = await NestFactory.create(ClassModule, { logger: false, abortOnError: false });
    try {
      await second.init();
      expect([...second.get(WampRouter).realms.keys()]).toEqual(['from.class']);
    } finally {
      await second.close();
    }
  });
});
